"""The outbox relay: audit events become inbox items for whoever each action concerns (``EVENT_RECIPIENTS``)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from core.events import AuditAction
from core.models import OutboxEvent, User
from lifecycle import workflow
from lifecycle.models import Policy
from lifecycle.services.people import PARTS
from notifications.models import Notification
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
    AuditAction.MONITORING_REPORT_SUBMITTED: (("coordinator",), "Monitoring report to quality-assure"),
    AuditAction.MONITORING_REPORT_QA_PASSED: (("pcu", "authors"), "Monitoring report quality assured"),
    AuditAction.MONITORING_REPORT_RETURNED: (("authors",), "Monitoring report returned with comments"),
    AuditAction.MONITORING_REPORT_PUBLISHED: (("authors", "coordinator"), "Monitoring report published"),
    AuditAction.MONITORING_REMEDIAL_ACTION_COMPLETED: (("lead", "coordinator"), "Remedial action done"),
    AuditAction.MONITORING_REPORT_READ_FOR_REVIEW: (("lead",), "A monitoring report read for the review"),
    # Issue 12: each change notifies the old and new holders, named by id in the event's changes
    # ("notify_user_ids"); a leaver's handover notifies once, from the event on the leaver, not once per policy.
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
}


FORCE_WIDE_KINDS = {"pcu", "dcfd", "doi", "shrmt"}


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
            handled += _relay_batch(batch, role_holders)
    return handled


def _relay_batch(batch: list[OutboxEvent], role_holders) -> int:
    policy_ids = {event.audit_event.policy_id for event in batch if event.audit_event.policy_id}
    policies = Policy.objects.prefetch_related("developers").in_bulk(policy_ids)
    now = timezone.now()
    notifications = []
    done = []
    names = _handover_names(batch)
    for event in batch:
        event.attempts += 1
        try:
            who, title = EVENT_RECIPIENTS[AuditAction(event.topic)]
        except ValueError:
            logger.error("Outbox event #%s has the unknown topic %r: left waiting (attempt %s).",
                         event.pk, event.topic, event.attempts)
            continue
        policy = policies.get(event.audit_event.policy_id)
        # An event of no policy (a role assignment) reaches force-wide roles and the people it names only.
        if who and (policy is not None or set(who) <= FORCE_WIDE_KINDS | {NAMED_IN_CHANGES}):
            actor_id = event.audit_event.actor_id
            subject = f"{policy.reference} {policy.title}" if policy else event.audit_event.object_repr
            recipients = _event_recipients(who, policy, role_holders, event.audit_event.changes)
            # The person by name, as every page names them (the event keeps the account's name).
            body = (f"By {event.audit_event.actor or event.audit_event.actor_username or 'PolicyHub'} on "
                    f"{timezone.localtime(event.audit_event.occurred_at):%-d %B %Y, %H:%M}.")
            if event.topic == AuditAction.PERSON_HANDED_OVER:
                body = f"{_handover_summary(event.audit_event, names)} {body}"
            for recipient_id in sorted(recipients - {actor_id}):
                notifications.append(Notification(
                    recipient_id=recipient_id, policy=policy, source_event=event,
                    title=f"{title}: {subject}"[:300], body=body[:1000],
                ))
        event.handled_at = now
        event.relayed_at = event.relayed_at or now
        done.append(event)
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    OutboxEvent.objects.bulk_update(batch, ["handled_at", "relayed_at", "attempts"])
    return len(done)


# At most this many references in a handover's notice; the rest are counted ("and 12 more").
HANDOVER_REFERENCES_SHOWN = 20


def _handover_names(batch: list[OutboxEvent]) -> dict[str, str]:
    """The names of the people the batch's handovers hand work to, by account name (the event records account
    names): one query for the batch, none when it holds no handover."""
    usernames = {username for event in batch if event.topic == AuditAction.PERSON_HANDED_OVER
                 for username in (event.audit_event.changes.get("to") or {}).values()}
    if not usernames:
        return {}
    return {user.username: str(user) for user in User.objects.filter(username__in=usernames)}


def _handover_summary(audit_event, names: dict[str, str]) -> str:
    """What a leaver's handover moved, and to whom: "3 policies handed over from Sam Lee: POL-0001, POL-0002,
    POL-0003. Policy manager: Ali Khan. Policy developer: Priya Shah." Each part in the order the policy's people are
    listed (lifecycle.services.people.PARTS). A handover recorded before the event named its policies says how many."""
    changes = audit_event.changes
    count = changes.get("policies") or 0
    moved = changes.get("moved") or []
    summary = f"{count} polic{'y' if count == 1 else 'ies'} handed over from {audit_event.object_repr}"
    if moved:
        shown = ", ".join(moved[:HANDOVER_REFERENCES_SHOWN])
        more = len(moved) - HANDOVER_REFERENCES_SHOWN
        summary += f": {shown}{f' and {more} more' if more > 0 else ''}"
    to = changes.get("to") or {}
    parts = [f"{part.label[:1].upper()}{part.label[1:]}: {names.get(to[key], to[key])}."
             for key, part in PARTS.items() if key in to]
    return " ".join([summary + ".", *parts])
