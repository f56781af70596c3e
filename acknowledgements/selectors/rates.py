"""Acknowledgement rates for the oversight dashboard (issue 15): for each audience in force of the policies in scope,
how many people it asks and how many of them have confirmed, counted by class of staff (``classes``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Aggregate, Case, CharField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Concat

from acknowledgements.models import AcknowledgementAudience, AudienceCriterion
from acknowledgements.selectors.audiences import in_force
from acknowledgements.selectors.classes import confirmed_by_class, staff_class_profiles


class AudienceAsking(NamedTuple):
    """What the rates read of an audience in force (``audiences_asking``), and what the acknowledgement rates' list
    shows of it: a row of values, not three model instances."""

    policy_id: int
    reference: str
    title: str
    # What ``Profile.may_read`` reads of the policy.
    business_group_id: int
    protective_marking: str
    # Of the version in force (the audience's).
    version_major: int
    version_minor: int
    # The audience's criteria as one text (``_criteria_of``).
    criteria_text: str | None

    @property
    def number(self) -> str:
        return f"{self.version_major}.{self.version_minor}"


@dataclass(frozen=True)
class AudienceRate:
    """One audience in force: how many people it asks and how many of them have confirmed."""

    audience: AudienceAsking
    asked: int
    confirmed: int

    @property
    def outstanding(self) -> int:
        return self.asked - self.confirmed

    @property
    def percent(self) -> float | None:
        return round(100 * self.confirmed / self.asked, 1) if self.asked else None


class _JoinedText(Aggregate):
    """Texts joined with commas, each once: STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite (in no fixed order: the
    readers sort or set the parts)."""

    function = "STRING_AGG"
    template = "%(function)s(DISTINCT %(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT",
                              template="%(function)s(DISTINCT %(expressions)s)", **extra_context)


def _criteria_text() -> Subquery:
    """An audience's criteria as one text ("g:3,u:12,r:coordinator"), so that they come with the audience."""
    one = Case(When(business_group_id__isnull=False, then=Concat(Value("g:"), Cast("business_group_id", CharField()))),
               When(unit_id__isnull=False, then=Concat(Value("u:"), Cast("unit_id", CharField()))),
               default=Concat(Value("r:"), "role"), output_field=CharField())
    return Subquery(AudienceCriterion.objects.filter(audience_id=OuterRef("pk")).order_by().values("audience_id")
                    .annotate(text=_JoinedText(one)).values("text"), output_field=CharField())


def _criteria_of(text: str | None) -> list[AudienceCriterion]:
    criteria = []
    for item in (text or "").split(","):
        kind, _, value = item.partition(":")
        if kind == "g":
            criteria.append(AudienceCriterion(business_group_id=int(value)))
        elif kind == "u":
            criteria.append(AudienceCriterion(unit_id=int(value)))
        elif kind == "r":
            criteria.append(AudienceCriterion(role=value))
    return criteria


def audiences_asking(*, policies: QuerySet) -> QuerySet:
    """The audiences in force of ``policies``, by policy reference, as rows of ``AudienceAsking``'s columns (each
    audience's criteria as one text, ``_criteria_of``)."""
    return (AcknowledgementAudience.objects.filter(in_force(), policy__in=policies)
            .annotate(criteria_text=_criteria_text()).order_by("policy__reference")
            .values_list("policy_id", "policy__reference", "policy__title", "policy__business_group_id",
                         "policy__protective_marking", "policy_version__major", "policy_version__minor",
                         "criteria_text"))


def acknowledgement_rates(audiences: list[AudienceAsking]) -> list[AudienceRate]:
    """For each audience in force (``audiences_asking``'s rows), who it asks and who of them has confirmed, by
    ``Profile.included_by`` and ``may_read`` (the rule of the manager's rates and of the chase). Active staff are
    counted by class (unit, unit's business group, roles held), not one by one: two queries (the classes, the
    confirmations by audience and class), whatever the number of staff, and none when nothing asks. Both statements
    are compiled once per process (the confirmations' once per set of policies): Django compiled them anew on every
    request. Work: linear in the staff, the criteria and the confirmations."""
    if not audiences:
        return []
    classes = staff_class_profiles()
    by_unit, by_group, by_role = defaultdict(set), defaultdict(set), defaultdict(set)
    for class_key, (profile, _) in classes.items():
        if profile.unit_id is not None:
            by_unit[profile.unit_id].add(class_key)
        for group in profile.group_ids:
            by_group[group].add(class_key)
        for role in profile.roles:
            by_role[role].add(class_key)
    confirmed = confirmed_by_class({audience.policy_id for audience in audiences})
    # Many audiences name the same people ("the staff of Territorial Policing"): who they ask is worked out once for
    # each set of criteria, marking and business group (who may read the policy).
    asking: dict[tuple, tuple[frozenset, int]] = {}
    rates = []
    for audience in audiences:
        same = (audience.criteria_text, audience.protective_marking, audience.business_group_id)
        if same not in asking:
            included = set()
            for criterion in _criteria_of(audience.criteria_text):
                if criterion.business_group_id is not None:
                    included |= by_group[criterion.business_group_id]
                elif criterion.unit_id is not None:
                    included |= by_unit[criterion.unit_id]
                else:
                    included |= by_role[criterion.role]
            included = frozenset(key for key in included if classes[key][0].may_read(audience))
            asking[same] = (included, sum(classes[key][1] for key in included))
        included, asked = asking[same]
        rates.append(AudienceRate(audience=audience, asked=asked, confirmed=sum(
            people for key, people in confirmed.get(audience.policy_id, {}).items() if key in included)))
    return rates

