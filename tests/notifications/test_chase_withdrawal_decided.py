"""A policy whose withdrawal is decided is chased only for the withdrawal, to PCU (lifecycle.deadlines.WITHDRAWAL): its
review, its annual monitoring report and any other reminder of its authors stop at the decision (found with the demo:
the authors of a policy decided for withdrawal were still reminded that its review and report were due). The
reminders open then are closed in the decision's transaction, saying why; one planned before the decision committed is
not written after it; the chase plans no other."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from core.models import Role, RoleAssignment
from lifecycle import services as s
from lifecycle.states import Status
from notifications.models import Reminder
from notifications.services import chase_plan, chase_run, ledger
from notifications.services.plan import policy_plan
from tests.factories import advance_to, reload

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # review due 15 January 2027, report due 15 January 2025
DECIDED = datetime.date(2026, 8, 3)  # a Monday: the report overdue, the review due within 6 months
EXPECTED = datetime.date(2026, 8, 17)  # 10 working days after the decision


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def in_force(people):
    with on(PUBLISHED_ON):
        return advance_to(people.policy(), Status.MONITORING, people)


def kinds_planned(policy, day) -> set[str]:
    return {reminder.kind for reminder in chase_plan(today=day) if reminder.policy_id == policy.pk}


def decide(people, policy) -> None:
    with on(DECIDED):
        s.policy_decide_withdrawal(policy=reload(policy), actor=people.lead, reason="Replaced by national guidance.")


def test_only_the_withdrawal_is_chased_once_decided(people, in_force):
    with on(DECIDED):
        chase_run(today=DECIDED)
    assert {"review_due", "monitoring_due"} <= set(
        Reminder.objects.filter(policy=in_force, superseded_at__isnull=True).values_list("kind", flat=True))
    decide(people, in_force)
    # What was open closes in the decision's transaction, saying why.
    assert not Reminder.objects.filter(policy=in_force, superseded_at__isnull=True).exists()
    assert set(Reminder.objects.filter(policy=in_force).values_list("closed_because", flat=True)) == {
        "withdrawal_decided"}
    # The chase plans nothing more of its review or report, nor anything else, for anyone.
    for day in (DECIDED + datetime.timedelta(days=7), DECIDED + datetime.timedelta(days=14)):
        assert kinds_planned(in_force, day) <= {"withdrawal"}, day
    assert kinds_planned(in_force, EXPECTED) == {"withdrawal"}
    with on(EXPECTED):
        chase_run(today=EXPECTED)
    pcu = RoleAssignment.objects.filter(role=Role.PCU, business_group__isnull=True).values_list("user__username",
                                                                                                flat=True)
    assert set(Reminder.objects.filter(policy=in_force, superseded_at__isnull=True)
               .values_list("kind", "recipient__username")) == {("withdrawal", name) for name in pcu}


def test_a_review_reminder_planned_before_the_decision_is_not_written_after_it(people, in_force, monkeypatch):
    with on(DECIDED):
        planned = policy_plan(DECIDED)  # the chase has planned ...
    assert {"review_due", "monitoring_due"} <= {item.kind for item in planned if item.policy_id == in_force.pk}
    decide(people, in_force)  # ... the Lead decides and commits ...
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    with on(DECIDED):
        chase_run(today=DECIDED)  # ... and the chase writes what it planned
    assert not Reminder.objects.filter(policy=in_force).exclude(kind="acknowledgement").exists()
