"""Migration notifications 0018: the co-ordinator's "Monitoring report to quality-assure" items the code before left
open (QA walk of 2026-12-06: POL-0003's items of November 2026 and April 2024 still New after its report was
returned) are closed as of the pass or return that answered them, with why. An item of a report still waiting for
quality assurance is left as it is."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from assessments import services as assessments
from core.models import AuditEvent
from lifecycle.states import Status
from notifications.models import Notification, ReminderClosed
from notifications.services import outbox_relay
from tests.clock import travel
from tests.lifecycle.migrating import migrate
from tests.notifications.test_work_done_closes import QA_ASKED, submitted_report

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the other migration tests are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

BEFORE = ("notifications", "0017_notification_closed")
PUBLISHED_ON = datetime.date(2023, 3, 1)
RETURNED_ON = datetime.date(2024, 4, 2)
PASSED_ON = datetime.date(2024, 4, 9)


def test_items_of_reports_no_longer_waiting_are_closed_as_of_the_decision(policy_in, people):
    with travel(PUBLISHED_ON):
        assured, waiting = policy_in(Status.IMPLEMENTATION), policy_in(Status.IMPLEMENTATION)
    report = submitted_report(assured, people)
    submitted_report(waiting, people)
    outbox_relay()
    with travel(RETURNED_ON):
        assessments.monitoring_report_return(report=report, actor=people.coordinator, comments="Say which cases.")
        assessments.monitoring_report_submit(report=report, actor=people.developer)
        outbox_relay()
    with travel(PASSED_ON):
        assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    asked = Notification.objects.filter(policy=assured, title__startswith=QA_ASKED).order_by("pk")
    still_asked = Notification.objects.filter(policy=waiting, title__startswith=QA_ASKED)
    assert asked.count() == 2 and still_asked.count() == 1
    returned, passed = (AuditEvent.objects.get(action=action).occurred_at
                        for action in ("monitoring_report.returned", "monitoring_report.qa_passed"))
    try:
        migrate(BEFORE)
        # As the code before left them: open, New.
        asked.update(closed_at=None, closed_because="")
        migrate()
        # Each as of the first decision after its submission: the first submission's by the return.
        assert list(asked.values_list("closed_at", "closed_because")) == [
            (returned, ReminderClosed.REPORT_ASSURED), (passed, ReminderClosed.REPORT_ASSURED)]
        assert still_asked.get().closed_at is None
    finally:
        migrate()
