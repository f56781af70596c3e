"""My work in Chromium when its queues hold more than they show (workspace.selectors.QUEUE_SHOWN): a co-ordinator with
more reviews overdue than a queue shows still sees the reviews due soon; each full queue says more are waiting and
which are shown; its link opens the register with every one of them. axe-core passes, the wording rules hold (issue
17), the page reflows, and each step's screenshot is kept in test-artifacts/."""

import datetime

import pytest
from django.utils import timezone

from lifecycle.models import Policy
from lifecycle.states import Status
from tests.factories import make_people
from workspace.selectors import QUEUE_SHOWN

pytestmark = pytest.mark.django_db(transaction=True)


def _in_force(people, count: int, *, due_in_days: int, title: str) -> None:
    made = [people.policy(title=f"{title} {number:02d}") for number in range(count)]
    today = timezone.localdate()
    Policy.objects.filter(pk__in=[policy.pk for policy in made]).update(
        status=Status.IMPLEMENTATION, first_published_on=today - datetime.timedelta(days=700),
        review_due_on=today + datetime.timedelta(days=due_in_days),
        monitoring_report_due_on=today + datetime.timedelta(days=200))


def test_a_coordinator_sees_full_queues_say_so_and_finds_the_rest(browser_user):
    people = make_people()
    _in_force(people, QUEUE_SHOWN + 2, due_in_days=-249, title="Overdue review")
    _in_force(people, QUEUE_SHOWN + 1, due_in_days=30, title="Review soon")
    browser = browser_user
    browser.sign_in(people.coordinator.username)
    browser.goto("/")
    page = browser.page
    overdue = page.locator("h2:has-text('Reviews overdue') + p + ul li.app-work-item")
    assert overdue.count() == QUEUE_SHOWN
    soon = page.locator("h2:has-text('Reviews due within 6 months') + p + ul li.app-work-item")
    assert soon.count() == QUEUE_SHOWN
    assert "Review soon 00" in soon.first.inner_text() and "Overdue review" not in soon.first.inner_text()
    notes = page.locator("p.app-queue-more")
    assert notes.count() == 2
    assert notes.nth(0).inner_text() == (f"More are waiting. Only the {QUEUE_SHOWN} most overdue are shown. "
                                         "See them all in the register.")
    # The tag reads "20+" and tells a screen reader what the plus means.
    tag = page.locator("h2:has-text('Reviews overdue') .govuk-tag")
    assert tag.inner_text().startswith(f"{QUEUE_SHOWN}+")
    assert tag.locator(".govuk-visually-hidden").text_content() == " shown, more waiting"
    # Each "Overdue by 249 days" tag stands on one line, as tall as the line of text beside it (it wrapped onto two
    # and sat out of line with its item: found by the twelfth session's Chromium walk), at a desktop width and 320 px.
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        heights = page.locator(".app-due-tag").evaluate_all(
            "tags => tags.map(t => Math.round(t.getBoundingClientRect().height))")
        line = page.locator(".app-due-tag").first.evaluate(
            "t => parseFloat(getComputedStyle(t).lineHeight) + 5")  # the tag's line and its 2 + 3 px of padding
        assert heights and max(heights) <= line + 1, (width, heights, line)
    page.set_viewport_size({"width": 1280, "height": 900})
    browser.step("co-ordinator: my work with full queues")
    assert browser.wording_faults() == []
    browser.assert_fits("co-ordinator: my work with full queues")
    with page.expect_navigation():
        notes.nth(1).locator("a").click()
    assert page.url.endswith("/policies/?review_status=due_soon")
    browser.step("co-ordinator: the register of reviews due soon")
    assert page.locator("#result-count").inner_text().startswith(f"{QUEUE_SHOWN + 1} policies")
