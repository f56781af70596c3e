"""The inbox: every reminder gets exactly one item (filed in that day's digest when the chase writes it), and
people mark theirs read."""

from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from acknowledgements.selectors import outstanding_for
from assessments.models import MonitoringReport, MonitoringResponse
from core.events import AuditAction
from lifecycle.models import Policy, PolicyVersion
from notifications.models import Digest, Notification, Reminder, ReminderClosed, ReminderKind
from notifications.selectors import inbox_items, new_items


def reminders_to_inbox(*, digest_date: datetime.date | None = None) -> int:
    """Every reminder gets exactly one inbox item (the OneToOne makes a re-run harmless): one INSERT ... SELECT
    of those still without one, titled "<kind>: <reference> <title>" as ``Reminder.get_kind_display`` words it, and
    marked as its policy is marked now (``Notification.protective_marking``).
    Reminders to read and confirm (issue 14) are told one item per person per chase, written with them
    (notifications.services.ledger), and are not given one each here.

    With ``digest_date`` (the chase) each item is filed at once in its recipient's digest of that day, created
    if missing, unless that digest has already been sent (then the item waits for tomorrow's, as in
    ``digests_prepare``, whose locks this shares: a digest being sent is waited for)."""
    if connection.vendor != "postgresql":
        return _reminders_to_inbox_in_batches()
    digest_join, digest_column, digest_params = "", "NULL", []
    kinds = " ".join("WHEN %s THEN %s" for _ in ReminderKind.choices)
    labels = [str(value) for choice in ReminderKind.choices for value in choice]
    notification, reminder, policy, pending = (connection.ops.quote_name(name) for name in (
        Notification._meta.db_table, Reminder._meta.db_table, Policy._meta.db_table, INBOX_PENDING))
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        # Issue 16: the reminders still without an item, found once (one anti-join of the ledger and the inbox) and
        # read three times below from a table of this transaction; each step used to search for them again.
        # Table names from the models, every value a parameter.
        cursor.execute(f"CREATE TEMPORARY TABLE {pending} ON COMMIT DROP AS "  # noqa: S608
                       f"SELECT r.id, r.recipient_id, r.policy_id, r.kind, r.message, r.cycle, r.chased_item, "
                       f"r.due_on, r.created_at "
                       f"FROM {reminder} r "
                       f"WHERE r.kind <> %s AND NOT EXISTS (SELECT 1 FROM {notification} n WHERE n.reminder_id = r.id)",
                       [ReminderKind.ACKNOWLEDGEMENT.value])
        cursor.execute(f"ANALYZE {pending}")  # a temporary table has no statistics until asked
        if digest_date is not None:
            digest = connection.ops.quote_name(Digest._meta.db_table)
            cursor.execute(
                f"INSERT INTO {digest} (recipient_id, digest_date, created_at, attempts, item_count) "  # noqa: S608
                f"SELECT DISTINCT recipient_id, %s::date, %s, 0, 0 FROM {pending} ON CONFLICT DO NOTHING",
                [digest_date, now])
            # As digests_prepare: wait for any of these being sent now, and keep new sends back till we commit. A
            # join (hashed, see below), not a lookup per digest.
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute(f"SELECT d.id FROM {digest} d WHERE d.digest_date = %s AND d.sent_at IS NULL "  # noqa: S608
                           f"AND d.recipient_id IN (SELECT recipient_id FROM {pending}) "
                           "ORDER BY d.id FOR UPDATE OF d", [digest_date])
            # A bulk join, hashed: planned from the statistics of a digest table that was nearly empty at its last
            # ANALYZE (a first chase), PostgreSQL would otherwise scan every digest for every reminder.
            digest_join = (f"LEFT JOIN {digest} d ON d.recipient_id = r.recipient_id AND d.digest_date = %s "
                           "AND d.sent_at IS NULL ")
            digest_column, digest_params = "d.id", [digest_date]
        report, report_params = report_told_of("r")
        cursor.execute(
            f"INSERT INTO {notification} (recipient_id, policy_id, reminder_id, title, body, created_at, digest_id, "  # noqa: S608
            f"report_id, protective_marking) SELECT r.recipient_id, r.policy_id, r.id, "
            f"left((CASE r.kind {kinds} ELSE r.kind END) || ': ' || p.reference || ' ' || p.title, 300), r.message, "
            f"%s, {digest_column}, {report}, p.protective_marking "
            f"FROM {pending} r JOIN {policy} p ON p.id = r.policy_id {digest_join}"
            f"ORDER BY r.id ON CONFLICT DO NOTHING", [*labels, now, *report_params, *digest_params])
        created = cursor.rowcount
        cursor.execute(f"DROP TABLE {pending}")
        return created


