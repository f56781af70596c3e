"""Open reminders: they follow the new holder when people change (issue 12), stop when the policy is withdrawn
(issue 13), and close once what they chase is done or no longer needed."""

from __future__ import annotations

from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.models import RoleAssignment
from lifecycle.due import NAMED_PARTS
from lifecycle.models import Policy, QASignOff
from lifecycle.selectors import Clearance, sensitive_instruction_groups
from lifecycle.services.people import HolderChange, OpenTask
from lifecycle.states import QADiscipline
from notifications.links import in_page_words
from notifications.models import Reminder, ReminderClosed, ReminderKind
from notifications.services.inbox import reminders_to_inbox
from notifications.services.rules import orphaned_parts

# The parts of a policy each kind of reminder chases (lifecycle.services.people.PARTS): a reminder moves only to
# whoever takes over a part it was sent for.
KIND_PARTS = {
    ReminderKind.REVIEW_DUE: {"developer", "policy_manager", "coordinator", "designated_lead", "owner"},
    ReminderKind.MONITORING_DUE: {"developer", "policy_manager", "coordinator", "designated_lead", "owner"},
    ReminderKind.MONITORING_QA: {"coordinator"},
    ReminderKind.EMERGENCY_EIA: {"developer", "policy_manager", "designated_lead"},
    ReminderKind.STUCK: {"designated_lead", "coordinator"},
    ReminderKind.ORPHAN: {"coordinator"},
    # The person a remedial action names is not a part of the policy; the Lead who directed it is.
    ReminderKind.REMEDIAL_ACTION: {"designated_lead"},
}


def open_reminders():
    """Reminders not yet dealt with: not superseded, and their inbox item (if made yet) unread. (A reminder to read
    and confirm stays open until superseded, whether it was told in an item of its own at publication,
    ``acknowledgement_requests_tell``, or in the chase's one item per person for all of them: reading the item is not
    confirming the policy. It never moves to another holder.)"""
    return Reminder.objects.filter(superseded_at__isnull=True).filter(
        Q(kind=ReminderKind.ACKNOWLEDGEMENT) | Q(notification__isnull=True) | Q(notification__read_at__isnull=True))


def reminders_hand_over(*, changes: list[HolderChange]) -> int:
    """Inside the transaction of a reassignment or handover: the old holders' open reminders on those policies
    are superseded and copied to the new holders (so the chase's exactly-once key already holds the new holder's
    copy and does not chase them twice), and open orphan reminders stop where their gap is filled. A fixed
    number of queries however many policies moved. Returns how many reminders were handed over.

    A copy asks no clearance of its own, a remedial action's (which quotes what the Lead directed after a monitoring
    report, perhaps made OFFICIAL-SENSITIVE while its policy is OFFICIAL now) included: every change of hands names only
    someone holding the part's role on the policy's business group (lifecycle's ``check_new_holder``), and a role on a
    business group is what clears its holder for that group's OFFICIAL-SENSITIVE material (``roles_cleared_for``), a
    report's as well. tests/notifications/test_handover_report_marking.py holds the one rule to the other."""
    now = timezone.now()
    _orphan_reminders_resolve({change.policy_id for change in changes}, now)
    moves: dict[tuple[int, int], set[tuple[str, int]]] = defaultdict(set)
    for change in changes:
        if change.old_id and change.new_id:
            moves[(change.policy_id, change.old_id)].add((change.part, change.new_id))
    if not moves:
        return 0
    candidates = open_reminders().filter(policy_id__in={policy for policy, _ in moves},
                                         recipient_id__in={old for _, old in moves}).order_by("pk")
    copies, superseded = [], []
    for reminder in candidates:
        targets = sorted({new for part, new in moves.get((reminder.policy_id, reminder.recipient_id), ())
                          if part in KIND_PARTS.get(reminder.kind, ())})
        if not targets:
            continue
        copies.extend(Reminder(policy_id=reminder.policy_id, cycle=reminder.cycle, recipient_id=target,
                               kind=reminder.kind, chased_item=reminder.chased_item, due_on=reminder.due_on,
                               item_due_on=reminder.item_due_on,
                               step=reminder.step, message=reminder.message) for target in targets)
        reminder.superseded_at, reminder.handed_to_id = now, targets[0]
        reminder.closed_because = ReminderClosed.HANDED_OVER
        superseded.append(reminder)
    if superseded:
        Reminder.objects.bulk_create(copies, ignore_conflicts=True)
        Reminder.objects.bulk_update(superseded, ["superseded_at", "handed_to", "closed_because"])
        # The copies reach the new holders' inboxes once the change is committed.
        transaction.on_commit(reminders_to_inbox)
    return len(superseded)


