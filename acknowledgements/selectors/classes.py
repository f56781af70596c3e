"""The active staff counted by class, for the oversight dashboard's rates (``rates``): people of one unit holding the
same roles are one class, and an audience includes all of them or none.

Two aggregate statements (the classes, the confirmations by policy and class), each compiled once per process
(core.compiled), whatever the number of staff; a class's profile is worked out once per process.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from django.db.models import Count, Exists, OuterRef, QuerySet, TextField, Value
from django.db.models.functions import Coalesce

from acknowledgements.models import Acknowledgement, AcknowledgementAudience
from acknowledgements.selectors.audiences import in_force
from acknowledgements.selectors.profiles import Profile
from core.compiled import compiled_per_key
from core.models import User


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


def staff_class_profiles() -> dict[tuple, tuple[Profile, int]]:
    """{class key: (the class's profile, its active people)}, by ``staff_classes`` (one query)."""
    classes: dict[tuple, tuple[Profile, int]] = {}
    statement = _staff_classes_statement()
    for unit_id, unit_group, key, count in [] if statement is None else statement.rows():
        class_key = _class_key(unit_id, unit_group, key)
        profile, counted = classes.get(class_key, (_class_profile(*class_key), 0))
        classes[class_key] = (profile, counted + count)
    return classes


def confirmed_by_class(policy_ids: set[int]) -> dict[int, dict[tuple, int]]:
    """{policy id: {class key: people of that class whose confirmation counts for the policy's audience in
    force}}, by ``confirmations_by_class`` (one query)."""
    found: dict[int, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
    statement = _confirmations_statement(tuple(sorted(policy_ids)))
    for policy_id, unit_id, unit_group, key, people in [] if statement is None else statement.rows():
        found[policy_id][_class_key(unit_id, unit_group, key)] += people
    return found
