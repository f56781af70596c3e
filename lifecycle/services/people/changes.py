"""One part of one policy changing hands (a reassignment, a developer replaced, added or removed), and a policy
moving to another business group (PCU's alone). Each in one transaction with the policy locked, a reason and its
audit event."""

from __future__ import annotations

from django.db import transaction

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import User
from lifecycle.models import Policy
from lifecycle.permissions import forget_roles, is_pcu
from lifecycle.services.base import lock_policy, require_actor, require_text
from lifecycle.services.clearance import policy_moved_withdraw
from lifecycle.services.drafting import check_corporate_lead_cleared, check_lead_cleared_for_instructions
from lifecycle.services.people.parts import (
    DEVELOPER,
    PARTS,
    REASON_MAX_LENGTH,
    SINGLE_PARTS,
    HolderChange,
    Part,
    check_may,
    check_new_holder,
    check_not_withdrawn,
    holders_changed,
    holds_part,
    lock_people,
    part_for,
    role_assignments_of,
)


def _expected_id(expected_holder) -> int | None:
    """What the page showed as the holder: a user, an id, or "" / "none" / 0 for nobody."""
    if isinstance(expected_holder, User):
        return expected_holder.pk
    text = str(expected_holder).strip()
    if text in {"", "none", "0"}:
        return 0
    if not (text.isdigit() and len(text) <= 18):
        raise ApplicationError("The page you sent this from does not say who held the part. Reload it.",
                               code="stale")
    return int(text)


def _check_expected(locked: Policy, part: Part, expected_holder) -> None:
    if expected_holder is None:
        return
    current = getattr(locked, part.column)
    if _expected_id(expected_holder) != (current or 0):
        now = User.objects.filter(pk=current).first() if current else None
        raise ApplicationError(
            f"Someone else changed the {part.label} of {locked.reference} since you opened the page: it is now "
            f"{now or 'nobody'}. Nothing was changed; reload the page to see who holds it now.", code="stale")


def _record(*, actor, locked: Policy, action, changes: list[HolderChange], payload: dict) -> None:
    names = dict(User.objects.filter(pk__in={i for c in changes for i in (c.old_id, c.new_id) if i})
                 .values_list("pk", "username"))
    payload = {**payload, "parts": [[c.part, names.get(c.old_id), names.get(c.new_id)] for c in changes],
               "notify_user_ids": sorted({i for c in changes for i in (c.old_id, c.new_id) if i})}
    audit_log(actor=actor, action=action, obj=locked, changes=payload)
    holders_changed.send(sender=Policy, changes=changes, actor=actor)


@transaction.atomic
def policy_reassign(*, policy: Policy, actor, role: str, new_holder, reason: str, expected_holder=None) -> Policy:
    """Name ``new_holder`` as the policy's owner, Designated Lead, manager or co-ordinator. ``expected_holder``
    is who the page showed (None: not checked); someone else having changed it meanwhile is refused as stale."""
    require_actor(actor)
    part = part_for(role)
    if part.column is None:
        raise ApplicationError("Developers are replaced, added or removed one by one.", code="invalid", field="role")
    reason = require_text(reason, "the reason for the change", field="reason", max_length=REASON_MAX_LENGTH)
    locked = lock_policy(policy)
    check_may(actor, locked, part)
    _check_expected(locked, part, expected_holder)
    people = lock_people([new_holder])
    new = check_new_holder(new_holder, part, policy=locked, locked_users=people,
                            assignments=role_assignments_of(people))
    old_id = getattr(locked, part.column)
    if new.pk == old_id:
        raise ApplicationError(f"{new} is already the {part.label} of {locked.reference}.", code="invalid",
                               field="new_holder")
    setattr(locked, part.column, new.pk)
    if part.key == "designated_lead":
        # The corporate lead gives the OFFICIAL-SENSITIVE local work instructions supplementing it their prior
        # agreement (SOP, "Local Work Instructions"): refused, as on a move, unless the new Lead is cleared for them.
        check_lead_cleared_for_instructions(locked, field="new_holder")
    locked.save(update_fields=[part.column, "updated_at"])
    _record(actor=actor, locked=locked, action=AuditAction.POLICY_REASSIGNED,
            changes=[HolderChange(locked.pk, part.key, old_id, new.pk)], payload={"reason": reason})
    forget_roles(new_holder)
    return locked


