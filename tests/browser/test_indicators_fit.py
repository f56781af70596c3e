"""The Corporate Health Indicators table (ten columns: the business group and nine figures) fits a 1280 px screen
without a sideways scroll, in Chromium, on the indicators page and in the board report: its headings are short words
over the figures they head, each heard in full by a screen reader (the short words are hidden from it, the full
heading is visually hidden). Before, the user's walk found the table scrolling sideways at 1280 px, its last columns
out of sight behind an edge few notice.

Nothing is lost: every column is still there, named in full to a screen reader, the page's "How each indicator is
worked out" says what each short heading counts, and axe-core passes."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from lifecycle.models import Policy
from lifecycle.states import Status
from oversight.views import INDICATOR_HEADER
from tests.factories import BusinessGroupFactory, make_people

pytestmark = pytest.mark.django_db(transaction=True)

# The force's other business groups, by their real names (the longest words set the first column's width).
OTHER_GROUPS = ("Directorate of Resources", "MetHQ", "Professionalism", "Specialist Operations")

FITS = """table => {
    const container = table.closest('.app-table-container');
    return {scroll: container.scrollWidth, client: container.clientWidth,
            page: document.documentElement.scrollWidth, screen: document.documentElement.clientWidth};
}"""
HEARD = """cells => cells.map(cell => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll('[aria-hidden=true]').forEach(node => node.remove());
    return copy.textContent.split(/\\s+/).filter(Boolean).join(' ');
})"""


def in_force_in_five_groups():
    """The force's people, and five policies in force in two of five business groups; the period that ends today."""
    people = make_people()
    for name in OTHER_GROUPS:
        BusinessGroupFactory(name=name)
    today = timezone.localdate()
    made = [people.policy(title=f"Policy {number}") for number in range(3)]
    made += [people.policy(title=f"Other policy {number}", actor=people.developer2, business_group=people.group2,
                           owning_unit=people.unit2, designated_lead=people.lead2, coordinator=people.coordinator2,
                           developers=[people.developer2]) for number in range(2)]
    Policy.objects.filter(pk__in=[policy.pk for policy in made]).update(
        status=Status.IMPLEMENTATION, first_published_on=today - datetime.timedelta(days=700),
        review_due_on=today + datetime.timedelta(days=30),
        monitoring_report_due_on=today + datetime.timedelta(days=200))
    # A period that ends today, when the policies made above are in force.
    return people, f"from={today - datetime.timedelta(days=30)}&to={today}"


def test_the_indicators_table_fits_at_1280_px_and_names_every_column_in_full(browser_user):
    people, period = in_force_in_five_groups()
    browser = browser_user
    page = browser.page
    browser.sign_in(people.pcu.username)
    page.set_viewport_size({"width": 1280, "height": 900})

    for path, table_id, label in ((f"/dashboard/indicators/?{period}", "indicators", "indicators"),
                                  (f"/dashboard/report/?{period}", "report-indicators", "board report")):
        browser.goto(path)
        table = page.locator(f"#{table_id}")
        table.scroll_into_view_if_needed()
        browser.screenshot(f"pcu: {label} at 1280 px")
        sizes = table.evaluate(FITS)
        assert sizes["scroll"] <= sizes["client"], (label, sizes)
        assert sizes["page"] <= sizes["screen"], (label, sizes)
        # Every column is still there, and a screen reader hears each heading in full.
        headings = table.locator("thead th")
        assert headings.count() == len(INDICATOR_HEADER) == 10
        assert headings.evaluate_all(HEARD) == INDICATOR_HEADER, label
        assert "Professionalism" in table.locator("tbody th").all_inner_texts()
        browser.assert_accessible(f"pcu: {label}")
        assert browser.wording_faults() == [], label


PRINTED = """headings => headings.filter(th => th.querySelector('.app-heading-short')).map(th => {
    const short = th.querySelector('.app-heading-short'), full = short.nextElementSibling;
    return [getComputedStyle(short).display, getComputedStyle(full).position];
})"""
# An A4 landscape page's width inside the report's 12 mm margins, in CSS pixels (96 to the inch).
LANDSCAPE_WIDTH = round((297 - 2 * 12) / 25.4 * 96)


def test_the_board_report_printed_from_the_browser_is_landscape_with_every_column_and_full_headings(browser_user):
    """The board report is printed from the browser as well as downloaded as a PDF. Printed, its tables were cut at
    the right edge (its print style released a container class the tables no longer had, so each kept its scroll box)
    and the indicators showed the screen's short headings. Printed now: A4 landscape, as the PDF, every table whole
    within the page, the full headings shown."""
    people, period = in_force_in_five_groups()
    browser = browser_user
    page = browser.page
    browser.sign_in(people.pcu.username)
    page.set_viewport_size({"width": LANDSCAPE_WIDTH, "height": 900})
    browser.goto(f"/dashboard/report/?{period}")
    page.emulate_media(media="print")
    printed = page.locator("#report-indicators thead th").evaluate_all(PRINTED)
    assert printed and all(shown == ["none", "static"] for shown in printed), printed
    widths = page.locator(".app-report table").evaluate_all(
        "tables => tables.map(table => [table.id || table.caption?.textContent, table.scrollWidth, "
        "document.documentElement.clientWidth])")
    assert widths and all(width <= page_width for _, width, page_width in widths), widths
    pdf = page.pdf(prefer_css_page_size=True)
    # The first page's MediaBox: A4 landscape (842 x 595 points).
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box and round(float(box.group(1))) == 842 and round(float(box.group(2))) == 595, box
    page.emulate_media(media="screen")
    assert all(shown == ["inline", "absolute"]
               for shown in page.locator("#report-indicators thead th").evaluate_all(PRINTED))
