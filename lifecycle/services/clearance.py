"""What someone no longer cleared for an OFFICIAL-SENSITIVE policy loses with it (security probe F2).

An invitation to advise on a draft by name, and a grant of access to it (``lifecycle.services.advice``, ``.access``),
are refused to someone not cleared for the policy's business group's OFFICIAL-SENSITIVE material
(``lifecycle.selectors.clearance``). Someone cleared when named may stop being so: a role taken away
(``core.services.role_revoke``), or their account closed (``core.holdings.user_deactivate``). Core sends
``core.signals.clearance_reduced`` inside that change's transaction; ``person_uncleared_withdraw`` answers it there, so
the change and what follows from it commit together, or not at all.

Withdrawn rather than left in place: the person could not open the draft any more (the visibility filter already
hides it), and an invitation left open would count them among the advisers of a draft they cannot read. Each
invitation and grant ends as its own service would end it (the invitation's grant taken back with it), with its own
audit event on its policy, by the actor who changed the role; the policy's developers and manager are told, and
whoever invited the person, never the person themself (they may no longer be told the policy's title). What they
already advised is kept, as on any withdrawal. An OFFICIAL policy needs no clearance: nothing on it is touched.

A policy moved to another business group (``lifecycle.services.people.policy_move_business_group``) leaves uncleared
those named on its draft who were cleared for the old group only; ``policy_moved_withdraw`` ends what they hold in
the move's transaction, through the same per-policy steps (``_withdraw_on``), for the same reasons: the policy's
ownership is PCU's to settle (SOP, "Role of the Policy Co-ordination Unit": "Identify and help to resolve boundary
issues for ownership of policy"), and invitations and grants given by its developers and co-ordinator are not PCU's
to clean up first, nor should they hold up a change of ownership.

A corporate policy's Designated Lead no longer cleared for an OFFICIAL-SENSITIVE local work instruction that supplements
it holds nothing to withdraw, and is not silently replaced: ``clearance_reduced_received`` has
``lifecycle.services.lead_clearance`` tell PCU and the policy's co-ordinator, in the same transaction.

Those named before the services refused someone not cleared, or whose clearance went where Django never saw it (plain
SQL), hold what nothing withdrew: the Advice page names them one policy at a time, and ``policy_uncleared_withdraw``
(run over every OFFICIAL-SENSITIVE policy by ``manage.py withdraw_uncleared``) ends it through the same steps.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from guardian.shortcuts import remove_perm

from core.audit import audit_log
from core.events import AuditAction
from core.models import BusinessGroup, User
from lifecycle import permissions
from lifecycle.models import AdviceInvitation, Policy, PolicyUserObjectPermission
from lifecycle.selectors import Clearance, not_cleared_words, uncleared_holders
from lifecycle.services.base import lock_policy
from lifecycle.services.lead_clearance import corporate_lead_uncleared_report
from lifecycle.states import ProtectiveMarking


@transaction.atomic
def person_uncleared_withdraw(*, person, actor, cause: str) -> int:
    """Withdraw ``person``'s open invitations to advise, and take back their grants, on every OFFICIAL-SENSITIVE policy
    they are no longer cleared for; ``cause`` says why, in words that follow "their" ("account was closed"). Returns
    how many invitations and grants ended. Each policy is locked, in id order, before its rows change."""
    granted = PolicyUserObjectPermission.objects.filter(user_id=person.pk).values("content_object_id")
    invited = AdviceInvitation.objects.filter(invitee_id=person.pk, withdrawn_at__isnull=True).values("policy_id")
    named_on = list(Policy.objects.filter(Q(pk__in=granted) | Q(pk__in=invited))
                    .exclude(protective_marking=ProtectiveMarking.OFFICIAL).order_by("pk").values_list("pk", flat=True))
    if not named_on:
        return 0
    # Read after the change, in its transaction: the role taken away is gone, a closed account holds nothing.
    clearance = Clearance.of_people([person.pk])
    ended = 0
    for policy_id in named_on:
        locked = lock_policy(policy_id)
        if (locked.protective_marking == ProtectiveMarking.OFFICIAL
                or clearance.cleared(person.pk, locked.business_group_id)):
            continue
        reason = (f"{person} is no longer cleared for OFFICIAL-SENSITIVE material of {locked.business_group}: their "
                  f"{cause}.")
        ended += _withdraw_on(locked, {person.pk: person}, actor, {person.pk: reason})
    permissions.forget_roles(person)
    return ended


def policy_moved_withdraw(*, locked: Policy, actor, from_group_id: int) -> int:
    """On ``locked``, just moved (in the caller's transaction, the policy locked) from the business group
    ``from_group_id`` to another, withdraw the open invitations to advise, and take back the grants, of those named on
    its draft whom the move leaves uncleared: cleared for the old group's OFFICIAL-SENSITIVE material and not for the
    new group's (``Clearance``, the one rule). Returns how many ended. Those not cleared before the move (who have
    left, or were named before the services refused it) did not lose anything by it: the Advice page names them and
    offers to end what they hold. An OFFICIAL policy needs no clearance: no query. Otherwise one query when nobody is
    named on it; five when someone is (who, their roles, the old group's name, their invitations, their grants),
    whatever their number; then each invitation and grant costs what its withdrawal writes."""
    if locked.protective_marking == ProtectiveMarking.OFFICIAL:
        return 0
    granted = PolicyUserObjectPermission.objects.filter(content_object_id=locked.pk).values("user_id")
    invited = AdviceInvitation.objects.filter(policy_id=locked.pk, withdrawn_at__isnull=True,
                                              invitee__isnull=False).values("invitee_id")
    named = list(User.objects.filter(Q(pk__in=granted) | Q(pk__in=invited), is_active=True).order_by("pk"))
    if not named:
        return 0
    clearance = Clearance.of_people(person.pk for person in named)
    uncleared = {person.pk: person for person in named if clearance.cleared(person.pk, from_group_id)
                 and not clearance.cleared(person.pk, locked.business_group_id)}
    if not uncleared:
        return 0
    old_group = BusinessGroup.objects.get(pk=from_group_id)
    moved = f"{locked.reference} moved there from {old_group}."
    ended = _withdraw_on(locked, uncleared, actor, {
        pk: f"{person} is {not_cleared_words(locked.business_group)}: {moved}" for pk, person in uncleared.items()})
    for person in uncleared.values():
        permissions.forget_roles(person)
    return ended


@transaction.atomic
def policy_uncleared_withdraw(*, policy: Policy, actor) -> int:
    """On ``policy``, locked, withdraw the open invitations to advise, and take back the grants, of everyone named on
    its OFFICIAL-SENSITIVE draft who cannot open it (``uncleared_holders``, read under the lock: not cleared for its
    business group's material, or their account closed), each with its audit event and the reason, as a lost role
    ends them. Returns how many ended: none for an OFFICIAL policy, or a second time."""
    locked = lock_policy(policy)
    holders = uncleared_holders(locked)
    if not holders:
        return 0
    people = {holder.user.pk: holder.user for holder in holders}
    ended = _withdraw_on(locked, people, actor, {
        holder.user.pk: f"{holder.user} cannot open the draft: {holder.reason}." for holder in holders})
    for person in people.values():
        permissions.forget_roles(person)
    return ended


def _withdraw_on(locked: Policy, people: dict, actor, reasons: dict[int, str]) -> int:
    """End, on ``locked``, what ``people`` ({user id: user}) hold: each open invitation to advise as
    ``advice_withdraw`` ends one (the grant it gave taken back, the advice given kept), then each grant still held as
    ``policy_revoke_access`` takes it back (one an invitation gave is already gone); each with its audit event saying
    why (``reasons``, by user id). One query reads the invitations of all of them, one their grants."""
    return (_withdraw_invitations(locked, people, actor, reasons)
            + _take_back_grants(locked, people, actor, reasons))


def _withdraw_invitations(locked: Policy, people: dict, actor, reasons: dict[int, str]) -> int:
    invitations = list(AdviceInvitation.objects.select_for_update(of=("self",)).select_related("invited_by")
                       .filter(policy_id=locked.pk, invitee_id__in=sorted(people), withdrawn_at__isnull=True)
                       .order_by("pk"))
    for invitation in invitations:
        person, reason = people[invitation.invitee_id], reasons[invitation.invitee_id]
        if invitation.granted_access:
            remove_perm("lifecycle.consult_policy", person, locked)
        invitation.withdrawn_at = timezone.now()
        invitation.withdrawn_by = actor
        invitation.withdrawal_reason = reason
        invitation.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        inviter = invitation.invited_by
        audit_log(actor=actor, action=AuditAction.POLICY_ADVICE_WITHDRAWN_NOT_CLEARED, obj=locked, changes={
            "invitation": invitation.pk, "invitee": person.username, "access_revoked": invitation.granted_access,
            "reason": reason,
            # With the policy's authors (EVENT_RECIPIENTS): whoever invited them, if still here (the relay tells them
            # only if they are cleared for it).
            "notify_user_ids": [inviter.pk] if inviter.is_active and inviter.pk != person.pk else [],
        })
    return len(invitations)


def _take_back_grants(locked: Policy, people: dict, actor, reasons: dict[int, str]) -> int:
    grants = list(PolicyUserObjectPermission.objects.filter(user_id__in=sorted(people), content_object_id=locked.pk)
                  .order_by("user_id", "permission__codename").values_list("user_id", "permission__codename"))
    for user_id, codename in grants:
        person = people[user_id]
        remove_perm(f"lifecycle.{codename}", person, locked)
        audit_log(actor=actor, action=AuditAction.POLICY_ACCESS_REVOKED_NOT_CLEARED, obj=locked, changes={
            "user": person.username, "permission": codename, "reason": reasons[user_id],
        })
    return len(grants)


def clearance_reduced_received(sender, *, person, actor, cause: str, roles_lost=None, **kwargs) -> None:
    """``core.signals.clearance_reduced``, connected in ``LifecycleConfig.ready()``: what the person holds and may no
    longer open is withdrawn; the corporate policies whose Designated Lead they are, and whose OFFICIAL-SENSITIVE
    local work instructions they can no longer read, are told of (``corporate_lead_uncleared_report``)."""
    person_uncleared_withdraw(person=person, actor=actor, cause=cause)
    corporate_lead_uncleared_report(person=person, actor=actor, cause=cause, roles_lost=roles_lost)
