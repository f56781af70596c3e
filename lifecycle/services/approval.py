"""Stage 4: the Lead's decision (approve, with its board and minute, or reject), the emergency route (requested,
agreed or refused, its EIA due later) and forwarding for publication. Each step's rule is declared in
lifecycle.workflow; these functions hold only what is particular to each step."""

from __future__ import annotations

import datetime
from typing import Unpack

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from lifecycle.emergency import forget_emergency_request
from lifecycle.models import (
    ApprovalDecision,
    EmergencyRequest,
    LocalAgreement,
    Policy,
    PolicyVersion,
)
from lifecycle.selectors import not_cleared_words, user_may_see_sensitive
from lifecycle.services.base import (
    Binding,
    begin_step,
    finish_step,
    optional_text,
    require_name,
    require_text,
    take_plain_step,
)
from lifecycle.services.details import version_approval_board
from lifecycle.services.drafting import freeze, new_draft
from lifecycle.states import ProtectiveMarking
from lifecycle.steps import performs
from lifecycle.workflow import (
    AGREE_EMERGENCY_APPROVAL,
    AGREE_LOCAL_SUPPLEMENT,
    APPROVE,
    FORWARD_FOR_PUBLICATION,
    REFUSE_EMERGENCY_APPROVAL,
    REJECT,
    REQUEST_EMERGENCY_APPROVAL,
)


def approval_board(policy: Policy):
    """The board that approves the version under decision: the route of the risk tier it was submitted with
    (issue 12: a change of risk tier while drafting changes the approval route)."""
    return version_approval_board(policy, policy.current_version)
def _board_meeting(locked: Policy, meeting_on, minute_reference: str | None, *, required: bool):
    """The approving board of the policy's risk tier, and the date and minute of its meeting (issue 13, tiered
    approval). Asked after the ceremony, so that who may decide is said first."""
    board = approval_board(locked)
    minute_reference = (minute_reference or "").strip()
    if not required and meeting_on is None and not minute_reference:
        return board, None, ""
    if board is None:
        raise ApplicationError(
            f"No approving board is set for {locked.get_risk_tier_display().lower()} risk policies of "
            f"{locked.business_group}: the PCU administrator must set the approval route (reference data) first.",
            code="gate")
    if not isinstance(meeting_on, datetime.date):
        raise ApplicationError(f"Enter the date of the {board} meeting that took the decision.", code="invalid",
                               field="meeting_on")
    if meeting_on > timezone.localdate():
        raise ApplicationError(f"The {board} meeting cannot be in the future: record the decision once it is "
                               "taken.", code="invalid", field="meeting_on")
    submitted = locked.current_version.submitted_at
    if submitted is not None and meeting_on < timezone.localtime(submitted).date():
        raise ApplicationError(f"The {board} meeting cannot be before version {locked.current_version.number} was "
                               f"submitted ({timezone.localtime(submitted):%-d %B %Y}).", code="invalid",
                               field="meeting_on")
    minute_reference = require_name(minute_reference, f"the minute reference of the {board} meeting",
                                    field="minute_reference", max_length=60)
    return board, meeting_on, minute_reference


@performs(APPROVE)
@transaction.atomic
def policy_approve(
    *, policy: Policy, actor, comments: str = "", meeting_on: datetime.date | None = None, minute_reference: str = "",
    **read: Unpack[Binding],
) -> ApprovalDecision:
    """SOP stage 4: the Designated Lead approves publication of a QA-passed, impact-assessed version, at the meeting
    of the board its risk tier goes to (high: the Commissioner's Policy Forum; medium and low: the business group's
    Chief Officer Group), recorded with the meeting's date and minute reference."""
    comments = optional_text(comments, "Comments", field="comments")
    locked = begin_step(APPROVE, policy=policy, actor=actor, **read)
    board, meeting_on, minute_reference = _board_meeting(locked, meeting_on, minute_reference, required=True)
    decision = ApprovalDecision.objects.create(
        policy_version=locked.current_version, decision=ApprovalDecision.Decision.APPROVED, decided_by=actor,
        reasons=comments, board=board, meeting_on=meeting_on, minute_reference=minute_reference,
    )
    finish_step(APPROVE, locked, actor, changes={"board": board.name, "meeting_on": meeting_on,
                                                  "minute_reference": minute_reference, "comments": comments,
                                                  "content_hash": locked.current_version.content_hash})
    return decision


