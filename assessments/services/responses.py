"""Acting on monitoring results (issue 13): the Lead's response and its remedial actions, and the reading of
reports for a review."""

from __future__ import annotations

import datetime
from typing import Unpack

from django.db import transaction
from django.utils import timezone

from assessments.models import (
    MonitoringReport,
    MonitoringReportReading,
    MonitoringResponse,
)
from assessments.services.monitoring import check_report_read, lock_report
from assessments.signals import remedial_action_completed
from core.audit import audit_log
from core.dates import date_shown, moment_shown
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import RoleAssignment
from core.submissions import already_done_said
from lifecycle import gates, permissions
from lifecycle.models import Policy
from lifecycle.monitoring_reports import QUALITY_ASSURED_REPORT_STATUSES
from lifecycle.report_duties import check_report_separation
from lifecycle.services import lock_policy, policy_set_review_date, require_actor
from lifecycle.services.base import Binding, begin_step, finish_step, require_text
from lifecycle.states import DRAFT_EDITABLE_STATUSES, PUBLISHED_STATUSES, Duty
from lifecycle.steps import performs
from lifecycle.workflow import RESPOND_TO_MONITORING

# SOP: remedial action is directed by the Lead; a year is the monitoring cycle, so an action runs within it.
REMEDIAL_ACTION_MAX_DAYS = 366


def _report_of(locked: Policy, report) -> MonitoringReport:
    report_id = str(getattr(report, "pk", report) or "")
    found = None
    if report_id.isdigit() and len(report_id) <= 18:
        found = MonitoringReport.objects.select_for_update().filter(pk=int(report_id), policy=locked).first()
    if found is None:
        raise ApplicationError(f"That monitoring report is not one of {locked.reference}'s. Nothing was changed.",
                               code="stale")
    found.policy = locked
    return found


def _refuse_answered(policy: Policy, report, actor) -> None:
    """Refuse a response to ``report`` (a report or its id) once the Lead has recorded one: who did, when, and what
    (``already_done``: a repeat is said as done, not as a problem)."""
    report_id = str(getattr(report, "pk", report) or "")
    if not (report_id.isdigit() and len(report_id) <= 18):
        return
    answered = (MonitoringResponse.objects.filter(report_id=int(report_id), policy_id=policy.pk)
                .select_related("decided_by", "report").first())
    if answered is not None:
        what = (f"{policy.reference}: Response to the monitoring report to {date_shown(answered.report.period_end)} "
                f"recorded ({answered.get_outcome_display().lower()})")
        raise ApplicationError(already_done_said(what, by=answered.decided_by, actor=actor, at=answered.decided_at),
                               code="already_done")


def _check_remedial(locked: Policy, remedial_action: str, remedial_owner, remedial_due_on) -> str:
    action = require_text(remedial_action, "the remedial action", field="remedial_action")
    if remedial_owner is None or not getattr(remedial_owner, "is_active", False) or not RoleAssignment.objects.filter(
            user_id=remedial_owner.pk, business_group_id=locked.business_group_id).exists():
        raise ApplicationError(f"Choose who will carry out the remedial action: an active member of "
                               f"{locked.business_group}.", field="remedial_owner")
    if not isinstance(remedial_due_on, datetime.date):
        raise ApplicationError("Enter the date the remedial action must be done by.", field="remedial_due_on")
    today = timezone.localdate()
    if remedial_due_on <= today:
        raise ApplicationError("The remedial action must be due after today.", field="remedial_due_on")
    if remedial_due_on > today + datetime.timedelta(days=REMEDIAL_ACTION_MAX_DAYS):
        raise ApplicationError("Set a date within a year: the next monitoring report follows by then.",
                               field="remedial_due_on")
    return action


