"""The chase plans before it takes its lock and writes the ledger (ledger.chase_run: policy_plan, then the INSERT). A
step closing reminders that commits in between, the re-publication completing a review, used to leave the chase
writing today's reminder for the date just answered: it stayed open ("New", in the digest, passed on at a handover)
for good, as nothing else closes a review reminder (the review of 2026-12-06). The chase now leaves out what such a
step would have closed, and a step closing reminders waits for a chase writing now (reminders.after_any_chase_writing).
"""
from __future__ import annotations

import datetime

import pytest
from django.db import connection

from lifecycle import services as lifecycle_services
from notifications.models import Reminder, ReminderKind
from notifications.services import ledger, reminders
from notifications.services.plan import policy_plan
from publication.services import policy_republish_no_change
from tests.factories import monitoring_up_to_date, reload
from tests.notifications.test_chase import at, chase, published  # noqa: F401

pytestmark = pytest.mark.django_db


def withdraw(policy, people) -> None:
    lifecycle_services.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="Superseded by law.")
    lifecycle_services.policy_withdraw(policy=reload(policy), actor=people.pcu)


def test_a_reminder_planned_before_the_review_was_completed_is_not_written_after_it(published, people,  # noqa: F811
                                                                                    monkeypatch):
    due = published.review_due_on
    chase(due)
    chase(due + datetime.timedelta(days=7))
    day = due + datetime.timedelta(days=42)  # a step of the schedule: the Lead is chased from today
    with at(day):
        monitoring_up_to_date(published, people)
        planned = policy_plan(day)  # the chase has planned ...
        lifecycle_services.policy_conclude_no_change(policy=published, actor=people.lead, reason="No change needed.")
        lifecycle_services.policy_confirm_eia(policy=published, actor=people.dcfd, eia_outcome="stands")
        policy_republish_no_change(policy=published, actor=people.pcu)  # ... PCU re-publishes and commits ...
    assert any(item.policy_id == published.pk and item.kind == ReminderKind.REVIEW_DUE for item in planned)
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    chase(day)  # ... and the chase writes what it planned
    assert not Reminder.objects.filter(policy=published, kind=ReminderKind.REVIEW_DUE,
                                       superseded_at__isnull=True).exists()


def test_a_reminder_planned_before_the_policy_was_withdrawn_is_not_written_after_it(published, people,  # noqa: F811
                                                                                   monkeypatch):
    day = published.review_due_on + datetime.timedelta(days=42)
    with at(day):
        planned = policy_plan(day)
        withdraw(published, people)
    assert any(item.policy_id == published.pk for item in planned)
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    chase(day)
    assert not Reminder.objects.filter(policy=published, superseded_at__isnull=True).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's advisory locks")
def test_a_step_closing_reminders_waits_for_a_chase_writing_now(published, people):  # noqa: F811
    # Held shared by the step, in its transaction: the chase's lock, taken alone, would wait for it.
    withdraw(published, people)
    with connection.cursor() as cursor:
        cursor.execute("SELECT mode, granted FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                       "AND pid = pg_backend_pid()", [reminders.CHASE_LOCK])
        assert cursor.fetchall() == [("ShareLock", True)]
