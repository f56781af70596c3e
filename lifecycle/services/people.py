"""People move, records stay (issue 12): who holds what on a policy, and replacing them.

The parts a policy names (SOP, "Roles and responsibilities"): its Management Board owner, its Designated
Business Group Policy Lead, its Policy Manager / Unit Head, its Business Group Policy Co-ordinator, and its
named Policy Developers. Who may change them, from the SOP:

- PCU, force-wide: "Identify and help to resolve boundary issues for ownership of policy" and "Develop and
  maintain the Corporate Policy Database".
- The group's co-ordinator, within their group: "Ensure good governance so that policies within the BG are
  reviewed, monitored and published" (replacing the manager, the co-ordinator and the developers).
- The owner and the Lead need PCU: the owner will "Retain ultimate ownership of and responsibility for policy",
  and the Lead approves "on behalf of their Management Board member"; a co-ordinator cannot choose either.
- A move to another business group is PCU's alone (it changes whose governance the policy is under).

Every change runs in one transaction with the policy rows locked, has a reason, writes its audit event, and
tells the apps above (``holders_changed``, connected by notifications) so that open reminders follow the new
holder. The new holder's account row is locked too (FOR NO KEY UPDATE), so ``core.holdings.user_deactivate``
cannot deactivate someone while they are being named. A leaver's whole portfolio moves in ONE transaction
(``person_handover``) with a fixed number of queries plus the audit chain's four per policy.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import rules
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.dispatch import Signal
from django.utils import timezone

from core.audit import audit_log, audit_log_many
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import BusinessGroup, Role, RoleAssignment, Unit, User
from lifecycle.models import Policy
from lifecycle.permissions import forget_roles, is_group_coordinator, is_pcu, role_index
from lifecycle.services.base import lock_policy, require_actor, require_text

REASON_MAX_LENGTH = 2_000


@dataclass(frozen=True)
class Part:
    key: str
    role: str
    label: str
    column: str | None  # the Policy column; None for the named developers (many)
    pcu_only: bool


PARTS: dict[str, Part] = {part.key: part for part in (
    Part("owner", Role.OWNER, "Management Board owner", "owner_id", pcu_only=True),
    Part("designated_lead", Role.LEAD, "Designated Lead", "designated_lead_id", pcu_only=True),
    Part("policy_manager", Role.MANAGER, "policy manager", "policy_manager_id", pcu_only=False),
    Part("coordinator", Role.COORDINATOR, "Business Group Policy Co-ordinator", "coordinator_id", pcu_only=False),
    Part("developer", Role.DEVELOPER, "policy developer", None, pcu_only=False),
)}
SINGLE_PARTS = tuple(key for key, part in PARTS.items() if part.column)
DEVELOPER = "developer"


@dataclass(frozen=True)
class HolderChange:
    """One part of one policy changing hands; ``old_id`` None for a developer added, ``new_id`` None for one
    removed."""

    policy_id: int
    part: str
    old_id: int | None
    new_id: int | None


@dataclass(frozen=True)
class OpenTask:
    """Something open for a person on a policy (a reminder not yet dealt with), as a preview lists it."""

    policy_id: int
    what: str
    due_on: datetime.date | None


# Sent inside the transaction of a change, after the policy rows are updated: ``changes`` (list[HolderChange])
# and ``actor``. notifications moves the open reminders of the old holders to the new ones.
holders_changed = Signal()
# Sent to list a person's open tasks for a handover preview: ``user`` and ``policy_ids``; each receiver returns
# a list of OpenTask.
open_tasks_requested = Signal()


# --- who may -------------------------------------------------------------------------------------


def may_reassign(user, policy, part: str) -> bool:
    """PCU force-wide; the policy's group co-ordinator for the parts that do not need PCU."""
    if is_pcu(user):
        return True
    return not PARTS[part].pcu_only and is_group_coordinator(user, policy)


rules.add_perm("lifecycle.reassign_people", is_pcu | is_group_coordinator)
rules.add_perm("lifecycle.move_business_group", is_pcu)


def _part(role: str) -> Part:
    if role not in PARTS:
        raise ApplicationError("Choose which part to reassign.", code="invalid", field="role")
    return PARTS[role]


