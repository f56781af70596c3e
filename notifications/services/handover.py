"""A leaver's handover, told (issue 12). One event on the leaver (``person.handed_over``) tells:

- the leaver and those taking over, of every policy that moved;
- the co-ordinators and the Designated Lead of each business group whose policies moved, of that group's policies
  (SOP, the co-ordinator must "Ensure good governance so that policies within the BG are reviewed, monitored and
  published"; the Lead answers for the group's policies to its Management Board member): the group's holders of those
  roles and the ones each policy names.

Each person once, however many parts they play, and the actor not at all (the relay leaves them out). An
OFFICIAL-SENSITIVE policy is named only to those cleared for its business group (a force-wide role, or a role in that
group: ``lifecycle.selectors.Clearance``, the rule of lifecycle.selectors.user_may_see_sensitive), and
counted for the others: one OFFICIAL-SENSITIVE now, or when it was handed over (``_sensitive_then``: a review's
downgrade published between the handover and its relay does not name it to them). Each notice lists the policies it
names (``Notification.listed_policies``), which the inbox and the digest link where their reader may open them
(notifications.links). A fixed number of queries for a batch of events, however many policies moved, and one more for
each policy moved that is OFFICIAL now but holds a record marked OFFICIAL-SENSITIVE."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q

from core.events import AuditAction
from core.models import AuditEvent, OutboxEvent, Role, User
from lifecycle.models import Policy
from lifecycle.selectors import Clearance, events_withheld_from_uncleared, holds_sensitive_record
from lifecycle.services.people import PARTS
from lifecycle.states import ProtectiveMarking
from notifications.selectors import references_named

# At most this many references in a handover's notice, each listed and linked; the rest are counted ("and 12 more").
POLICIES_LISTED = 20
# The business group's roles told of its policies moving.
GROUP_ROLES = (Role.COORDINATOR, Role.LEAD)


@dataclass(frozen=True)
class HandoverNotice:
    """What one person is told of one handover: the summary, and the ids of the policies it names (in its order)."""

    summary: str
    policy_ids: tuple[int, ...]


def handover_notices(batch: list[OutboxEvent], role_holders: dict[tuple[int | None, str], set[int]],
                     clearance: Clearance) -> dict[int, dict[int, HandoverNotice]]:
    """{outbox event id: {recipient id: their notice}} for the handovers of ``batch``; ``role_holders`` as
    ``notifications.services.people.active_role_holders`` (active people only), ``clearance`` read from them. Two
    queries when the batch holds a handover (the policies moved, the names of who took over), none otherwise."""
    handovers = [event for event in batch if event.topic == AuditAction.PERSON_HANDED_OVER]
    if not handovers:
        return {}
    references = {reference for event in handovers for reference in _moved(event.audit_event.changes)}
    policies = {row["reference"]: row for row in Policy.objects.filter(reference__in=references).order_by()
                .annotate(sensitive_record=ExpressionWrapper(holds_sensitive_record(), output_field=BooleanField()))
                .values("pk", "reference", "business_group_id", "protective_marking", "coordinator_id",
                        "coordinator__is_active", "designated_lead_id", "designated_lead__is_active",
                        "sensitive_record")} if references else {}
    names = _names(handovers)
    sensitive_then = _sensitive_then(handovers, policies)
    return {event.pk: _notices(event.audit_event, policies, names, role_holders, clearance,
                               sensitive_then.get(event.pk, set())) for event in handovers}


def _sensitive_then(handovers: list[OutboxEvent], policies: dict[str, dict]) -> dict[int, set[int]]:
    """{outbox event id: the ids of the policies its handover moved that were OFFICIAL-SENSITIVE when it happened,
    though OFFICIAL now}: those whose own event of the handover (``policy.handed_over``, written with it) the policy's
    timeline withholds from a reader not cleared (``lifecycle.selectors.events_withheld_from_uncleared``, the one rule;
    security review: a handover while a review's downgrade was a draft's, relayed after its publication, named the
    policy to those not cleared). Asked only of a policy holding a record marked OFFICIAL-SENSITIVE
    (``holds_sensitive_record``): no query for handovers of none. Those events precede the leaver's, one a policy
    moved, in one stretch of the chain (lifecycle.services.people.handover ``_audit_handover``); a policy whose event
    is not found there is read as OFFICIAL-SENSITIVE then."""
    asked = {row["pk"] for row in policies.values()
             if row["protective_marking"] == ProtectiveMarking.OFFICIAL and row["sensitive_record"]}
    if not asked:
        return {}
    stretches = {event.pk: _stretch(event.audit_event) for event in handovers}
    within = Q()
    for first, last in stretches.values():
        within |= Q(sequence__range=(first, last))
    handed = list(AuditEvent.objects.filter(within, action=AuditAction.POLICY_HANDED_OVER, policy_id__in=sorted(asked))
                  .order_by().values_list("pk", "policy_id", "sequence"))
    by_policy: dict[int, set[int]] = defaultdict(set)
    for event_id, policy_id, _ in handed:
        by_policy[policy_id].add(event_id)
    withheld = set().union(*(events_withheld_from_uncleared(policy_id=policy_id, event_ids=event_ids)
                             for policy_id, event_ids in sorted(by_policy.items())))
    sensitive: dict[int, set[int]] = {}
    for event in handovers:
        first, last = stretches[event.pk]
        moved = {policies[reference]["pk"] for reference in _moved(event.audit_event.changes)
                 if reference in policies} & asked
        found = {policy_id: event_id in withheld for event_id, policy_id, sequence in handed
                 if first <= sequence <= last}
        sensitive[event.pk] = {policy_id for policy_id, then in found.items() if then} | (moved - set(found))
    return sensitive


def _stretch(audit_event) -> tuple[int, int]:
    """The sequences of the policies' own events of the handover ``audit_event`` records: one per policy moved,
    just before it."""
    return audit_event.sequence - len(_moved(audit_event.changes)), audit_event.sequence - 1


def _moved(changes) -> list[str]:
    moved = changes.get("moved") if isinstance(changes, dict) else None
    return sorted(reference for reference in moved or [] if isinstance(reference, str))


def _names(handovers: list[OutboxEvent]) -> dict[str, str]:
    """The names of the people the handovers hand work to, by account name (the event records account names)."""
    usernames = {username for event in handovers for username in (event.audit_event.changes.get("to") or {}).values()}
    if not usernames:
        return {}
    return {user.username: str(user) for user in User.objects.filter(username__in=usernames)}


def _group_people(row: dict, role_holders) -> set[int]:
    """The co-ordinators and Designated Lead of the policy's business group: the group's active holders of those roles,
    and the active ones the policy names."""
    people = set().union(*(role_holders.get((row["business_group_id"], role), set()) for role in GROUP_ROLES))
    for column in ("coordinator", "designated_lead"):
        if row[f"{column}_id"] is not None and row[f"{column}__is_active"]:
            people.add(row[f"{column}_id"])
    return people


def _notices(audit_event, policies: dict[str, dict], names: dict[str, str], role_holders, clearance: Clearance,
             sensitive_then: set[int]) -> dict[int, HandoverNotice]:
    changes = audit_event.changes if isinstance(audit_event.changes, dict) else {}
    named = {user_id for user_id in changes.get("notify_user_ids") or [] if isinstance(user_id, int)}
    moved = [policies[reference] for reference in _moved(changes) if reference in policies]
    told: dict[int, list[dict]] = {user_id: [] for user_id in named}
    for row in moved:
        for user_id in named | _group_people(row, role_holders):
            told.setdefault(user_id, []).append(row)
    notices = {}
    for user_id, rows in told.items():
        shown = [row for row in rows
                 if row["protective_marking"] == ProtectiveMarking.OFFICIAL and row["pk"] not in sensitive_then
                 or clearance.cleared(user_id, row["business_group_id"])]
        # Recorded before the event named its policies: how many, as it says.
        count = len(rows) if moved else changes.get("policies") or 0
        notices[user_id] = HandoverNotice(
            summary=_summary(audit_event.object_repr, count, [row["reference"] for row in shown], changes, names),
            policy_ids=tuple(row["pk"] for row in shown[:POLICIES_LISTED]))
    return notices


def _summary(leaver: str, count: int, references: list[str], changes: dict, names: dict[str, str]) -> str:
    """What a leaver's handover moved, and to whom: "3 policies handed over from Sam Lee: POL-0001, POL-0002,
    POL-0003. Policy manager: Ali Khan. Policy developer: Priya Shah." Each part in the order the policy's people are
    listed (lifecycle.services.people.PARTS); what is not named (beyond the first POLICIES_LISTED, or
    OFFICIAL-SENSITIVE to someone not cleared for it) is counted."""
    summary = f"{count} polic{'y' if count == 1 else 'ies'} handed over from {leaver}"
    if references:
        shown = references[:POLICIES_LISTED]
        # As the inbox reads it back, for a reader no longer cleared for some of them (notifications.selectors).
        summary += f": {references_named(shown, count - len(shown))}"
    to = changes.get("to") or {}
    parts = [f"{part.label[:1].upper()}{part.label[1:]}: {names.get(to[key], to[key])}."
             for key, part in PARTS.items() if key in to]
    return " ".join([summary + ".", *parts])