@performs(RESPOND_TO_MONITORING)
@transaction.atomic
def monitoring_report_respond(
    *, policy: Policy, actor, report, outcome: str, reasons: str, remedial_action: str = "", remedial_owner=None,
    remedial_due_on: datetime.date | None = None, review_due_on: datetime.date | None = None,
    report_hash: str | None = None, **read: Unpack[Binding],
) -> MonitoringResponse:
    """The Designated Lead responds to a quality-assured monitoring report (workflow.RESPOND_TO_MONITORING): no
    action; a remedial action (what, who, by when), chased until done; or the review brought forward, by
    lifecycle's own step (``policy_set_review_date``), which writes its own event. Bound to the report the page
    showed (rule 17): ``report_hash`` is its content hash as read (None: no page showed it, a command)."""
    reasons = require_text(reasons, "your reasons", field="reasons")
    if outcome not in MonitoringResponse.Outcome.values:
        raise ApplicationError("Choose your response.", field="outcome")
    try:
        locked = begin_step(RESPOND_TO_MONITORING, policy=policy, actor=actor, **read)
    except ApplicationError as refusal:
        # Nothing awaiting a response, because this report was answered (a tab left open, a second click): said as
        # done, by whom and when, not as "Cannot respond ... yet" (QA walk of 2026-12-06).
        if refusal.code == "gate":
            _refuse_answered(policy, report, actor)
        raise
    target = _report_of(locked, report)
    if target.status not in QUALITY_ASSURED_REPORT_STATUSES:
        raise ApplicationError("That monitoring report has not been quality-assured by the co-ordinator yet.",
                               code="stale")
    _refuse_answered(locked, target, actor)
    # SOP: the Lead will "Review monitoring and compliance results": results someone else wrote and quality-assured
    # (lifecycle.report_duties).
    check_report_separation(actor, target, Duty.APPROVER)
    check_report_read(target, report_read=None if report_hash is None else target.pk, report_hash=report_hash)
    response = MonitoringResponse(report=target, policy=locked, outcome=outcome, reasons=reasons, decided_by=actor,
                                  decided_at=timezone.now())
    changes: dict = {"report": target.pk, "period": [target.period_start, target.period_end], "outcome": outcome,
                     "reasons": reasons, "content_hash": target.content_hash}
    if outcome == MonitoringResponse.Outcome.REMEDIAL:
        response.remedial_action = _check_remedial(locked, remedial_action, remedial_owner, remedial_due_on)
        response.remedial_owner, response.remedial_due_on = remedial_owner, remedial_due_on
        changes.update(remedial_action=response.remedial_action, remedial_owner=remedial_owner.username,
                       remedial_due_on=remedial_due_on, notify_user_ids=[remedial_owner.pk])
    elif outcome == MonitoringResponse.Outcome.BRING_FORWARD:
        if locked.status not in PUBLISHED_STATUSES:
            raise ApplicationError(
                f"A review of {locked.reference} is already under way (it is '{locked.get_status_display()}'): its "
                "publication sets the next review date, so there is nothing to bring forward. Record no action or a "
                "remedial action, and the review reads this report at its scoping.", field="outcome")
        if not gates.review_date_ahead(locked):
            # The step itself refuses it as a page moved on; here it is this answer that cannot be, said on the form.
            raise ApplicationError(
                f"The review of {locked.reference} is already due: it was due on {locked.review_due_on:%-d %B %Y}, so "
                "there is no earlier date to bring it forward to. Record no action or a remedial action, and start the "
                "review: it reads this report at its scoping.", field="outcome")
        if not isinstance(review_due_on, datetime.date):
            raise ApplicationError("Enter the new review date.", field="review_due_on")
        review_before = locked.review_due_on
        brought = policy_set_review_date(
            policy=locked, actor=actor, review_due_on=review_due_on,
            reason=f"Monitoring report {target.period_start:%-d %B %Y} to {target.period_end:%-d %B %Y}: {reasons}",
            # The page's token was claimed by this step (lifecycle.services.base.begin_step): not again by that one.
            report_id=target.pk, **{**read, "submission": None})
        response.review_due_on = brought.review_due_on
        changes["review_due_on"] = [review_before, brought.review_due_on]  # [before, after], as every change
    response.save()
    finish_step(RESPOND_TO_MONITORING, locked, actor, changes=changes)
    return response


