"""A policy manager's view of the units they manage: for each policy in force asking their staff, who was asked and
who confirmed.

``Profile.included_by`` and ``may_read`` applied in Python to the staff's profiles, loaded in bulk (``profiles_of``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from acknowledgements.models import Acknowledgement, AcknowledgementAudience
from acknowledgements.selectors.audiences import audiences_in_force
from acknowledgements.selectors.profiles import Profile, profile_of, profiles_of
from core.models import Unit, User
from lifecycle.permissions import managed_scope


@dataclass
class UnitRate:
    unit: Unit
    audience: AcknowledgementAudience
    # (username, full name, the confirmation that counts or None), by username.
    people: list[tuple[str, str, Acknowledgement | None]]

    @property
    def asked(self) -> int:
        return len(self.people)

    @property
    def confirmed(self) -> int:
        return sum(1 for _, _, confirmation in self.people if confirmation is not None)

    @property
    def outstanding(self) -> list[str]:
        """Who has not confirmed, by full name (the username where none is recorded)."""
        return [full or name for name, full, confirmation in self.people if confirmation is None]

    @property
    def percent(self) -> int:
        return round(100 * self.confirmed / self.asked) if self.asked else 0


def managed_units(*, user) -> list[Unit]:
    units, groups = managed_scope(user)
    if not (units or groups):
        return []
    return list(Unit.objects.filter(Q(pk__in=units) | Q(business_group_id__in=groups))
                .select_related("business_group").order_by("business_group__name", "name"))


def unit_rates(*, user) -> list[UnitRate]:
    """For a policy manager: for each unit they manage and each policy in force that asks its staff, who was asked
    and who confirmed. A fixed number of queries: the units, the staff and their roles, the audiences, the
    confirmations."""
    units = managed_units(user=user)
    if not units:
        return []
    staff = User.objects.filter(unit__in=units, is_active=True)
    profiles = profiles_of(staff)
    viewer = profile_of(user)
    audiences = [audience for audience in audiences_in_force() if viewer.may_read(audience.policy)]
    confirmed = _confirmations(profiles, audiences)
    names = {pk: (username, f"{first} {last}".strip()) for pk, username, first, last
             in staff.values_list("pk", "username", "first_name", "last_name")}
    rates = []
    for unit in units:
        members = [profile for profile in profiles.values() if profile.unit_id == unit.pk]
        for audience in audiences:
            criteria = list(audience.criteria.all())
            asked = [profile for profile in members
                     if profile.included_by(criteria) and profile.may_read(audience.policy)]
            if asked:
                rates.append(UnitRate(unit=unit, audience=audience, people=sorted(
                    (*names[profile.user_id], confirmed.get((profile.user_id, audience.pk))) for profile in asked)))
    return rates


def _confirmations(profiles: dict[int, Profile], audiences) -> dict[tuple[int, int], Acknowledgement]:
    """{(user id, audience id): the confirmation that counts}, for these people and audiences (one query per 5,000
    people)."""
    by_policy = defaultdict(list)
    for audience in audiences:
        by_policy[audience.policy_id].append(audience)
    found: dict[tuple[int, int], Acknowledgement] = {}
    ids = list(profiles)
    for start in range(0, len(ids), 5000):
        rows = (Acknowledgement.objects.filter(user_id__in=ids[start:start + 5000], policy_id__in=list(by_policy))
                .select_related("policy_version").only("user_id", "policy_id", "major", "minor", "acknowledged_at",
                                                        "content_hash", "policy_version__major",
                                                        "policy_version__minor").order_by("acknowledged_at"))
        for row in rows:
            for audience in by_policy[row.policy_id]:
                if row.major == audience.major and row.minor >= audience.counts_from_minor:
                    found[(row.user_id, audience.pk)] = row
    return found
