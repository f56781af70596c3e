"""Who is asked to acknowledge what, and who has.

One rule, ``Profile.included_by`` (who an audience's criteria include), written three times: as a Q for one person's
outstanding list (``outstanding_for``, a fixed number of queries), in Python over profiles loaded in bulk for a
manager's rates (``profiles_of``), and as one SQL statement over everyone for the chase (``outstanding_sql``, read by
notifications.services.plan.acknowledgement_reminders). tests/acknowledgements checks the three agree.

An audience asks while its version is the one in force: published, no later version published since, and the
policy not withdrawn. OFFICIAL-SENSITIVE policies ask only staff cleared for them (lifecycle.selectors'
``cleared_business_groups``): nobody else is told even the title.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from acknowledgements.models import Acknowledgement, AcknowledgementAudience, AudienceCriterion
from core.compiled import compiled_per_key
from core.dates import date_shown
from core.models import RoleAssignment, Unit, User
from lifecycle.models import PolicyVersion
from lifecycle.permissions import managed_scope, role_index
from lifecycle.selectors import cleared_business_groups
from lifecycle.states import ProtectiveMarking, Status


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


def in_force() -> Q:
    """The audiences that ask now: of the version in force of a policy in force."""
    published = PolicyVersion.objects.filter(publications__status="published")
    later = published.filter(policy_id=OuterRef("policy_id")).filter(
        Q(major__gt=OuterRef("major")) | Q(major=OuterRef("major"), minor__gt=OuterRef("minor")))
    return (Q(Exists(published.filter(pk=OuterRef("policy_version_id")))) & ~Q(Exists(later))
            & ~Q(policy__status=Status.WITHDRAWN))


def satisfied_by(user_id) -> Exists:
    """A confirmation that counts for the audience: of its version, or (PCU not asking again for a minor version)
    of an earlier version of the same major from ``counts_from_minor`` on."""
    return Exists(Acknowledgement.objects.filter(user_id=user_id, policy_id=OuterRef("policy_id"),
                                                 major=OuterRef("major"), minor__gte=OuterRef("counts_from_minor")))


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


def audiences_in_force() -> list[AcknowledgementAudience]:
    """Every audience asking now, with its criteria and policy (three queries)."""
    return list(AcknowledgementAudience.objects.filter(in_force()).select_related("policy", "policy_version")
                .defer("policy_version__statement", "policy__purpose")
                .prefetch_related("criteria").order_by("policy__reference"))


# --- a manager's view of their unit ------------------------------------------------------------


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


def outstanding_people(audience: AcknowledgementAudience, profiles: dict[int, Profile]) -> set[int]:
    """The ids of the people (of ``profiles``) asked by ``audience`` who have not confirmed: for the chase."""
    criteria = list(audience.criteria.all())
    asked = {user_id for user_id, profile in profiles.items()
             if profile.included_by(criteria) and profile.may_read(audience.policy)}
    if not asked:
        return set()
    confirmed = set(Acknowledgement.objects.filter(policy_id=audience.policy_id, major=audience.major,
                                                   minor__gte=audience.counts_from_minor)
                    .order_by().values_list("user_id", flat=True))
    return asked - confirmed


def outstanding_sql(audiences: QuerySet[AcknowledgementAudience]) -> tuple[str, list]:
    """For the chase (issue 16), set-based: ``SELECT <the audience's columns>, user_id`` for every active person each
    of ``audiences`` asks and who has not confirmed. ``audiences`` is a ``values()`` queryset with an ``audience_id``
    column, plus ``policy_id``, ``major``, ``counts_from_minor``, ``marking`` and ``group_id`` (the policy's
    protective marking and business group).

    The rule of ``Profile.included_by`` and ``may_read``, written as SQL over everyone at once (tests/acknowledgements
    checks it agrees with them, and with ``outstanding_for``): a criterion names the person's unit, their unit's
    business group or a group they hold a role in, or a role they hold; OFFICIAL-SENSITIVE asks only those holding
    a force-wide role or a role in the policy's group. One statement, whatever the number of people: the criteria
    are joined to the staff they name (hashed), not tested person by person."""
    audience_sql, params = audiences.query.sql_with_params()
    criterion, user, unit, role, acknowledgement = (connection.ops.quote_name(model._meta.db_table) for model in (
        AudienceCriterion, User, Unit, RoleAssignment, Acknowledgement))
    # Table names from the models; every value a parameter.
    return (
        f"SELECT a.*, named.user_id FROM ({audience_sql}) a JOIN ("  # noqa: S608
        f"SELECT c.audience_id, u.id AS user_id FROM {criterion} c JOIN {user} u ON u.unit_id = c.unit_id "
        f"UNION SELECT c.audience_id, u.id FROM {criterion} c "
        f"JOIN {unit} g ON g.business_group_id = c.business_group_id JOIN {user} u ON u.unit_id = g.id "
        f"UNION SELECT c.audience_id, r.user_id FROM {criterion} c JOIN {role} r "
        f"ON r.business_group_id = c.business_group_id "
        f"UNION SELECT c.audience_id, r.user_id FROM {criterion} c JOIN {role} r ON r.role = c.role AND c.role <> ''"
        f") named ON named.audience_id = a.audience_id "
        f"JOIN {user} u ON u.id = named.user_id AND u.is_active = %s "
        f"WHERE (a.marking = %s OR EXISTS (SELECT 1 FROM {role} r WHERE r.user_id = u.id "
        f"AND (r.business_group_id IS NULL OR r.business_group_id = a.group_id))) "
        f"AND NOT EXISTS (SELECT 1 FROM {acknowledgement} k WHERE k.user_id = u.id AND k.policy_id = a.policy_id "
        f"AND k.major = a.major AND k.minor >= a.counts_from_minor)",
        [*params, True, ProtectiveMarking.OFFICIAL.value],
    )


# --- rates for the oversight dashboard (issue 15) ----------------------------------------------------------------


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


def _class_key(unit_id, unit_group, held: str) -> tuple:
    """People of one unit holding the same roles are one class: an audience includes all of them or none
    (``Profile.included_by`` and ``may_read`` read nothing else)."""
    return unit_id, unit_group, ",".join(sorted(item for item in held.split(",") if item))


# How many classes of staff (unit, its business group, roles held) each process keeps the profile of: a few hundred
# at 20,000 staff (make bench), a few hundred bytes each.
CLASS_PROFILES = 4096


@lru_cache(maxsize=CLASS_PROFILES)
def _class_profile(unit_id, unit_group, key: str) -> Profile:
    """The profile every person of a class shares (``_class_key``), worked out once per class in this process: it
    reads nothing but the key (make bench, 20,000 staff: its 392 classes parsed again on every request were about a
    quarter of the rates' Python)."""
    held = [(role, int(group) if group else None) for role, _, group in
            (item.partition(":") for item in key.split(",") if item)]
    groups = {group for _, group in held if group is not None} | ({unit_group} if unit_group else set())
    cleared = None if any(group is None for _, group in held) else frozenset(group for _, group in held)
    return Profile(user_id=0, unit_id=unit_id, group_ids=frozenset(groups),
                   roles=frozenset(role for role, _ in held), cleared_groups=cleared)


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
    classes: dict[tuple, tuple[Profile, int]] = {}
    statement = _staff_classes_statement()
    for unit_id, unit_group, key, count in [] if statement is None else statement.rows():
        class_key = _class_key(unit_id, unit_group, key)
        profile, counted = classes.get(class_key, (_class_profile(*class_key), 0))
        classes[class_key] = (profile, counted + count)
    by_unit, by_group, by_role = defaultdict(set), defaultdict(set), defaultdict(set)
    for class_key, (profile, _) in classes.items():
        if profile.unit_id is not None:
            by_unit[profile.unit_id].add(class_key)
        for group in profile.group_ids:
            by_group[group].add(class_key)
        for role in profile.roles:
            by_role[role].add(class_key)
    confirmed = _confirmations_by_class(audiences)
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


def _held(user_path: str) -> Coalesce:
    """The roles a person holds as text, as the database keeps it from their assignments (core.RolesHeld: none for
    someone holding no role). Aggregating each person's assignments in a subquery instead was the dashboard's
    dearest statement (make bench, 20,000 staff: 110-245 ms, planned at cost 176,000 and so JIT-compiled)."""
    return Coalesce(f"{user_path}roles_held__key", Value(""), output_field=TextField())


def staff_classes() -> QuerySet:
    """(unit id, its business group id, roles held as text, people) of the active staff: one aggregate query."""
    return (User.objects.filter(is_active=True).annotate(held=_held("")).order_by()
            .values_list("unit_id", "unit__business_group_id", "held").annotate(count=Count("pk")))


def confirmations_by_class(policy_ids: list[int]) -> QuerySet:
    """(policy id, unit id, its business group id, roles held as text, people) of the active staff whose
    confirmation counts for the audience in force of each policy: one aggregate query."""
    return (Acknowledgement.objects.filter(policy_id__in=policy_ids, user__is_active=True)
            .filter(Exists(AcknowledgementAudience.objects.filter(
                in_force(), policy_id=OuterRef("policy_id"), major=OuterRef("major"),
                counts_from_minor__lte=OuterRef("minor"))))
            .annotate(held=_held("user__")).order_by()
            .values_list("policy_id", "user__unit_id", "user__unit__business_group_id", "held")
            .annotate(people=Count("user_id", distinct=True)))


# How many sets of policies each process keeps the confirmations' statement compiled for (a scope's audiences in
# force: the same set on every request while no audience changes), the least recently used dropped first: a few KB of
# SQL each.
COMPILED_CONFIRMATIONS = 256


@compiled_per_key(1)
def _staff_classes_statement() -> QuerySet:
    """``staff_classes``, the same statement for everyone: compiled once per process (core.compiled)."""
    return staff_classes()


@compiled_per_key(COMPILED_CONFIRMATIONS)
def _confirmations_statement(policy_ids: tuple[int, ...]) -> QuerySet:
    """``confirmations_by_class`` of these policies, compiled once per set of them (core.compiled)."""
    return confirmations_by_class(list(policy_ids))


def _confirmations_by_class(audiences: list[AudienceAsking]) -> dict[int, dict[tuple, int]]:
    """{policy id: {class key: people of that class whose confirmation counts for the policy's audience in
    force}}."""
    found: dict[int, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    statement = _confirmations_statement(tuple(sorted({audience.policy_id for audience in audiences})))
    for policy_id, unit_id, unit_group, key, people in [] if statement is None else statement.rows():
        found[policy_id][_class_key(unit_id, unit_group, key)] += people
    return found
