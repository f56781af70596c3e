"""Bringing a review forward once it is already due (QA crawl, finding 2): POL-0003's review was overdue by 249 days,
yet the co-ordinator and the Lead were offered "Bring the review forward", whose hint's example (27 3 2027) was itself
refused. No date could be accepted: the new one must be earlier than the review date and not in the past. SOP:
reviews "at least every 3 years", earlier "if ... prompted by monitoring results, or external factors": a review
already due is started, not brought forward. And where it is offered, the example is a date it accepts."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import MonitoringResponse
from lifecycle import services as s
from lifecycle.models import Policy
from lifecycle.states import Status
from tests.factories import refused, reload, report_hashes_shown, what_was_read
from tests.web.page_text import read

pytestmark = pytest.mark.django_db

URL = "/policies/{ref}/actions/set-review-date/"


def due_on(policy, day: datetime.date) -> Policy:
    Policy.objects.filter(pk=policy.pk).update(review_due_on=day)
    return reload(policy)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", read(response.content.decode()).text)


@pytest.mark.parametrize("days_late", [249, 0])
def test_a_review_already_due_is_not_offered_to_be_brought_forward(client, people, policy_in, days_late):
    policy = due_on(policy_in(Status.MONITORING), timezone.localdate() - datetime.timedelta(days=days_late))
    for person in (people.coordinator, people.lead):
        client.force_login(person)
        overview = client.get(f"/policies/{policy.reference}/").content.decode()
        assert URL.format(ref=policy.reference) not in overview
        # What they can do instead: start the review.
        assert f"/policies/{policy.reference}/actions/start-review/" in overview
        # Opened by its address, the page says why, and where to go instead.
        page = client.get(URL.format(ref=policy.reference), follow=True)
        said = text_of(page)
        assert "the review is already due" in said and "Start the review instead" in said
        assert "is not available to you" not in said


def test_the_service_refuses_a_review_already_due_with_the_reason(people, policy_in):
    policy = due_on(policy_in(Status.MONITORING), timezone.localdate() - datetime.timedelta(days=10))
    with refused("stale", "the review is already due"):
        s.policy_set_review_date(policy=policy, actor=people.coordinator, review_due_on=timezone.localdate(),
                                 reason="A critical incident.")
    assert reload(policy).review_due_on == timezone.localdate() - datetime.timedelta(days=10)


@pytest.mark.parametrize("days_ahead", [1, 40, 200, 3 * 365])
def test_the_hint_gives_an_example_the_step_accepts(client, people, policy_in, days_ahead):
    """27 3 2027 was the example whatever the review date: now the example lies between today and the day before
    the review is due, and posting it brings the review forward."""
    policy = due_on(policy_in(Status.MONITORING), timezone.localdate() + datetime.timedelta(days=days_ahead))
    client.force_login(people.coordinator)
    page = text_of(client.get(URL.format(ref=policy.reference)))
    example = re.search(r"For example, (\d{1,2}) (\d{1,2}) (\d{4})", page)
    assert example, page
    day, month, year = (int(part) for part in example.groups())
    response = client.post(URL.format(ref=policy.reference), {
        "review_due_on-day": day, "review_due_on-month": month, "review_due_on-year": year,
        "reason": "A critical incident.", **what_was_read(policy)})
    assert response.status_code == 302, text_of(response)
    assert reload(policy).review_due_on == datetime.date(year, month, day)


def test_a_date_not_earlier_is_refused_by_the_form_saying_when_the_review_is_due(client, people, policy_in):
    due = timezone.localdate() + datetime.timedelta(days=40)
    policy = due_on(policy_in(Status.MONITORING), due)
    client.force_login(people.coordinator)
    response = client.post(URL.format(ref=policy.reference), {
        "review_due_on-day": due.day, "review_due_on-month": due.month, "review_due_on-year": due.year,
        "reason": "A critical incident.", **what_was_read(policy)})
    assert response.status_code == 400
    assert f"The review is due on {due:%-d %B %Y} now: the new review date must be earlier" in text_of(response)
    assert "A critical incident." in response.content.decode()
    assert reload(policy).review_due_on == due


def test_the_leads_response_to_a_report_cannot_bring_forward_a_review_already_due(client, people, policy_in):
    """The Lead's "Bring the review forward" answer to a monitoring report is the same step: on a review already due
    it is refused on the form, what was typed kept, rather than as a page that has moved on."""
    policy = policy_in(Status.MONITORING)
    report = assessment_services.monitoring_report_create(
        policy=policy, actor=people.developer, period_start=policy.first_published_on,
        period_end=policy.first_published_on + datetime.timedelta(days=200), compliance="Dip sample: 94%.",
        benefits="Fewer complaints.", diversity_impact="None found.")
    assessment_services.monitoring_report_submit(report=report, actor=people.developer)
    assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    later = policy.first_published_on + datetime.timedelta(days=3 * 365 + 30)
    with time_machine.travel(datetime.datetime.combine(later, datetime.time(10), tzinfo=datetime.UTC), tick=False):
        assert reload(policy).review_due_on < timezone.localdate()
        client.force_login(people.lead)
        response = client.post(f"/policies/{policy.reference}/actions/respond-to-monitoring/", {
            **what_was_read(policy), "report": report.pk, **report_hashes_shown(report), "outcome": "bring_forward",
            "reasons": "Worrying results.", "remedial_action": "", "remedial_owner": "",
            "remedial_due_on-day": "", "remedial_due_on-month": "", "remedial_due_on-year": "",
            "review_due_on-day": later.day, "review_due_on-month": later.month, "review_due_on-year": later.year})
    assert response.status_code == 400
    said = text_of(response)
    assert "is already due" in said and "start the review" in said
    assert "Worrying results." in response.content.decode()
    assert not MonitoringResponse.objects.exists()

