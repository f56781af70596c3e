"""Decisions and transitions: commissioning (stage 2), the Lead's decision and the emergency route (stage 4),
and stages 5 and 6 (implementation, review, withdrawal). Each step's rule is declared in lifecycle.workflow;
these functions hold only what is particular to each step."""

from __future__ import annotations

import datetime
from typing import Unpack

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from lifecycle.models import (
    ApprovalDecision,
    CommissioningDecision,
    EmergencyRequest,
    LocalAgreement,
    NoChangeReview,
    Policy,
    PolicyVersion,
    WithdrawalDecision,
)
from lifecycle.services.base import (
    Binding,
    add_months,
    begin_step,
    finish_step,
    fire,
    optional_text,
    require_name,
    require_text,
    take_plain_step,
)
from lifecycle.services.details import version_approval_board
from lifecycle.services.drafting import freeze, new_draft
from lifecycle.signals import policy_withdrawn
from lifecycle.states import Status
from lifecycle.steps import performs
from lifecycle.workflow import (
    AGREE_EMERGENCY_APPROVAL,
    AGREE_LOCAL_SUPPLEMENT,
    APPROVE,
    COMMISSION,
    COMPLETE_IMPLEMENTATION,
    CONCLUDE_NO_CHANGE,
    CONFIRM_EIA,
    DECIDE_WITHDRAWAL,
    DECLINE_COMMISSIONING,
    FORWARD_FOR_PUBLICATION,
    PUBLISH,
    REFUSE_EMERGENCY_APPROVAL,
    REJECT,
    REQUEST_COMMISSIONING,
    REQUEST_EMERGENCY_APPROVAL,
    SET_REVIEW_DATE,
    START_REVIEW,
    WITHDRAW,
)

# --- stages 1 and 2: scoping and commissioning -------------------------------------------------------


@performs(REQUEST_COMMISSIONING)
@transaction.atomic
def policy_request_commissioning(
    *, policy: Policy, actor, **read: Unpack[Binding],
) -> Policy:
    return take_plain_step(REQUEST_COMMISSIONING, policy=policy, actor=actor, **read)


@performs(COMMISSION)
@transaction.atomic
def policy_commission(
    *, policy: Policy, actor, comments: str = "", **read: Unpack[Binding],
) -> Policy:
    """SOP stage 2: the Designated Lead's formal agreement to progress the work."""
    comments = optional_text(comments, "Comments", field="comments")
    locked = begin_step(COMMISSION, policy=policy, actor=actor, **read)
    decision = CommissioningDecision.objects.create(
        policy=locked, cycle=locked.current_cycle, decision=CommissioningDecision.Decision.COMMISSIONED,
        decided_by=actor, comments=comments,
    )
    finish_step(COMMISSION, locked, actor, changes={"cycle": decision.cycle, "comments": comments})
    return locked


@performs(DECLINE_COMMISSIONING)
@transaction.atomic
def policy_decline_commissioning(
    *, policy: Policy, actor, reasons: str, **read: Unpack[Binding],
) -> Policy:
    reasons = require_text(reasons, "the reasons for declining", field="reasons")
    locked = begin_step(DECLINE_COMMISSIONING, policy=policy, actor=actor, **read)
    CommissioningDecision.objects.create(
        policy=locked, cycle=locked.current_cycle, decision=CommissioningDecision.Decision.DECLINED,
        decided_by=actor, comments=reasons,
    )
    finish_step(DECLINE_COMMISSIONING, locked, actor, changes={"reasons": reasons})
    return locked