def remedial_already_done(response: MonitoringResponse) -> str:
    """What a second "Record as done" is told (a second click, the Lead and the person named both recording it): who
    recorded it and when, as a second publication is told (``monitoring_report_publish``)."""
    by = f" by {response.remedial_completed_by}" if response.remedial_completed_by_id else ""
    return (f"The remedial action was already recorded as done{by} {moment_shown(response.remedial_completed_at)}. "
            "Nothing more was done.")


@transaction.atomic
def monitoring_remedial_action_complete(*, response: MonitoringResponse, actor, outcome: str) -> MonitoringResponse:
    """Whoever the Lead named (or the Lead) records the remedial action as done, with what was done; the chase
    stops (lifecycle.due.REMEDIAL)."""
    require_actor(actor)
    outcome = require_text(outcome, "what was done", field="outcome")
    policy = lock_policy(response.policy_id)
    locked = MonitoringResponse.objects.select_for_update().filter(pk=response.pk).first()
    if locked is None or locked.outcome != MonitoringResponse.Outcome.REMEDIAL:
        raise ApplicationError("That response directed no remedial action.", code="stale")
    if actor.pk != locked.remedial_owner_id and not permissions.is_policy_lead(actor, policy):
        raise ApplicationError("Only the person named for the remedial action, or the Designated Lead, can record "
                               "it as done.", code="forbidden")
    if locked.remedial_completed_at is not None:
        raise ApplicationError(remedial_already_done(locked), code="already_done")
    locked.remedial_completed_at, locked.remedial_completed_by, locked.remedial_outcome = timezone.now(), actor, outcome
    locked.save(update_fields=["remedial_completed_at", "remedial_completed_by", "remedial_outcome"])
    today = timezone.localdate()
    audit_log(actor=actor, action=AuditAction.MONITORING_REMEDIAL_ACTION_COMPLETED, obj=locked, policy_id=policy.pk,
              changes={"report": locked.report_id, "outcome": outcome, "due_on": locked.remedial_due_on,
                       "late_by_days": max(0, (today - locked.remedial_due_on).days)})
    remedial_action_completed.send(sender=MonitoringResponse, policy=policy, response=locked)
    return locked


def may_read_for_review(*, user, policy: Policy, report: MonitoringReport) -> bool:
    """Whether ``user`` may record, now, what the review changes in response to ``report``: the one rule the page
    asks to offer the form, and the service enforces under lock."""
    version = policy.current_version
    return bool(version is not None and version.revises_published and policy.status in DRAFT_EDITABLE_STATUSES
                and report.status in QUALITY_ASSURED_REPORT_STATUSES and permissions.can_draft(user, policy))


@transaction.atomic
def monitoring_report_read_for_review(*, report: MonitoringReport, actor, changes_in_response: str
                                      ) -> MonitoringReportReading:
    """The review's developer records having read a monitoring report since the last review, and what the review
    changes in response (a gate of the review's scoping: lifecycle.gates.monitoring_reports_read)."""
    require_actor(actor)
    text = require_text(changes_in_response, "what the review changes in response to this report (or why nothing)",
                        field="changes_in_response")
    policy, locked = lock_report(report)
    if not permissions.can_draft(actor, policy):
        raise ApplicationError(f"Only those who draft {policy.reference} record what its review changes.",
                               code="forbidden")
    if not may_read_for_review(user=actor, policy=policy, report=locked):
        raise ApplicationError(f"{policy.reference} has no review in scoping or development to read this "
                               "quality-assured report for.", code="stale")
    cycle = policy.current_cycle
    earlier = locked.readings.filter(cycle__lt=cycle).order_by("cycle").first()
    if earlier is not None:
        raise ApplicationError(f"This report was read by the review of version {earlier.cycle}.0; only the reports "
                               "since the last review are read.", code="stale")
    if locked.readings.filter(cycle=cycle).exists():
        raise ApplicationError("This review has already recorded what it changes in response to this report.",
                               code="stale")
    reading = MonitoringReportReading.objects.create(report=locked, policy=policy, cycle=cycle, read_by=actor,
                                                     read_at=timezone.now(), changes_in_response=text)
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_READ_FOR_REVIEW, obj=locked, policy_id=policy.pk,
              changes={"cycle": cycle, "changes_in_response": text})
    return reading