# The reminders without an inbox item on their way to it (a temporary table, the transaction's own).
INBOX_PENDING = "notifications_inbox_pending"


def report_told_of(reminder: str) -> tuple[str, list[str]]:
    """SQL (and its parameters) of the monitoring report a reminder tells of (``Notification.report``), the reminder
    read from the table or alias ``reminder`` (with its policy, cycle, kind, chased item, due date and when it was
    written): for a remedial action's, the report the action was directed after (its ``chased_item`` is the
    MonitoringResponse); for a reminder of the report waiting for quality assurance (one a policy at a time: it names
    no report), the report its original recorded where it is a copy handed over (``reminders_hand_over``: same policy,
    cycle, kind, item and due date, another recipient), else the report of its policy last submitted when it was
    written; NULL for any other kind. A copy is written after its original's item, perhaps a year later, when another
    report may have been submitted since (review of 2026-12-05, second). The same SQL on PostgreSQL and SQLite, table
    and column names from the models."""
    quote = connection.ops.quote_name
    response, report = quote(MonitoringResponse._meta.db_table), quote(MonitoringReport._meta.db_table)
    ledger, inbox = quote(Reminder._meta.db_table), quote(Notification._meta.db_table)
    # Table and column names from the models, ``reminder`` the caller's alias; every value a parameter.
    return ((f"CASE {reminder}.kind "  # noqa: S608
             f"WHEN %s THEN (SELECT x.report_id FROM {response} x WHERE x.id = {reminder}.chased_item) "
             f"WHEN %s THEN COALESCE("
             f"(SELECT n.report_id FROM {ledger} o JOIN {inbox} n ON n.reminder_id = o.id "
             f"WHERE o.policy_id = {reminder}.policy_id AND o.cycle = {reminder}.cycle AND o.kind = {reminder}.kind "
             f"AND o.chased_item = {reminder}.chased_item AND o.due_on = {reminder}.due_on "
             f"AND o.superseded_at IS NOT NULL AND n.report_id IS NOT NULL ORDER BY o.id LIMIT 1), "
             f"(SELECT m.id FROM {report} m WHERE m.policy_id = {reminder}.policy_id "
             f"AND m.submitted_at <= {reminder}.created_at ORDER BY m.submitted_at DESC, m.id DESC LIMIT 1)) END"),
            [ReminderKind.REMEDIAL_ACTION.value, ReminderKind.MONITORING_QA.value])


def _reminders_to_inbox_in_batches() -> int:
    created = 0
    report, report_params = report_told_of(connection.ops.quote_name(Reminder._meta.db_table))
    pending = (Reminder.objects.filter(notification__isnull=True).exclude(kind=ReminderKind.ACKNOWLEDGEMENT)
               .select_related("policy").annotate(report_told_of=RawSQL(report, report_params))  # noqa: S611
               .order_by("pk"))
    while True:
        batch = list(pending[:2000])
        if not batch:
            return created
        with transaction.atomic():
            Notification.objects.bulk_create(
                [Notification(recipient_id=reminder.recipient_id, policy_id=reminder.policy_id, reminder=reminder,
                              report_id=reminder.report_told_of,
                              protective_marking=reminder.policy.protective_marking,
                              title=f"{reminder.get_kind_display()}: {reminder.policy.reference} "
                                    f"{reminder.policy.title}"[:300],
                              body=reminder.message) for reminder in batch],
                ignore_conflicts=True,
            )
        created += len(batch)


