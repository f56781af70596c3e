"""Reads for the people pages (issue 12): who holds what on a policy, and who typed by name or username may take a
part over. Each is a fixed number of queries, whatever the number of people."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, CharField, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Concat, Upper

from core.models import BusinessGroup, Role, RoleAssignment, Unit, User
from core.text import in_words
from lifecycle.models import Policy
from lifecycle.services.people import DEVELOPER, PARTS, SINGLE_PARTS, HandoverPlan


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


# --- who may take a part: found by what is typed, never listed -------------------------------------------

# How many people a search returns at most (one more than it lists, to say "more than 10"): the form resolves the
# text typed to one person, or lists these for the user to choose by username (house rule 19: the page never
# lists everyone who may take a part; at the bench's 58,000 role assignments that was 32,215 options, 2.1 MB).
PERSON_MATCHES_SHOWN = 10
PERSON_TEXT_MAX_LENGTH = 150  # a username's length; a full name beyond it matches nobody anyway


@dataclass(frozen=True)
class Place:
    """Where a part is to be held: a policy's business group and owning unit."""

    business_group_id: int
    unit_id: int | None


@dataclass(frozen=True)
class Eligibility:
    """Who may take ``part``: an active person holding its role in every place (in any business group when
    ``places`` is None: a move, whose service checks the group chosen), other than ``excluded_id``."""

    part: str
    places: tuple[Place, ...] | None = None
    excluded_id: int | None = None

    def condition(self) -> Q:
        """The SQL of lifecycle.services.people.holds_part, for every place (an EXISTS each)."""
        role = PARTS[self.part].role
        condition = Q(is_active=True)
        if self.places is None:
            condition &= Exists(RoleAssignment.objects.filter(user_id=OuterRef("pk"), role=role))
        for place in self.places or ():
            held = RoleAssignment.objects.filter(user_id=OuterRef("pk"), role=role,
                                                 business_group_id=place.business_group_id)
            if role == Role.MANAGER:  # a manager of a unit answers for that unit's policies; one without, the group's
                held = held.filter(Q(unit_id__isnull=True) | Q(unit_id=place.unit_id))
            condition &= Exists(held)
        if self.excluded_id is not None:
            condition &= ~Q(pk=self.excluded_id)
        return condition


def policy_eligibility(*, policy: Policy, part: str) -> Eligibility:
    return Eligibility(part, (Place(policy.business_group_id, policy.owning_unit_id),))


def move_eligibility(*, part: str) -> Eligibility:
    return Eligibility(part)


def handover_eligibility(*, plan: HandoverPlan) -> dict[str, Eligibility]:
    """{part: who may take that part on every policy of the handover that moves it}, but the leaver."""
    places: dict[str, set[Place]] = defaultdict(set)
    for holding in plan.moving:
        for part in holding.movable:
            places[part].add(Place(holding.policy.business_group_id, holding.policy.owning_unit_id))
    return {part: Eligibility(part, tuple(sorted(places[part], key=lambda place: (place.business_group_id,
                                                                                   place.unit_id or 0))),
                              excluded_id=plan.leaver.pk)
            for part in plan.parts_needed}


@dataclass(frozen=True)
class PersonSearch:
    """What a typed name or username found. ``by_username``: the account with exactly that username, eligible or
    not (the service then refuses an ineligible one with its own reason); ``eligible``: the eligible people whose
    first, last or full name is the text, at most PERSON_MATCHES_SHOWN + 1; ``ineligible``: people of that name
    who may not take the part, found only to say why (those beyond the limit the eligible fill are not read)."""

    text: str
    by_username: User | None
    eligible: list[User]
    ineligible: list[User] = field(default_factory=list)

    @property
    def more_than_shown(self) -> bool:
        return len(self.eligible) > PERSON_MATCHES_SHOWN


def find_person(*, text: str, eligibility: Eligibility) -> PersonSearch:
    """One query, LIMIT PERSON_MATCHES_SHOWN + 2: the username typed (case-insensitive, an exact case first),
    then the eligible people of that name, then those of that name who may not take the part (so that the form
    says why they cannot, rather than that nobody is called so)."""
    text = " ".join(text.split())[:PERSON_TEXT_MAX_LENGTH]
    full_name = Concat(Upper("first_name"), Value(" "), Upper("last_name"), output_field=CharField())
    name_matches = Q(first_name__iexact=text) | Q(last_name__iexact=text) | Q(full_name=text.upper())
    found = list(
        User.objects.alias(full_name=full_name)
        .filter(Q(username__iexact=text) | name_matches)
        .annotate(username_rank=Case(When(username=text, then=Value(0)), When(username__iexact=text, then=Value(1)),
                                     default=Value(2)),
                  may_take=Case(When(eligibility.condition(), then=Value(True)), default=Value(False),
                                output_field=BooleanField()))
        .order_by("username_rank", "-may_take", "last_name", "first_name", "username")[:PERSON_MATCHES_SHOWN + 2])
    by_username = found[0] if found and found[0].username_rank < 2 else None
    by_name = [user for user in found if user.username_rank == 2]
    return PersonSearch(text, by_username, [user for user in by_name if user.may_take][:PERSON_MATCHES_SHOWN + 1],
                        [user for user in by_name if not user.may_take])


# Why someone of the name typed may not take the part (PersonSearch.ineligible), in the words of the service's own
# refusals (lifecycle.services.people.check_new_holder): no more than a username typed would be told.
INACTIVE, HANDING_OVER, LACKS_ROLE = "inactive", "handing_over", "lacks_role"


def why_not_eligible(*, user: User, eligibility: Eligibility) -> str:
    """INACTIVE, HANDING_OVER or LACKS_ROLE, for someone ``eligibility`` does not allow (no query)."""
    if not user.is_active:
        return INACTIVE
    if user.pk == eligibility.excluded_id:
        return HANDING_OVER
    return LACKS_ROLE


def role_needed_where(*, eligibility: Eligibility) -> str:
    """"the Policy Developer role in Territorial Policing": the role a part needs, and where (the business groups,
    and for a manager the units, of the policies concerned), as lifecycle.services.people says it. One or two
    queries, only when a form refuses a name."""
    role = PARTS[eligibility.part].role
    role_label = Role(role).label
    if eligibility.places is None:
        return f"the {role_label} role in any business group"
    groups = dict(BusinessGroup.objects.filter(pk__in={place.business_group_id for place in eligibility.places})
                  .values_list("pk", "name"))
    if role == Role.MANAGER:
        units = dict(Unit.objects.filter(pk__in={place.unit_id for place in eligibility.places if place.unit_id})
                     .values_list("pk", "name"))
        wheres = [f"{units[place.unit_id]} (or for all of {groups[place.business_group_id]})"
                  if place.unit_id in units else groups[place.business_group_id] for place in eligibility.places]
    else:
        wheres = sorted({groups[place.business_group_id] for place in eligibility.places})
    if len(wheres) == 1:
        return f"the {role_label} role in {wheres[0]}"
    return f"the {role_label} role in {'both' if len(wheres) == 2 else 'each of'} {in_words(wheres)}"
