"""Advice during development (issue 12): invite DCFD, DOI, SHRMT or a named colleague to see and comment on a
draft; withdraw the invitation; give advice. Each locks the policy row and writes its audit event in the same
transaction; the event names whom it notifies (``notify_user_ids``: the invitee, or every active holder of the
team's role when the invitation is made).

A named colleague is given today's per-object grant (``consult_policy``, django-guardian, as
``lifecycle.services.access.policy_grant_access``), and withdrawing the invitation takes back a grant it gave.
A team sees the draft through the open invitation itself (``lifecycle.selectors``), so that whoever holds the
role, now or later, can advise.
"""

from __future__ import annotations

import rules
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import RoleAssignment
from core.submissions import (
    ADVICE_COMMENT,
    ADVICE_INVITE,
    Submission,
    submission_check_repeat,
    submission_claim,
    submission_done,
)
from lifecycle import permissions
from lifecycle.models import AdviceComment, AdviceInvitation, AdviceTeam, Policy
from lifecycle.services.base import lock_policy, optional_text, refuse_uncleared, require_actor, require_text

MAX_NOTE = 5_000
MAX_COMMENT = 20_000


def _team_members(team: str) -> list[int]:
    return sorted(set(RoleAssignment.objects.filter(role=team, business_group__isnull=True, user__is_active=True)
                      .values_list("user_id", flat=True)))


def _check_may_invite(actor, locked: Policy) -> None:
    if not rules.has_perm("lifecycle.invite_advice", actor, locked):
        if not locked.draft_is_editable:
            raise ApplicationError(
                f"Advice on {locked.reference} is asked for while it is drafted (scoping or development); it is "
                f"'{locked.get_status_display()}' now.", code="frozen")
        raise ApplicationError(f"Only the developers, manager and co-ordinator of {locked.reference} can invite "
                               "advice on its draft.", code="forbidden")


@transaction.atomic
def advice_invite(*, policy: Policy, actor, team: str = "", invitee=None, note: str = "",
                  submission: Submission | str | None = None) -> AdviceInvitation:
    """Invite ``team`` (DCFD, DOI or SHRMT) or ``invitee`` (a named colleague) to see and comment on the draft.
    ``submission``: the one-time token of the form that sent it (core.submissions; None from no page)."""
    require_actor(actor)
    claim = submission_claim(submission=submission, actor=actor, purpose=ADVICE_INVITE)
    note = optional_text(note, "What you would like advice on", field="note", max_length=MAX_NOTE)
    if bool(team) == (invitee is not None):
        raise ApplicationError("Choose DCFD, DOI or SHRMT, or name one colleague.", code="invalid", field="team")
    if team and team not in AdviceTeam.values:
        raise ApplicationError("Choose DCFD, DOI or SHRMT.", code="invalid", field="team")
    if invitee is not None and (not invitee.is_active or invitee.pk == actor.pk):
        raise ApplicationError("Name an active colleague other than yourself.", code="invalid", field="invitee")
    locked = lock_policy(policy)
    _check_may_invite(actor, locked)
    if invitee is not None:
        # The teams are force-wide roles, cleared for every business group's OFFICIAL-SENSITIVE material.
        refuse_uncleared(invitee, locked, field="invitee", instead="invite the DCFD, DOI or SHRMT team instead")
    cycle = locked.current_cycle
    open_invitations = AdviceInvitation.objects.filter(policy=locked, cycle=cycle, withdrawn_at__isnull=True)
    if team and open_invitations.filter(team=team).exists():
        raise ApplicationError(f"{AdviceTeam(team).label} is already invited to advise on this draft.",
                               code="invalid", field="team")
    granted = False
    if invitee is not None and open_invitations.filter(invitee=invitee).exists():
        raise ApplicationError(f"{invitee} is already invited to advise on this draft.", code="invalid",
                               field="invitee")
    submission_check_repeat(claim, content={"policy": locked, "team": team, "invitee": invitee, "note": note})
    if invitee is not None and not {"consult_policy", "draft_policy"} & permissions.object_grants(invitee, locked):
        assign_perm("lifecycle.consult_policy", invitee, locked)
        permissions.forget_roles(invitee)
        granted = True
    invitation = AdviceInvitation.objects.create(policy=locked, cycle=cycle, team=team or "", invitee=invitee,
                                                 granted_access=granted, note=note, invited_by=actor)
    notify = _team_members(team) if team else [invitee.pk]
    audit_log(actor=actor, action=AuditAction.POLICY_ADVICE_INVITED, obj=locked, changes={
        "invitation": invitation.pk, "team": team or None, "invitee": invitee.username if invitee else None,
        "access_granted": granted, "note": note, "version": locked.current_version.number,
        "notify_user_ids": notify,
    })
    submission_done(claim, created=f"{invitation.addressee} was invited to advise on the draft",
                    named=f"the invitation to {invitation.addressee}",
                    landing=reverse("lifecycle:advice", args=[locked.reference]))
    return invitation


