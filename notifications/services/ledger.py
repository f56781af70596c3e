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
from django.db.models import Count, Max
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from assessments.models import MonitoringReport, MonitoringResponse
from lifecycle.models import Policy, PolicyVersion, WithdrawalDecision
from lifecycle.states import ProtectiveMarking, Status
from notifications.models import Notification, Reminder, ReminderClosed, ReminderKind
from notifications.services.digests import digests_prepare
from notifications.services.inbox import reminders_to_inbox
from notifications.services.plan import LEDGER_COLUMNS, acknowledgement_reminders, policy_plan
from notifications.services.reminders import (
    CHASE_LOCK,
    GO_ON_WHILE_WITHDRAWAL_DECIDED,
    open_reminders,
    qa_still_waited_on,
)
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

    A fixed number of statements, however many reminders are due (issue 16): the policies' reminders (planned in
    Python, ``policy_plan``) are written by one INSERT (streamed to PostgreSQL by COPY); issue 14's reminders to
    read and confirm, millions on a first chase, by one INSERT ... SELECT of the dry run's own statement
    (``acknowledgement_reminders``), with no Python object each; the inbox by one INSERT ... SELECT. Each is one
    statement, so a run killed part way has written all of a step or none of it, and the exactly-once key
    makes the next run write only what is missing."""
    today = today or timezone.localdate()
    plan = policy_plan(today)
    with transaction.atomic():
        _runs_one_at_a_time()
        new_reminders = _reminders_insert(plan)
        acknowledgements = _acknowledgement_reminders_insert(today)
    # Filed straight into today's digests: updating every new inbox item afterwards would write each row twice
    # (make bench: 111,000 reminders, the update alone took longer than planning the chase).
    reminders_to_inbox(digest_date=today)
    digests = digests_prepare(today=today)
    planned = len(plan) + acknowledgements
    logger.info("chase %s: %s planned, %s new reminders, %s digests", today, planned,
                new_reminders + acknowledgements, len(digests))
    return ChaseResult(planned=planned, new_reminders=new_reminders + acknowledgements, digests=digests)


def _orphan_reminders_close(staging: str | None) -> int:
    """Open orphan reminders today's plan no longer sends their recipient: the plan's (policy, recipient) pairs are
    in ``staging`` (the plan's table, ``_reminders_insert``; None for an empty plan, which closes them all). Closed
    by pair, not by policy: the gap filled, however it was filled (a role given back, the policy re-marked OFFICIAL,
    as well as the reassignment that stops them at once, ``reminders_hand_over``), or the gap still there but
    chased to someone else (a co-ordinator whose role was revoked, the group's other co-ordinators reminded now),
    whose handover preview (``open_tasks_for``) would otherwise list it for as long as the gap lasts. The plan reads
    every policy a gap could be on (``plan._could_be_due``: a leaver named, or OFFICIAL-SENSITIVE) and asks each the
    orphan reminder's own condition (``rules.orphaned_parts``), so a pair it does not plan has no reminder called
    for. One statement (PostgreSQL), its text and parameters the same whatever the size of the plan."""
    now = timezone.now()
    open_orphans = open_reminders().filter(kind=ReminderKind.ORPHAN)
    if staging is None:
        return open_orphans.update(superseded_at=now, closed_because=ReminderClosed.ORPHAN_RESOLVED)
    quote = connection.ops.quote_name
    column = {name: quote(Reminder._meta.get_field(name).column)
              for name in ("id", "policy", "recipient", "kind", "superseded_at", "closed_because")}
    # The open ones by the one rule (``open_reminders``), as the ORM writes it; the staged plan by the model's names.
    open_sql, open_params = open_orphans.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # Table and column names from the model; every value a parameter.
        cursor.execute(
            f"UPDATE {quote(Reminder._meta.db_table)} AS r SET {column['superseded_at']} = %s, "  # noqa: S608
            f"{column['closed_because']} = %s "
            f"WHERE r.{column['id']} IN ({open_sql}) AND NOT EXISTS (SELECT 1 FROM {staging} s "
            f"WHERE s.{column['policy']} = r.{column['policy']} AND s.{column['recipient']} = r.{column['recipient']} "
            f"AND s.{column['kind']} = r.{column['kind']})",
            [now, ReminderClosed.ORPHAN_RESOLVED.value, *open_params])
        return cursor.rowcount


def _orphan_reminders_close_listed(plan: list[PlannedReminder]) -> int:
    """``_orphan_reminders_close`` on the demo's SQLite, where the plan is not staged: the open orphan reminders
    read, and those whose (policy, recipient) the plan does not call for closed (few: a demo's)."""
    called_for = {(item.policy_id, item.recipient_id) for item in plan if item.kind == ReminderKind.ORPHAN}
    stale = [pk for pk, policy_id, recipient_id in open_reminders().filter(kind=ReminderKind.ORPHAN)
             .values_list("pk", "policy_id", "recipient_id") if (policy_id, recipient_id) not in called_for]
    return Reminder.objects.filter(pk__in=stale).update(
        superseded_at=timezone.now(), closed_because=ReminderClosed.ORPHAN_RESOLVED) if stale else 0


def _runs_one_at_a_time() -> None:
    """Two runs at once (a task delivered twice), or a run and the telling of a publication's staff
    (``acknowledgement_requests_tell``), write the ledger one after the other: the second then sees what the first
    wrote, which lets issue 14's reminders be inserted without ON CONFLICT (see
    ``_acknowledgement_reminders_insert``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHASE_LOCK])


# The plan on its way to the ledger (a temporary table, this transaction's own).
PLAN_STAGING = "notifications_chase_plan"


def _ledger_columns() -> tuple[str, str, str, str]:
    """(the ledger's table, its columns in ``LEDGER_COLUMNS`` order, created_at, the exactly-once key), quoted."""
    quote = connection.ops.quote_name
    key = next(constraint for constraint in Reminder._meta.constraints if constraint.name == "reminder_exactly_once")
    return (quote(Reminder._meta.db_table),
            ", ".join(quote(Reminder._meta.get_field(name).column) for name in LEDGER_COLUMNS),
            quote(Reminder._meta.get_field("created_at").column),
            ", ".join(quote(Reminder._meta.get_field(name).column) for name in key.fields))


def _reminders_insert(plan: list[PlannedReminder]) -> int:
    """The planned reminders into the ledger in one statement; those already there (the exactly-once key) are
    skipped, and those a step has made no longer needed since the plan was made are left out
    (``_still_called_for``); and the open orphan reminders the plan no longer calls for closed
    (``_orphan_reminders_close``, from the same staged plan). Returns how many were new.

    The demo's SQLite stages the plan and writes it by the same INSERT ... SELECT, so that it leaves out what
    PostgreSQL's does (it wrote the plan as it was: a reminder planned before a step and written after it stayed open
    for good); only the staging differs (no COPY), and the orphan reminders are closed from the plan in Python."""
    postgresql = connection.vendor == "postgresql"
    if not plan:
        if postgresql:
            _orphan_reminders_close(None)
        else:
            _orphan_reminders_close_listed(plan)
        return 0
    # Streamed by COPY into a table of this transaction, then inserted by one INSERT ... SELECT: a constant number
    # of statements (five, the orphan reminders' closing among them), and no statement whose text or parameters
    # grow with the plan. (One INSERT of the plan as arrays, which it replaces, sent every value quoted into the
    # statement: make bench, 2.2 million reminders on the first chase, most of them issue 14's read-and-acknowledge,
    # a statement of hundreds of MB.)
    table, columns, created_at, key = _ledger_columns()
    staging = connection.ops.quote_name(PLAN_STAGING)
    rows = ((item.policy_id, item.cycle, item.recipient_id, item.kind, item.chased_item, item.due_on,
             item.item_due_on, item.step[:40], item.message[:400]) for item in plan)
    with connection.cursor() as cursor:
        # Table and column names from the model; values are streamed or parameters.
        if postgresql:
            cursor.execute(f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
                           f"SELECT {columns} FROM {table} WITH NO DATA")
            with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            _orphan_reminders_close(staging)
        else:  # the demo's SQLite (a few rows; its DDL is undone with the transaction, as ON COMMIT DROP would)
            cursor.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {columns} FROM {table} WHERE 1 = 0")  # noqa: S608
            date = connection.ops.adapt_datefield_value
            cursor.executemany(
                f"INSERT INTO {staging} ({columns}) VALUES ({', '.join(['%s'] * len(LEDGER_COLUMNS))})",  # noqa: S608
                [(*row[:5], date(row[5]), date(row[6]), *row[7:]) for row in rows])
            _orphan_reminders_close_listed(plan)
        # In the order of the exactly-once key, so that its index is written page after page (see
        # _acknowledgement_reminders_insert).
        still, still_params = _still_called_for()
        cursor.execute(f"INSERT INTO {table} ({columns}, {created_at}) SELECT {columns}, %s "  # noqa: S608
                       f"FROM {staging} s WHERE {still} ORDER BY {key} ON CONFLICT DO NOTHING",
                       [connection.ops.adapt_datetimefield_value(timezone.now()), *still_params])
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {staging}")
        return inserted


def _still_called_for() -> tuple[str, list]:
    """The condition, on a staged planned reminder ``s`` (``_reminders_insert``), that it is still called for, and
    its parameters: one SQL for PostgreSQL and SQLite alike (the day a status changed, in local time as the chase
    counts days, by the database's own operation).

    Planned before the chase took its lock: what a step closing reminders changed since is left out, as that step
    would have closed it (reminders.after_any_chase_writing), by what the policy's row says now: a review's reminder
    for a date no longer the policy's (reminders.review_reminders_close); an annual monitoring report's for a date no
    longer the policy's, which a report answering it moved on (reminders.monitoring_reminders_answered); a reminder of
    work waiting too long whose policy has changed status on or after the reminder's day: such a reminder is written
    only once the stage's deadline has come, working days after its status changed, so a change since is a step taken,
    or a review draft withdrawn, ending the wait (reminders.stuck_reminders_close); in quality assurance, one whose
    recipient answers for no discipline still to sign off the package (reminders.qa_reminders_signed_off_close); the
    impact assessment after an emergency approval once "not impact assessed" is cleared; any reminder but the
    withdrawal's own of a policy whose withdrawal was decided since, which waits for PCU alone from then
    (reminders.withdrawal_decided_reminders_close: its review and report among them); a report's quality assurance
    once the policy has no report with the co-ordinator; a remedial action recorded as done (its response,
    ``chased_item``); any reminder of a policy withdrawn. The decision and the last two read rows of their own by an
    index (the open decisions' partial unique one: lifecycle.models.WithdrawalDecision.Meta; the last two for their
    kinds' rows only, a CASE evaluating only the branch it takes)."""
    quote = connection.ops.quote_name

    def names(model, *fields):
        return {name: quote(model._meta.get_field(name).column) for name in fields}

    column = names(Reminder, "policy", "kind", "item_due_on", "due_on", "chased_item", "recipient")
    policy = names(Policy, "id", "status", "review_due_on", "monitoring_report_due_on", "status_changed_at",
                   "not_impact_assessed")
    report, response = names(MonitoringReport, "policy", "status"), names(MonitoringResponse, "id",
                                                                          "remedial_completed_at")
    version = names(PolicyVersion, "id", "policy", "withdrawn_at", "major", "minor")
    decision = names(WithdrawalDecision, "policy", "carried_out_at")
    changed_on, changed_on_params = connection.ops.datetime_cast_date_sql(
        f"p.{policy['status_changed_at']}", [], timezone.get_current_timezone_name())
    # The package in quality assurance: the policy's newest version not withdrawn (plan._missing_disciplines).
    package = RawSQL(f"SELECT v.{version['id']} FROM {quote(PolicyVersion._meta.db_table)} v "  # noqa: S608, S611
                     f"WHERE v.{version['policy']} = p.{policy['id']} AND v.{version['withdrawn_at']} IS NULL "
                     f"ORDER BY v.{version['major']} DESC, v.{version['minor']} DESC LIMIT 1", [])
    waited_on, waited_on_params = qa_still_waited_on(package).values("user_id").query.sql_with_params()
    # Table and column names from the models; every value a parameter.
    return (f"NOT EXISTS (SELECT 1 FROM {quote(Policy._meta.db_table)} p "  # noqa: S608
            f"WHERE p.{policy['id']} = s.{column['policy']} AND (p.{policy['status']} = %s "
            f"OR (s.{column['kind']} = %s AND p.{policy['review_due_on']} IS DISTINCT FROM s.{column['item_due_on']}) "
            f"OR (s.{column['kind']} = %s "
            f"AND p.{policy['monitoring_report_due_on']} IS DISTINCT FROM s.{column['item_due_on']}) "
            f"OR (s.{column['kind']} = %s AND {changed_on} >= s.{column['due_on']}) "
            f"OR (s.{column['kind']} = %s AND NOT p.{policy['not_impact_assessed']}) "
            f"OR (s.{column['kind']} NOT IN (%s, %s) "
            f"AND EXISTS (SELECT 1 FROM {quote(WithdrawalDecision._meta.db_table)} w "
            f"WHERE w.{decision['policy']} = p.{policy['id']} AND w.{decision['carried_out_at']} IS NULL)) "
            f"OR CASE s.{column['kind']} "
            f"WHEN %s THEN NOT EXISTS (SELECT 1 FROM {quote(MonitoringReport._meta.db_table)} m "
            f"WHERE m.{report['policy']} = p.{policy['id']} AND m.{report['status']} = %s) "
            f"WHEN %s THEN EXISTS (SELECT 1 FROM {quote(MonitoringResponse._meta.db_table)} a "
            f"WHERE a.{response['id']} = s.{column['chased_item']} "
            f"AND a.{response['remedial_completed_at']} IS NOT NULL) "
            f"WHEN %s THEN p.{policy['status']} = %s AND s.{column['recipient']} NOT IN ({waited_on}) "
            f"ELSE false END))",
            [Status.WITHDRAWN.value, ReminderKind.REVIEW_DUE.value, ReminderKind.MONITORING_DUE.value,
             ReminderKind.STUCK.value, *changed_on_params, ReminderKind.EMERGENCY_EIA.value,
             *(kind.value for kind in GO_ON_WHILE_WITHDRAWAL_DECIDED),
             ReminderKind.MONITORING_QA.value, MonitoringReport.Status.SUBMITTED.value,
             ReminderKind.REMEDIAL_ACTION.value, ReminderKind.STUCK.value, Status.SUBMITTED_FOR_QA.value,
             *waited_on_params])


def _acknowledgement_reminders_insert(today: datetime.date) -> int:
    """Issue 14's reminders to read and confirm into the ledger: one INSERT ... SELECT of the statement the dry run
    reads (``acknowledgement_reminders``), those already there skipped by the exactly-once key; and, in the same
    statement, one inbox item for each person newly chased ("You have 3 policies to read and confirm", linking to
    their list). Returns how many reminders were new.

    One item per person, not per reminder: a policy published to a business group asks thousands of people, and a
    first chase asks millions of (person, policy) pairs; an item each (and its four checked foreign keys) cost more
    than the rest of the chase together (make bench, 2.1 million). Each reminder stays its own ledger row (who was
    asked to read what, when), written in the same transaction (on PostgreSQL, the same statement and
    ``created_at``) as the item that tells its recipient, so each reminder is delivered exactly once: a run killed
    part way has written both or neither (issue 14: "chased by the existing chasing engine, exactly once, in the
    daily digest"). The items are filed in the day's digest by ``digests_prepare``.

    Ordered by the exactly-once key: a first chase writes millions of rows, whose key index is larger than
    PostgreSQL's buffers; written in the key's order its pages are filled one after another, not at random. On
    PostgreSQL without ON CONFLICT: the statement leaves out what the ledger holds already, only the chase and the
    telling of a publication's staff (``acknowledgement_requests_tell``) write these reminders (they never pass to
    another holder), and they run one at a time (``_runs_one_at_a_time``), so nothing conflicts; the exactly-once
    key is still checked, and a conflict would fail the run, never write a reminder twice. (ON CONFLICT's
    speculative insertion cost a third of the insert: make bench, 2.1 million rows, 22 s against 16 s.)"""
    now = timezone.now()
    insert, insert_params = _acknowledgement_ledger_insert(today, now)
    notification = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":  # the demo's SQLite (one writer): the new rows follow the last id
            last = Reminder.objects.aggregate(last=Max("pk"))["last"] or 0
            cursor.execute(insert, insert_params)
            Notification.objects.bulk_create([
                Notification(recipient_id=row["recipient_id"], title=acknowledgements_title(row["count"]),
                             body=acknowledgements_body(), created_at=now,
                             protective_marking=ProtectiveMarking.OFFICIAL)  # about no policy
                for row in Reminder.objects.filter(kind=ReminderKind.ACKNOWLEDGEMENT, pk__gt=last)
                .order_by("recipient_id").values("recipient_id").annotate(count=Count("pk"))])
            return cursor.rowcount
        cursor.execute(
            f"WITH chased AS ({insert} RETURNING recipient_id), "  # noqa: S608
            f"items AS (INSERT INTO {notification} (recipient_id, title, body, created_at, protective_marking) "
            f"SELECT recipient_id, CASE count(*) WHEN 1 THEN %s ELSE %s || count(*) || %s END, %s, %s, %s "
            f"FROM chased GROUP BY recipient_id ORDER BY recipient_id) "
            f"SELECT count(*) FROM chased",
            [*insert_params, acknowledgements_title(1), *acknowledgements_title(None), acknowledgements_body(), now,
             ProtectiveMarking.OFFICIAL.value])
        return cursor.fetchone()[0]


def _acknowledgement_ledger_insert(today: datetime.date, now, *, policy_ids: list[int] | None = None
                                   ) -> tuple[str, list]:
    """The INSERT ... SELECT of issue 14's reminders to read and confirm into the ledger (``acknowledgement_reminders``,
    of ``policy_ids`` only if given), in the order of the exactly-once key, and its parameters."""
    select, params = acknowledgement_reminders(today, policy_ids=policy_ids)
    table, columns, created_at, key = _ledger_columns()
    quote = connection.ops.quote_name
    names = ", ".join(f"chased.{quote(Reminder._meta.get_field(name).column)}" for name in LEDGER_COLUMNS)
    ordered = ", ".join(f"chased.{column.strip()}" for column in key.split(","))
    # Table and column names from the model; every value a parameter. "WHERE 1 = 1": SQLite reads ON CONFLICT
    # after a SELECT as a join's ON unless a WHERE comes first. On SQLite (one writer at a time, no advisory lock)
    # the key skips what a concurrent run wrote.
    conflicts = " ON CONFLICT DO NOTHING" if connection.vendor != "postgresql" else ""
    return (f"INSERT INTO {table} ({columns}, {created_at}) SELECT {names}, %s "  # noqa: S608
            f"FROM ({select}) chased WHERE 1 = 1 ORDER BY {ordered}{conflicts}",
            [connection.ops.adapt_datetimefield_value(now), *params])


def acknowledgement_requests_tell(*, policy_ids: list[int], today: datetime.date | None = None) -> int:
    """Issue 14: the staff a published version asks to confirm they have read it, told when it is published
    (notifications.tasks.ask_to_read, queued by the relay of the ``policy.published`` event). Each person
    ``acknowledgement_reminders`` chooses for these policies today (for an OFFICIAL-SENSITIVE one, only those cleared
    for it) gets the reminder the chase would write, and an inbox item of their own for it ("Policy to read and
    acknowledge: POL-0001 Stop and search", its reminder's message as its body), which leads to the policy's library
    page, where they read and confirm it (notifications.links), and which the chase files in their daily digest.

    Once: the chase then finds them chased and tells them nothing more of it; whoever this misses (the task lost with
    the broker, someone who joins the unit later) the chase tells at its next run. Under the chase's lock
    (``_runs_one_at_a_time``): beside a chase, and run twice, nobody is told twice. One statement on PostgreSQL,
    however many are asked (a publication to a business group asks thousands). Returns how many were told."""
    ids = sorted({int(policy_id) for policy_id in policy_ids})
    if not ids:
        return 0
    today = today or timezone.localdate()
    now = timezone.now()
    insert, insert_params = _acknowledgement_ledger_insert(today, now, policy_ids=ids)
    label = str(ReminderKind.ACKNOWLEDGEMENT.label)
    with transaction.atomic(), connection.cursor() as cursor:
        _runs_one_at_a_time()
        if connection.vendor != "postgresql":  # the demo's SQLite (one writer): the new rows follow the last id
            last = Reminder.objects.aggregate(last=Max("pk"))["last"] or 0
            cursor.execute(insert, insert_params)
            return len(Notification.objects.bulk_create([
                Notification(recipient_id=reminder.recipient_id, policy_id=reminder.policy_id, reminder=reminder,
                             title=f"{label}: {reminder.policy.reference} {reminder.policy.title}"[:300],
                             body=reminder.message, created_at=now,
                             protective_marking=reminder.policy.protective_marking)
                for reminder in Reminder.objects.filter(kind=ReminderKind.ACKNOWLEDGEMENT, pk__gt=last,
                                                        policy_id__in=ids).select_related("policy").order_by("pk")]))
        quote = connection.ops.quote_name
        notification, policy = quote(Notification._meta.db_table), quote(Policy._meta.db_table)
        # Table names from the models; every value a parameter.
        cursor.execute(
            f"WITH chased AS ({insert} RETURNING id, recipient_id, policy_id, message) "  # noqa: S608
            f"INSERT INTO {notification} (recipient_id, policy_id, reminder_id, title, body, created_at, "
            f"protective_marking) "
            f"SELECT c.recipient_id, c.policy_id, c.id, left(%s || ': ' || p.reference || ' ' || p.title, %s), "
            f"c.message, %s, p.protective_marking FROM chased c JOIN {policy} p ON p.id = c.policy_id ORDER BY c.id",
            [*insert_params, label, TITLE_LENGTH, now])
        return cursor.rowcount


TITLE_LENGTH = Notification._meta.get_field("title").max_length


def acknowledgements_body() -> str:
    return f"Read each and confirm you have read it at {reverse('acknowledgements:list')}."


def acknowledgements_title(count: int | None):
    """The inbox item's title for ``count`` new reminders to read and confirm; for None, the text either side of
    the number (for SQL to put a count between)."""
    if count == 1:
        return "You have 1 policy to read and confirm"
    if count is None:
        return "You have ", " policies to read and confirm"
    return f"You have {count} policies to read and confirm"