def notifications_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    """Marks read what ``user`` is shown (notifications.selectors.inbox_items) as new (``new_items``), all of it or
    the items ``notification_ids`` (an item opened from the inbox): one UPDATE, of unread rows only, so marking again
    changes nothing and keeps when it was first read. An item about an OFFICIAL-SENSITIVE policy they are not cleared
    for now stays as it was written, unread, and is shown as such if they are cleared again; they have not read it. An
    item whose reminder is no longer needed is left as it is (it is not new, and is not counted as marked)."""
    queryset = inbox_items(user=user).filter(new_items())
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=notification_ids)
    return queryset.update(read_at=timezone.now())


def draft_items_close(*, policy_id: int) -> int:
    """Inside the transaction that withdraws a review draft: the inbox items told of an event on one of the policy's
    withdrawn versions (the audit event's ``version``, which every step of the draft and every invitation to advise on
    it records) asked their readers to act on a draft that is gone: "Submitted for quality assurance" to PCU, DCFD and
    DOI (DCFD and DOI are not told of the withdrawal), "You are invited to advise on a draft", "Waiting for your
    approval". Each is closed, read or not, "because the review draft was withdrawn", kept as written: "No longer
    needed" in the inbox, not new, not counted nor e-mailed (notifications.selectors.new_items). Items about the
    version in force, and the notices of a withdrawal (this one's is relayed after this transaction; an earlier one's
    is of an earlier draft), are left as they are. One statement, after one read of the withdrawn versions' numbers
    (few): those of the draft just withdrawn, the newest cycle withdrawn. An event relayed after this transaction is
    closed by the same rule as the relay writes it (``relayed_items_close``)."""
    withdrawn = list(PolicyVersion.objects.filter(policy_id=policy_id, withdrawn_at__isnull=False)
                     .values_list("major", "minor"))
    if not withdrawn:
        return 0
    cycle = max(major for major, _ in withdrawn)
    about = _about_withdrawn({policy_id: [(major, minor) for major, minor in withdrawn if major == cycle]})
    return _close(Notification.objects.filter(about), ReminderClosed.DRAFT_WITHDRAWN)


def report_qa_items_close(*, policy_id: int) -> int:
    """Inside the transaction in which the co-ordinator passes or returns the policy's monitoring report
    (assessments.signals.monitoring_report_assured), with its reminders (reminders.monitoring_qa_reminders_close): the
    inbox items that asked the co-ordinator to quality-assure a report of the policy ("Monitoring report to
    quality-assure", told of its submission) whose report no longer waits for it are closed, read or not, with why,
    kept as written: "No longer needed" in the inbox, not new, not counted nor e-mailed. SOP, stage 6: the report goes
    "to the Business Group Policy Co-ordinator for quality assurance"; once passed or returned nothing more is asked.
    A policy has one report in quality assurance at a time: this one, and any item of an earlier report already
    assured that was left open (QA walk of 2026-12-06: POL-0003's items of 2026 and 2024 stayed New). One statement.
    An event relayed after this transaction is closed by the same rule as the relay writes it
    (``relayed_items_close``)."""
    return _close(Notification.objects.filter(policy_id=policy_id).filter(QA_ASKED_OF_ASSURED),
                  ReminderClosed.REPORT_ASSURED)


# An item asking the co-ordinator to quality-assure a report (told of its submission) that no longer waits for it.
QA_ASKED_OF_ASSURED = (Q(report__isnull=False, source_event__topic=AuditAction.MONITORING_REPORT_SUBMITTED)
                       & ~Q(report__status=MonitoringReport.Status.SUBMITTED))


def _about_withdrawn(versions: dict[int, list[tuple[int, int]]]) -> Q:
    """The items told of an event on one of these withdrawn versions ({policy id: [(major, minor)]}), but the notice
    of a withdrawal itself."""
    about = Q(pk__in=[])
    for policy_id, numbers in versions.items():
        about |= Q(policy_id=policy_id, source_event__audit_event__changes__version__in=[
            f"{major}.{minor}" for major, minor in numbers])
    return about & ~Q(source_event__audit_event__action=AuditAction.POLICY_REVIEW_DRAFT_WITHDRAWN)


