"""Who answers for a policy: role holders and each candidate policy's named people, loaded with a fixed number of
queries for the whole scan."""

from __future__ import annotations

from collections import defaultdict

from core.models import RoleAssignment, User
from lifecycle.models import Policy
from lifecycle.selectors import Clearance, sensitive_instruction_groups


def active_role_holders() -> dict[tuple[int | None, str], set[int]]:
    """{(business group id or None for force-wide, role): {user ids}} of active users, in one query (every role: a
    developer's clears them for their group's OFFICIAL-SENSITIVE material, ``Clearance``)."""
    holders: dict[tuple[int | None, str], set[int]] = defaultdict(set)
    assignments = RoleAssignment.objects.filter(user__is_active=True).order_by()
    for user_id, role, group_id in assignments.values_list("user_id", "role", "business_group_id"):
        holders[(group_id, role)].add(user_id)
    return holders


class People:
    """Role holders per business group and the named people of each candidate policy, loaded with a fixed
    number of queries for the whole scan."""

    def __init__(self, policy_ids: list[int]):
        # Every active role, a developer's too: a developer's role on a business group clears them for its
        # OFFICIAL-SENSITIVE material (``clearance``). Developers are never looked up by group (they are named on
        # the policy), so their entries are read by the clearance only.
        self.group_roles = active_role_holders()
        self.clearance = Clearance(self.group_roles)
        self.developers: dict[int, set[int]] = defaultdict(set)
        self.inactive_developers: dict[int, set[int]] = defaultdict(set)
        through = Policy.developers.through
        rows = through.objects.filter(policy_id__in=policy_ids).values_list(
            "policy_id", "user_id", "user__is_active"
        ) if policy_ids else []
        for policy_id, user_id, active in rows:
            (self.developers if active else self.inactive_developers)[policy_id].add(user_id)
        self.active = set(User.objects.filter(is_active=True).order_by().values_list("pk", flat=True))
        # {corporate policy id: business groups of the OFFICIAL-SENSITIVE local work instructions supplementing it},
        # whose material its Designated Lead must be cleared for (``rules.orphaned_parts``): the few there are, read
        # whole rather than by the candidates' ids.
        self.instruction_groups = sensitive_instruction_groups()

    def named_or_group(self, named_id: int | None, group_id: int, role: str) -> set[int]:
        if named_id is not None and named_id in self.active:
            return {named_id}
        return set(self.group_roles.get((group_id, role), set()))

    def force(self, role: str) -> set[int]:
        return set(self.group_roles.get((None, role), set()))