def _check_may(actor, policy: Policy, part: Part) -> None:
    if may_reassign(actor, policy, part.key):
        return
    if part.pcu_only and is_group_coordinator(actor, policy):
        raise ApplicationError(f"Only the Policy Co-ordination Unit can reassign the {part.label} of "
                               f"{policy.reference}.", code="forbidden")
    raise ApplicationError(f"Only the Policy Co-ordination Unit or the business group's co-ordinator can reassign "
                           f"people on {policy.reference}.", code="forbidden")


# --- the new holder ----------------------------------------------------------------------------


def _assignments(user_ids) -> dict[int, set[tuple[str, int | None, int | None]]]:
    """{user id: {(role, business group id, unit id)}} in one query."""
    held: dict[int, set] = defaultdict(set)
    for user_id, role, group_id, unit_id in RoleAssignment.objects.filter(user_id__in=list(user_ids)).order_by() \
            .values_list("user_id", "role", "business_group_id", "unit_id"):
        held[user_id].add((role, group_id, unit_id))
    return held


def holds_part(assignments: set, part: Part, group_id: int, unit_id: int | None) -> bool:
    """Whether role assignments fit ``part`` on a policy of that group and unit. A manager assigned to a unit
    answers for that unit's policies ("Policy managers see everything of their unit"); one without, the group's."""
    if part.role == Role.MANAGER:
        return any(role == Role.MANAGER and group == group_id and unit in (None, unit_id)
                   for role, group, unit in assignments)
    return any(role == part.role and group == group_id for role, group, _ in assignments)