@transaction.atomic
def policy_replace_developer(*, policy: Policy, actor, old, new, reason: str) -> Policy:
    """Replace one named developer by another (``old`` None: add ``new``; ``new`` None: remove ``old``)."""
    require_actor(actor)
    part = PARTS[DEVELOPER]
    reason = require_text(reason, "the reason for the change", field="reason", max_length=REASON_MAX_LENGTH)
    if old is None and new is None:
        raise ApplicationError("Choose the developer to replace or remove, or the one to add.", field="new")
    locked = lock_policy(policy)
    check_may(actor, locked, part)
    through = Policy.developers.through
    named = set(through.objects.filter(policy_id=locked.pk).values_list("user_id", flat=True))
    if old is not None and old.pk not in named:
        raise ApplicationError(f"{old} is no longer a developer of {locked.reference}: someone else changed it "
                               "meanwhile. Nothing was changed; reload the page.", code="stale")
    if new is not None:
        people = lock_people([new])
        check_new_holder(new, part, policy=locked, locked_users=people, assignments=role_assignments_of(people),
                          field_name="new")
        if new.pk in named:
            raise ApplicationError(f"{new} is already a developer of {locked.reference}.", field="new")
    elif named == {old.pk}:
        raise ApplicationError(f"{old} is the only developer of {locked.reference}: name who replaces them.",
                               field="new")
    if old is not None:
        through.objects.filter(policy_id=locked.pk, user_id=old.pk).delete()
    if new is not None:
        through.objects.create(policy_id=locked.pk, user_id=new.pk)
    locked.save(update_fields=["updated_at"])
    _record(actor=actor, locked=locked, action=AuditAction.POLICY_REASSIGNED,
            changes=[HolderChange(locked.pk, DEVELOPER, getattr(old, "pk", None), getattr(new, "pk", None))],
            payload={"reason": reason})
    for person in (old, new):
        if person is not None:
            forget_roles(person)
    return locked


def policy_add_developer(*, policy: Policy, actor, new, reason: str) -> Policy:
    return policy_replace_developer(policy=policy, actor=actor, old=None, new=new, reason=reason)


def policy_remove_developer(*, policy: Policy, actor, old, reason: str) -> Policy:
    return policy_replace_developer(policy=policy, actor=actor, old=old, new=None, reason=reason)


# --- another business group ----------------------------------------------------------------------


