"""The outbox relay: audit events become inbox items for whoever each action concerns (``EVENT_RECIPIENTS``)."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from celery import signature
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone

from assessments.models import MonitoringReport
from core.events import AuditAction
from core.models import OutboxEvent, User
from lifecycle import workflow
from lifecycle.models import Policy
from lifecycle.next_steps import NOTIFIED, after_qa_return
from lifecycle.selectors import Clearance, events_withheld_from_uncleared, holds_sensitive_record
from lifecycle.services.people import PARTS
from lifecycle.states import ProtectiveMarking, highest_marking
from notifications.links import report_named
from notifications.models import Notification
from notifications.services.handover import handover_notices
from notifications.services.inbox import relayed_items_close
from notifications.services.people import active_role_holders

logger = logging.getLogger(__name__)


NOBODY: tuple[tuple[str, ...], str] = ((), "")
# The people an event names itself: the user ids in its changes' "notify_user_ids" (a reassignment's old and new
# holders), for events whose recipients no role describes.
NAMED_IN_CHANGES = "named_in_changes"

# Every audit action, and whom its event notifies: (who, title). The cycle's steps declare theirs in
# lifecycle.workflow (``notify``, ``notice``); the rest are here. A test proves every AuditAction has an entry,
# "nobody" included, so a new action cannot be forgotten, and the relay refuses a topic it does not know.
EVENT_RECIPIENTS: dict[AuditAction, tuple[tuple[str, ...], str]] = {
    **dict.fromkeys(AuditAction, NOBODY),
    **{step.audit: (step.notify, step.notice) for step in workflow.STEPS if step.notify},
    # The work others do first before a step (``WorkFirst``), declared with it: the drafters' revision of the EIA DCFD
    # reopened tells DCFD that its sign-off waits for it.
    **{work.audit: (work.notify, work.notice) for work in workflow.WORKS_FIRST if work.notify},
    AuditAction.ROLE_CONFLICT_FLAGGED: (("pcu",), "A role assignment to check: one person holds two independent "
                                                  "checks"),
    # Issue 13: a new policy's event names nobody, except a local work instruction that supplements a corporate
    # policy: that policy's Designated Lead, whose prior agreement it needs (SOP: "prior agreement with the
    # corporate lead").
    AuditAction.POLICY_CREATED: ((NAMED_IN_CHANGES,), "A local work instruction asks for your agreement"),
    AuditAction.POLICY_EIA_COMPLETED_RETROSPECTIVELY: (("authors", "lead", "coordinator"), "EIA signed off"),
    AuditAction.POLICY_PUBLICATION_CANCELLED: (("pcu", "lead"), "Scheduled publication cancelled"),
    # Issue 14: "A tampered stored file (the hash does not match) is refused and reported".
    AuditAction.PUBLICATION_FILE_TAMPERED: (("pcu",), "A published file does not match its record"),
    # PCU, who publish ("Publish all corporate policy", SOP) and can store the files again from the Publication page.
    AuditAction.PUBLICATION_FILES_NOT_STORED: (("pcu",), "A publication's files could not be stored"),
    AuditAction.MONITORING_REPORT_SUBMITTED: (("coordinator",), "Monitoring report to quality-assure"),
    AuditAction.MONITORING_REPORT_QA_PASSED: (("pcu", "authors"), "Monitoring report quality assured"),
    AuditAction.MONITORING_REPORT_RETURNED: (("authors",), "Monitoring report returned with comments"),
    # QA walk of 2026-12-05 (A): the Designated Lead too, whose response it awaits (SOP, the Lead's role: "review
    # monitoring results and direct remedial action"); only if cleared for the report's marking (``_cleared``).
    AuditAction.MONITORING_REPORT_PUBLISHED: (("authors", "coordinator", "lead"), "Monitoring report published"),
    # PCU may discard a draft its authors started by mistake: they are told (the one who discards is never told).
    AuditAction.MONITORING_REPORT_DISCARDED: (("authors",), "Monitoring report draft discarded"),
    AuditAction.MONITORING_REMEDIAL_ACTION_COMPLETED: (("lead", "coordinator"), "Remedial action done"),
    AuditAction.MONITORING_REPORT_READ_FOR_REVIEW: (("lead",), "A monitoring report read for the review"),
    # Issue 12: each change notifies the old and new holders, named by id in the event's changes
    # ("notify_user_ids"); a leaver's handover notifies once, from the event on the leaver, not once per policy: the
    # leaver and those taking over, and each affected business group's co-ordinators and Lead, of their group's
    # policies (notifications.services.handover decides whom, and what each is told).
    AuditAction.POLICY_REASSIGNED: ((NAMED_IN_CHANGES,), "People changed"),
    AuditAction.POLICY_MOVED_BUSINESS_GROUP: ((NAMED_IN_CHANGES, "coordinator"),
                                              "Policy moved to another business group"),
    AuditAction.PERSON_HANDED_OVER: ((NAMED_IN_CHANGES,), "Work handed over"),
    # Issue 12: a re-marking or a new approval route concerns whoever drafts and co-ordinates the policy.
    AuditAction.POLICY_DETAILS_CHANGED: (("authors", "coordinator"), "Document details changed"),
    # Issue 12: the invited person (or every holder of the invited team's role), named by id in the changes.
    AuditAction.POLICY_ADVICE_INVITED: ((NAMED_IN_CHANGES,), "You are invited to advise on a draft"),
    AuditAction.POLICY_ADVICE_WITHDRAWN: ((NAMED_IN_CHANGES,), "Invitation to advise withdrawn"),
    AuditAction.POLICY_ADVICE_GIVEN: (("authors", "coordinator"), "Advice given on the draft"),
    # Security probe F2: those who draft the policy, and whoever invited the adviser (named in the changes), are told
    # that someone no longer cleared for it lost their invitation or access; never that person, who may no longer be
    # told of it (lifecycle.services.clearance).
    AuditAction.POLICY_ADVICE_WITHDRAWN_NOT_CLEARED: (("authors", NAMED_IN_CHANGES),
                                                      "An adviser is no longer cleared for it: invitation withdrawn"),
    AuditAction.POLICY_ACCESS_REVOKED_NOT_CLEARED: (("authors",),
                                                    "Someone given access is no longer cleared for it: access taken "
                                                    "away"),
    # A corporate policy's Designated Lead no longer cleared for an OFFICIAL-SENSITIVE local work instruction that
    # supplements it (lifecycle.services.lead_clearance): PCU, who name the Lead, and its co-ordinator (the business
    # group's, where it names none), told which instructions, by reference. Not the Lead, who cannot read them.
    AuditAction.POLICY_LEAD_NOT_CLEARED_FOR_INSTRUCTIONS: (("pcu", "coordinator"),
                                                           "Designated Lead not cleared for a local work instruction "
                                                           "supplementing it"),
}


FORCE_WIDE_KINDS = {"pcu", "dcfd", "doi", "shrmt"}
# Events whose item says first why it happened, in the words recorded with it ("reason"): who lost their clearance,
# and how (lifecycle.services.clearance), since nobody who is told chose it.
REASON_SAID = {AuditAction.POLICY_ADVICE_WITHDRAWN_NOT_CLEARED, AuditAction.POLICY_ACCESS_REVOKED_NOT_CLEARED,
               AuditAction.POLICY_LEAD_NOT_CLEARED_FOR_INSTRUCTIONS}
# Titles worded by the outcome the event records, where a step's event records one of several
# (``Step.notice_by_answer``): {action: (key in its changes, {value: title})}; the declared title otherwise.
TITLE_BY_OUTCOME: dict[AuditAction, tuple[str, dict[str, str]]] = {
    step.audit: step.notice_by_answer for step in workflow.STEPS if step.notice_by_answer}


def _event_recipients(who: tuple[str, ...], policy: Policy | None, role_holders, changes: dict | None = None
                      ) -> set[int]:
    recipients: set[int] = set()
    group = policy.business_group_id if policy else None
    for kind in who:
        if kind == NAMED_IN_CHANGES:
            named = (changes or {}).get("notify_user_ids") or []
            recipients |= {user_id for user_id in named if isinstance(user_id, int)}
        elif kind == "authors":
            recipients |= {user.pk for user in policy.developers.all() if user.is_active}
            if policy.policy_manager_id:
                recipients.add(policy.policy_manager_id)
        elif kind in FORCE_WIDE_KINDS:
            recipients |= role_holders.get((None, kind), set())
        else:
            named = {"coordinator": policy.coordinator_id, "lead": policy.designated_lead_id,
                     "owner": policy.owner_id}[kind]
            recipients |= {named} if named else role_holders.get((group, kind), set())
    return recipients


def outbox_relay(*, limit: int = 500) -> int:
    """Turn waiting outbox rows into inbox items. Rows are claimed with SKIP LOCKED so two relays never
    handle the same row; the unique (event, recipient) constraint makes a replay harmless. A row whose topic
    is not an AuditAction is an error: logged, counted in ``attempts`` and left waiting, never marked done."""
    handled = 0
    cursor = 0
    role_holders: dict | None = None
    clearance: Clearance | None = None
    while handled < limit:
        with transaction.atomic():
            batch = list(
                # Only the outbox rows are claimed (OF self): the event and its actor are read with them.
                OutboxEvent.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(handled_at__isnull=True, pk__gt=cursor)
                .select_related("audit_event__actor").order_by("pk")[:100]
            )
            if not batch:
                break
            cursor = batch[-1].pk
            if role_holders is None:
                role_holders = active_role_holders()
                clearance = Clearance(role_holders)
            handled += _relay_batch(batch, role_holders, clearance)
    return handled


def _relay_batch(batch: list[OutboxEvent], role_holders, clearance: Clearance) -> int:
    policy_ids = {event.audit_event.policy_id for event in batch if event.audit_event.policy_id}
    policies = (Policy.objects.prefetch_related("developers")
                .annotate(sensitive_record=ExpressionWrapper(holds_sensitive_record(), output_field=BooleanField()))
                .in_bulk(policy_ids))
    report_markings = _report_markings(batch)
    sensitive_then = _sensitive_then(batch, policies)
    now = timezone.now()
    notifications = []
    done = []
    # A leaver's handover tells each person what concerns them (notifications.services.handover).
    handovers = handover_notices(batch, role_holders, clearance)
    names = _reassigned_names(batch)
    for event in batch:
        event.attempts += 1
        try:
            who, title = EVENT_RECIPIENTS[AuditAction(event.topic)]
            title = _titled(AuditAction(event.topic), title, event.audit_event.changes)
        except ValueError:
            logger.error("Outbox event #%s has the unknown topic %r: left waiting (attempt %s).",
                         event.pk, event.topic, event.attempts)
            continue
        policy = policies.get(event.audit_event.policy_id)
        # An event of no policy (a role assignment) reaches force-wide roles and the people it names only.
        if who and (policy is not None or set(who) <= FORCE_WIDE_KINDS | {NAMED_IN_CHANGES}):
            actor_id = event.audit_event.actor_id
            subject = f"{policy.reference} {policy.title}" if policy else event.audit_event.object_repr
            # The person by name, as every page names them (the event keeps the account's name).
            body = (f"By {event.audit_event.actor or event.audit_event.actor_username or 'PolicyHub'} on "
                    f"{timezone.localtime(event.audit_event.occurred_at):%-d %B %Y, %H:%M}.")
            if event.topic == AuditAction.POLICY_RETURNED_FROM_QA:
                body = f"{_qa_return_said(event.audit_event.changes)}{body}"
            elif event.topic in REASON_SAID:
                body = f"{_reason_said(event.audit_event.changes)}{body}"
            elif event.topic == AuditAction.POLICY_REASSIGNED:
                body = f"{_parts_said(event.audit_event.changes, names)}{body}"
            elif event.topic == AuditAction.POLICY_REVIEW_DATE_BROUGHT_FORWARD:
                body = f"{_review_date_said(event.audit_event.changes)}{body}"
            if event.pk in handovers:
                told = {recipient_id: f"{notice.summary} {body}"
                        for recipient_id, notice in handovers[event.pk].items()}
            else:
                told = dict.fromkeys(_event_recipients(who, policy, role_holders, event.audit_event.changes), body)
            report = report_named(event.audit_event)
            marking = _marking_then(event, policy, sensitive_then)
            told = _cleared(told, policy, clearance, marking=highest_marking(marking, report_markings.get(report, "")))
            for recipient_id in sorted(set(told) - {actor_id}):
                notifications.append(Notification(
                    recipient_id=recipient_id, policy=policy, source_event=event,
                    report_id=report if report in report_markings else None,
                    # The marking the item is told under, as ``_cleared`` read it (notifications.selectors); a
                    # monitoring report's own marking is read from the report the item records.
                    protective_marking=marking,
                    title=f"{title}: {subject}"[:300], body=told[recipient_id][:1000],
                ))
        event.handled_at = now
        event.relayed_at = event.relayed_at or now
        done.append(event)
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    # Items whose work was done before they were relayed are written closed, as the step closed those it found.
    relayed_items_close(
        event_ids=[event.pk for event in done],
        report_policy_ids={event.audit_event.policy_id for event in done if event.audit_event.policy_id
                           and event.topic == AuditAction.MONITORING_REPORT_SUBMITTED},
        version_policy_ids={event.audit_event.policy_id for event in done if event.audit_event.policy_id
                            and "version" in (event.audit_event.changes or {})})
    _list_policies(handovers)
    # Issue 14: a version published is in force, and the staff it asks to confirm they have read it are told, by a
    # task of their own once this batch is committed (a publication to a business group asks thousands).
    published = sorted({event.audit_event.policy_id for event in done
                        if event.topic == AuditAction.POLICY_PUBLISHED and event.audit_event.policy_id})
    if published:
        transaction.on_commit(lambda: _queue_task(ASK_TO_READ_TASK, published))
    OutboxEvent.objects.bulk_update(batch, ["handled_at", "relayed_at", "attempts"])
    return len(done)


def _report_markings(batch: list[OutboxEvent]) -> dict[int, str]:
    """{report id: its protective marking} of the monitoring reports the batch's events are about (``report_named``):
    one query, none for a batch without any."""
    ids = {report for event in batch if (report := report_named(event.audit_event)) is not None}
    return dict(MonitoringReport.objects.filter(pk__in=ids).values_list("pk", "protective_marking")) if ids else {}


def _sensitive_then(batch: list[OutboxEvent], policies: dict[int, Policy]) -> set[int]:
    """The ids of the batch's audit events of a policy OFFICIAL now that are told as OFFICIAL-SENSITIVE: those its
    timeline withholds from a reader not cleared (``lifecycle.selectors.events_withheld_from_uncleared``, the one
    rule), such as what happened while a review's downgrade was a draft's and the version in force kept the policy
    OFFICIAL-SENSITIVE, relayed after its publication (security review: the relay read the policy's marking when it
    relayed, and told such an event to those not cleared, written OFFICIAL). Asked only of a policy holding a record
    marked OFFICIAL-SENSITIVE (``holds_sensitive_record``, read with the policies): one query for each such policy in
    the batch, none for a batch of policies plainly OFFICIAL, nor for one OFFICIAL-SENSITIVE now (told so anyway)."""
    asked: dict[int, list[int]] = defaultdict(list)
    for event in batch:
        policy = policies.get(event.audit_event.policy_id)
        if policy is not None and policy.protective_marking == ProtectiveMarking.OFFICIAL and policy.sensitive_record:
            asked[policy.pk].append(event.audit_event_id)
    return set().union(*(events_withheld_from_uncleared(policy_id=policy_id, event_ids=event_ids)
                         for policy_id, event_ids in sorted(asked.items())))


def _marking_then(event: OutboxEvent, policy: Policy | None, sensitive_then: set[int]) -> str:
    """The marking an event is told under: OFFICIAL-SENSITIVE if its policy is now, or it is among ``sensitive_then``
    (``_sensitive_then``); OFFICIAL for an event of no policy."""
    if policy is None:
        return ProtectiveMarking.OFFICIAL
    if event.audit_event_id in sensitive_then:
        return ProtectiveMarking.OFFICIAL_SENSITIVE
    return policy.protective_marking


def _cleared(told: dict[int, str], policy: Policy | None, clearance: Clearance, *, marking: str) -> dict[int, str]:
    """Those of ``told`` who may be told of ``policy``. Of an event told under OFFICIAL-SENSITIVE (``marking``), only
    those cleared for the policy's business group's material (``Clearance``, the rule of
    ``lifecycle.selectors.user_may_see_sensitive``), whoever the event names or the policy's parts point to: its title
    is in the item, in the inbox and the digest e-mail, and the link would answer 404 (security probe F2; the services
    refuse to name them, this is the defence behind them). ``marking``: the event's (``_marking_then``: the policy's
    now, or OFFICIAL-SENSITIVE for an event of its OFFICIAL-SENSITIVE time relayed after a review's downgrade was
    published), or, for an event about a monitoring report, the report's if higher: one made OFFICIAL-SENSITIVE stays
    so when a review's downgrade is published (assessments.selectors). An event of no policy (a leaver's handover,
    which names each policy only to those cleared for it when it happened: notifications.services.handover) is told
    as it is."""
    if policy is None or marking == ProtectiveMarking.OFFICIAL:
        return told
    return {user_id: said for user_id, said in told.items()
            if clearance.cleared(user_id, policy.business_group_id)}


ASK_TO_READ_TASK = "notifications.tasks.ask_to_read"


def _queue_task(name: str, *args) -> None:
    """After the commit: the relay stands whatever happens here. With the broker down, the staff asked are told by the
    next chase instead (notifications.services.ledger.acknowledgement_requests_tell)."""
    try:
        # By name: notifications.tasks builds on this module, not the other way round.
        signature(name, args=args).delay()
    except Exception:
        logger.exception("Task %s%r not queued", name, args)


def _qa_return_said(changes) -> str:
    """Who returned which version, which of the others had not yet checked it and which had passed it, and that all
    three check the next submission (lifecycle.next_steps.after_qa_return), with a space after it; "" for a return
    recorded before the event named the others' checks."""
    if not isinstance(changes, dict) or not isinstance(changes.get("not_yet_checked"), list):
        return ""
    returner = NOTIFIED.get(changes.get("discipline"), "Quality assurance")
    checks = after_qa_return(not_yet_checked=changes["not_yet_checked"], passed=changes.get("passed") or [])
    return f"{returner} returned version {changes.get('returned_version')}. {checks} "


