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
    INSERT of the whole plan (streamed to PostgreSQL by COPY), the inbox by one INSERT ... SELECT. Each is one
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


# The plan on its way to the ledger (a temporary table, this transaction's own).
PLAN_STAGING = "notifications_chase_plan"


def _reminders_insert(plan: list[PlannedReminder]) -> int:
    """The planned reminders into the ledger in one statement; those already there (the exactly-once key) are
    skipped. Returns how many were new."""
    if not plan:
        return 0
    if connection.vendor != "postgresql":  # the demo's SQLite
        before = Reminder.objects.count()
        Reminder.objects.bulk_create([
            Reminder(policy_id=item.policy_id, cycle=item.cycle, recipient_id=item.recipient_id, kind=item.kind,
                     chased_item=item.chased_item, due_on=item.due_on, item_due_on=item.item_due_on,
                     step=item.step[:40], message=item.message[:400]) for item in plan],
            ignore_conflicts=True, batch_size=500)
        return Reminder.objects.count() - before
    # Streamed by COPY into a table of this transaction, then inserted by one INSERT ... SELECT: a constant number
    # of statements (four), and no statement whose text or parameters grow with the plan. (One INSERT of the plan
    # as arrays, which it replaces, sent every value quoted into the statement: make bench, 2.2 million reminders
    # on the first chase, most of them issue 14's read-and-acknowledge, a statement of hundreds of MB.)
    names = ("policy", "cycle", "recipient", "kind", "chased_item", "due_on", "item_due_on", "step", "message")
    table, staging = connection.ops.quote_name(Reminder._meta.db_table), connection.ops.quote_name(PLAN_STAGING)
    columns = ", ".join(connection.ops.quote_name(Reminder._meta.get_field(name).column) for name in names)
    created_at = connection.ops.quote_name(Reminder._meta.get_field("created_at").column)
    with connection.cursor() as cursor:
        # Table and column names from the model; values are streamed or parameters.
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
                       f"SELECT {columns} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for item in plan:
                copy.write_row((item.policy_id, item.cycle, item.recipient_id, item.kind, item.chased_item,
                                item.due_on, item.item_due_on, item.step[:40], item.message[:400]))
        cursor.execute(f"INSERT INTO {table} ({columns}, {created_at}) SELECT {columns}, %s "  # noqa: S608
                       f"FROM {staging} ON CONFLICT DO NOTHING", [timezone.now()])
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {staging}")
        return inserted