def _orphan_reminders_resolve(policy_ids: set[int], now) -> int:
    """The orphan reminder stops once its own gap is filled, by the chase's one rule (``rules.orphaned_parts``): no
    leaver named, on an OFFICIAL-SENSITIVE policy nobody named who is not cleared for it, and a Designated Lead cleared
    for the OFFICIAL-SENSITIVE local work instructions that supplement it. Reassigning another part (a new manager
    while the developer not cleared stays) leaves it open. One query when no orphan reminder is open on those
    policies; six when some are, however many."""
    orphaned = set(open_reminders().filter(kind=ReminderKind.ORPHAN, policy_id__in=policy_ids)
                   .values_list("policy_id", flat=True).distinct())
    if not orphaned:
        return 0
    columns = [column for _, column in NAMED_PARTS]
    holders_active = [f"{column.removesuffix('_id')}__is_active" for column in columns]
    rows = list(Policy.objects.filter(pk__in=orphaned).values("pk", "protective_marking", "business_group_id",
                                                              *columns, *holders_active))
    developers: dict[int, set[int]] = defaultdict(set)
    inactive_developers: dict[int, set[int]] = defaultdict(set)
    for policy_id, user_id, active in Policy.developers.through.objects.filter(policy_id__in=orphaned).values_list(
            "policy_id", "user_id", "user__is_active"):
        (developers if active else inactive_developers)[policy_id].add(user_id)
    active = {row[column] for row in rows for column, is_active in zip(columns, holders_active, strict=True)
              if row[is_active]}
    active |= set().union(*developers.values())
    clearance = Clearance.of_people(active)
    instruction_groups = sensitive_instruction_groups(orphaned)
    filled = [row["pk"] for row in rows if not any(orphaned_parts(
        row, active=active, developers=developers[row["pk"]], inactive_developers=inactive_developers[row["pk"]],
        clearance=clearance, instruction_groups=instruction_groups.get(row["pk"], ())))]
    if not filled:
        return 0
    return open_reminders().filter(kind=ReminderKind.ORPHAN, policy_id__in=filled).update(
        superseded_at=now, closed_because=ReminderClosed.ORPHAN_RESOLVED)


def open_tasks_for(*, user, policy_ids: list[int]) -> list[OpenTask]:
    """A person's open reminders on those policies, for a handover preview (one query). Each in its own words, which
    name its date (the page adds none: QA crawl, finding 11, "... is due on 31 March 2026 (overdue by 249 days). (due
    31 March 2026)"), and any page they name in words, not as a raw path (notifications.links). Shown to whoever
    hands over, with no clearance asked here: ``policy_ids`` are those whose parts they may move (``handover_preview``),
    which needs a role clearing them for the policy's business group, its monitoring reports' work included."""
    # What follows the new holder (KIND_PARTS), not their own reading.
    reminders = (open_reminders().filter(recipient_id=user.pk, policy_id__in=policy_ids, kind__in=list(KIND_PARTS))
                 .select_related("policy").order_by("policy_id", "-due_on"))
    return [OpenTask(policy_id=reminder.policy_id,
                     what=f"{reminder.get_kind_display()}: "
                          f"{in_page_words(reminder.message, reminder.policy.reference)}")
            for reminder in reminders]


# The chase's own lock (a PostgreSQL advisory lock, held until the transaction ends): the chase holds it alone while
# it writes the ledger (ledger._runs_one_at_a_time); a step closing reminders holds it shared, so that it waits for
# a chase writing now and closes what that chase wrote too (the review of 2026-12-06: a chase that planned before
# a re-publication and wrote after it left the answered review's reminder open for good). A chase that takes the
# lock after such a step leaves out what it would have closed (ledger._reminders_insert).
CHASE_LOCK = 1_600_016


def after_any_chase_writing() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [CHASE_LOCK])


def reminders_stop_for(*, policy_id: int) -> int:
    """Inside the transaction that withdraws a policy (issue 13): its open reminders stop, kept as evidence of who
    was chased and marked superseded (the chase itself never chases a withdrawn policy)."""
    after_any_chase_writing()
    return open_reminders().filter(policy_id=policy_id).update(superseded_at=timezone.now(),
                                                               closed_because=ReminderClosed.POLICY_WITHDRAWN)


