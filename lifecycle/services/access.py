"""Per-object grants (django-guardian): a developer added to one policy, a consultee reading its draft."""

from __future__ import annotations

import rules
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from lifecycle import permissions
from lifecycle.models import Policy, PolicyUserObjectPermission
from lifecycle.services.base import lock_policy, refuse_uncleared, require_actor

# --- per-object grants (django-guardian) ---------------------------------------------------------

GRANTABLE = {
    "draft_policy": "draft this policy",
    "consult_policy": "read this policy's drafts as a consultee",
}


@transaction.atomic
def policy_grant_access(*, policy: Policy, actor, user, permission: str) -> None:
    """Give one person access to one policy: a developer added to it, or a consultee reading its draft."""
    require_actor(actor)
    if permission not in GRANTABLE:
        raise ApplicationError("Choose what the person may do: draft, or read as a consultee.", field="permission")
    if user is None or not user.is_active:
        raise ApplicationError("Choose an active member of staff.", field="user")
    locked = lock_policy(policy)
    if not rules.has_perm("lifecycle.grant_access", actor, locked):
        raise ApplicationError(f"You are not allowed to give others access to {locked.reference}.", code="forbidden")
    refuse_uncleared(user, locked, field="user",
                     instead=f"give access to someone with a role in {locked.business_group} or a force-wide role")
    if permission in permissions.object_grants(user, locked):
        raise ApplicationError(f"{user} can already {GRANTABLE[permission]}.", code="stale")
    assign_perm(f"lifecycle.{permission}", user, locked)
    permissions.forget_roles(user)
    audit_log(actor=actor, action=AuditAction.POLICY_ACCESS_GRANTED, obj=locked,
              changes={"user": user.username, "permission": permission})


@transaction.atomic
def policy_revoke_access(*, policy: Policy, actor, user, permission: str) -> None:
    """Take back one grant. Read from the grant rows, not ``object_grants`` (what a grant lets its holder do, nothing
    for a closed account): a leaver's grant is taken back too."""
    require_actor(actor)
    locked = lock_policy(policy)
    if not rules.has_perm("lifecycle.grant_access", actor, locked):
        raise ApplicationError(f"You are not allowed to change access to {locked.reference}.", code="forbidden")
    if not PolicyUserObjectPermission.objects.filter(user_id=user.pk, content_object_id=locked.pk,
                                                     permission__codename=permission).exists():
        raise ApplicationError(f"{user} does not have that access.", code="stale")
    remove_perm(f"lifecycle.{permission}", user, locked)
    permissions.forget_roles(user)
    audit_log(actor=actor, action=AuditAction.POLICY_ACCESS_REVOKED, obj=locked,
              changes={"user": user.username, "permission": permission})
