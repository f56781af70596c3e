"""The parts a policy names, who may change each, and who may hold it (issue 12; the SOP's rules are quoted in
the package's docstring, lifecycle.services.people)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import rules
from django.dispatch import Signal

from core.exceptions import ApplicationError
from core.models import BusinessGroup, Role, RoleAssignment, Unit, User
from lifecycle.models import Policy
from lifecycle.permissions import is_group_coordinator, is_pcu
from lifecycle.states import Status

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
DESIGNATED_LEAD = "designated_lead"


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
    """Something open for a person on a policy (a reminder not yet dealt with), as a preview lists it: its own words,
    which name its date (notifications.services.rules.due_words), so it carries no date of its own."""

    policy_id: int
    what: str


# Sent inside the transaction of a change, after the policy rows are updated: ``changes`` (list[HolderChange])
# and ``actor``. notifications moves the open reminders of the old holders to the new ones.
holders_changed = Signal()
# Sent to list a person's open tasks for a handover preview: ``user`` and ``policy_ids``; each receiver returns
# a list of OpenTask.
open_tasks_requested = Signal()


# --- who may -------------------------------------------------------------------------------------


def withdrawn_people_kept(policy) -> str:
    """Why nobody is reassigned on a withdrawn policy, or "" for one not withdrawn (QA walk of 2026-12-06: the
    People tab offered it, while a leaver's handover leaves withdrawn policies alone). Who held what on it is its
    record (SOP, "Retain an audit trail ... for continuity purposes"), and nothing of it waits for anyone."""
    if policy.status != Status.WITHDRAWN:
        return ""
    return (f"{policy.reference} is withdrawn: the people named on it stay as they were when it was withdrawn, as "
            "its record. Nothing of it is chased or waits for anyone, so nobody needs to take over.")


def may_reassign(user, policy, part: str) -> bool:
    """PCU force-wide; the policy's group co-ordinator for the parts that do not need PCU. Nobody on a withdrawn
    policy (``withdrawn_people_kept``)."""
    if policy.status == Status.WITHDRAWN:
        return False
    if is_pcu(user):
        return True
    return not PARTS[part].pcu_only and is_group_coordinator(user, policy)


@rules.predicate
def not_withdrawn(user, policy) -> bool:
    """A policy not withdrawn (``withdrawn_people_kept``). One read without its status is refused: the rule cannot
    tell (the oversight dashboard's rows give theirs)."""
    status = getattr(policy, "status", None)
    return status is not None and status != Status.WITHDRAWN


rules.add_perm("lifecycle.reassign_people", (is_pcu | is_group_coordinator) & not_withdrawn)
rules.add_perm("lifecycle.move_business_group", is_pcu)


def part_for(role: str) -> Part:
    if role not in PARTS:
        raise ApplicationError("Choose which part to reassign.", code="invalid", field="role")
    return PARTS[role]


def check_may(actor, policy: Policy, part: Part) -> None:
    if may_reassign(actor, policy, part.key):
        return
    check_not_withdrawn(policy)
    if part.pcu_only and is_group_coordinator(actor, policy):
        raise ApplicationError(f"Only the Policy Co-ordination Unit can reassign the {part.label} of "
                               f"{policy.reference}.", code="forbidden")
    raise ApplicationError(f"Only the Policy Co-ordination Unit or the business group's co-ordinator can reassign "
                           f"people on {policy.reference}.", code="forbidden")


def check_not_withdrawn(policy: Policy) -> None:
    """Refuse a change of people on a withdrawn policy (``withdrawn_people_kept``)."""
    kept = withdrawn_people_kept(policy)
    if kept:
        raise ApplicationError(kept, code="forbidden")


# --- the new holder ----------------------------------------------------------------------------


def role_assignments_of(user_ids) -> dict[int, set[tuple[str, int | None, int | None]]]:
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


def lock_people(users) -> dict[int, User]:
    """Lock the accounts about to be named (FOR NO KEY UPDATE: user_deactivate's FOR UPDATE waits for us) and
    re-read whether they are active."""
    ids = sorted({user.pk for user in users if user is not None})
    return {user.pk: user for user in User.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")}


def check_new_holder(user, part: Part, *, policy: Policy, locked_users: dict, assignments: dict,
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
