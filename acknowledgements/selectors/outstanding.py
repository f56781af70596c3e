"""What one person is asked to confirm and has not: My work's list, the acknowledgements page and a policy's page.

``Profile.included_by`` written as a Q over the audiences (``_including``): a fixed number of queries for one
person, however many versions ask them. OFFICIAL-SENSITIVE policies ask only staff cleared for them.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from acknowledgements.models import Acknowledgement, AcknowledgementAudience, AudienceCriterion
from acknowledgements.selectors.audiences import in_force, satisfied_by
from acknowledgements.selectors.profiles import Profile, profile_of
from core.compiled import compiled_per_key
from core.dates import date_shown
from lifecycle.states import ProtectiveMarking


def _including(profile: Profile) -> Q:
    criteria = Q(business_group_id__in=profile.group_ids) | Q(role__in=profile.roles)
    if profile.unit_id is not None:
        criteria |= Q(unit_id=profile.unit_id)
    included = Q(Exists(AudienceCriterion.objects.filter(criteria, audience_id=OuterRef("pk"))))
    if profile.cleared_groups is not None:
        included &= (Q(policy__protective_marking=ProtectiveMarking.OFFICIAL)
                     | Q(policy__business_group_id__in=profile.cleared_groups))
    return included


def outstanding_for(*, user) -> QuerySet[AcknowledgementAudience]:
    """The versions ``user`` is asked to confirm and has not, oldest request first. Three queries at most (their
    roles, their unit's group, the list), however many there are."""
    if user is None or not user.is_authenticated or not user.is_active:
        return AcknowledgementAudience.objects.none()
    return (_outstanding(profile_of(user)).select_related("policy", "policy_version")
            .defer("policy_version__statement"))


def _outstanding(profile: Profile) -> QuerySet[AcknowledgementAudience]:
    return (AcknowledgementAudience.objects.filter(in_force(), _including(profile))
            .exclude(satisfied_by(profile.user_id)).order_by("chosen_at", "pk"))


class OutstandingRow(NamedTuple):
    """What My work shows of a version someone is asked to confirm."""

    reference: str
    title: str
    major: int
    minor: int
    # When PCU chose the audience: when the person was asked.
    chosen_at: datetime.datetime

    @property
    def number(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def asked_on(self) -> str:
        """The day the person was asked, as |date:"j F Y" writes it (core.dates.date_shown, without its parser)."""
        return date_shown(timezone.localtime(self.chosen_at).date())


# How many people's compiled statements of ``outstanding_rows`` each process keeps (about 2 KB each), the least
# recently used dropped first.
COMPILED_PROFILES = 512


def outstanding_rows(*, user, limit: int | None) -> list[OutstandingRow]:
    """The first ``limit`` of ``outstanding_for`` (all of them for None: the acknowledgements page), as rows of what
    My work and that page show, in one statement compiled once per Profile in this process (core.compiled): Django
    compiled the rule's subqueries anew for every request, and built three model instances of every row (make bench,
    100,000 policies: 5.9 ms of Python against 4.8 ms of SQL for My work's; for the page's 192 rows, 21-46 ms)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    statement = _compiled_outstanding(profile_of(user), limit)
    return [] if statement is None else [OutstandingRow(*row) for row in statement.rows()]


@compiled_per_key(COMPILED_PROFILES)
def _compiled_outstanding(profile: Profile, limit: int | None) -> QuerySet[AcknowledgementAudience]:
    return _outstanding(profile).values_list(
        "policy__reference", "policy__title", "policy_version__major", "policy_version__minor", "chosen_at")[:limit]


def acknowledgement_request(*, user, policy, version) -> dict | None:
    """For a policy's page: {"asked": audience or None, "done": the confirmation that counts, or None}; None when
    the person is not asked about ``version`` (or it is not the version in force)."""
    if version is None or user is None or not user.is_authenticated:
        return None
    profile = profile_of(user)
    audience = (AcknowledgementAudience.objects.filter(in_force(), _including(profile), policy_version=version)
                .first())
    if audience is None:
        return None
    done = (Acknowledgement.objects.filter(user_id=user.pk, policy_id=policy.pk, major=audience.major,
                                           minor__gte=audience.counts_from_minor)
            .select_related("policy_version").order_by("-acknowledged_at").first())
    return {"audience": audience, "done": done, "version": version}