@performs(REJECT)
@transaction.atomic
def policy_reject(
    *, policy: Policy, actor, reasons: str, meeting_on: datetime.date | None = None, minute_reference: str = "",
    **read: Unpack[Binding],
) -> PolicyVersion:
    """The Lead rejects; a rejection taken at a board meeting may record it (not required)."""
    reasons = require_text(reasons, "the reasons for rejecting", field="reasons")
    locked = begin_step(REJECT, policy=policy, actor=actor, **read)
    board, meeting_on, minute_reference = _board_meeting(locked, meeting_on, minute_reference, required=False)
    decided = locked.current_version
    ApprovalDecision.objects.create(
        policy_version=decided, decision=ApprovalDecision.Decision.REJECTED, decided_by=actor, reasons=reasons,
        board=board, meeting_on=meeting_on, minute_reference=minute_reference,
    )
    draft = new_draft(policy=locked, actor=actor, previous=decided, new_cycle=False)
    finish_step(REJECT, locked, actor, version=decided, changes={"reasons": reasons, "new_draft": draft.number})
    return draft


def _emergency_eia_due(eia_due_on: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    due = eia_due_on or today + datetime.timedelta(days=settings.POLICYHUB_EMERGENCY_EIA_DAYS)
    if due <= today:
        raise ApplicationError("The date the EIA is due must be in the future.", field="eia_due_on")
    if due > today + datetime.timedelta(days=180):
        raise ApplicationError("The EIA must be completed as soon as reasonably practicable: set a date within "
                               "6 months.", field="eia_due_on")
    return due


@performs(REQUEST_EMERGENCY_APPROVAL)
@transaction.atomic
def policy_request_emergency_approval(
    *, policy: Policy, actor, risk_statement: str, eia_due_on: datetime.date | None = None, **read: Unpack[Binding],
) -> EmergencyRequest:
    """The emergency route, asked for: the Lead, as risk owner, asks to approve without an EIA "to meet immediate
    operational needs"; a member of PCU must agree in the app (``policy_agree_emergency_approval``)."""
    risk_statement = require_text(risk_statement, "the risk statement (the operational need and the risks "
                                  "you accept as risk owner)", field="risk_statement")
    due = _emergency_eia_due(eia_due_on)
    locked = begin_step(REQUEST_EMERGENCY_APPROVAL, policy=policy, actor=actor, **read)
    version = locked.current_version
    request = EmergencyRequest.objects.create(
        policy=locked, policy_version=version, content_hash=version.binding_hash, risk_statement=risk_statement,
        eia_due_on=due, requested_by=actor,
    )
    forget_emergency_request(locked)
    finish_step(REQUEST_EMERGENCY_APPROVAL, locked, actor, changes={
        "risk_statement": risk_statement, "eia_due_on": due, "content_hash": request.content_hash,
        "emergency_request": request.pk,
    })
    return request


def _open_request(locked: Policy, actor) -> EmergencyRequest:
    request = EmergencyRequest.objects.select_for_update(of=("self",)).select_related("requested_by").get(
        policy_version=locked.current_version, answered_at__isnull=True)
    if request.requested_by_id == actor.pk:
        raise ApplicationError("The PCU agreement must come from someone other than the Lead who asked for it.",
                               code="forbidden")
    return request


@performs(AGREE_EMERGENCY_APPROVAL)
@transaction.atomic
def policy_agree_emergency_approval(
    *, policy: Policy, actor, reason: str = "", **read: Unpack[Binding],
) -> ApprovalDecision:
    """A member of PCU agrees to the Lead's request, in their own name: the policy is approved by the emergency route,
    with the Lead as risk owner. The statement and SOPs are frozen; the EIA and the Workbook stay open for what the
    route skipped (``emergency_outstanding``), and the policy is "not impact assessed" until all of it is signed
    off."""
    reason = optional_text(reason, "Comments", field="reason")
    locked = begin_step(AGREE_EMERGENCY_APPROVAL, policy=policy, actor=actor, **read)
    request = _open_request(locked, actor)
    package = PolicyVersion.objects.select_for_update().get(pk=locked.current_version.pk)
    if package.binding_hash != request.content_hash:
        raise ApplicationError(
            f"The draft of {locked.reference} has changed since the Lead asked for emergency approval: PCU agrees to "
            "what the Lead asked for. Refuse it, and the Lead may ask again.", code="stale")
    # Frozen as the Lead's submission of what they asked to approve (the PCU member agrees; they did not submit it).
    freeze(locked, package, request.requested_by, freeze_eia=False, freeze_workbook=False)
    decision = ApprovalDecision.objects.create(
        policy_version=package, decision=ApprovalDecision.Decision.EMERGENCY_APPROVED, decided_by=request.requested_by,
        risk_statement=request.risk_statement, pcu_agreed_by=actor, eia_due_on=request.eia_due_on,
        board=approval_board(locked), reasons=reason,
    )
    locked.not_impact_assessed = True
    locked.emergency_eia_due_on = request.eia_due_on
    finish_step(AGREE_EMERGENCY_APPROVAL, locked, actor, version=package,
                extra_fields=["not_impact_assessed", "emergency_eia_due_on"],
                changes={"risk_owner": request.requested_by.username, "pcu_agreed_by": actor.username,
                         "risk_statement": request.risk_statement, "eia_due_on": request.eia_due_on,
                         "not_impact_assessed": True, "comments": reason})
    # Answered after the transition, whose gate asks for the open request.
    request.agreed, request.answered_by, request.answered_at = True, actor, timezone.now()
    request.save(update_fields=["agreed", "answered_by", "answered_at"])
    forget_emergency_request(locked)
    return decision


@performs(REFUSE_EMERGENCY_APPROVAL)
@transaction.atomic
def policy_refuse_emergency_approval(
    *, policy: Policy, actor, reason: str, **read: Unpack[Binding],
) -> EmergencyRequest:
    """A member of PCU refuses the Lead's request, saying why: the policy stays in development, to go through the
    full process."""
    reason = require_text(reason, "the reason for refusing", field="reason")
    locked = begin_step(REFUSE_EMERGENCY_APPROVAL, policy=policy, actor=actor, **read)
    request = _open_request(locked, actor)
    request.agreed, request.answered_by, request.answered_at = False, actor, timezone.now()
    request.refusal_reason = reason
    request.save(update_fields=["agreed", "answered_by", "answered_at", "refusal_reason"])
    forget_emergency_request(locked)
    finish_step(REFUSE_EMERGENCY_APPROVAL, locked, actor, changes={"reason": reason,
                                                                    "asked_by": request.requested_by.username})
    return request


@performs(FORWARD_FOR_PUBLICATION)
@transaction.atomic
def policy_forward_for_publication(
    *, policy: Policy, actor, **read: Unpack[Binding],
) -> Policy:
    return take_plain_step(FORWARD_FOR_PUBLICATION, policy=policy, actor=actor, **read)


# --- local work instructions (issue 13): approved within the business group, without PCU ---------------------------


def _check_corporate_lead_reads(locked: Policy, actor) -> None:
    """The corporate Lead agrees to the draft as they read it: one not cleared for an OFFICIAL-SENSITIVE instruction's
    business group (named when they were, their role there taken away since) cannot read it, and is refused, saying
    why, never recorded as agreeing to what they cannot open (security probe F2). Their page of it answers 404, as
    any policy out of their sight; PCU and the corporate policy's co-ordinator were told when their clearance went
    (lifecycle.services.lead_clearance)."""
    if locked.protective_marking == ProtectiveMarking.OFFICIAL or user_may_see_sensitive(user=actor, policy=locked):
        return
    group = locked.business_group
    raise ApplicationError(
        f"You are {not_cleared_words(group)}, so cannot read {locked.reference} to give the \"prior agreement with "
        f"the corporate lead\" it needs. The Policy Co-ordination Unit can name as Designated Lead of "
        f"{locked.supports.reference} someone cleared for it, or an administrator can give you a role in {group}. "
        "Nothing was recorded.", code="not_cleared")


@performs(AGREE_LOCAL_SUPPLEMENT)
@transaction.atomic
def policy_agree_local_supplement(
    *, policy: Policy, actor, comments: str = "", **read: Unpack[Binding],
) -> LocalAgreement:
    """The Designated Lead of the corporate policy a local work instruction supplements agrees to it, in their own
    name, before its business group's Lead approves it (SOP: not "to supplement ... Corporate Policy, unless there is
    prior agreement with the corporate lead"). Bound to the draft as they read it: a later change asks again."""
    comments = optional_text(comments, "Comments", field="comments")
    locked = begin_step(AGREE_LOCAL_SUPPLEMENT, policy=policy, actor=actor, **read)
    _check_corporate_lead_reads(locked, actor)
    version = locked.current_version
    agreement = LocalAgreement.objects.create(
        policy=locked, policy_version=version, content_hash=version.binding_hash,
        supported_policy_id=locked.supports_id, agreed_by=actor, comments=comments,
    )
    finish_step(AGREE_LOCAL_SUPPLEMENT, locked, actor, changes={
        "supported_policy": locked.supports.reference, "comments": comments, "content_hash": agreement.content_hash,
        "local_agreement": agreement.pk,
    })
    return agreement
