"""Who is cleared for a business group's OFFICIAL-SENSITIVE material: the one rule, written once.

SOP (SOPs "classified under the Protective Marking System"): OFFICIAL-SENSITIVE material is seen by staff with a role
on its business group, or a force-wide role; an account that is closed, or holds no role, is cleared for nothing.
``user_may_see_sensitive`` (one person, their roles cached on them) and ``cleared_business_groups`` (for querysets)
read it through ``roles_cleared_for``; ``Clearance`` reads it for many people whose roles are loaded at once (the
notifications' relay holds every active person's; the Advice page loads those it names, in one query);
``people_cleared_for`` is the same rule in SQL, to find the few cleared among many people (a Designated Lead typed
by name), held to ``roles_cleared_for`` by its test; and ``cannot_open`` says, in words, why someone named on a draft
cannot open it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from core.models import RoleAssignment, User
from lifecycle.models import Policy
from lifecycle.permissions import role_index
from lifecycle.states import ProtectiveMarking, Status


def cleared_groups(roles) -> frozenset[int] | None:
    """The business groups whose OFFICIAL-SENSITIVE material ``roles`` ({(role, business group id)}) clear their
    holder for; None means every group (a force-wide role)."""
    return None if any(group is None for _, group in roles) else frozenset(group for _, group in roles)


def roles_cleared_for(roles, business_group_id: int) -> bool:
    """Whether ``roles`` ({(role, business group id)}, as ``role_index`` gives them) clear their holder for the
    OFFICIAL-SENSITIVE material of the business group ``business_group_id``: a role on it, or a force-wide role. The
    rule ``user_may_see_sensitive`` and ``cleared_business_groups`` read, for those whose roles are already loaded."""
    cleared = cleared_groups(roles)
    return cleared is None or business_group_id in cleared


def people_cleared_for(business_group_ids: Iterable[int]) -> Q:
    """``roles_cleared_for`` in SQL, for a queryset of people: those cleared for the OFFICIAL-SENSITIVE material of
    every business group of ``business_group_ids``, a role on each or a force-wide role (one with no business group,
    as ``cleared_groups`` reads it); a closed account is cleared for nothing (``role_index`` gives it no roles). An
    EXISTS per group, whatever the number of people (tests/lifecycle/test_lead_choice_cleared.py holds it to
    ``roles_cleared_for``)."""
    def holds(**where) -> Exists:
        return Exists(RoleAssignment.objects.filter(user_id=OuterRef("pk"), **where))

    condition = Q(is_active=True)
    groups = sorted(set(business_group_ids))
    if groups:
        on_each = Q()
        for group_id in groups:
            on_each &= holds(business_group_id=group_id)
        condition &= holds(business_group__isnull=True) | on_each
    return condition


class Clearance:
    """Who of many people is cleared for which business group's OFFICIAL-SENSITIVE material (``roles_cleared_for``),
    from role holders already loaded ({(business group id or None, role): {user ids}} of active people, as
    ``notifications.services.people.active_role_holders`` gives them): no query of its own. Each person's roles are
    gathered when first asked; someone not active, or with no role, is cleared for nothing."""

    def __init__(self, role_holders: dict[tuple[int | None, str], set[int]]):
        self.role_holders = role_holders
        self._roles: dict[int, frozenset[tuple[str, int | None]]] | None = None

    @classmethod
    def of_people(cls, user_ids: Iterable[int]) -> Clearance:
        """The clearance of ``user_ids``, their roles read in one query (none for nobody)."""
        ids = sorted(set(user_ids))
        holders: dict[tuple[int | None, str], set[int]] = defaultdict(set)
        if ids:
            for user_id, role, group_id in (RoleAssignment.objects.filter(user_id__in=ids, user__is_active=True)
                                            .order_by().values_list("user_id", "role", "business_group_id")):
                holders[(group_id, role)].add(user_id)
        return cls(holders)

    def cleared(self, user_id: int, business_group_id: int) -> bool:
        if self._roles is None:
            # {user id: {(role, business group id)}}, as lifecycle.permissions.role_index gives one person's.
            roles: dict[int, set[tuple[str, int | None]]] = defaultdict(set)
            for (group_id, role), user_ids in self.role_holders.items():
                for holder in user_ids:
                    roles[holder].add((role, group_id))
            self._roles = {holder: frozenset(held) for holder, held in roles.items()}
        return roles_cleared_for(self._roles.get(user_id, frozenset()), business_group_id)


def sensitive_instructions() -> QuerySet[Policy]:
    """The OFFICIAL-SENSITIVE local work instructions, not withdrawn, that supplement a corporate policy: the one rule
    for those whose business group's material the corporate policy's Designated Lead must be cleared for, to read
    each and give it its "prior agreement with the corporate lead" (SOP, "Local Work Instructions"). The marking that
    counts is the instruction's (an OFFICIAL policy's instructions may be OFFICIAL-SENSITIVE); a withdrawn one asks
    for no agreement again. Read by the services that name a Lead (lifecycle.services.drafting), by what a Lead's lost
    clearance records (.lead_clearance) and by the chase's orphan reminder (``sensitive_instruction_groups``)."""
    return (Policy.objects.filter(supports__isnull=False).exclude(protective_marking=ProtectiveMarking.OFFICIAL)
            .exclude(status=Status.WITHDRAWN))


