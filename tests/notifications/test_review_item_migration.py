"""Migrations notifications 0013 and 0014: a reminder closed by a handover says so (``closed_because``); and the review
reminders already written take the item of the date they chase (``Reminder.chased_item``, as ``rules.review_item``
writes it now), so that the next chase does not write again, under the new item, the step each policy was last
reminded of (notifications/migrations/0014_review_reminder_items.py says why)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from notifications.models import Reminder, ReminderClosed, ReminderKind
from tests.lifecycle.migrating import migrate, sql
from tests.notifications.test_chase import chase, published  # noqa: F401

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the other migration tests are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

BEFORE = ("notifications", "0012_notification_report_backfill")
SIX_MONTHS_BEFORE = datetime.date(2025, 9, 1)  # of the ``published`` fixture's review, 1 March 2026


def test_review_reminders_written_before_take_their_date_and_are_not_written_again(published, people):  # noqa: F811
    chase(SIX_MONTHS_BEFORE)
    review = Reminder.objects.filter(kind=ReminderKind.REVIEW_DUE)
    assert set(review.values_list("chased_item", flat=True)) == {20260301}
    try:
        migrate(BEFORE)
        # As the code before wrote them: no item, and a handover's closing recorded by whom it went to alone.
        assert sql("SELECT 1 FROM notifications_reminder WHERE kind = %s AND chased_item <> 0",
                   [ReminderKind.REVIEW_DUE.value]) == 0
        handed = review.filter(recipient=people.manager).values_list("pk", flat=True).get()
        sql("UPDATE notifications_reminder SET superseded_at = now(), handed_to_id = %s WHERE id = %s",
            [people.coordinator.pk, handed])
        migrate()
        assert set(review.values_list("chased_item", flat=True)) == {20260301}
        assert Reminder.objects.get(pk=handed).closed_because == ReminderClosed.HANDED_OVER
        assert not review.exclude(pk=handed).exclude(closed_because="").exists()
        # The next chase the same day finds the developer reminded already.
        assert chase(SIX_MONTHS_BEFORE).new_reminders == 0
    finally:
        migrate()
