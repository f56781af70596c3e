"""QA walk of 2026-12-05 (D): after the POL-0006 report was submitted and published, the inbox still showed "Annual
monitoring report: POL-0006 ... is overdue by 90 days", asking for what had been done. A reminder of the annual
report due on a date is no longer needed once a report answering that date is submitted (the one rule of
assessments.services.monitoring_periods.answers, recorded as the report's ``answers_due_on``): it is closed in the
submission's transaction (``Reminder.superseded_at``), and the inbox tags it "No longer needed", as it does a leaver's
reminders once the work is handed over. A report of another period answers nothing, and closes nothing."""

from __future__ import annotations

import datetime

import pytest

from assessments import services as assessment_services
from notifications.models import Reminder, ReminderKind
from notifications.selectors import inbox_items, new_items, no_longer_needed
from notifications.services import ledger
from notifications.services.plan import policy_plan
from tests.notifications.test_chase import PUBLISHED_ON, at, chase, published  # noqa: F401

pytestmark = pytest.mark.django_db

SECTIONS = {"compliance": "Dip sample of 120 cases: 96% compliant.", "benefits": "Faster referrals.",
            "diversity_impact": "No disproportionality found."}


def submit(policy, people, period_end):
    with at(policy.monitoring_report_due_on + datetime.timedelta(days=8)):
        report = assessment_services.monitoring_report_create(
            policy=policy, actor=people.developer, period_start=PUBLISHED_ON, period_end=period_end, **SECTIONS)
        return assessment_services.monitoring_report_submit(report=report, actor=people.developer)


def due_reminders(user):
    return Reminder.objects.filter(recipient=user, kind=ReminderKind.MONITORING_DUE)


def test_a_report_answering_the_date_due_closes_its_reminders(published, people):  # noqa: F811
    due = published.monitoring_report_due_on
    chase(due)
    chase(due + datetime.timedelta(days=7))
    assert due_reminders(people.developer).count() == 2
    # One of them read: closed all the same ("overdue by 90 days" stayed in the inbox, read).
    item = inbox_items(user=people.developer).filter(reminder__kind=ReminderKind.MONITORING_DUE).first()
    item.read_at = item.created_at
    item.save(update_fields=["read_at"])
    report = submit(published, people, due)
    assert report.answers_due_on == due
    assert not due_reminders(people.developer).filter(superseded_at__isnull=True).exists()
    assert set(due_reminders(people.developer).values_list("closed_because", flat=True)) == {"report_submitted"}
    items = inbox_items(user=people.developer).filter(reminder__kind=ReminderKind.MONITORING_DUE)
    assert items.count() == 2 and items.filter(no_longer_needed()).count() == 2
    assert not items.filter(new_items()).exists()


def test_a_report_of_another_period_closes_nothing(published, people):  # noqa: F811
    due = published.monitoring_report_due_on
    chase(due + datetime.timedelta(days=7))
    report = submit(published, people, PUBLISHED_ON + datetime.timedelta(days=180))
    assert report.answers_due_on is None
    assert due_reminders(people.developer).filter(superseded_at__isnull=True).count() == 1


def test_a_reminder_planned_before_the_report_was_submitted_is_not_written_after_it(published, people,  # noqa: F811
                                                                                   monkeypatch):
    """The chase plans before it takes its lock (ledger.chase_run): a report submitted in between, answering the date
    due, closed what the ledger held, and the chase then wrote the reminder it had planned for that date, open for
    good ("is overdue by 8 days" after the report was in)."""
    due = published.monitoring_report_due_on
    day = due + datetime.timedelta(days=8)
    with at(day):
        planned = policy_plan(day)  # the chase has planned ...
    submit(published, people, due)  # ... the report answering the date is submitted and committed ...
    assert any(item.policy_id == published.pk and item.kind == ReminderKind.MONITORING_DUE for item in planned)
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    chase(day)  # ... and the chase writes what it planned
    assert not Reminder.objects.filter(policy=published, kind=ReminderKind.MONITORING_DUE,
                                       superseded_at__isnull=True).exists()
