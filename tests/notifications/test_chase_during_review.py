"""Issue 13, "Monitoring reminders stop while a review is open" and "Overdue is overdue": the chase asks
lifecycle.due, not the policy's status. A review takes 6 months or more, so an annual report falls due during it
and must be chased; a review stalled past its date stays overdue in every reminder. Through the real chase
(``chase_run`` and ``manage.py chase --dry-run``), with time-machine."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from lifecycle import services as lifecycle_services
from lifecycle.models import Policy
from lifecycle.states import Status
from notifications import services
from notifications.models import Reminder
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 6, 3)
MONITORING_DUE = datetime.date(2025, 6, 3)
REVIEW_STARTED = datetime.date(2025, 3, 3)  # a 7-month review: 3 March to 3 October 2025


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


def chase(day: datetime.date):
    with at(day):
        return services.chase_run(today=day)


def steps(user, kind):
    return list(Reminder.objects.filter(recipient=user, kind=kind).order_by("due_on").values_list("due_on", "step"))


@pytest.fixture
def under_review(people):
    with at(PUBLISHED_ON - datetime.timedelta(days=30)):
        policy = people.policy(title="Stop and search")
    with at(PUBLISHED_ON):
        policy = advance_to(policy, Status.MONITORING, people)
    assert policy.monitoring_report_due_on == MONITORING_DUE
    with at(REVIEW_STARTED):
        lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator,
                                               reason="Brought forward: new legislation.")
        policy = advance_to(policy, Status.DEVELOPMENT, people)
    assert policy.status == Status.DEVELOPMENT
    return policy


def test_a_monitoring_report_falling_due_during_a_review_is_chased(under_review, people):
    for day in (MONITORING_DUE - datetime.timedelta(days=31), MONITORING_DUE,
                MONITORING_DUE + datetime.timedelta(days=14)):
        chase(day)
    assert Policy.objects.get(pk=under_review.pk).status == Status.DEVELOPMENT
    assert steps(people.developer, "monitoring_due") == [
        (datetime.date(2025, 5, 3), "1 month before"), (MONITORING_DUE, "due today"),
        (datetime.date(2025, 6, 17), "overdue by 14 days")]
    # Escalated to the co-ordinator after 14 days, as for any policy.
    assert steps(people.coordinator, "monitoring_due") == [(datetime.date(2025, 6, 17), "overdue by 14 days")]
    # The reminder belongs to the cycle under way (the review's version 2).
    assert set(Reminder.objects.filter(kind="monitoring_due").values_list("cycle", flat=True)) == {2}


def test_chase_dry_run_lists_the_report_due_during_the_review(under_review, people):
    out = StringIO()
    with at(MONITORING_DUE):
        call_command("chase", "--dry-run", f"--date={MONITORING_DUE.isoformat()}", stdout=out)
    text = out.getvalue()
    assert (f"[monitoring_due] The annual monitoring report for {under_review.reference} Stop and search is due "
            "today, 3 June 2025.") in text
    assert "developer <" in text and "manager <" in text
    assert Reminder.objects.count() == 0


def test_a_withdrawn_policy_is_not_chased_for_its_report(people):
    with at(PUBLISHED_ON):
        policy = advance_to(people.policy(), Status.IMPLEMENTATION, people)
        advance_to(policy, Status.WITHDRAWN, people)  # decided by the Lead, carried out by PCU
    chase(MONITORING_DUE)
    assert not Reminder.objects.filter(kind="monitoring_due").exists()


def test_a_review_stalled_past_its_date_stays_overdue_in_every_reminder(people):
    with at(datetime.date(2022, 11, 1)):
        policy = advance_to(people.policy(title="Missing persons"), Status.MONITORING, people)
    review_due = policy.review_due_on
    assert review_due == datetime.date(2025, 11, 1)
    with at(datetime.date(2025, 5, 6)):
        lifecycle_services.policy_start_review(policy=policy, actor=people.developer, reason="Due in 6 months.")
        policy = advance_to(policy, Status.WITH_LEAD, people)
    # The review stalls with the Lead and its date passes.
    for day in (review_due, review_due + datetime.timedelta(days=7), review_due + datetime.timedelta(days=42)):
        chase(day)
    assert Policy.objects.get(pk=policy.pk).status == Status.WITH_LEAD
    assert [step for _, step in steps(people.developer, "review_due")] == [
        "due today", "overdue by 7 days", "overdue by 42 days"]
    assert steps(people.lead, "review_due") == [(review_due + datetime.timedelta(days=42), "overdue by 42 days")]
    # The Lead is also chased for the decision the review waits on, and that reminder says the review is overdue.
    stuck = Reminder.objects.filter(kind="stuck", recipient=people.lead).latest("due_on")
    assert f"its review was due on {review_due:%-d %B %Y} and is overdue by" in stuck.message
