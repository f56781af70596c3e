"""Reads for the people pages (issue 12): who holds what on a policy, and who could take each part over.
Each is a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from core.models import Role, RoleAssignment, User
from lifecycle.models import Policy
from lifecycle.services.people import DEVELOPER, PARTS, SINGLE_PARTS, HandoverPlan, holds_part


@dataclass
class PartHolders:
    key: str
    label: str
    people: list[User]
    pcu_only: bool

    @property
    def holder(self) -> User | None:
        return self.people[0] if self.people else None

    @property
    def has_leaver(self) -> bool:
        return any(not person.is_active for person in self.people)


def policy_holders(*, policy: Policy) -> list[PartHolders]:
    """Each part of the policy and who holds it (two queries)."""
    ids = [getattr(policy, PARTS[key].column) for key in SINGLE_PARTS]
    users = User.objects.in_bulk([user_id for user_id in ids if user_id])
    developers = list(policy.developers.order_by("last_name", "first_name", "username"))
    rows = [PartHolders(key, PARTS[key].label, [users[user_id]] if user_id in users else [], PARTS[key].pcu_only)
            for key, user_id in zip(SINGLE_PARTS, ids, strict=True)]
    rows.append(PartHolders(DEVELOPER, "policy developers", developers, PARTS[DEVELOPER].pcu_only))
    return rows


def _active_assignments(roles, **filters):
    return (RoleAssignment.objects.filter(role__in=list(roles), user__is_active=True, **filters)
            .select_related("user").order_by("user__last_name", "user__first_name", "user__username"))


def eligible_people(*, policy: Policy) -> dict[str, list[User]]:
    """{part: active people who may take it on this policy} (one query)."""
    roles = {PARTS[key].role: key for key in PARTS}
    eligible: dict[str, list[User]] = defaultdict(list)
    # Who is already listed for each part, by id: a list's ``in`` compared each person with everyone listed before
    # (at the bench's 10,000 role holders a business group, the people page took minutes).
    listed: set[tuple[str, int]] = set()
    for assignment in _active_assignments(roles, business_group_id=policy.business_group_id):
        part = PARTS[roles[assignment.role]]
        held = {(assignment.role, assignment.business_group_id, assignment.unit_id)}
        if holds_part(held, part, policy.business_group_id, policy.owning_unit_id) \
                and (part.key, assignment.user_id) not in listed:
            listed.add((part.key, assignment.user_id))
            eligible[part.key].append(assignment.user)
    return eligible


def handover_candidates(*, plan: HandoverPlan) -> dict[str, list[User]]:
    """{part: active people who may take that part on every policy of the handover that moves it} (one query)."""
    places: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for holding in plan.moving:
        for part in holding.movable:
            places[part].add((holding.policy.business_group_id, holding.policy.owning_unit_id))
    held: dict[int, set] = defaultdict(set)
    users: dict[int, User] = {}
    for assignment in _active_assignments({PARTS[part].role for part in places}):
        held[assignment.user_id].add((assignment.role, assignment.business_group_id, assignment.unit_id))
        users[assignment.user_id] = assignment.user
    return {part: [user for user_id, user in users.items() if user_id != plan.leaver.pk and all(
        holds_part(held[user_id], PARTS[part], group, unit) for group, unit in places[part])]
        for part in plan.parts_needed}


def move_candidates() -> dict[str, list[User]]:
    """{part: active people holding its role in any business group} for a move (one query); the service checks
    the group chosen."""
    roles = {PARTS[key].role: key for key in PARTS}
    found: dict[str, list[User]] = defaultdict(list)
    listed: set[tuple[str, int]] = set()
    for assignment in _active_assignments(roles).exclude(role__in=[Role.PCU]):
        key = roles[assignment.role]
        if (key, assignment.user_id) not in listed:
            listed.add((key, assignment.user_id))
            found[key].append(assignment.user)
    return {key: found.get(key, []) for key in PARTS}
