"""Migrations notifications 0016 and 0017: what the withdrawal of a review draft left behind before it said why. The
reminders of its stage closed with no reason (the code before recorded none) are given theirs; the inbox items told of
an event on the withdrawn versions, which stayed New, are closed as of the withdrawal. Those of the version in force
are left as they are."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from lifecycle import services as s
from lifecycle.models import PolicyVersion
from lifecycle.states import Status
from notifications.models import Notification, Reminder, ReminderClosed, ReminderKind
from notifications.services import outbox_relay
from tests.clock import travel
from tests.factories import advance_to, reload, what_was_read
from tests.lifecycle.migrating import migrate, sql

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the other migration tests are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

BEFORE = ("notifications", "0015_reminder_closed_when_work_done")
PUBLISHED_ON = datetime.date(2024, 1, 15)
WINDOW_OPEN = datetime.date(2026, 8, 3)


def test_what_a_withdrawn_draft_left_open_or_unexplained_is_closed_with_why(policy_in, people):
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    with travel(WINDOW_OPEN):
        s.policy_start_review(policy=policy, actor=people.lead, reason="Three-year review.")
        policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
        stuck = Reminder.objects.create(policy=policy, cycle=2, recipient=people.lead, kind=ReminderKind.STUCK,
                                        due_on=WINDOW_OPEN, step="waiting too long", message="Waiting too long.")
        outbox_relay()
        s.policy_withdraw_review_draft(policy=reload(policy), actor=people.lead, reason="Not needed.",
                                       **what_was_read(reload(policy)))
    draft_items = Notification.objects.filter(policy=policy, source_event__audit_event__changes__version="2.0")
    in_force_items = set(Notification.objects.filter(policy=policy, source_event__audit_event__changes__version="1.0")
                         .values_list("pk", flat=True))
    assert draft_items.exists() and in_force_items
    withdrawn_at = PolicyVersion.objects.get(policy=policy, major=2).withdrawn_at
    try:
        migrate(BEFORE)
        # As the code before left them: the reminder closed with no reason (the items had nothing to close them).
        sql("UPDATE notifications_reminder SET closed_because = '' WHERE id = %s", [stuck.pk])
        migrate()
        assert Reminder.objects.get(pk=stuck.pk).closed_because == ReminderClosed.DRAFT_WITHDRAWN
        assert set(draft_items.values_list("closed_at", "closed_because")) == {
            (withdrawn_at, ReminderClosed.DRAFT_WITHDRAWN)}
        assert not Notification.objects.filter(pk__in=in_force_items, closed_at__isnull=False).exists()
    finally:
        migrate()