@transaction.atomic
def advice_withdraw(*, invitation: AdviceInvitation, actor, reason: str = "") -> AdviceInvitation:
    """Withdraw an open invitation: the team or colleague no longer sees the draft through it (a grant it gave is
    taken back); what they already said is kept."""
    require_actor(actor)
    reason = optional_text(reason, "The reason", field="reason", max_length=MAX_NOTE)
    locked = lock_policy(invitation.policy_id)
    invitation = AdviceInvitation.objects.select_for_update(of=("self",)).select_related("invitee").get(
        pk=invitation.pk)
    if invitation.policy_id != locked.pk:
        raise ApplicationError("That invitation is not of this policy.", code="not_found")
    if not invitation.is_open:
        raise ApplicationError(f"The invitation to {invitation.addressee} was already withdrawn.", code="stale")
    if not rules.has_perm("lifecycle.invite_advice", actor, locked) and invitation.invited_by_id != actor.pk:
        raise ApplicationError(f"Only the developers, manager and co-ordinator of {locked.reference} can withdraw "
                               "an invitation to advise.", code="forbidden")
    _close(invitation, locked, actor=actor, reason=reason)
    return invitation


def _close(invitation: AdviceInvitation, locked: Policy, *, actor, reason: str) -> None:
    """Withdraw the open ``invitation`` (locked) of ``locked``: a grant it gave taken back, its event written."""
    if invitation.granted_access:
        remove_perm("lifecycle.consult_policy", invitation.invitee, locked)
        permissions.forget_roles(invitation.invitee)
    invitation.withdrawn_at = timezone.now()
    invitation.withdrawn_by = actor
    invitation.withdrawal_reason = reason
    invitation.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    notify = _team_members(invitation.team) if invitation.team else [invitation.invitee_id]
    audit_log(actor=actor, action=AuditAction.POLICY_ADVICE_WITHDRAWN, obj=locked, changes={
        "invitation": invitation.pk, "team": invitation.team or None,
        "invitee": invitation.invitee.username if invitation.invitee else None,
        "access_revoked": invitation.granted_access, "reason": reason, "notify_user_ids": notify,
    })


def advice_close_for_cycle(*, locked: Policy, cycle: int, actor, reason: str) -> list[str]:
    """Inside a service that holds ``locked``'s row lock (a review draft withdrawn): every open invitation to advise on
    the drafts of ``cycle`` is withdrawn, as ``advice_withdraw`` withdraws one (its grant taken back, the invitee
    told), and kept. Returns whom they were addressed to, for that service's event."""
    invitations = list(AdviceInvitation.objects.select_for_update(of=("self",)).select_related("invitee")
                       .filter(policy=locked, cycle=cycle, withdrawn_at__isnull=True).order_by("pk"))
    for invitation in invitations:
        _close(invitation, locked, actor=actor, reason=reason)
    return [invitation.addressee for invitation in invitations]


def may_comment(user, invitation: AdviceInvitation, policy: Policy) -> bool:
    """The invited colleague, or a holder of the invited team's role, on an open invitation of the draft being
    worked on (this cycle, in scoping or development)."""
    if not invitation.is_open or invitation.cycle != policy.current_cycle or not policy.draft_is_editable:
        return False
    if invitation.team:
        return permissions.has_force_role(user, invitation.team)
    return invitation.invitee_id == getattr(user, "pk", None)


@transaction.atomic
def advice_comment(*, invitation: AdviceInvitation, actor, text: str,
                   submission: Submission | str | None = None) -> AdviceComment:
    """Advice given in answer to an invitation, on the draft version as it stands; written once. ``submission``: the
    one-time token of the form that sent it (core.submissions; None from no page)."""
    require_actor(actor)
    claim = submission_claim(submission=submission, actor=actor, purpose=ADVICE_COMMENT)
    text = require_text(text, "your advice", field="text", max_length=MAX_COMMENT)
    locked = lock_policy(invitation.policy_id)
    invitation = AdviceInvitation.objects.get(pk=invitation.pk)
    if not may_comment(actor, invitation, locked):
        raise ApplicationError(f"You cannot comment on the draft of {locked.reference} now: advice is given by those "
                               "invited, while the invitation is open and the policy is drafted.", code="forbidden")
    version = locked.current_version
    submission_check_repeat(claim, content={"invitation": invitation, "text": text})
    comment = AdviceComment.objects.create(invitation=invitation, policy_version=version, author=actor, text=text)
    audit_log(actor=actor, action=AuditAction.POLICY_ADVICE_GIVEN, obj=locked, changes={
        "invitation": invitation.pk, "comment": comment.pk, "version": version.number,
        "team": invitation.team or None, "length": len(text),
    })
    submission_done(claim, created=f"your advice on draft version {version.number} was recorded",
                    named=f"your advice on draft version {version.number}",
                    landing=reverse("lifecycle:advice", args=[locked.reference]))
    return comment
