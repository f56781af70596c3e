"""State changes on core objects: role assignments and reference numbers."""

from django.db import IntegrityError, transaction

from core.audit import audit_log
from core.exceptions import ApplicationError
from core.models import FORCE_WIDE_ROLES, ReferenceCounter, Role, RoleAssignment


def reference_allocate(*, counter: str, prefix: str, width: int = 4) -> str:
    """Next gap-free reference (POL-0042). Call inside the transaction that uses it."""
    ReferenceCounter.objects.get_or_create(name=counter)
    row = ReferenceCounter.objects.select_for_update().get(name=counter)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return f"{prefix}-{row.last_value:0{width}d}"


@transaction.atomic
def role_assign(*, actor, user, role: str, business_group=None, unit=None) -> RoleAssignment:
    if role not in Role.values:
        raise ApplicationError(f"'{role}' is not a PolicyHub role.", field="role")
    if role in FORCE_WIDE_ROLES and business_group is not None:
        raise ApplicationError(f"{Role(role).label} is a force-wide role: leave the business group empty.",
                               field="business_group")
    if role not in FORCE_WIDE_ROLES and business_group is None:
        raise ApplicationError(f"{Role(role).label} is held for a business group: choose one.",
                               field="business_group")
    if unit is not None and business_group is not None and unit.business_group_id != business_group.pk:
        raise ApplicationError("The unit must belong to the chosen business group.", field="unit")
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, business_group=business_group, unit=unit
            )
    except IntegrityError as exc:
        raise ApplicationError(f"{user} already holds that role there.") from exc
    audit_log(
        actor=actor,
        action="role.assigned",
        obj=assignment,
        changes={
            "user": user.username,
            "role": role,
            "business_group": business_group.name if business_group else None,
            "unit": unit.name if unit else None,
        },
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    locked = RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if locked is None:
        raise ApplicationError("That role assignment has already been removed.", code="stale")
    audit_log(
        actor=actor,
        action="role.revoked",
        obj=locked,
        changes={
            "user": locked.user.username,
            "role": locked.role,
            "business_group": locked.business_group.name if locked.business_group else None,
        },
    )
    locked.delete()