# --- stage 4: the Lead's decision --------------------------------------------------------------------------


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
        raise ApplicationError(f"Enter the date of the {board} meeting that approved it.", code="invalid",
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
    finish_step(REFUSE_EMERGENCY_APPROVAL, locked, actor, changes={"reason": reason,
                                                                    "asked_by": request.requested_by.username})
    return request


@performs(FORWARD_FOR_PUBLICATION)
@transaction.atomic
def policy_forward_for_publication(
    *, policy: Policy, actor, **read: Unpack[Binding],
) -> Policy:
    return take_plain_step(FORWARD_FOR_PUBLICATION, policy=policy, actor=actor, **read)


# --- stages 5 and 6 ----------------------------------------------------------------------------------------


def policy_record_publication(*, locked: Policy, actor, version: PolicyVersion, published_on: datetime.date) -> str:
    """For publication.services, inside its transaction with the policy locked: move the policy to
    implementation and set the next 3-yearly review from this publication. The annual monitoring date is set by
    the first publication only: after that, reports fall due every 12 months from the previous due date whatever
    happens in between, re-publication after a review included, and a late report stays late (issue 13).
    Returns the status before; publication writes the audit event (it knows the channels)."""
    return fire(locked, PUBLISH, extra_fields=[*policy_set_publication_dates(locked=locked, published_on=published_on),
                                               *policy_put_title_in_force(locked=locked, version=version)])


PUBLICATION_DATE_FIELDS = ["review_due_on", "monitoring_report_due_on", "first_published_on", "last_published_on"]


def policy_set_publication_dates(*, locked: Policy, published_on: datetime.date) -> list[str]:
    """The dates a publication sets (not saved; returns the fields to save with the transition): the next review 3
    years on, the first monitoring report a year on (only at the first publication), the first and last publication.
    Shared by PCU's publication and a local work instruction's approval, which publishes it."""
    locked.review_due_on = add_months(published_on, settings.POLICYHUB_REVIEW_INTERVAL_MONTHS)
    if locked.monitoring_report_due_on is None:
        locked.monitoring_report_due_on = add_months(published_on, settings.POLICYHUB_MONITORING_INTERVAL_MONTHS)
    if locked.first_published_on is None:
        locked.first_published_on = published_on
    locked.last_published_on = published_on
    return list(PUBLICATION_DATE_FIELDS)


def policy_put_title_in_force(*, locked: Policy, version: PolicyVersion) -> list[str]:
    """A review's new title is in force from its publication: the one the published version was frozen with (issue
    12; until then ``Policy.title`` stays the title in force and the draft's is ``proposed_title``). Not saved;
    returns the fields to save with the transition."""
    frozen_title = (version.details or {}).get("title")
    if frozen_title:
        locked.title = frozen_title
    locked.proposed_title = ""
    return ["title", "proposed_title"]


@performs(COMPLETE_IMPLEMENTATION)
@transaction.atomic
def policy_complete_implementation(
    *, policy: Policy, actor, **read: Unpack[Binding],
) -> Policy:
    return take_plain_step(COMPLETE_IMPLEMENTATION, policy=policy, actor=actor, **read)


@performs(START_REVIEW)
@transaction.atomic
def policy_start_review(
    *, policy: Policy, actor, reason: str, **read: Unpack[Binding],
) -> PolicyVersion:
    """Stage 6 feeds stage 1: a review starts a new major version back in scoping. The published version
    stays published (and in force) until the reviewed one replaces it."""
    reason = require_text(reason, "the reason for the review", field="reason")
    locked = begin_step(START_REVIEW, policy=policy, actor=actor, **read)
    previous = locked.current_version
    draft = new_draft(policy=locked, actor=actor, previous=previous, new_cycle=True)
    finish_step(START_REVIEW, locked, actor, version=previous,
                changes={"reason": reason, "previous_version": previous.number, "new_draft": draft.number})
    return draft


@performs(DECIDE_WITHDRAWAL)
@transaction.atomic
def policy_decide_withdrawal(
    *, policy: Policy, actor, reason: str, replaced_by: str | Policy | None = None, **read: Unpack[Binding],
) -> WithdrawalDecision:
    """The Designated Lead or the Management Board owner decides to withdraw the policy (they "retain ultimate
    ownership"), saying why and naming the policy that replaces it, if any. PCU carries it out (``policy_withdraw``)."""
    reason = require_text(reason, "the reason for withdrawing the policy", field="reason")
    locked = begin_step(DECIDE_WITHDRAWAL, policy=policy, actor=actor, **read)
    replacement = _replacement(locked, replaced_by)
    decision = WithdrawalDecision.objects.create(policy=locked, reason=reason, replaced_by=replacement,
                                                 decided_by=actor)
    finish_step(DECIDE_WITHDRAWAL, locked, actor, changes={
        "reason": reason, "replaced_by": replacement.reference if replacement else None,
        "withdrawal_decision": decision.pk,
    })
    return decision


def _replacement(locked: Policy, replaced_by) -> Policy | None:
    if isinstance(replaced_by, Policy):
        replaced_by = replaced_by.reference
    reference = (replaced_by or "").strip().upper()
    if not reference:
        return None
    replacement = Policy.objects.filter(reference=reference).first()
    if replacement is None:
        raise ApplicationError(f"There is no policy {reference}: enter the reference of the policy that replaces "
                               "it, or leave it empty.", code="invalid", field="replaced_by")
    if replacement.pk == locked.pk:
        raise ApplicationError("A policy cannot replace itself.", code="invalid", field="replaced_by")
    if replacement.status == Status.WITHDRAWN:
        raise ApplicationError(f"{reference} is itself withdrawn, so it cannot replace this policy.",
                               code="invalid", field="replaced_by")
    return replacement


@performs(WITHDRAW)
@transaction.atomic
def policy_withdraw(
    *, policy: Policy, actor, comments: str = "", **read: Unpack[Binding],
) -> Policy:
    """PCU carries out the withdrawal the Lead or the owner decided: the policy leaves the intranet and the Publication
    Scheme (both show only policies in force) and stays in the archive; its scheduled publications are cancelled and
    its open reminders stop, in the same transaction (``signals.policy_withdrawn``)."""
    comments = optional_text(comments, "Comments", field="comments")
    locked = begin_step(WITHDRAW, policy=policy, actor=actor, **read)
    decision = WithdrawalDecision.objects.select_for_update(of=("self",)).select_related(
        "replaced_by", "decided_by").get(policy=locked, carried_out_at__isnull=True)
    finish_step(WITHDRAW, locked, actor, changes={
        "reason": decision.reason, "decided_by": decision.decided_by.username,
        "replaced_by": decision.replaced_by.reference if decision.replaced_by else None, "comments": comments,
    })
    # Closed after the transition, whose gate asks for the open decision.
    decision.carried_out_by, decision.carried_out_at = actor, timezone.now()
    decision.save(update_fields=["carried_out_by", "carried_out_at"])
    policy_withdrawn.send(sender=Policy, policy=locked, actor=actor)
    return locked


@performs(SET_REVIEW_DATE)
@transaction.atomic
def policy_set_review_date(
    *, policy: Policy, actor, review_due_on: datetime.date, reason: str, **read: Unpack[Binding],
) -> Policy:
    """A Lead or co-ordinator brings a review forward (SOP: "if no earlier review has been prompted by
    monitoring results, or external factors e.g. legislation, critical incidents")."""
    reason = require_text(reason, "the reason for the earlier review", field="reason")
    if not isinstance(review_due_on, datetime.date):
        raise ApplicationError("Enter the new review date.", field="review_due_on")
    locked = begin_step(SET_REVIEW_DATE, policy=policy, actor=actor, **read)
    if review_due_on < timezone.localdate():
        raise ApplicationError("The review date cannot be in the past.", field="review_due_on")
    if locked.review_due_on and review_due_on >= locked.review_due_on:
        raise ApplicationError(
            f"The review is already due on {locked.review_due_on:%-d %B %Y}: a new date must be earlier "
            "(reviews are at least every 3 years).", field="review_due_on",
        )
    before = locked.review_due_on
    locked.review_due_on = review_due_on
    finish_step(SET_REVIEW_DATE, locked, actor, extra_fields=["review_due_on"],
                changes={"review_due_on": [before, review_due_on], "reason": reason})
    return locked


@performs(CONCLUDE_NO_CHANGE)
@transaction.atomic
def policy_conclude_no_change(
    *, policy: Policy, actor, reason: str, **read: Unpack[Binding],
) -> NoChangeReview:
    """The review concludes that no change is needed: the Designated Lead says why. Open only from 6 months before
    the review is due, or after a documented bring-forward, and never while the policy is not impact assessed
    (workflow.CONCLUDE_NO_CHANGE's gates). DCFD then confirms the EIA and PCU re-publishes; the review date moves
    only with that publication."""
    reason = require_text(reason, "why no change is needed (the evidence the review considered)", field="reason")
    locked = begin_step(CONCLUDE_NO_CHANGE, policy=policy, actor=actor, **read)
    review = NoChangeReview.objects.create(policy=locked, policy_version=locked.current_version, reason=reason,
                                           concluded_by=actor)
    finish_step(CONCLUDE_NO_CHANGE, locked, actor, changes={"reason": reason, "review_due_on": locked.review_due_on,
                                                             "no_change_review": review.pk})
    return review


@performs(CONFIRM_EIA)
@transaction.atomic
def policy_confirm_eia(
    *, policy: Policy, actor, eia_outcome: str, eia_comments: str = "", **read: Unpack[Binding],
) -> NoChangeReview:
    """DCFD confirms that the Equality Impact Assessment of the version in force still stands, or says what must be
    updated (SOP: EIAs "on existing policies every 3 years"). Updated: the EIA is reopened for revision in a new minor
    version of the package, its statement, SOPs and Workbook frozen as they are in force (the version in force and its
    signed-off EIA are evidence, and stay as they were); DCFD signs the update off (``SIGN_OFF_UPDATED_EIA``) before PCU
    re-publishes, and what PCU then re-publishes is that version."""
    if eia_outcome not in NoChangeReview.EIAOutcome.values:
        raise ApplicationError("Choose whether the assessment stands or must be updated.", field="eia_outcome")
    eia_comments = optional_text(eia_comments, "Comments", field="eia_comments")
    if eia_outcome == NoChangeReview.EIAOutcome.UPDATED and not eia_comments:
        raise ApplicationError("Enter what must change in the assessment.", field="eia_comments")
    locked = begin_step(CONFIRM_EIA, policy=policy, actor=actor, **read)
    review = NoChangeReview.objects.select_for_update().get(policy=locked, republished_on__isnull=True)
    review.eia_outcome, review.eia_comments = eia_outcome, eia_comments
    review.eia_confirmed_by, review.eia_confirmed_at = actor, timezone.now()
    changes = {"eia_outcome": eia_outcome, "comments": eia_comments, "no_change_review": review.pk}
    if eia_outcome == NoChangeReview.EIAOutcome.UPDATED:
        in_force = locked.current_version
        reopened = new_draft(policy=locked, actor=actor, previous=in_force, new_cycle=False)
        freeze(locked, reopened, reopened.author, freeze_eia=False)
        review.updated_eia_version = reopened
        changes.update(reopened_in_version=reopened.number, version_in_force=in_force.number)
    review.save(update_fields=["eia_outcome", "eia_comments", "eia_confirmed_by", "eia_confirmed_at",
                               "updated_eia_version"])
    finish_step(CONFIRM_EIA, locked, actor, changes=changes, version=review.policy_version)
    return review


def policy_record_republication(*, locked: Policy, published_on: datetime.date) -> NoChangeReview:
    """For publication.services, inside its transaction with the policy locked, once the ceremony of
    ``REPUBLISH_NO_CHANGE`` has passed: close the no-change review and set the next review 3 years from this
    publication (the monitoring report's date is its own, and does not move)."""
    review = NoChangeReview.objects.select_for_update().get(policy=locked, republished_on__isnull=True)
    locked.review_due_on = add_months(published_on, settings.POLICYHUB_REVIEW_INTERVAL_MONTHS)
    locked.last_published_on = published_on
    review.republished_on = published_on
    return review


# --- local work instructions (issue 13): approved within the business group, without PCU ---------------------------


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