def _close(items, because: str) -> int:
    """Close the open ones of ``items``, read or not, with why: one UPDATE."""
    return items.filter(closed_at__isnull=True).update(closed_at=timezone.now(), closed_because=because)


def relayed_items_close(*, event_ids: list[int], report_policy_ids: set[int], version_policy_ids: set[int]) -> int:
    """Inside the relay's transaction, after it wrote the items of the outbox events ``event_ids``: those whose work
    was done before they were relayed (the relay down, or behind, when the step committed) are closed by the rules the
    steps apply to the items that exist then (``draft_items_close``, ``report_qa_items_close``), with why, as they
    would have been had they been relayed in time. Without it they were written after their closer ran, asking their
    reader to act on a draft that was gone or a report already assured, New for good (the notes' open item since
    2026-12-06). ``report_policy_ids``: the policies of the batch's reports submitted; ``version_policy_ids``: those of
    its events naming a version.

    The policies are locked first, in order, as every step that closes such items locks its policy (FOR NO KEY
    UPDATE, lifecycle.services.base.lock_policy): a step under way is waited for, and what it withdrew or assured is
    then read; a step that comes after finds the items, committed. Read without the lock, a batch read before the
    step committed saw nothing done, the step's closer could not see the batch's items, and both committed with the
    item open (review of 2026-12-06, MEDIUM: tests/notifications/test_relay_step_race.py). At most four statements a
    batch, whatever its size, none for a batch of neither kind: the lock, the withdrawn versions of the policies
    (only if an event names a version), an UPDATE for each rule."""
    policy_ids = report_policy_ids | version_policy_ids
    if not policy_ids:
        return 0
    list(Policy.objects.select_for_update(no_key=True).filter(pk__in=sorted(policy_ids)).order_by("pk")
         .values_list("pk", flat=True))
    items = Notification.objects.filter(source_event_id__in=event_ids)
    closed = 0
    if report_policy_ids:
        closed += _close(items.filter(QA_ASKED_OF_ASSURED), ReminderClosed.REPORT_ASSURED)
    if version_policy_ids:
        withdrawn: dict[int, list[tuple[int, int]]] = {}
        for policy_id, major, minor in (PolicyVersion.objects.filter(policy_id__in=version_policy_ids,
                                                                     withdrawn_at__isnull=False)
                                        .values_list("policy_id", "major", "minor")):
            withdrawn.setdefault(policy_id, []).append((major, minor))
        if withdrawn:
            closed += _close(items.filter(_about_withdrawn(withdrawn)), ReminderClosed.DRAFT_WITHDRAWN)
    return closed


# The chase's one item per person telling of all their new reminders to read and confirm ("You have 3 policies to read
# and confirm", notifications.services.ledger): the only item about no policy, event or reminder (notifications.links).
ALL_TO_READ = Q(policy__isnull=True, source_event__isnull=True, reminder__isnull=True)


def requests_to_read_mark_read(*, user, policy_id: int) -> int:
    """Inside the transaction of ``user``'s confirmation that they have read ``policy_id``
    (acknowledgements.services.acknowledgement_confirm, through its ``policy_acknowledged`` signal): the inbox items
    asking them to read it are read, as is done. The item of that policy's request (told at publication,
    ``acknowledgement_requests_tell``), and, once nothing is left for them to read, the chase's items telling of all
    they were to read. Marking an item read is not confirming: only the confirmation does this (the reminder itself
    stays in the ledger, as evidence of who was asked). Returns how many were marked."""
    now = timezone.now()
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    marked = unread.filter(policy_id=policy_id, reminder__kind=ReminderKind.ACKNOWLEDGEMENT).update(read_at=now)
    all_to_read = unread.filter(ALL_TO_READ)
    if all_to_read.exists() and not outstanding_for(user=user).exists():
        marked += all_to_read.update(read_at=now)
    return marked