def monitoring_reminders_answered(*, policy_id: int, due_on) -> int:
    """Inside the transaction that submits a monitoring report answering the date ``due_on`` (QA walk of 2026-12-05,
    D: "is overdue by 90 days" stayed in the inbox after the report was submitted and published): the reminders of the
    annual report due then, or earlier, are closed (``superseded_at``), read or not, kept as evidence of who was
    chased; the inbox tags them "No longer needed" (notifications.selectors.no_longer_needed). A report returned by
    the co-ordinator makes the date due again, and the chase chases it anew from its next step."""
    after_any_chase_writing()
    return Reminder.objects.filter(policy_id=policy_id, kind=ReminderKind.MONITORING_DUE, item_due_on__lte=due_on,
                                   superseded_at__isnull=True).update(superseded_at=timezone.now(),
                                                                      closed_because=ReminderClosed.REPORT_SUBMITTED)


def review_reminders_close(*, policy_id: int, review_due_on, because: ReminderClosed) -> int:
    """The one rule of which review reminders still hold: those of the policy's review date now, ``review_due_on``. A
    review reminder quotes the date it chases (its ``item_due_on``); every open one of another date is closed
    (``superseded_at``, and ``because``), read or not, kept as evidence of who was chased; the inbox tags them "No
    longer needed", with why, and a handover no longer passes them on. Run inside the transaction that moves the date:

    - the review completed (lifecycle.signals.review_completed: the reviewed version published, or the version in
      force re-published after a review that concluded no change; QA walk of 2026-12-05, qa9: "3-yearly review ... is
      overdue by 249 days" stayed New after the re-publication, and a handover would have copied it to the new
      developer): every one before the next review date, those of a date brought forward from as well;
    - the date changed while the review stands (lifecycle.signals.review_date_changed: brought forward; the defect
      left open on 2026-12-05: "is due on 1 March 2026" stayed New after the review was brought forward to 1 December
      2025).

    The new date's reminders are the chase's, from its own schedule: each review date is its own item of the ledger's
    exactly-once key (``rules.review_item``), so a step of the new date falling on a day the old one's used is still
    sent, and nothing closed here is written again. One statement, however many (and the chase's lock)."""
    after_any_chase_writing()
    return (Reminder.objects.filter(policy_id=policy_id, kind=ReminderKind.REVIEW_DUE, superseded_at__isnull=True)
            .exclude(item_due_on=review_due_on).update(superseded_at=timezone.now(), closed_because=because))


# The tasks a reminder chases, each closed in the transaction of the step that does it (found on 2026-12-06: POL-0009's
# "has been waiting for the Designated Lead's decision" stayed New after the Lead approved it, and a handover would have
# passed it on). Each as the review's and the annual report's: one statement, however many, read or not, kept as
# evidence of who was chased (``superseded_at``, and why); the inbox tags them "No longer needed", with why
# (notifications.selectors.no_longer_needed), a handover no longer passes them on, and the chase, which no longer
# calls for them, never writes them again (nor one it planned before the step: ledger._reminders_insert).

def stuck_reminders_close(*, policy_id: int, because: ReminderClosed) -> int:
    """Inside the transaction of a step that moves the policy's status (lifecycle.signals.status_changed): the wait
    its reminders of work waiting too long chased is over, ``because`` a step was taken, or the review draft whose
    stage it was was withdrawn.
    A STUCK reminder chases the stage the policy waits in since its ``status_changed_at`` (rules.PolicyChase.stuck),
    written only once that stage's deadline has come, working days after it began: so every open one is of the stage
    just left, none of the one just entered (whose wait begins now, even where it returns to a stage it waited in
    before). All of the policy's are closed. The review's own reminders go on after a withdrawn draft: the review is
    still due, to be concluded with no change or started again. (A withdrawal decided closes these and every other
    kind but its own: ``withdrawal_decided_reminders_close``.)"""
    after_any_chase_writing()
    return Reminder.objects.filter(policy_id=policy_id, kind=ReminderKind.STUCK, superseded_at__isnull=True).update(
        superseded_at=timezone.now(), closed_because=because)


# The reminders a withdrawal decided leaves open: its own, to PCU (the one thing the policy waits for), and the
# requests to read and confirm the version in force, which stays in force, binding on staff, until PCU withdraws it.
GO_ON_WHILE_WITHDRAWAL_DECIDED = (ReminderKind.WITHDRAWAL, ReminderKind.ACKNOWLEDGEMENT)


