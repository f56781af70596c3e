"""Migrations notifications 0011 and 0012: the inbox items already written take the monitoring report they tell of
(Notification.report), as the header's count, the inbox and the digest read it until now by searching the outbox, the
audit trail and the reports (notifications/migrations/0012_notification_report_backfill.py says how)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from notifications import services
from notifications.links import report_named
from notifications.models import Notification, ReminderKind
from tests.assessments import test_monitoring_report_marking as report_marking
from tests.factories import advance_to, reload
from tests.library.helpers import published
from tests.lifecycle.migrating import migrate

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the other migration tests are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

BEFORE = ("notifications", "0010_reminder_kind_orphan_coordinator")
SENSITIVE = ProtectiveMarking.OFFICIAL_SENSITIVE


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def reports_recorded() -> dict[int, int | None]:
    return dict(Notification.objects.values_list("pk", "report_id"))


def test_items_already_written_take_the_report_they_tell_of(people, django_capture_on_commit_callbacks):
    # A report published OFFICIAL-SENSITIVE and answered with a remedial action, the policy since re-marked OFFICIAL
    # (the relay tells of the report's events); and a report of another policy waiting for quality assurance.
    policy, report = report_marking.build_downgraded(people, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = advance_to(published(people, title="Covert tasking", marking=SENSITIVE), Status.MONITORING, people)
    in_qa = report_marking.report_of(waiting, people, publish=False)
    s.policy_start_review(policy=reload(waiting), actor=people.coordinator, reason="Three-year review.")
    services.outbox_relay()
    services.chase_run(today=timezone.localdate() + datetime.timedelta(days=46))
    written = reports_recorded()
    items = Notification.objects.select_related("reminder", "source_event__audit_event")
    told_of = {item.pk: item.report_id for item in items if item.report_id}
    # Each kind that tells of a report recorded it when written: the relay's, the remedial action's, the QA's.
    assert {item.pk for item in items if item.source_event_id and report_named(item.source_event.audit_event)} \
        <= set(told_of)
    assert any(item.reminder_id and item.reminder.kind == ReminderKind.REMEDIAL_ACTION
               and told_of.get(item.pk) == report.pk for item in items)
    assert any(item.reminder_id and item.reminder.kind == ReminderKind.MONITORING_QA
               and told_of.get(item.pk) == in_qa.pk for item in items)
    assert any(item.source_event_id and told_of.get(item.pk) == report.pk for item in items)
    assert sum(1 for value in written.values() if value is None) > 0  # items of no report stay so
    try:
        migrate(BEFORE)  # the column dropped, and with it what the code recorded
        migrate()
        assert reports_recorded() == written
    finally:
        migrate()
