"""Migration notifications 0015: the reminders of work already done, written before the steps that do it closed them
(test_work_done_closes.py), are closed by the same rules, with why; those of work still waiting stay open."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from notifications.models import Reminder, ReminderClosed, ReminderKind
from tests.factories import advance_to
from tests.lifecycle.migrating import migrate, sql
from tests.notifications.test_chase import at, chase
from tests.notifications.test_work_done_closes import DECIDED_ON, LEAD_CHASED_ON, WITH_LEAD_ON

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the other migration tests are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

BEFORE = ("notifications", "0014_review_reminder_items")


def test_a_stuck_reminder_of_a_step_taken_is_closed_and_one_still_waiting_is_not(people):
    with at(WITH_LEAD_ON):
        decided = advance_to(people.policy(title="Decided"), "with_lead", people)
        waiting = advance_to(people.policy(title="Waiting"), "with_lead", people)
    chase(LEAD_CHASED_ON)
    with at(DECIDED_ON):
        advance_to(decided, "approved", people)
    stuck = Reminder.objects.filter(kind=ReminderKind.STUCK)
    try:
        migrate(BEFORE)
        # As the code before left it: open after the Lead's decision.
        sql("UPDATE notifications_reminder SET superseded_at = NULL, closed_because = '' WHERE kind = %s",
            [ReminderKind.STUCK.value])
        migrate()
        closed = stuck.get(policy=decided)
        assert closed.superseded_at is not None and closed.closed_because == ReminderClosed.STEP_TAKEN
        assert stuck.get(policy=waiting).superseded_at is None
        # The next chase does not write it again.
        assert chase(DECIDED_ON + datetime.timedelta(days=1)).new_reminders == 0
        assert list(stuck.filter(superseded_at__isnull=True).values_list("policy_id", flat=True)) == [waiting.pk]
    finally:
        migrate()
