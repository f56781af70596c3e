"""The ledger's indexes (issue 16): a first chase writes millions of reminders, and every index on the ledger is
written once for each of them. So the ledger carries only the indexes something reads, and the lookups by person
(a handover's preview and its hand-over) are served by the exactly-once key, which leads with the policy they also
name."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lifecycle.services.people import HolderChange
from notifications.models import Reminder, ReminderKind
from notifications.services import open_tasks_for, reminders_hand_over
from tests.plans import plans_of

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's plans and catalogue")]


def ledger_indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
                       [Reminder._meta.db_table])
        return dict(cursor.fetchall())


def test_the_ledger_has_only_the_indexes_something_reads():
    """Its key (reads: the exactly-once key itself, every lookup by policy, and by policy and person), its primary
    key (the inbox items point at it) and the few handed-over reminders by new holder (partial). No index of the
    recipient alone: nothing looks reminders up by person without naming the policies."""
    indexes = ledger_indexes()
    assert set(indexes) == {f"{Reminder._meta.db_table}_pkey", "reminder_exactly_once", "reminder_handed_to_idx"}
    assert "WHERE (handed_to_id IS NOT NULL)" in indexes["reminder_handed_to_idx"]


def reminder_lookups(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries
            if query["sql"].startswith("SELECT") and Reminder._meta.db_table in query["sql"].split(" FROM ")[1]]


def test_the_lookups_by_person_are_served_by_the_exactly_once_key(people):
    policy = people.policy()
    Reminder.objects.create(policy=policy, cycle=1, recipient=people.developer, kind=ReminderKind.REVIEW_DUE,
                            due_on=datetime.date(2026, 1, 5), step="on the day", message="Review it.")
    with CaptureQueriesContext(connection) as preview:
        tasks = open_tasks_for(user=people.developer, policy_ids=[policy.pk])
    with transaction.atomic(), CaptureQueriesContext(connection) as handover:
        moved = reminders_hand_over(changes=[HolderChange(policy_id=policy.pk, part="developer",
                                                          old_id=people.developer.pk, new_id=people.manager.pk)])
        transaction.set_rollback(True)
    assert [task.policy_id for task in tasks] == [policy.pk] and moved == 1
    lookups = reminder_lookups(preview) + reminder_lookups(handover)
    assert len(lookups) >= 2
    for plan in plans_of(lookups):
        assert "reminder_exactly_once" in plan, plan
        assert f"Seq Scan on {Reminder._meta.db_table}" not in plan, plan
