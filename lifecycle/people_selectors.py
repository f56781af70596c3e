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
from lifecycle.selectors.clearance import Clearance, people_cleared_for
from lifecycle.services.drafting import sensitive_instructions_by_group
from lifecycle.services.people import DESIGNATED_LEAD, DEVELOPER, PARTS, SINGLE_PARTS, HandoverPlan


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
    ``places`` is None: a move, whose service checks the group chosen), other than ``excluded_id``; and cleared for
    the OFFICIAL-SENSITIVE material of each business group of ``cleared_for`` ((id, name) pairs): a corporate
    policy's Designated Lead, for the groups of the OFFICIAL-SENSITIVE local work instructions that supplement it
    (``lead_must_be_cleared_for``), as the services refuse any other (``check_lead_cleared_for_instructions``)."""

    part: str
    places: tuple[Place, ...] | None = None
    excluded_id: int | None = None
    cleared_for: tuple[tuple[int, str], ...] = ()

    @property
    def cleared_for_names(self) -> str:
        return in_words([name for _, name in self.cleared_for])

    def condition(self) -> Q:
        """Who may take the part: ``holds_role``, and cleared (``people_cleared_for``, the rule of
        ``roles_cleared_for`` in SQL: an EXISTS per group) for each group of ``cleared_for``."""
        if not self.cleared_for:
            return self.holds_role()
        return self.holds_role() & people_cleared_for(group_id for group_id, _ in self.cleared_for)

    def holds_role(self) -> Q:
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


def lead_must_be_cleared_for(*, policies) -> tuple[tuple[int, str], ...]:
    """The business groups, (id, name) by name, whose OFFICIAL-SENSITIVE material a Designated Lead of every policy of
    ``policies`` must be cleared for: those of the OFFICIAL-SENSITIVE local work instructions supplementing them, whose
    "prior agreement with the corporate lead" the Lead gives (SOP, "Local Work Instructions"). One statement, none
    when no corporate policy is among them (``sensitive_instructions_by_group``, which the services read)."""
    return _by_name(sensitive_instructions_by_group(policies))


def _by_name(groups) -> tuple[tuple[int, str], ...]:
    return tuple(sorted(groups, key=lambda group: (group[1], group[0])))


def _cleared_for(part: str, lead_cleared_for) -> tuple[tuple[int, str], ...]:
    return tuple(lead_cleared_for) if part == DESIGNATED_LEAD else ()


def policy_eligibility(*, policy: Policy, part: str, lead_cleared_for=()) -> Eligibility:
    """Who may take ``part`` of ``policy``; a Designated Lead cleared for ``lead_cleared_for`` (its
    ``lead_must_be_cleared_for``)."""
    return Eligibility(part, (Place(policy.business_group_id, policy.owning_unit_id),),
                       cleared_for=_cleared_for(part, lead_cleared_for))


def move_eligibility(*, part: str, lead_cleared_for=()) -> Eligibility:
    """Who may take ``part`` of a policy moved (their group checked by the service); a Designated Lead cleared for
    ``lead_cleared_for``: its instructions stay where they are, wherever the policy goes."""
    return Eligibility(part, cleared_for=_cleared_for(part, lead_cleared_for))


def handover_eligibility(*, plan: HandoverPlan) -> dict[str, Eligibility]:
    """{part: who may take that part on every policy of the handover that moves it}, but the leaver; the Designated
    Lead cleared for what the preview read (``plan.lead_must_be_cleared_for``: no query)."""
    places: dict[str, set[Place]] = defaultdict(set)
    for holding in plan.moving:
        for part in holding.movable:
            places[part].add(Place(holding.policy.business_group_id, holding.policy.owning_unit_id))
    return {part: Eligibility(part, tuple(sorted(places[part], key=lambda place: (place.business_group_id,
                                                                                   place.unit_id or 0))),
                              excluded_id=plan.leaver.pk,
                              cleared_for=_cleared_for(part, _by_name(plan.lead_must_be_cleared_for)))
            for part in plan.parts_needed}


def anyone_eligible(*, eligibility: Eligibility) -> bool:
    """Whether anyone at all may take the part (one EXISTS): asked only where a clearance narrows it, to say before
    anything is typed that nobody can be named, and how to put it right."""
    return User.objects.filter(eligibility.condition()).exists()


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
    # Whether they hold the part's role, apart from a clearance asked of them: to say which of the two they lack.
    holds_role = ({"holds_role": Case(When(eligibility.holds_role(), then=Value(True)), default=Value(False),
                                      output_field=BooleanField())} if eligibility.cleared_for else {})
    full_name = Concat(Upper("first_name"), Value(" "), Upper("last_name"), output_field=CharField())
    name_matches = Q(first_name__iexact=text) | Q(last_name__iexact=text) | Q(full_name=text.upper())
    found = list(
        User.objects.alias(full_name=full_name)
        .filter(Q(username__iexact=text) | name_matches)
        .annotate(username_rank=Case(When(username=text, then=Value(0)), When(username__iexact=text, then=Value(1)),
                                     default=Value(2)),
                  may_take=Case(When(eligibility.condition(), then=Value(True)), default=Value(False),
                                output_field=BooleanField()), **holds_role)
        .order_by("username_rank", "-may_take", "last_name", "first_name", "username")[:PERSON_MATCHES_SHOWN + 2])
    by_username = found[0] if found and found[0].username_rank < 2 else None
    by_name = [user for user in found if user.username_rank == 2]
    return PersonSearch(text, by_username, [user for user in by_name if user.may_take][:PERSON_MATCHES_SHOWN + 1],
                        [user for user in by_name if not user.may_take])


# Why someone of the name typed may not take the part (PersonSearch.ineligible), in the words of the service's own
# refusals (lifecycle.services.people.check_new_holder, check_lead_cleared_for_instructions): no more than a username
# typed would be told.
INACTIVE, HANDING_OVER, LACKS_ROLE, NOT_CLEARED = "inactive", "handing_over", "lacks_role", "not_cleared"


def why_not_eligible(*, user: User, eligibility: Eligibility) -> str:
    """INACTIVE, HANDING_OVER, LACKS_ROLE or NOT_CLEARED, for someone ``find_person`` found that ``eligibility`` does
    not allow (no query)."""
    if not user.is_active:
        return INACTIVE
    if user.pk == eligibility.excluded_id:
        return HANDING_OVER
    if eligibility.cleared_for and getattr(user, "holds_role", False):
        return NOT_CLEARED
    return LACKS_ROLE


def groups_not_cleared_for(*, user: User, eligibility: Eligibility) -> list[str]:
    """The names of the groups of ``eligibility.cleared_for`` whose OFFICIAL-SENSITIVE material ``user`` is not
    cleared for, read by ``Clearance`` (the rule, ``roles_cleared_for``): one query, only when a form refuses them."""
    clearance = Clearance.of_people([user.pk])
    return [name for group_id, name in eligibility.cleared_for if not clearance.cleared(user.pk, group_id)]


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