def _lock_people(users) -> dict[int, User]:
    """Lock the accounts about to be named (FOR NO KEY UPDATE: user_deactivate's FOR UPDATE waits for us) and
    re-read whether they are active."""
    ids = sorted({user.pk for user in users if user is not None})
    return {user.pk: user for user in User.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")}


def _check_new_holder(user, part: Part, *, policy: Policy, locked_users: dict, assignments: dict,
                      field_name: str = "new_holder") -> User:
    if user is None:
        raise ApplicationError(f"Choose who takes over as {part.label}.", code="invalid", field=field_name)
    current = locked_users.get(user.pk)
    if current is None or not current.is_active:
        raise ApplicationError(f"{user} cannot be named as {part.label}: their account is not active.",
                               code="invalid", field=field_name)
    if not holds_part(assignments.get(user.pk, set()), part, policy.business_group_id, policy.owning_unit_id):
        raise ApplicationError(_lacks_role(user, part, policy), code="invalid", field=field_name)
    return current


def _lacks_role(user, part: Part, policy: Policy) -> str:
    group = BusinessGroup.objects.filter(pk=policy.business_group_id).values_list("name", flat=True).first()
    where = group
    if part.role == Role.MANAGER:
        unit = Unit.objects.filter(pk=policy.owning_unit_id).values_list("name", flat=True).first()
        where = f"{unit} (or for all of {group})"
    return (f"{user} cannot be named as {part.label} of {policy.reference}: they do not hold the "
            f"{Role(part.role).label} role in {where}.")


# --- one part of one policy --------------------------------------------------------------------


def _expected_id(expected_holder) -> int | None:
    """What the page showed as the holder: a user, an id, or "" / "none" / 0 for nobody."""
    if isinstance(expected_holder, User):
        return expected_holder.pk
    text = str(expected_holder).strip()
    if text in {"", "none", "0"}:
        return 0
    if not (text.isdigit() and len(text) <= 18):
        raise ApplicationError("The page you sent this from does not say who held the part. Reload it.",
                               code="stale")
    return int(text)


def _check_expected(locked: Policy, part: Part, expected_holder) -> None:
    if expected_holder is None:
        return
    current = getattr(locked, part.column)
    if _expected_id(expected_holder) != (current or 0):
        now = User.objects.filter(pk=current).first() if current else None
        raise ApplicationError(
            f"Someone else changed the {part.label} of {locked.reference} since you opened the page: it is now "
            f"{now or 'nobody'}. Nothing was changed; reload the page to see who holds it now.", code="stale")


def _record(*, actor, locked: Policy, action, changes: list[HolderChange], payload: dict) -> None:
    names = dict(User.objects.filter(pk__in={i for c in changes for i in (c.old_id, c.new_id) if i})
                 .values_list("pk", "username"))
    payload = {**payload, "parts": [[c.part, names.get(c.old_id), names.get(c.new_id)] for c in changes],
               "notify_user_ids": sorted({i for c in changes for i in (c.old_id, c.new_id) if i})}
    audit_log(actor=actor, action=action, obj=locked, changes=payload)
    holders_changed.send(sender=Policy, changes=changes, actor=actor)


@transaction.atomic
def policy_reassign(*, policy: Policy, actor, role: str, new_holder, reason: str, expected_holder=None) -> Policy:
    """Name ``new_holder`` as the policy's owner, Designated Lead, manager or co-ordinator. ``expected_holder``
    is who the page showed (None: not checked); someone else having changed it meanwhile is refused as stale."""
    require_actor(actor)
    part = _part(role)
    if part.column is None:
        raise ApplicationError("Developers are replaced, added or removed one by one.", code="invalid", field="role")
    reason = require_text(reason, "the reason for the change", field="reason", max_length=REASON_MAX_LENGTH)
    locked = lock_policy(policy)
    _check_may(actor, locked, part)
    _check_expected(locked, part, expected_holder)
    people = _lock_people([new_holder])
    new = _check_new_holder(new_holder, part, policy=locked, locked_users=people,
                            assignments=_assignments(people))
    old_id = getattr(locked, part.column)
    if new.pk == old_id:
        raise ApplicationError(f"{new} is already the {part.label} of {locked.reference}.", code="invalid",
                               field="new_holder")
    setattr(locked, part.column, new.pk)
    locked.save(update_fields=[part.column, "updated_at"])
    _record(actor=actor, locked=locked, action=AuditAction.POLICY_REASSIGNED,
            changes=[HolderChange(locked.pk, part.key, old_id, new.pk)], payload={"reason": reason})
    forget_roles(new_holder)
    return locked


@transaction.atomic
def policy_replace_developer(*, policy: Policy, actor, old, new, reason: str) -> Policy:
    """Replace one named developer by another (``old`` None: add ``new``; ``new`` None: remove ``old``)."""
    require_actor(actor)
    part = PARTS[DEVELOPER]
    reason = require_text(reason, "the reason for the change", field="reason", max_length=REASON_MAX_LENGTH)
    if old is None and new is None:
        raise ApplicationError("Choose the developer to replace or remove, or the one to add.", field="new")
    locked = lock_policy(policy)
    _check_may(actor, locked, part)
    through = Policy.developers.through
    named = set(through.objects.filter(policy_id=locked.pk).values_list("user_id", flat=True))
    if old is not None and old.pk not in named:
        raise ApplicationError(f"{old} is no longer a developer of {locked.reference}: someone else changed it "
                               "meanwhile. Nothing was changed; reload the page.", code="stale")
    if new is not None:
        people = _lock_people([new])
        _check_new_holder(new, part, policy=locked, locked_users=people, assignments=_assignments(people),
                          field_name="new")
        if new.pk in named:
            raise ApplicationError(f"{new} is already a developer of {locked.reference}.", field="new")
    elif named == {old.pk}:
        raise ApplicationError(f"{old} is the only developer of {locked.reference}: name who replaces them.",
                               field="new")
    if old is not None:
        through.objects.filter(policy_id=locked.pk, user_id=old.pk).delete()
    if new is not None:
        through.objects.create(policy_id=locked.pk, user_id=new.pk)
    locked.save(update_fields=["updated_at"])
    _record(actor=actor, locked=locked, action=AuditAction.POLICY_REASSIGNED,
            changes=[HolderChange(locked.pk, DEVELOPER, getattr(old, "pk", None), getattr(new, "pk", None))],
            payload={"reason": reason})
    for person in (old, new):
        if person is not None:
            forget_roles(person)
    return locked


def policy_add_developer(*, policy: Policy, actor, new, reason: str) -> Policy:
    return policy_replace_developer(policy=policy, actor=actor, old=None, new=new, reason=reason)


def policy_remove_developer(*, policy: Policy, actor, old, reason: str) -> Policy:
    return policy_replace_developer(policy=policy, actor=actor, old=old, new=None, reason=reason)


# --- another business group ----------------------------------------------------------------------


@transaction.atomic
def policy_move_business_group(*, policy: Policy, actor, business_group, owning_unit, reason: str,
                               holders: dict | None = None) -> Policy:
    """Move a policy to another business group and unit (PCU's alone). Each named person must hold their part
    in the new group; ``holders`` ({part: user}) names who takes over where they do not (for developers: one
    person replacing every developer who is not a developer there). Refused, listing each gap, otherwise."""
    require_actor(actor)
    reason = require_text(reason, "the reason for the move", field="reason", max_length=REASON_MAX_LENGTH)
    holders = {key: user for key, user in (holders or {}).items() if user is not None}
    locked = lock_policy(policy)
    if not is_pcu(actor):
        raise ApplicationError(f"Only the Policy Co-ordination Unit can move {locked.reference} to another "
                               "business group.", code="forbidden")
    if business_group is None or not business_group.is_active:
        raise ApplicationError("Choose an open business group.", field="business_group")
    if business_group.pk == locked.business_group_id:
        raise ApplicationError(f"{locked.reference} is already in {business_group}.", field="business_group")
    if owning_unit is None or owning_unit.business_group_id != business_group.pk:
        raise ApplicationError(f"Choose an owning unit of {business_group}.", field="owning_unit")
    old_group = locked.business_group_id
    locked.business_group_id, locked.owning_unit_id = business_group.pk, owning_unit.pk
    developers = list(Policy.developers.through.objects.filter(policy_id=locked.pk).values_list("user_id", flat=True))
    changes = _moved_holders(locked, holders, developers)
    for change in changes:
        if change.part != DEVELOPER:
            setattr(locked, PARTS[change.part].column, change.new_id)
    locked.save(update_fields=["business_group", "owning_unit", *(PARTS[c].column.removesuffix("_id") for c in
                                                                   {c.part for c in changes} - {DEVELOPER}),
                               "updated_at"])
    _move_developers(locked, [c for c in changes if c.part == DEVELOPER])
    _record(actor=actor, locked=locked, action=AuditAction.POLICY_MOVED_BUSINESS_GROUP, changes=changes,
            payload={"reason": reason, "business_group": [old_group, business_group.pk],
                     "owning_unit": owning_unit.pk})
    for user in holders.values():
        forget_roles(user)
    return locked


def _moved_holders(locked: Policy, holders: dict, developers: list[int]) -> list[HolderChange]:
    """Who changes in a move: every named person without their part in the new group, to the replacement
    given. Raises, listing every gap, when a replacement is missing or cannot take the part."""
    current = {key: getattr(locked, PARTS[key].column) for key in SINGLE_PARTS}
    people = _lock_people(holders.values())
    assignments = _assignments({*people, *[i for i in current.values() if i], *developers})
    fits = {user_id: holds_part(assignments.get(user_id, set()), PARTS[key], locked.business_group_id,
                                locked.owning_unit_id) for key, user_id in current.items() if user_id}
    changes, gaps = [], []
    for key in SINGLE_PARTS:
        old_id, new = current[key], holders.get(key)
        if new is None and (old_id is None or fits[old_id]):
            continue
        if new is None:
            gaps.append(f"choose who takes over as {PARTS[key].label}")
            continue
        _check_new_holder(new, PARTS[key], policy=locked, locked_users=people, assignments=assignments,
                          field_name=key)
        if new.pk != old_id:
            changes.append(HolderChange(locked.pk, key, old_id, new.pk))
    leaving = [user_id for user_id in developers
               if not holds_part(assignments.get(user_id, set()), PARTS[DEVELOPER], locked.business_group_id, None)]
    if leaving and DEVELOPER not in holders:
        gaps.append("choose a developer to replace those who are not developers there")
    elif leaving:
        new = _check_new_holder(holders[DEVELOPER], PARTS[DEVELOPER], policy=locked, locked_users=people,
                                assignments=assignments, field_name=DEVELOPER)
        changes.extend(HolderChange(locked.pk, DEVELOPER, user_id, new.pk) for user_id in leaving)
    if gaps:
        raise ApplicationError(f"Cannot move {locked.reference} yet: " + "; ".join(gaps) + ".", code="invalid")
    return changes


def _move_developers(locked: Policy, changes: list[HolderChange]) -> None:
    if not changes:
        return
    through = Policy.developers.through
    through.objects.filter(policy_id=locked.pk, user_id__in=[c.old_id for c in changes]).delete()
    through.objects.bulk_create([through(policy_id=locked.pk, user_id=changes[0].new_id)], ignore_conflicts=True)


# --- a leaver's whole portfolio --------------------------------------------------------------------


@dataclass
class Holding:
    """One policy a person is named on, and the parts they hold there."""

    policy: Policy
    parts: tuple[str, ...]
    movable: tuple[str, ...] = ()

    @property
    def kept(self) -> tuple[str, ...]:
        return tuple(part for part in self.parts if part not in self.movable)

    @property
    def movable_labels(self) -> str:
        return "; ".join(PARTS[part].label for part in self.movable)

    @property
    def kept_labels(self) -> str:
        return "; ".join(PARTS[part].label for part in self.kept)


@dataclass
class HandoverPlan:
    leaver: User
    holdings: list[Holding]
    tasks: list[OpenTask] = field(default_factory=list)

    @property
    def moving(self) -> list[Holding]:
        return [holding for holding in self.holdings if holding.movable]

    @property
    def staying(self) -> list[Holding]:
        """What the actor may not move (the owner and Lead parts for a co-ordinator; other groups' policies)."""
        return [holding for holding in self.holdings if holding.kept]

    @property
    def parts_needed(self) -> list[str]:
        needed = {part for holding in self.holdings for part in holding.movable}
        return [key for key in PARTS if key in needed]

    @property
    def fingerprint(self) -> str:
        """What the preview showed, posted back with the confirmation: a changed portfolio is refused as stale."""
        text = ";".join(f"{h.policy.pk}:{','.join(h.movable)}" for h in self.holdings)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _holdings_query(leaver: User):
    developer = Policy.developers.through.objects.filter(policy_id=OuterRef("pk"), user_id=leaver.pk)
    named = Q(owner_id=leaver.pk) | Q(designated_lead_id=leaver.pk) | Q(policy_manager_id=leaver.pk) \
        | Q(coordinator_id=leaver.pk) | Q(Exists(developer))
    return Policy.objects.filter(named).annotate(is_named_developer=Exists(developer)).order_by("pk")


def _holdings(policies, leaver: User, actor) -> list[Holding]:
    holdings = []
    for policy in policies:
        parts = tuple(key for key in SINGLE_PARTS if getattr(policy, PARTS[key].column) == leaver.pk)
        parts += (DEVELOPER,) if policy.is_named_developer else ()
        movable = tuple(part for part in parts if actor is None or may_reassign(actor, policy, part))
        holdings.append(Holding(policy=policy, parts=parts, movable=movable))
    return holdings


def may_hand_over(user) -> bool:
    """PCU; a co-ordinator (for their group's policies only: the plan says which parts they may move)."""
    return bool(is_pcu(user) or any(role == Role.COORDINATOR for role, _ in role_index(user)))


def handover_scope_check(actor) -> None:
    require_actor(actor)
    if not may_hand_over(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit, or a business group's co-ordinator for their "
                               "group's policies, can hand over a person's work.", code="forbidden")


def handover_preview(*, actor, leaver: User) -> HandoverPlan:
    """Every policy ``leaver`` is named on, the parts ``actor`` may move, and their open tasks (read only)."""
    handover_scope_check(actor)
    holdings = _holdings(_holdings_query(leaver), leaver, actor)
    tasks: list[OpenTask] = []
    ids = [holding.policy.pk for holding in holdings if holding.movable]
    for _, found in open_tasks_requested.send(sender=Policy, user=leaver, policy_ids=ids):
        tasks.extend(found or [])
    return HandoverPlan(leaver=leaver, holdings=holdings, tasks=sorted(tasks, key=lambda t: (t.policy_id, t.what)))


def holdings_of(user: User) -> list[str]:
    """core.holdings provider: every part ``user`` holds, as sentences (one query)."""
    return [f"{', '.join(PARTS[part].label for part in holding.parts)} of {holding.policy.reference}"
            for holding in _holdings(_holdings_query(user).only(
                "pk", "reference", "business_group_id", *SINGLE_PARTS), user, None)]


@dataclass(frozen=True)
class HandoverResult:
    policies: int
    changes: int
    kept: int


@transaction.atomic
def person_handover(*, actor, leaver: User, replacements: dict, reason: str, expected: str | None = None
                    ) -> HandoverResult:
    """Move ``leaver``'s whole portfolio within ``actor``'s scope, in one transaction: each part they hold to
    ``replacements[part]``. Queries: a fixed number, however many policies move (one audit event each, written in
    bulk: ``core.audit.audit_log_many``)."""
    handover_scope_check(actor)
    reason = require_text(reason, "the reason for the handover", field="reason", max_length=REASON_MAX_LENGTH)
    policies = list(_holdings_query(leaver).select_for_update(of=("self",)))
    plan = HandoverPlan(leaver=leaver, holdings=_holdings(policies, leaver, actor))
    if expected is not None and expected != plan.fingerprint:
        raise ApplicationError(f"{leaver}'s work has changed since the preview. Nothing was moved: check the "
                               "preview again.", code="stale")
    if not plan.moving:
        raise ApplicationError(f"{leaver} holds nothing that you can hand over.", code="stale")
    chosen = {part: replacements.get(part) for part in plan.parts_needed}
    people = _lock_people(chosen.values())
    assignments = _assignments(people)
    for part, user in chosen.items():
        for holding in plan.moving:
            if part in holding.movable:
                _check_new_holder(user, PARTS[part], policy=holding.policy, locked_users=people,
                                  assignments=assignments, field_name=part)
        if user is not None and user.pk == leaver.pk:
            raise ApplicationError(f"Choose someone other than {leaver}.", field=part)
    changes = _apply_handover(plan, {part: user.pk for part, user in chosen.items()})
    _audit_handover(actor, plan, chosen, reason)
    holders_changed.send(sender=Policy, changes=changes, actor=actor)
    for user in (leaver, *chosen.values()):
        forget_roles(user)
    return HandoverResult(policies=len(plan.moving), changes=len(changes), kept=len(plan.staying))


def _apply_handover(plan: HandoverPlan, new_ids: dict[str, int]) -> list[HolderChange]:
    """Bulk: one UPDATE per single part, one DELETE and one INSERT for the developers."""
    leaver_id = plan.leaver.pk
    changes = [HolderChange(h.policy.pk, part, leaver_id, new_ids[part]) for h in plan.moving for part in h.movable]
    now = timezone.now()
    for key in SINGLE_PARTS:
        ids = [c.policy_id for c in changes if c.part == key]
        if ids:
            Policy.objects.filter(pk__in=ids).update(**{PARTS[key].column: new_ids[key], "updated_at": now})
    developer_ids = [c.policy_id for c in changes if c.part == DEVELOPER]
    if developer_ids:
        through = Policy.developers.through
        # One DELETE: a queryset's delete() would fetch the rows and delete them 100 at a time, because core listens
        # to every model's post_delete (for guardian's grants); these are not grants, and the handover audits them.
        leaving = through.objects.filter(policy_id__in=developer_ids, user_id=leaver_id)
        leaving._raw_delete(leaving.db)
        through.objects.bulk_create([through(policy_id=pk, user_id=new_ids[DEVELOPER]) for pk in developer_ids],
                                    ignore_conflicts=True)
    return changes


def _audit_handover(actor, plan: HandoverPlan, chosen: dict, reason: str) -> None:
    """One event per policy (chained in bulk, a fixed number of queries for them all), then one on the leaver,
    which is the one that notifies (the leaver and who takes over: once, not once per policy)."""
    leaver = plan.leaver
    audit_log_many(actor=actor, action=AuditAction.POLICY_HANDED_OVER, entries=[
        (holding.policy, {"reason": reason, "from": leaver.username,
                          "parts": [[part, leaver.username, chosen[part].username] for part in holding.movable]})
        for holding in plan.moving])
    audit_log(actor=actor, action=AuditAction.PERSON_HANDED_OVER, obj=leaver, changes={
        "reason": reason, "policies": len(plan.moving), "kept": [h.policy.reference for h in plan.staying],
        "to": {part: user.username for part, user in chosen.items()},
        "notify_user_ids": sorted({leaver.pk, *(user.pk for user in chosen.values())}),
    })