def withdrawal_decided_reminders_close(*, policy_id: int) -> int:
    """Inside the transaction in which the Designated Lead or the owner decides to withdraw the policy
    (lifecycle.signals.withdrawal_decided): from then it waits for PCU to carry the withdrawal out and for nothing else
    (lifecycle.steps.HALTS), so every reminder of what it waited for before is no longer needed: the step of its status
    (work waiting too long: the wait is PCU's now, chased as its own kind), and its review, its annual monitoring
    report, a report's quality assurance, a remedial action, the impact assessment after an emergency approval, a
    part to reassign (found with the demo: its authors were still reminded that its review and report were due). Each
    is closed, read or not, saying why, kept as evidence of who was chased; the chase plans none of them again while
    the decision is open (plan._plan_for), nor writes one it planned before (ledger._still_called_for). Left open:
    ``GO_ON_WHILE_WITHDRAWAL_DECIDED``. One statement (and the chase's lock)."""
    after_any_chase_writing()
    return (Reminder.objects.filter(policy_id=policy_id, superseded_at__isnull=True)
            .exclude(kind__in=GO_ON_WHILE_WITHDRAWAL_DECIDED)
            .update(superseded_at=timezone.now(), closed_because=ReminderClosed.WITHDRAWAL_DECIDED))


def qa_reminders_signed_off_close(*, policy_id: int, version_id: int, discipline: str) -> int:
    """Inside the transaction that records ``discipline``'s quality assurance sign-off of the package ``version_id``
    (lifecycle.signals.qa_signed_off): the reminders of quality assurance waiting too long addressed to that discipline
    are no longer needed, though the status stays while another discipline has not signed. The chase addresses them to
    the holders of the force-wide role of each discipline not yet signed off on the package (rules.PolicyChase.stuck,
    plan._missing_disciplines: PCU's, DCFD's, DOI's), one reminder a person: closed are those of the discipline's
    holders who hold no role of a discipline still to sign off (``qa_still_waited_on``), who are still chased. One
    statement (its subqueries read the roles and the package's sign-offs)."""
    after_any_chase_writing()
    return (Reminder.objects.filter(policy_id=policy_id, kind=ReminderKind.STUCK, superseded_at__isnull=True,
                                    recipient_id__in=_force_wide(discipline).values("user_id"))
            .exclude(recipient_id__in=qa_still_waited_on(version_id).values("user_id"))
            .update(superseded_at=timezone.now(), closed_because=ReminderClosed.QA_SIGNED_OFF))


def _force_wide(*roles: str):
    return RoleAssignment.objects.filter(business_group__isnull=True, role__in=roles)


def qa_still_waited_on(version_id):
    """The force-wide role assignments of the quality assurance disciplines that have recorded no decision on the
    package ``version_id`` (an id, or an expression of one): those the chase still waits on."""
    return _force_wide(*QADiscipline.values).exclude(
        role__in=QASignOff.objects.filter(policy_version_id=version_id).values("discipline"))


def emergency_eia_reminders_close(*, policy_id: int) -> int:
    """Inside the transaction that clears "not impact assessed" (assessments.signals.emergency_assessed), the last of
    what the emergency route skipped signed off (SOP: "the impact assessment must be completed as soon as reasonably
    practicable"): the chase reminds of it until then (rules.PolicyChase.emergency_eia), so every open one is closed."""
    after_any_chase_writing()
    return Reminder.objects.filter(policy_id=policy_id, kind=ReminderKind.EMERGENCY_EIA,
                                   superseded_at__isnull=True).update(superseded_at=timezone.now(),
                                                                      closed_because=ReminderClosed.IMPACT_ASSESSED)


def monitoring_qa_reminders_close(*, policy_id: int) -> int:
    """Inside the transaction in which the co-ordinator passes or returns the monitoring report
    (assessments.signals.monitoring_report_assured): a policy has one report in quality assurance at a time
    (assessments.services.monitoring_report_create refuses a second), the one its open reminders chase."""
    after_any_chase_writing()
    return Reminder.objects.filter(policy_id=policy_id, kind=ReminderKind.MONITORING_QA,
                                   superseded_at__isnull=True).update(superseded_at=timezone.now(),
                                                                      closed_because=ReminderClosed.REPORT_ASSURED)


def remedial_reminders_close(*, policy_id: int, response_id: int) -> int:
    """Inside the transaction that records a remedial action as done (assessments.signals.remedial_action_completed):
    the reminders of that action, its ``chased_item`` the response that directed it; another action on the policy
    stays chased."""
    after_any_chase_writing()
    return Reminder.objects.filter(policy_id=policy_id, kind=ReminderKind.REMEDIAL_ACTION, chased_item=response_id,
                                   superseded_at__isnull=True).update(superseded_at=timezone.now(),
                                                                      closed_because=ReminderClosed.ACTION_COMPLETED)
