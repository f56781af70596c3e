"""Audit events that no service writes (issue 11, finding 3: "Password changes, role and grant changes,
sign-in, sign-out and lockouts are audited").

- Authentication: sign-in, sign-out, a failed sign-in for an existing account, and a lockout (django-axes).
- Who may do what, changed below the services: a password hash, a role assignment or a per-object grant
  (django-guardian) saved or deleted from a shell, a script, a data fix or an admin page that does not go through
  a service. A service that makes the same change audits it itself, in the same transaction, and its event
  covers the one seen here (``core.audit.audit_unless_covered``), so nothing is recorded twice. A role assignment
  deleted below the services is recorded at once instead, and answered as ``role_revoke`` answers it
  (``clearance_reduced``, in the delete's transaction): see ``role_revoked``; one changed in place is answered so
  for the role it was (``role_assigned``).

These events belong to no policy: ``obj`` is the user concerned. Connected in ``CoreConfig.ready()``.
"""

from __future__ import annotations

import logging

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.audit import audit_log, audit_unless_covered
from core.events import AuditAction
from core.models import RoleAssignment, User
from core.services import clearance_reduced_send, revoked_by_service, role_gone_words, roles_of

logger = logging.getLogger(__name__)

SIGNED_IN = AuditAction.AUTH_SIGNED_IN
SIGNED_OUT = AuditAction.AUTH_SIGNED_OUT
SIGN_IN_FAILED = AuditAction.AUTH_SIGN_IN_FAILED
LOCKED_OUT = AuditAction.AUTH_LOCKED_OUT
PASSWORD_CHANGED_OUTSIDE_SERVICES = AuditAction.USER_PASSWORD_CHANGED_OUTSIDE_SERVICES
ROLE_ASSIGNED_OUTSIDE_SERVICES = AuditAction.ROLE_ASSIGNED_OUTSIDE_SERVICES
ROLE_REVOKED_OUTSIDE_SERVICES = AuditAction.ROLE_REVOKED_OUTSIDE_SERVICES
GRANT_ADDED_OUTSIDE_SERVICES = AuditAction.GRANT_ADDED_OUTSIDE_SERVICES
GRANT_REMOVED_OUTSIDE_SERVICES = AuditAction.GRANT_REMOVED_OUTSIDE_SERVICES
# The longest username a failed attempt is recorded with (what was typed is attacker-controlled).
MAX_TYPED_USERNAME = 150


def connect() -> None:
    user_logged_in.connect(signed_in, dispatch_uid="core.audit.signed_in")
    user_logged_out.connect(signed_out, dispatch_uid="core.audit.signed_out")
    user_login_failed.connect(sign_in_failed, dispatch_uid="core.audit.sign_in_failed")
    user_locked_out.connect(locked_out, dispatch_uid="core.audit.locked_out")
    pre_save.connect(password_changed, sender=User, dispatch_uid="core.audit.password_changed")
    pre_save.connect(role_before_change, sender=RoleAssignment, dispatch_uid="core.audit.role_before_change")
    post_save.connect(role_assigned, sender=RoleAssignment, dispatch_uid="core.audit.role_assigned")
    post_delete.connect(role_revoked, sender=RoleAssignment, dispatch_uid="core.audit.role_revoked")
    # Guardian's grant models are concrete per target (lifecycle.PolicyUserObjectPermission, ...), and core imports
    # no app above it: listen to every model and keep the grant rows.
    post_save.connect(grant_saved, dispatch_uid="core.audit.grant_saved")
    post_delete.connect(grant_deleted, dispatch_uid="core.audit.grant_deleted")


def _address(request) -> str | None:
    if request is None:
        return None
    return getattr(request, "axes_ip_address", None) or get_client_ip_address(request)


def _record(*, actor, action: str, user, changes: dict) -> None:
    with transaction.atomic():
        audit_log(actor=actor, action=action, obj=user, changes=changes)


# --- authentication --------------------------------------------------------------------------------------------


def signed_in(sender, request, user, **kwargs) -> None:
    _record(actor=user, action=SIGNED_IN, user=user, changes={"address": _address(request)})


def signed_out(sender, request, user, **kwargs) -> None:
    if user is None or not user.is_authenticated:
        return
    _record(actor=user, action=SIGNED_OUT, user=user, changes={"address": _address(request)})


def _account(username) -> User | None:
    if not isinstance(username, str) or not username:
        return None
    return get_user_model().objects.filter(username=username[:MAX_TYPED_USERNAME]).first()


def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    """A wrong password for an existing account. Attempts on names that match no account are not evidence about
    anyone; django-axes counts and logs them (and locks the address)."""
    user = _account((credentials or {}).get("username"))
    if user is not None:
        _record(actor=None, action=SIGN_IN_FAILED, user=user, changes={"address": _address(request)})


def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    user = _account(username)
    if user is not None:
        _record(actor=None, action=LOCKED_OUT, user=user, changes={"address": ip_address})
    else:
        logger.warning("Sign-in locked out for the address %s (typed username matches no account)", ip_address)


# --- who may do what, changed below the services ---------------------------------------------------------------


def password_changed(sender, instance: User, raw=False, update_fields=None, **kwargs) -> None:
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is None or stored == instance.password:
        return
    # Never the hash itself: whether the account can still sign in with a password is what matters.
    audit_unless_covered(subject=instance, actor=None, action=PASSWORD_CHANGED_OUTSIDE_SERVICES, obj=instance,
                         changes={"username": instance.username, "usable": instance.has_usable_password()})