def _reason_said(changes) -> str:
    """The event's recorded reason, with a space after it; "" without one."""
    reason = changes.get("reason") if isinstance(changes, dict) else None
    return f"{reason} " if isinstance(reason, str) and reason else ""


def _review_date_said(changes) -> str:
    """A review date's change as its event records it (``review_due_on``: [before, after]), with a space after it: "The
    review is now due on 1 December 2025 (it was due on 1 March 2026). " The reminders of the date before, which quoted
    it, close with the change (notifications.services.review_reminders_close). Only the dates: the event's reason may
    quote a monitoring report's results. "" where it records no new date."""
    dates = changes.get("review_due_on") if isinstance(changes, dict) else None
    if not (isinstance(dates, list) and len(dates) == 2):
        return ""
    before, after = (_date_in(value) for value in dates)
    if after is None:
        return ""
    was = f" (it was due on {before:%-d %B %Y})" if before else ""
    return f"The review is now due on {after:%-d %B %Y}{was}. "


def _date_in(value) -> datetime.date | None:
    """A date as an event's changes record it (ISO text), or None."""
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _titled(action: AuditAction, title: str, changes) -> str:
    """The item's title for the outcome the event records (``TITLE_BY_OUTCOME``), else ``title``."""
    key, by_value = TITLE_BY_OUTCOME.get(action, ("", {}))
    value = changes.get(key) if key and isinstance(changes, dict) else None
    return by_value.get(value, title) if isinstance(value, str) else title


