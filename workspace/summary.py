"""My work's summary (templates/core/home.html, beside the queues): the roles the person holds, and how many policies
they see in the register, in the terms that are true for them.

- Those with a role: by stage (scoping to development, approval or awaiting publication, published) and withdrawn,
  from one count per status (``lifecycle.selectors.policy_count_by_status``): together, the register's count.
- Staff with no role see the policies in force (issue 4), and the drafts they were given to read (a consultee's
  grant). A policy in force under review is in force for them: the version they read stays in force until the reviewed
  one replaces it (``lifecycle.models.policy.IN_FORCE``), though its status, which the register shows, is its review's
  stage. So they are told how many are in force, how many of those are being reviewed, and how many drafts they were
  given, in one statement instead of the count by status (the same number of queries: the user walk found them told
  those policies were "in scoping, commissioning or development").
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import BooleanField, Count, QuerySet, Value

from core.compiled import CompiledValues, compiled_per_key
from core.models import Role, RoleAssignment
from lifecycle.models import Policy
from lifecycle.models.policy import NOT_IN_FORCE
from lifecycle.selectors import COMPILED_VIEWERS, Viewer, policy_count_by_status, viewer_of
from lifecycle.selectors.visibility import drafts_visibility_of, visibility_parts_of
from lifecycle.states import APPROVAL_PIPELINE, PUBLISHED_STATUSES, Status


class HeldRole(NamedTuple):
    """A role the person holds, as My work names it: the role and the business group's name (None: force-wide)."""

    role: str
    business_group: str | None

    def get_role_display(self) -> str:
        return Role(self.role).label


# The person's roles and their groups' names: one statement, compiled once per process (core.compiled).
_HELD_ROLES = CompiledValues(RoleAssignment, lambda *, user_id: RoleAssignment.objects.filter(user_id=user_id)
                             .order_by().values_list("role", "business_group__name"), ints=("user_id",))


def held_roles(user) -> list[HeldRole]:
    """The roles ``user`` holds, in the order of their assignments' str() (the person's name, the role, the group or
    "force-wide"): the same person's, so by the role's name and then the group's."""
    held = [HeldRole(role, group) for role, group in _HELD_ROLES.rows(user_id=user.pk)]
    return sorted(held, key=lambda item: f"{item.get_role_display()} ({item.business_group or 'force-wide'})")


def home_summary(*, user) -> dict:
    """How many policies the user sees: by stage for those with a role; in force (and of those, under review) and
    drafts given to read for staff with none. One statement either way, besides the roles'."""
    viewer = viewer_of(user)
    roles = held_roles(user)
    if viewer is not None and not viewer.roles:
        return {**staff_counts(viewer), "roles": roles, "staff": True}
    by_status = policy_count_by_status(user=user)
    in_development = (Status.SCOPING, Status.COMMISSIONING, Status.DEVELOPMENT)
    return {
        "visible_count": sum(by_status.values()),
        "in_development": sum(by_status.get(status, 0) for status in in_development),
        # Submitted and not yet published (lifecycle.states.APPROVAL_PIPELINE): stage 4 and the start of stage 5, so
        # named on the page.
        "in_approval_or_awaiting_publication": sum(by_status.get(status, 0) for status in APPROVAL_PIPELINE),
        "published": sum(by_status.get(status, 0) for status in PUBLISHED_STATUSES),
        # In no stage, yet in the register (its archive): its own row, so that the rows add up to the register's count.
        "withdrawn": by_status.get(Status.WITHDRAWN, 0),
        "roles": roles,
        "staff": False,
    }


def staff_counts(viewer: Viewer) -> dict[str, int]:
    """For a member of staff with no role: ``visible_count`` (what the register lists), ``in_force``,
    ``under_review`` (in force, its review under way: a status before publication) and ``drafts_shared`` (not in
    force: drafts they were given to read). One statement, compiled once per Viewer."""
    statement = _staff_counts_statement(viewer)
    seen: dict[str, int] = {}
    drafts = 0
    for status, draft, count in ([] if statement is None else statement.rows()):
        if draft:
            drafts += count
        else:
            seen[status] = seen.get(status, 0) + count
    visible = sum(seen.values())
    # The drafts are among the policies seen (not in force, so in no status of publication): what is left is in force.
    under_review = sum(count for status, count in seen.items() if status not in PUBLISHED_STATUSES) - drafts
    return {"visible_count": visible, "in_force": visible - drafts, "under_review": under_review,
            "drafts_shared": drafts}


@compiled_per_key(COMPILED_VIEWERS)
def _staff_counts_statement(viewer: Viewer) -> QuerySet:
    """Each status's count of the visibility's disjoint parts, each from its index as ``policy_count_by_status``
    counts them, and, marked ``draft``, the count of the drafts among them: those not in force that the user sees by
    their part in them (for staff, a consultee's grant: looked up by id), all in one UNION ALL. Compiled once per
    Viewer in this process (core.compiled), as ``policy_count_by_status`` is: it reads nothing but the Viewer."""
    def counted(queryset: QuerySet, *, draft: bool) -> QuerySet:
        return (queryset.order_by().values("status")
                .annotate(draft=Value(draft, output_field=BooleanField()), policies=Count("*")))

    parts = [counted(Policy.objects.filter(part), draft=False) for part in visibility_parts_of(viewer) or []]
    drafts_seen = drafts_visibility_of(viewer)  # None: every draft (PCU, who is not staff without a role)
    drafts = counted(Policy.objects.filter(NOT_IN_FORCE if drafts_seen is None else NOT_IN_FORCE & drafts_seen),
                     draft=True)
    return parts[0].union(*parts[1:], drafts, all=True) if parts else drafts