@transaction.atomic
def policy_move_business_group(*, policy: Policy, actor, business_group, owning_unit, reason: str,
                               holders: dict | None = None) -> Policy:
    """Move a policy to another business group and unit (PCU's alone). Each named person must hold their part
    in the new group; ``holders`` ({part: user}) names who takes over where they do not (for developers: one
    person replacing every developer who is not a developer there). Refused, listing each gap, otherwise."""
    require_actor(actor)
    reason = require_text(reason, "the reason for the move", field="reason", max_length=REASON_MAX_LENGTH)
    holders = {key: user for key, user in (holders or {}).items() if user is not None}
    locked = lock_policy(policy)
    if not is_pcu(actor):
        raise ApplicationError(f"Only the Policy Co-ordination Unit can move {locked.reference} to another "
                               "business group.", code="forbidden")
    check_not_withdrawn(locked)
    if business_group is None or not business_group.is_active:
        raise ApplicationError("Choose an open business group.", field="business_group")
    if business_group.pk == locked.business_group_id:
        raise ApplicationError(f"{locked.reference} is already in {business_group}.", field="business_group")
    if owning_unit is None or owning_unit.business_group_id != business_group.pk:
        raise ApplicationError(f"Choose an owning unit of {business_group}.", field="owning_unit")
    # An OFFICIAL-SENSITIVE local work instruction needs the corporate lead's prior agreement (SOP, "Local Work
    # Instructions"): they must stay cleared to read it. Refused, as when it is started or re-marked, since their
    # agreement cannot be withdrawn; what was typed stays on the form.
    check_corporate_lead_cleared(locked.supports, marking=locked.protective_marking, business_group=business_group,
                                 field="business_group")
    old_group = locked.business_group_id
    locked.business_group, locked.owning_unit = business_group, owning_unit
    developers = list(Policy.developers.through.objects.filter(policy_id=locked.pk).values_list("user_id", flat=True))
    changes = _moved_holders(locked, holders, developers)
    for change in changes:
        if change.part != DEVELOPER:
            setattr(locked, PARTS[change.part].column, change.new_id)
    # The other side of that agreement: a corporate policy keeps, in its new group, a Designated Lead cleared for the
    # OFFICIAL-SENSITIVE local work instructions that supplement it. Refused on the Designated Lead (the choice that
    # settles it, with a role given to them), as the instruction's own move is, and for the same reason.
    check_lead_cleared_for_instructions(locked, field="designated_lead")
    locked.save(update_fields=["business_group", "owning_unit", *(PARTS[c].column.removesuffix("_id") for c in
                                                                   {c.part for c in changes} - {DEVELOPER}),
                               "updated_at"])
    _move_developers(locked, [c for c in changes if c.part == DEVELOPER])
    _record(actor=actor, locked=locked, action=AuditAction.POLICY_MOVED_BUSINESS_GROUP, changes=changes,
            payload={"reason": reason, "business_group": [old_group, business_group.pk],
                     "owning_unit": owning_unit.pk})
    # OFFICIAL-SENSITIVE, the policy is now read only by those cleared for the new group's material. Everyone named in
    # a part holds it there (``_moved_holders``); those invited to advise, or given access by name, cleared for the
    # old group only, lose what they hold here, with its audit event and their developers told, rather than the move
    # being refused until they are removed: see ``lifecycle.services.clearance`` for why.
    policy_moved_withdraw(locked=locked, actor=actor, from_group_id=old_group)
    for user in holders.values():
        forget_roles(user)
    return locked


def _moved_holders(locked: Policy, holders: dict, developers: list[int]) -> list[HolderChange]:
    """Who changes in a move: every named person without their part in the new group, to the replacement
    given. Raises, listing every gap, when a replacement is missing or cannot take the part."""
    current = {key: getattr(locked, PARTS[key].column) for key in SINGLE_PARTS}
    people = lock_people(holders.values())
    assignments = role_assignments_of({*people, *[i for i in current.values() if i], *developers})
    fits = {user_id: holds_part(assignments.get(user_id, set()), PARTS[key], locked.business_group_id,
                                locked.owning_unit_id) for key, user_id in current.items() if user_id}
    changes, gaps = [], []
    for key in SINGLE_PARTS:
        old_id, new = current[key], holders.get(key)
        if new is None and (old_id is None or fits[old_id]):
            continue
        if new is None:
            gaps.append(f"choose who takes over as {PARTS[key].label}")
            continue
        check_new_holder(new, PARTS[key], policy=locked, locked_users=people, assignments=assignments,
                          field_name=key)
        if new.pk != old_id:
            changes.append(HolderChange(locked.pk, key, old_id, new.pk))
    leaving = [user_id for user_id in developers
               if not holds_part(assignments.get(user_id, set()), PARTS[DEVELOPER], locked.business_group_id, None)]
    if leaving and DEVELOPER not in holders:
        gaps.append("choose a developer to replace those who are not developers there")
    elif leaving:
        new = check_new_holder(holders[DEVELOPER], PARTS[DEVELOPER], policy=locked, locked_users=people,
                                assignments=assignments, field_name=DEVELOPER)
        changes.extend(HolderChange(locked.pk, DEVELOPER, user_id, new.pk) for user_id in leaving)
    if gaps:
        raise ApplicationError(f"Cannot move {locked.reference} yet: " + "; ".join(gaps) + ".", code="invalid")
    return changes


def _move_developers(locked: Policy, changes: list[HolderChange]) -> None:
    if not changes:
        return
    through = Policy.developers.through
    through.objects.filter(policy_id=locked.pk, user_id__in=[c.old_id for c in changes]).delete()
    through.objects.bulk_create([through(policy_id=locked.pk, user_id=changes[0].new_id)], ignore_conflicts=True)
