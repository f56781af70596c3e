"""Reads. Every queryset here is already filtered to what the user may see, in one query."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from core.models import AuditEvent, Role, RoleAssignment
from lifecycle.models import ConsultationRecord, Policy
from lifecycle.permissions import has_force_role, role_index
from lifecycle.states import PUBLISHED_STATUSES, Status, statuses_in_stage

GROUP_WIDE_ROLES = (Role.COORDINATOR, Role.LEAD, Role.OWNER)


def policy_visibility_filter(user) -> Q | None:
    """The Q a policy must match to be visible to ``user``; None means everything (PCU)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if has_force_role(user, Role.PCU):
        return None
    roles = role_index(user)
    # Every member of staff sees the force's published policies.
    visible = Q(status__in=PUBLISHED_STATUSES)
    group_ids = {group for role, group in roles if role in GROUP_WIDE_ROLES and group is not None}
    if group_ids:
        visible |= Q(business_group_id__in=group_ids)
    manager_groups = {group for role, group in roles if role == Role.MANAGER}
    if manager_groups:
        managed_units = RoleAssignment.objects.filter(user_id=user.pk, role=Role.MANAGER)
        visible |= Q(owning_unit_id__in=managed_units.filter(unit__isnull=False).values("unit_id"))
        visible |= Q(business_group_id__in=managed_units.filter(unit__isnull=True).values("business_group_id"))
    if any(role == Role.DEVELOPER for role, _ in roles):
        visible |= Q(developers=user)
    if has_force_role(user, Role.DCFD) or has_force_role(user, Role.DOI):
        visible |= Q(status__in=statuses_in_stage("approval"))
    if has_force_role(user, Role.SHRMT):
        visible |= Q(Exists(ConsultationRecord.objects.filter(policy_id=OuterRef("pk"), consultee_type="shrmt")))
    return visible


def policy_list(*, user) -> QuerySet[Policy]:
    queryset = Policy.objects.select_related("business_group", "owning_unit")
    condition = policy_visibility_filter(user)
    if condition is not None:
        # Filter by id so a many-to-many match (developers) cannot duplicate rows.
        queryset = queryset.filter(pk__in=Policy.objects.filter(condition).values("pk"))
    return queryset.order_by("reference")


def access_policy(*, user, reference: str) -> Policy:
    """Fetch a policy the user may see, or 404 (never 403: existence must not leak)."""
    policy = policy_list(user=user).filter(reference=reference).first()
    if policy is None:
        raise Http404("No such policy.")
    return policy


def policy_timeline(*, policy: Policy) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(policy_id=policy.pk).select_related("actor").order_by("-sequence")


def home_summary(*, user) -> dict:
    visible = policy_list(user=user)
    return {
        "visible_count": visible.count(),
        "in_development": visible.filter(status__in=[Status.SCOPING, Status.COMMISSIONING, Status.DEVELOPMENT])
        .count(),
        "in_approval": visible.filter(status__in=statuses_in_stage("approval")).count(),
        "published": visible.filter(status__in=PUBLISHED_STATUSES).count(),
        "roles": sorted(
            RoleAssignment.objects.filter(user_id=user.pk).select_related("business_group"), key=str
        ),
    }


def user_may_see_sensitive(*, user, policy: Policy) -> bool:
    """OFFICIAL-SENSITIVE material: staff with a role on the policy's business group, or a force-wide role."""
    roles = role_index(user)
    return any(group is None or group == policy.business_group_id for _, group in roles)


def sop_versions_for(*, user, version) -> list:
    """The SOP texts of a version package that the user may read."""
    if version is None:
        return []
    sensitive_ok = user_may_see_sensitive(user=user, policy=version.policy)
    return [
        sop_version
        for sop_version in version.sop_versions.select_related("sop").order_by("sop__position", "sop_id")
        if sensitive_ok or sop_version.sop.protective_marking != "official_sensitive"
    ]


def policy_versions(*, policy: Policy):
    return policy.versions.select_related("author", "submitted_by").order_by("-major", "-minor")
