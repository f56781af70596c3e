"""Where a person works and what they hold, as an audience sees them (``Profile``), for one person or many.

One rule, ``Profile.included_by`` (who an audience's criteria include), written three times: as a Q for one person's
outstanding list (``outstanding.outstanding_for``, a fixed number of queries), in Python over profiles loaded in bulk
for a manager's rates (``profiles_of``, read by ``units.unit_rates``), and as one SQL statement over everyone for the
chase (``chase.outstanding_sql``, read by notifications.services.plan.acknowledgement_reminders).
tests/acknowledgements checks the three agree. The oversight dashboard's rates (``rates``) apply it to classes of staff
(``classes``) rather than to people.

OFFICIAL-SENSITIVE policies ask only staff cleared for them (``Profile.may_read``, from lifecycle.selectors'
``cleared_business_groups``): nobody else is told even the title.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from core.models import RoleAssignment, Unit, User
from lifecycle.permissions import role_index
from lifecycle.selectors import cleared_business_groups
from lifecycle.states import ProtectiveMarking


@dataclass(frozen=True)
class Profile:
    """Where a person works and what they hold: what an audience is matched against."""

    user_id: int
    unit_id: int | None
    group_ids: frozenset[int]
    roles: frozenset[str]
    # None: every business group (a force-wide role).
    cleared_groups: frozenset[int] | None

    def included_by(self, criteria) -> bool:
        return any((criterion.business_group_id is not None and criterion.business_group_id in self.group_ids)
                   or (criterion.unit_id is not None and criterion.unit_id == self.unit_id)
                   or (criterion.role and criterion.role in self.roles) for criterion in criteria)

    def may_read(self, policy) -> bool:
        return (policy.protective_marking == ProtectiveMarking.OFFICIAL or self.cleared_groups is None
                or policy.business_group_id in self.cleared_groups)


def profile_of(user) -> Profile:
    """One person's profile: their roles (cached on the user) and their unit's business group (one query)."""
    roles = role_index(user)
    groups = {group for _, group in roles if group is not None}
    if user.unit_id is not None:
        groups |= set(Unit.objects.filter(pk=user.unit_id).order_by().values_list("business_group_id", flat=True))
    return Profile(user_id=user.pk, unit_id=user.unit_id, group_ids=frozenset(groups),
                   roles=frozenset(role for role, _ in roles), cleared_groups=cleared_business_groups(user))


def profiles_of(users: QuerySet[User]) -> dict[int, Profile]:
    """The profiles of many active people, in two queries."""
    rows = list(users.filter(is_active=True).order_by().values_list("pk", "unit_id", "unit__business_group_id"))
    held: dict[int, set[tuple[str, int | None]]] = defaultdict(set)
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), 5000):
        for user_id, role, group in (RoleAssignment.objects.filter(user_id__in=ids[start:start + 5000]).order_by()
                                     .values_list("user_id", "role", "business_group_id")):
            held[user_id].add((role, group))
    profiles = {}
    for user_id, unit_id, unit_group in rows:
        roles = held.get(user_id, set())
        groups = {group for _, group in roles if group is not None} | ({unit_group} if unit_group else set())
        cleared = None if any(group is None for _, group in roles) else frozenset(group for _, group in roles)
        profiles[user_id] = Profile(user_id=user_id, unit_id=unit_id, group_ids=frozenset(groups),
                                    roles=frozenset(role for role, _ in roles), cleared_groups=cleared)
    return profiles

