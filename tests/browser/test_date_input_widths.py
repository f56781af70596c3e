"""A date is asked as GOV.UK's three boxes, sized for what they hold: two digits for the day and month, four for the
year, side by side. (The layout's rule that no field is wider than the screen overrode the boxes' width classes: each
box was as wide as the page, and the year fell onto a line of its own.) Checked in Chromium at a desktop width and at
320 px."""

import datetime

import pytest
from django.utils import timezone

from lifecycle.models import Policy
from lifecycle.states import Status
from tests.factories import make_people

pytestmark = pytest.mark.django_db(transaction=True)


def _boxes(page, field: str) -> dict[str, dict]:
    return {part: page.locator(f"#id_{field}-{part}").bounding_box() for part in ("day", "month", "year")}


def test_the_date_boxes_keep_their_widths_side_by_side(browser_user):
    people = make_people()
    policy = people.policy(title="Stop and search recording")
    today = timezone.localdate()
    Policy.objects.filter(pk=policy.pk).update(
        status=Status.IMPLEMENTATION, first_published_on=today - datetime.timedelta(days=400),
        review_due_on=today + datetime.timedelta(days=700), monitoring_report_due_on=today - datetime.timedelta(days=5))
    browser = browser_user
    browser.sign_in(people.developer.username)
    page = browser.page
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        browser.goto(f"/policies/{policy.reference}/monitoring/")
        boxes = _boxes(page, "period_start")
        font = float(page.locator("#id_period_start-day").evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        # govuk-input--width-2 is 2.75em wide and --width-4 4.5em (GOV.UK Frontend), border and padding included.
        assert boxes["day"]["width"] <= 2.75 * font + 1, (width, boxes)
        assert boxes["month"]["width"] <= 2.75 * font + 1, (width, boxes)
        assert boxes["year"]["width"] <= 4.5 * font + 1, (width, boxes)
        assert boxes["day"]["y"] == boxes["month"]["y"] == boxes["year"]["y"], (width, boxes)
        assert boxes["day"]["x"] < boxes["month"]["x"] < boxes["year"]["x"], (width, boxes)
        browser.step(f"developer: monitoring report dates at {width} px")
    assert browser.overflow() == {}
