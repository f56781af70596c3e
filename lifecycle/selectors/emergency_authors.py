"""Who writes what the emergency route skipped: the one rule (issue 13; SOP stage 3: where a policy is introduced "to
meet immediate operational needs ... the impact assessment must be completed as soon as reasonably practicable").

The retrospective Equality Impact Assessment and the Workbook's impact sections are the policy's authors' to write,
as the chase has always reminded them of it (notifications.services.rules.PolicyChase.emergency_eia); DCFD and PCU
then sign them off (lifecycle.emergency.SKIPPED_PARTS). The authors are:

- its named developers who hold the developer role in its business group (as for drafting: ``is_assigned_developer``);
- its policy manager: the one it names, while they hold the manager role in its business group; while it names none,
  or the one named no longer does (left, or moved on), the business group's managers, who answer for it then.

Each holds a role in the business group, so is cleared for its OFFICIAL-SENSITIVE material. The rule applies while the
policy is not impact assessed and not withdrawn (lifecycle.due.emergency_eia_awaiting); what of it is still theirs to
write is ``lifecycle.emergency.authors_work_waiting``.

``authors_of`` is the rule, over the facts it reads. The chase gives it the role holders it loads for its whole scan;
``is_emergency_author`` gives it one person's, for the pages they need (who sees the policy and its versions:
lifecycle.selectors.visibility and .pages; who may edit the EIA and the Workbook: assessments.services
.document_editable) and the overview's "What to do next"; ``authored_by`` is the same rule as a condition on policies
for lists (My work, the visibility filter). tests/lifecycle/test_emergency_authors.py holds the readings together,
person by person. Before, the pages asked who may draft (any manager of the unit or group, developers only while the
policy was drafted) and the chase its authors: the named developer got "has moved on" while being reminded (QA walk).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from core.lookups import in_ids
from core.models import Role, RoleAssignment
from lifecycle.due import emergency_eia_awaiting
from lifecycle.models import Policy
from lifecycle.permissions import is_named_developer, role_index
from lifecycle.states import Status


def authors_of(*, developers: Iterable[int], manager: int | None, group_developers: Iterable[int],
               group_managers: Iterable[int]) -> set[int]:
    """The rule: of the developers the policy names (``developers``), those holding the developer role in its business
    group (``group_developers``: its holders, active); and the manager it names (``manager``) while they hold the
    manager role there (``group_managers``: its holders, active), else every one of those."""
    managers = set(group_managers)
    return (set(developers) & set(group_developers)) | ({manager} if manager in managers else managers)


def awaits_authors(policy) -> bool:
    """Whether the rule applies to ``policy`` at all: approved by the emergency route, not impact assessed and not
    withdrawn (lifecycle.due.emergency_eia_awaiting, for one policy)."""
    return bool(policy.not_impact_assessed) and policy.status != Status.WITHDRAWN


def is_emergency_author(user, policy) -> bool:
    """Whether ``user`` is one of the authors of what the emergency route skipped on ``policy`` (``authors_of``, told
    the facts of this one person: their roles, cached on them; whether the policy names them, read with the page's
    developers; and, only for a manager of its group it does not name, whether the manager it names still holds the
    role, one query)."""
    if not awaits_authors(policy):
        return False
    roles = role_index(user)
    group = policy.business_group_id
    developer, manager = (Role.DEVELOPER, group) in roles, (Role.MANAGER, group) in roles
    if not (developer or manager):
        return False
    named = policy.policy_manager_id
    group_managers = {user.pk} if manager else set()
    if manager and named is not None and named != user.pk and _holds_manager_role(named, group):
        group_managers.add(named)
    return user.pk in authors_of(
        developers={user.pk} if developer and is_named_developer(user, policy) else set(), manager=named,
        group_developers={user.pk} if developer else set(), group_managers=group_managers)


def _holds_manager_role(user_id: int, business_group_id: int) -> bool:
    return RoleAssignment.objects.filter(user_id=user_id, user__is_active=True, role=Role.MANAGER,
                                         business_group_id=business_group_id).exists()


def authored_by(user_id: int, roles, *, ids_in: Callable[[QuerySet], Q] = lambda ids: in_ids("pk", ids)) -> Q | None:
    """``authors_of`` as a condition on policies: those whose authors of what the emergency route skipped include the
    user ``user_id``, holding ``roles`` ({(role, business group id)}, as ``role_index`` gives them); None when they
    hold neither role the rule reads (no policy can match). Both parts are looked up by id, as the visibility filter's
    other parts seen by id are (``ids_in(ids)``: how "the policy's id is in this subquery" is written there): the
    policies naming them as a developer; and, for a manager, the few not impact assessed of their groups
    (policy_not_impact_assessed_idx) that name them, or whose manager named no longer holds the role (an EXISTS on the
    role assignments, asked of those few)."""
    developer_groups = sorted({group for role, group in roles if role == Role.DEVELOPER and group is not None})
    manager_groups = sorted({group for role, group in roles if role == Role.MANAGER and group is not None})
    parts = []
    if developer_groups:
        named = Policy.developers.through.objects.filter(user_id=user_id).values("policy_id")
        parts.append(ids_in(named) & Q(business_group_id__in=developer_groups) & emergency_eia_awaiting())
    if manager_groups:
        named_holds = Exists(RoleAssignment.objects.filter(
            user_id=OuterRef("policy_manager_id"), user__is_active=True, role=Role.MANAGER,
            business_group_id=OuterRef("business_group_id")))
        managed = (Policy.objects.filter(emergency_eia_awaiting(), business_group_id__in=manager_groups)
                   .filter(Q(policy_manager_id=user_id) | ~Q(named_holds)).order_by().values("pk"))
        parts.append(ids_in(managed))
    return functools.reduce(operator.or_, parts) if parts else None
