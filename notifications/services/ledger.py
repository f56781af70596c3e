"""Running the chase: today's plan written to the ledger exactly once, then to each person's inbox and the day's
digests.

Exactly once: every reminder is a row of the ledger whose unique constraint is (policy, cycle, recipient, kind, due
date), written with INSERT ... ON CONFLICT DO NOTHING. Running the chase twice, or again after a worker was killed
half way, adds nothing that is already there."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Reminder
from notifications.services.digests import digests_prepare
from notifications.services.inbox import reminders_to_inbox
from notifications.services.plan import chase_plan
from notifications.services.rules import PlannedReminder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChaseResult:
    planned: int
    new_reminders: int
    digests: list[int]


def chase_run(*, today: datetime.date | None = None) -> ChaseResult:
    """Write today's reminders to the ledger (exactly once), put them in each person's inbox, and prepare
    the day's digests. Safe to run twice, or to re-run after being killed part way.

    A fixed number of statements, however many reminders are due (issue 16): the ledger is written by one
    INSERT of the whole plan (arrays unnested by PostgreSQL), the inbox by one INSERT ... SELECT. Each is one
    statement, so a run killed part way has written all of a step or none of it, and the exactly-once key
    makes the next run write only what is missing."""
    today = today or timezone.localdate()
    plan = chase_plan(today=today)
    with transaction.atomic():
        new_reminders = _reminders_insert(plan)
    # Filed straight into today's digests: updating every new inbox item afterwards would write each row twice
    # (make bench: 111,000 reminders, the update alone took longer than planning the chase).
    reminders_to_inbox(digest_date=today)
    digests = digests_prepare(today=today)
    logger.info("chase %s: %s planned, %s new reminders, %s digests", today, len(plan), new_reminders,
                len(digests))
    return ChaseResult(planned=len(plan), new_reminders=new_reminders, digests=digests)


def _reminders_insert(plan: list[PlannedReminder]) -> int:
    """The planned reminders into the ledger in one statement; those already there (the exactly-once key) are
    skipped. Returns how many were new."""
    if not plan:
        return 0
    if connection.vendor != "postgresql":  # the demo's SQLite
        before = Reminder.objects.count()
        Reminder.objects.bulk_create([
            Reminder(policy_id=item.policy_id, cycle=item.cycle, recipient_id=item.recipient_id, kind=item.kind,
                     due_on=item.due_on, item_due_on=item.item_due_on, step=item.step[:40],
                     message=item.message[:400]) for item in plan], ignore_conflicts=True, batch_size=500)
        return Reminder.objects.count() - before
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = [connection.ops.quote_name(Reminder._meta.get_field(name).column) for name in
               ("policy", "cycle", "recipient", "kind", "due_on", "item_due_on", "step", "message", "created_at")]
    # Column names from the model, every value a parameter (one array per column).
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        "SELECT policy_id, cycle, recipient_id, kind, due_on, item_due_on, step, message, %s "
        "FROM unnest(%s::bigint[], %s::integer[], %s::bigint[], %s::text[], %s::date[], %s::date[], %s::text[], "
        "%s::text[]) AS plan (policy_id, cycle, recipient_id, kind, due_on, item_due_on, step, message) "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [
            timezone.now(), [item.policy_id for item in plan], [item.cycle for item in plan],
            [item.recipient_id for item in plan], [str(item.kind) for item in plan], [item.due_on for item in plan],
            [item.item_due_on for item in plan], [item.step[:40] for item in plan],
            [item.message[:400] for item in plan],
        ])
        return cursor.rowcount