def _assignment_changes(assignment: RoleAssignment) -> dict:
    return {"user": assignment.user.username, "role": assignment.role,
            "business_group": assignment.business_group_id, "unit": assignment.unit_id}


# The stored row of an assignment being saved in place, read just before (``role_before_change``).
_STORED_ATTRIBUTE = "_policyhub_stored_assignment"


def role_before_change(sender, instance: RoleAssignment, raw=False, **kwargs) -> None:
    """An existing assignment about to be saved (no service does: the admin and the services add and remove them):
    what it was, for ``role_assigned`` to tell what the change took away."""
    if raw or instance.pk is None:
        return
    # Locked (RoleAssignment.save is one transaction with its receivers): compared with what is changed, not with a
    # row another change has moved since.
    stored = (RoleAssignment.objects.select_for_update(of=("self",)).filter(pk=instance.pk)
              .select_related("user", "business_group").first())
    setattr(instance, _STORED_ATTRIBUTE, stored)


def role_assigned(sender, instance: RoleAssignment, created=False, raw=False, **kwargs) -> None:
    """A role assignment saved below the services, recorded. One changed in place (a shell, a data fix: its role,
    business group or person edited, then ``save()``) took away the role it was as surely as deleting it: that is
    answered as ``role_revoked`` answers a deletion, ``clearance_reduced`` sent for the role it was, so that what it
    cleared is withdrawn (an invitation to advise on an OFFICIAL-SENSITIVE draft stayed open for someone who could no
    longer open it)."""
    if raw:
        return
    audit_unless_covered(subject=instance, actor=None, action=ROLE_ASSIGNED_OUTSIDE_SERVICES, obj=instance.user,
                         changes={**_assignment_changes(instance), "created": created})
    stored = instance.__dict__.pop(_STORED_ATTRIBUTE, None)
    if created or stored is None or (stored.user_id, stored.role, stored.business_group_id) == (
            instance.user_id, instance.role, instance.business_group_id):
        return
    with transaction.atomic():
        clearance_reduced_send(sender=RoleAssignment, person=stored.user, actor=None,
                               cause=role_gone_words(stored, "was changed outside PolicyHub's services"),
                               roles_lost=roles_of(stored))


def role_revoked(sender, instance: RoleAssignment, **kwargs) -> None:
    """A role assignment deleted. Through ``core.services.role_revoke`` (the admin's delete too), the service has
    recorded it before deleting and sends ``clearance_reduced`` itself. Otherwise (a shell, a script, a data fix: one
    row's ``delete()`` or a queryset's) it is recorded here at once, and ``clearance_reduced`` sent as the service sends
    it, with nobody as the actor: the person may have lost their clearance for OFFICIAL-SENSITIVE material, and what
    it gave them is withdrawn in the delete's own transaction (Django deletes in one, and sends this signal inside
    it), so the role cannot go while their invitations and grants stay (security probe F2). One changed in place by
    ``save()`` is answered for the role it was by ``role_assigned``.

    Answered, not refused: deleting a row below the services is an administrator's data fix, recorded like any other
    (this module), and refusing it in Python would not stop plain SQL either. What Django never sees (plain SQL, an
    assignment changed in place by a queryset's ``update()``) is swept by ``manage.py withdraw_uncleared``."""
    if revoked_by_service(instance):
        return
    with transaction.atomic():
        audit_log(actor=None, action=ROLE_REVOKED_OUTSIDE_SERVICES, obj=instance.user,
                  changes=_assignment_changes(instance))
        clearance_reduced_send(sender=RoleAssignment, person=instance.user, actor=None,
                               cause=role_gone_words(instance, "was removed outside PolicyHub's services"),
                               roles_lost=roles_of(instance))


def _grant(instance) -> tuple[tuple[str, str], dict] | None:
    """The grant's target (the subject a service would audit) and what it gives, or None if not a grant."""
    if not isinstance(instance, UserObjectPermissionBase | GroupObjectPermissionBase):
        return None
    target_field = instance._meta.get_field("content_object")
    if target_field.is_relation and not getattr(target_field, "fk_field", None):  # direct foreign key
        target = (target_field.related_model._meta.label_lower, str(instance.content_object_id))
    else:  # guardian's generic grants
        content_type = instance.content_type
        target = (f"{content_type.app_label}.{content_type.model}", str(instance.object_pk))
    holder = _holder(instance)
    changes = {"object": f"{target[0]}:{target[1]}", "permission": instance.permission.codename,
               "holder": getattr(holder, "username", None) or getattr(holder, "name", "")}
    return target, changes


def _holder(instance):
    """The user (or, for a group grant, the group) the grant is given to: the event's object."""
    return getattr(instance, "user", None) or getattr(instance, "group", None)


def grant_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    grant = None if raw else _grant(instance)
    if grant is not None:
        audit_unless_covered(subject=grant[0], actor=None, action=GRANT_ADDED_OUTSIDE_SERVICES,
                             obj=_holder(instance), changes=grant[1])


def grant_deleted(sender, instance, **kwargs) -> None:
    grant = _grant(instance)
    if grant is not None:
        audit_unless_covered(subject=grant[0], actor=None, action=GRANT_REMOVED_OUTSIDE_SERVICES,
                             obj=_holder(instance), changes=grant[1])