def _reassigned_names(batch: list[OutboxEvent]) -> dict[str, str]:
    """The names of the people the batch's reassignments name, by account name (the event records account names):
    one query, none for a batch without a reassignment."""
    usernames = {username for event in batch if event.topic == AuditAction.POLICY_REASSIGNED
                 for username in _usernames_in_parts(event.audit_event.changes)}
    return {user.username: str(user) for user in User.objects.filter(username__in=usernames)} if usernames else {}


def _recorded_parts(changes) -> list[list]:
    parts = changes.get("parts") if isinstance(changes, dict) else None
    return [item for item in parts or [] if isinstance(item, list) and len(item) == 3]


def _usernames_in_parts(changes) -> set[str]:
    return {username for _, *holders in _recorded_parts(changes) for username in holders if isinstance(username, str)}


def _parts_said(changes, names: dict[str, str]) -> str:
    """Which part of the policy changed hands, from whom to whom, and the reason recorded, with a space after it, as a
    handover's notice says its parts and the clearance events their reason: "Business Group Policy Co-ordinator
    changed from Sam Lee to Priya Shah. Reason: Sam moved unit. " (lifecycle.services.people.changes records each
    part as [part, old holder, new holder] by account name; a developer added has no old holder, one removed no new
    one). The QA walk read only "People changed", by whom and when."""
    said = []
    for key, old, new in _recorded_parts(changes):
        label = PARTS[key].label if key in PARTS else str(key).replace("_", " ")
        label = f"{label[:1].upper()}{label[1:]}"
        old_name, new_name = names.get(old, old), names.get(new, new)
        if old and new:
            said.append(f"{label} changed from {old_name} to {new_name}.")
        elif new:
            said.append(f"{label} added: {new_name}.")
        elif old:
            said.append(f"{label} removed: {old_name}.")
    reason = changes.get("reason") if isinstance(changes, dict) else None
    if isinstance(reason, str) and reason:
        said.append(f"Reason: {reason}" if reason.endswith((".", "!", "?")) else f"Reason: {reason}.")
    return "".join(f"{sentence} " for sentence in said)


def _list_policies(handovers: dict[int, dict]) -> None:
    """The policies each handover notice names, listed on it (two statements for the batch, none without a
    handover). Its items are read back by (event, recipient): written with ON CONFLICT DO NOTHING, they come back
    without their ids, and a replay finds the ones written before."""
    if not handovers:
        return
    through = Notification.listed_policies.through
    items = Notification.objects.filter(source_event_id__in=list(handovers)).order_by().values_list(
        "pk", "source_event_id", "recipient_id")
    through.objects.bulk_create([
        through(notification_id=item_id, policy_id=policy_id)
        for item_id, event_id, recipient_id in items
        for policy_id in getattr(handovers[event_id].get(recipient_id), "policy_ids", ())
    ], ignore_conflicts=True)
