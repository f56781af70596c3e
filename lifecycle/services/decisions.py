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
from core.models import Role
from lifecycle import permissions
from lifecycle.models import ApprovalDecision, CommissioningDecision, Policy, PolicyVersion
from lifecycle.services.base import (
    Binding,
    add_months,
    begin_step,
    finish_step,
    fire,
    optional_text,
    require_text,
    take_plain_step,
)
from lifecycle.services.details import version_approval_board
from lifecycle.services.drafting import freeze, new_draft
from lifecycle.workflow import (
    APPROVE,
    COMMISSION,
    COMPLETE_IMPLEMENTATION,
    CONFIRM_NO_CHANGE,
    DECLINE_COMMISSIONING,
    EMERGENCY_APPROVE,
    FORWARD_FOR_PUBLICATION,
    PUBLISH,
    REJECT,
    REQUEST_COMMISSIONING,
    SET_REVIEW_DATE,
    START_REVIEW,
    WITHDRAW,
    performs,
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


@performs(APPROVE)
@transaction.atomic
def policy_approve(
    *, policy: Policy, actor, comments: str = "", **read: Unpack[Binding],
) -> ApprovalDecision:
    """SOP stage 4: the Designated Lead approves publication of a QA-passed, impact-assessed version."""
    comments = optional_text(comments, "Comments", field="comments")
    locked = begin_step(APPROVE, policy=policy, actor=actor, **read)
    decision = ApprovalDecision.objects.create(
        policy_version=locked.current_version, decision=ApprovalDecision.Decision.APPROVED, decided_by=actor,
        reasons=comments, board=approval_board(locked),
    )
    finish_step(APPROVE, locked, actor, changes={"board": decision.board.name if decision.board else None,
                                                  "comments": comments,
                                                  "content_hash": locked.current_version.content_hash})
    return decision


@performs(REJECT)
@transaction.atomic
def policy_reject(
    *, policy: Policy, actor, reasons: str, **read: Unpack[Binding],
) -> PolicyVersion:
    reasons = require_text(reasons, "the reasons for rejecting", field="reasons")
    locked = begin_step(REJECT, policy=policy, actor=actor, **read)
    decided = locked.current_version
    ApprovalDecision.objects.create(
        policy_version=decided, decision=ApprovalDecision.Decision.REJECTED, decided_by=actor, reasons=reasons,
        board=approval_board(locked),
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


@performs(EMERGENCY_APPROVE)
@transaction.atomic
def policy_emergency_approve(
    *, policy: Policy, actor, risk_statement: str, pcu_agreed_by, eia_due_on: datetime.date | None = None,
    **read: Unpack[Binding],
) -> ApprovalDecision:
    """The emergency route: the Lead approves without an EIA "to meet immediate operational needs", as risk owner,
    in consultation with PCU; the EIA is completed "as soon as reasonably practicable" (workflow.EMERGENCY_APPROVE)."""
    risk_statement = require_text(risk_statement, "the risk statement (the operational need and the risks "
                                  "you accept as risk owner)", field="risk_statement")
    if pcu_agreed_by is None or not permissions.has_force_role(pcu_agreed_by, Role.PCU) or not pcu_agreed_by.is_active:
        raise ApplicationError("Name the member of the Policy Co-ordination Unit who agreed this emergency "
                               "approval.", field="pcu_agreed_by")
    if pcu_agreed_by.pk == actor.pk:
        raise ApplicationError("The PCU agreement must come from someone other than the approving Lead.",
                               field="pcu_agreed_by")
    due = _emergency_eia_due(eia_due_on)
    locked = begin_step(EMERGENCY_APPROVE, policy=policy, actor=actor, **read)
    package = PolicyVersion.objects.select_for_update().get(pk=locked.current_version.pk)
    # The statement, SOPs and Workbook are frozen; the EIA stays open until DCFD signs off the
    # retrospective assessment (assessments.services.eia_complete_retrospective).
    freeze(locked, package, actor, freeze_eia=False)
    decision = ApprovalDecision.objects.create(
        policy_version=package, decision=ApprovalDecision.Decision.EMERGENCY_APPROVED, decided_by=actor,
        risk_statement=risk_statement, pcu_agreed_by=pcu_agreed_by, eia_due_on=due, board=approval_board(locked),
    )
    locked.not_impact_assessed = True
    locked.emergency_eia_due_on = due
    finish_step(EMERGENCY_APPROVE, locked, actor, version=package,
                extra_fields=["not_impact_assessed", "emergency_eia_due_on"],
                changes={"risk_owner": actor.username, "pcu_agreed_by": pcu_agreed_by.username,
                         "risk_statement": risk_statement, "eia_due_on": due, "not_impact_assessed": True})
    return decision


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
    locked.review_due_on = add_months(published_on, settings.POLICYHUB_REVIEW_INTERVAL_MONTHS)
    if locked.monitoring_report_due_on is None:
        locked.monitoring_report_due_on = add_months(published_on, settings.POLICYHUB_MONITORING_INTERVAL_MONTHS)
    if locked.first_published_on is None:
        locked.first_published_on = published_on
    locked.last_published_on = published_on
    return fire(locked, PUBLISH, extra_fields=[
        "review_due_on", "monitoring_report_due_on", "first_published_on", "last_published_on",
    ])


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


@performs(WITHDRAW)
@transaction.atomic
def policy_withdraw(
    *, policy: Policy, actor, reason: str, **read: Unpack[Binding],
) -> Policy:
    reason = require_text(reason, "the reason for withdrawing the policy", field="reason")
    locked = begin_step(WITHDRAW, policy=policy, actor=actor, **read)
    finish_step(WITHDRAW, locked, actor, changes={"reason": reason})
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
            f"The review is already due on {locked.review_due_on:%d %B %Y}: a new date must be earlier "
            "(reviews are at least every 3 years).", field="review_due_on",
        )
    before = locked.review_due_on
    locked.review_due_on = review_due_on
    finish_step(SET_REVIEW_DATE, locked, actor, extra_fields=["review_due_on"],
                changes={"review_due_on": [before, review_due_on], "reason": reason})
    return locked


@performs(CONFIRM_NO_CHANGE)
@transaction.atomic
def policy_confirm_no_change(
    *, policy: Policy, actor, reason: str, **read: Unpack[Binding],
) -> Policy:
    """The review concludes that no change is needed. The Designated Lead confirms it; the policy is
    re-published as it stands with a new 3-year review date, and the decision is audited."""
    reason = require_text(reason, "why no change is needed (the evidence the review considered)", field="reason")
    locked = begin_step(CONFIRM_NO_CHANGE, policy=policy, actor=actor, **read)
    today = timezone.localdate()
    before_review = locked.review_due_on
    locked.review_due_on = add_months(today, settings.POLICYHUB_REVIEW_INTERVAL_MONTHS)
    locked.last_published_on = today
    finish_step(CONFIRM_NO_CHANGE, locked, actor, extra_fields=["review_due_on", "last_published_on"],
                changes={"reason": reason, "review_due_on": [before_review, locked.review_due_on]})
    return locked
