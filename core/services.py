"""State changes on core objects: role assignments and reference numbers."""

from contextvars import ContextVar

from django.db import IntegrityError, transaction

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.exports import spreadsheet_exports_withdraw
from core.models import FORCE_WIDE_ROLES, ReferenceCounter, Role, RoleAssignment
from core.signals import clearance_reduced


def reference_allocate(*, counter: str, prefix: str, width: int = 4) -> str:
    """Next gap-free reference (POL-0042). Call inside the transaction that uses it."""
    ReferenceCounter.objects.get_or_create(name=counter)
    row = ReferenceCounter.objects.select_for_update().get(name=counter)
    row.last_value += 1
    row.save(update_fields=["last_value"])
    return f"{prefix}-{row.last_value:0{width}d}"


# The assignments role_revoke is deleting, while it deletes them: it records each and sends clearance_reduced itself.
_REVOKING: ContextVar[frozenset[int]] = ContextVar("policyhub_role_revoking", default=frozenset())


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
        action=AuditAction.ROLE_ASSIGNED,
        obj=assignment,
        changes={
            "user": user.username,
            "role": role,
            "business_group": business_group.name if business_group else None,
            "unit": unit.name if unit else None,
        },
    )
    _flag_duty_conflict(actor=actor, assignment=assignment)
    return assignment


# The roles that take the independent checks of a version: one person holding two of them could be asked to
# check their own check. lifecycle.duties refuses that at each decision; the assignment is flagged to PCU.
INDEPENDENT_CHECK_ROLES = (Role.PCU, Role.DCFD, Role.DOI, Role.LEAD)


def _flag_duty_conflict(*, actor, assignment: RoleAssignment) -> None:
    if assignment.role not in INDEPENDENT_CHECK_ROLES:
        return
    others = sorted(set(RoleAssignment.objects.filter(user_id=assignment.user_id, role__in=INDEPENDENT_CHECK_ROLES)
                        .exclude(pk=assignment.pk).values_list("role", flat=True)))
    if not others:
        return
    audit_log(actor=actor, action=AuditAction.ROLE_CONFLICT_FLAGGED, obj=assignment, changes={
        "user": assignment.user.username, "role": assignment.role, "also_holds": others,
        "note": "Separation of duties: this person will be refused a second part in any one version.",
    })


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    locked = RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if locked is None:
        raise ApplicationError("That role assignment has already been removed.", code="stale")
    audit_log(
        actor=actor,
        action=AuditAction.ROLE_REVOKED,
        obj=locked,
        changes={
            "user": locked.user.username,
            "role": locked.role,
            "business_group": locked.business_group.name if locked.business_group else None,
        },
    )
    token = _REVOKING.set(_REVOKING.get() | {locked.pk})
    try:
        locked.delete()
    finally:
        _REVOKING.reset(token)
    # What the role cleared the person for may be gone: core withdraws their spreadsheets, and lifecycle their
    # invitations and grants on the OFFICIAL-SENSITIVE policies they are no longer cleared for
    # (lifecycle.services.clearance), in this transaction.
    clearance_reduced_send(sender=RoleAssignment, person=locked.user, actor=actor,
                           cause=role_gone_words(locked, "was taken away"), roles_lost=roles_of(locked))


def clearance_reduced_send(*, sender, person, actor, cause: str, roles_lost=None) -> None:
    """``person`` may now be cleared for less (``core.signals.clearance_reduced`` says when, and what ``cause`` is):
    called inside the change's transaction, after it, by every change that may reduce it. Core withdraws what it
    prepared for them with what they could see before (their spreadsheets: ``spreadsheet_exports_withdraw``); the
    apps above withdraw theirs, answering the signal in the same transaction."""
    spreadsheet_exports_withdraw(person=person)
    # A role taken away says what went (``roles_lost``); an account closed sends none (everything went).
    extra = {} if roles_lost is None else {"roles_lost": roles_lost}
    clearance_reduced.send(sender=sender, person=person, actor=actor, cause=cause, **extra)


def revoked_by_service(assignment: RoleAssignment) -> bool:
    """Whether ``role_revoke`` is deleting ``assignment`` now (``core.receivers.role_revoked`` leaves it to it)."""
    return assignment.pk in _REVOKING.get()


def roles_of(assignment: RoleAssignment) -> frozenset[tuple[str, int | None]]:
    """What ``clearance_reduced`` says ``assignment`` gone took away (``roles_lost``): {(role, business group id)}, as
    lifecycle.permissions.role_index gives a person's roles."""
    return frozenset({(assignment.role, assignment.business_group_id)})


def role_gone_words(assignment: RoleAssignment, how: str) -> str:
    """What ``clearance_reduced`` says of ``assignment`` gone, in words that follow "their": "role Policy Developer in
    Territorial Policing was taken away" (``how``)."""
    scope = f"in {assignment.business_group}" if assignment.business_group_id else "(force-wide)"
    return f"role {Role(assignment.role).label} {scope} {how}"