def sensitive_instruction_groups(corporate_ids: Iterable[int] | None = None) -> dict[int, frozenset[int]]:
    """{corporate policy id: the business groups of its ``sensitive_instructions``}, of ``corporate_ids`` (None: of
    every corporate policy, the few that such instructions supplement read from the index on ``supports``). One
    statement, none for no ids."""
    instructions = sensitive_instructions()
    if corporate_ids is not None:
        ids = sorted(set(corporate_ids))
        if not ids:
            return {}
        instructions = instructions.filter(supports_id__in=ids)
    groups: dict[int, set[int]] = defaultdict(set)
    for supports_id, group_id in instructions.order_by().values_list("supports_id", "business_group_id"):
        groups[supports_id].add(group_id)
    return {supports_id: frozenset(held) for supports_id, held in groups.items()}


def instructions_unreadable_by(user, corporate: Policy) -> list[tuple[str, list[str]]]:
    """[(business group name, [references])], by name and reference, of the ``sensitive_instructions`` supplementing
    ``corporate`` that ``user`` is not cleared for (``roles_cleared_for``, from their cached roles): for its Designated
    Lead, asked for their "prior agreement" to instructions they can no longer read (their role there taken away),
    which their pages of it answer as out of sight. By reference only, never the title. One query (none for a
    force-wide role)."""
    cleared = cleared_groups(role_index(user))
    if cleared is None:
        return []
    unreadable: dict[str, list[str]] = defaultdict(list)
    for group_name, reference in (sensitive_instructions().filter(supports_id=corporate.pk)
                                  .exclude(business_group_id__in=sorted(cleared))
                                  .order_by("business_group__name", "reference")
                                  .values_list("business_group__name", "reference")):
        unreadable[group_name].append(reference)
    return list(unreadable.items())


def corporate_lead_cannot_read(instruction: Policy) -> bool:
    """Whether the Designated Lead named by the corporate policy that ``instruction`` (an OFFICIAL-SENSITIVE local
    work instruction) supplements is not cleared for its business group's material, and so cannot read it to give its
    "prior agreement with the corporate lead" (their role there taken away since: lifecycle.services.lead_clearance
    told PCU). False for an OFFICIAL instruction, one supplementing nothing, or a corporate policy naming no Lead (any
    of its group's Leads may agree). Two queries (the Lead, their roles), none when it cannot apply."""
    if instruction.supports_id is None or instruction.protective_marking == ProtectiveMarking.OFFICIAL:
        return False
    lead_id = (Policy.objects.filter(pk=instruction.supports_id).values_list("designated_lead_id", flat=True)
               .first())
    if lead_id is None:
        return False
    return not Clearance.of_people([lead_id]).cleared(lead_id, instruction.business_group_id)


def not_cleared_words(group) -> str:
    """Why someone is not cleared for the OFFICIAL-SENSITIVE material of ``group`` (a business group), in words that
    follow "they are"."""
    return f"not cleared for OFFICIAL-SENSITIVE material of {group} (no role in {group} and no force-wide role)"


def cannot_open(policy: Policy, people: Iterable[User]) -> dict[int, str]:
    """{user id: why they cannot open it} for those of ``people``, named on ``policy``'s draft (invited to advise,
    given access), who cannot open it, in words that follow "cannot open the draft: ". Their account is closed; or the
    policy is OFFICIAL-SENSITIVE and they are not cleared for its business group's material. One query for all of
    them (their roles), and none for an OFFICIAL policy; ``policy.business_group`` is read with the policy."""
    people = {person.pk: person for person in people}
    reasons = {pk: "their account is closed" for pk, person in people.items() if not person.is_active}
    if policy.protective_marking == ProtectiveMarking.OFFICIAL:
        return reasons
    active = [pk for pk in people if pk not in reasons]
    clearance = Clearance.of_people(active)
    words = f"they are {not_cleared_words(policy.business_group)}"
    reasons.update({pk: words for pk in active if not clearance.cleared(pk, policy.business_group_id)})
    return reasons
