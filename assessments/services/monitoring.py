"""The annual monitoring report's own small cycle: written, submitted, quality-assured or returned, published."""

from __future__ import annotations

import datetime
from typing import TypedDict, Unpack

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    MonitoringReport,
)
from assessments.selectors import report_kept_off_scheme
from assessments.services import monitoring_periods
from assessments.services.documents import clean_sections
from assessments.signals import monitoring_due_answered, monitoring_report_assured
from core.audit import audit_log
from core.dates import date_shown, moment_shown
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.stale_saves import refuse_stale_save, saved_by_whom
from core.submissions import (
    MONITORING_REPORT_CREATE,
    Submission,
    submission_check_repeat,
    submission_claim,
    submission_done,
)
from core.validators import refuse_direction_controls
from lifecycle import permissions
from lifecycle.models import Policy
from lifecycle.report_duties import check_report_separation
from lifecycle.services import lock_policy, require_actor
from lifecycle.states import PUBLISHED_STATUSES, Duty, Status, highest_marking
from lifecycle.steps import halt_refusal

REPORT_FIELDS = list(MonitoringReport.SECTIONS)

# The annual report's own small cycle stops with the policy's (lifecycle.steps.HALTS: a withdrawal the Designated Lead
# or the owner decided, who "Retain ultimate ownership of and responsibility for policy, monitoring and compliance",
# SOP): found after the cycle's steps were halted, a developer could still start and submit a report, the co-ordinator
# quality-assure it and PCU publish it on the Publication Scheme for a policy being withdrawn. The report is no step of
# the cycle (lifecycle.workflow_monitoring.MONITORING_REPORT), so each of its parts that moves it on towards
# publication asks the same rule under the policy's row lock, refusing in the steps' own words; the pages ask it for
# their buttons. Saving a draft's text (and correcting its period, discarding it) stays open: it moves nothing on and
# publishes nothing, and its authors keep what they wrote.
START_LABEL = "start a monitoring report of"
# The part a report waits for, by its status, as its refusal names it: "Cannot quality-assure the monitoring report of".
NEXT_PART_LABEL = {MonitoringReport.Status.DRAFT: "submit the monitoring report of",
                   MonitoringReport.Status.SUBMITTED: "quality-assure the monitoring report of",
                   MonitoringReport.Status.QA_PASSED: "publish the monitoring report of"}
HALTED = "halted"  # the refusals' code


def report_halted(policy: Policy, report: MonitoringReport | None = None) -> str | None:
    """Why the report's next part (none: starting a report) cannot be taken, or None: the policy's cycle is halted
    (a withdrawal decided), or the policy is withdrawn. A page's policy asks it at no query where no withdrawal is
    decided (lifecycle.gates.page_read_withdrawal) and none once it is withdrawn (its status says so)."""
    label = START_LABEL if report is None else NEXT_PART_LABEL.get(report.status)
    if label is None:
        return None
    # Once PCU carried the withdrawal out the decision is closed and the halt no longer applies, but the policy is no
    # longer in force: SOP, stage 6, monitoring "should be carried out continuously throughout the lifetime of a
    # policy", and its lifetime is over. A report under way then stops where it stood, kept on record (a draft may
    # still be saved or discarded: that moves nothing on), and none is started; those published before stay on record
    # (the library's archive, the Monitoring tab), gone from the Publication Scheme with their policy's page
    # (WITHDRAW: "off the intranet and the Publication Scheme; it stays in the archive"). Never published: no report
    # at all, which monitoring_report_create says in its own words.
    if policy.status == Status.WITHDRAWN:
        withdrawn = policy.status_changed_at
        when = f" on {date_shown(timezone.localdate(withdrawn))}" if withdrawn is not None else ""
        return (f"Cannot {label} {policy.reference}: the policy was withdrawn{when}, and a withdrawn policy has "
                "nothing left to monitor.")
    return halt_refusal(policy, label)


def _refuse_if_halted(locked_policy: Policy, report: MonitoringReport | None = None) -> None:
    refusal = report_halted(locked_policy, report)
    if refusal is not None:
        raise ApplicationError(refusal, code=HALTED)


@transaction.atomic
def monitoring_report_create(
    *, policy: Policy, actor, period_start: datetime.date, period_end: datetime.date,
    submission: Submission | str | None = None, **sections,
) -> MonitoringReport:
    """Start the policy's monitoring report of a period. ``submission``: the one-time token of the form that sent it
    (core.submissions; None from no page): the same form sent again starts no second one, and is shown the first."""
    require_actor(actor)
    claim = submission_claim(submission=submission, actor=actor, purpose=MONITORING_REPORT_CREATE)
    if not isinstance(period_start, datetime.date) or not isinstance(period_end, datetime.date):
        raise ApplicationError("Enter the start and end of the monitoring period.", field="period_start")
    values = clean_sections(sections, REPORT_FIELDS)
    locked = lock_policy(policy)
    if not permissions.can_draft(actor, locked):
        raise ApplicationError(f"You are not allowed to write monitoring reports for {locked.reference}.",
                               code="forbidden")
    # Only a policy in force is monitored: a withdrawn one has nothing left to monitor (``report_halted`` says when it
    # was withdrawn), one never published nothing yet.
    _refuse_if_halted(locked)
    if not locked.is_in_force:
        raise ApplicationError("A monitoring report can be written only for a published policy.", code="gate")
    if monitoring_periods.live_reports(locked).exclude(status=MonitoringReport.Status.PUBLISHED).exists():
        raise ApplicationError("This policy already has a monitoring report in progress.", code="stale")
    # Under the policy's row lock: two tabs starting reports of one policy are taken one after the other, and the
    # second finds the first's period taken (on PostgreSQL an exclusion constraint refuses overlapping periods too).
    monitoring_periods.check_period(locked, period_start, period_end)
    submission_check_repeat(claim, content={"policy": locked, "period_start": period_start,
                                            "period_end": period_end, **values})
    report = MonitoringReport.objects.create(
        policy=locked, period_start=period_start, period_end=period_end, author=actor, **values,
        protective_marking=locked.protective_marking,
    )
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_CREATED, obj=report, policy_id=locked.pk,
              changes={"period_start": period_start, "period_end": period_end,
                       "protective_marking": report.protective_marking})
    submission_done(claim, created=f"the monitoring report of {period_start:%-d %B %Y} to {period_end:%-d %B %Y} "
                    "was started", named=f"the monitoring report of {period_start:%-d %B %Y} to {period_end:%-d %B %Y}",
                    landing=reverse("assessments:monitoring", args=[locked.reference]))
    return report


def _mark_as_policy_now(report: MonitoringReport, policy: Policy) -> str:
    """The report's marking raised to its policy's marking in force, if that is higher (not saved): written under
    one marking, a report submitted or published while the policy is OFFICIAL-SENSITIVE is so. Never lowered: a
    review's downgrade does not unmark what was written or published before it, as it does not unmark the version
    published OFFICIAL-SENSITIVE (lifecycle.services.details)."""
    report.protective_marking = highest_marking(report.protective_marking, policy.protective_marking)
    return report.protective_marking


def lock_report(report: MonitoringReport) -> tuple[Policy, MonitoringReport]:
    locked_policy = lock_policy(report.policy_id)
    locked = MonitoringReport.objects.select_for_update().filter(pk=report.pk).first()
    if locked is None:
        raise ApplicationError("That monitoring report no longer exists.", code="not_found")
    locked.policy = locked_policy  # read under the lock: the marking its content hash covers is the policy's now
    return locked_policy, locked


def draft_closed(report: MonitoringReport) -> str:
    """Why a report's draft can no longer be edited, in plain words: what its editor, posted after the report was
    discarded or submitted (in another tab, by a colleague or PCU), is told."""
    if report.status == MonitoringReport.Status.DISCARDED:
        return "This monitoring report was discarded, so it can no longer be edited."
    return "This monitoring report has been submitted to the co-ordinator, so it can no longer be edited."


def lock_draft(report: MonitoringReport, actor, *, frozen: str | None = None) -> tuple[Policy, MonitoringReport]:
    """``lock_report`` for a change to a draft report (its sections, its period): refused to anyone who may not
    draft the policy, and, in ``frozen``'s words (else ``draft_closed``'s), once the report is no longer a draft."""
    policy, locked = lock_report(report)
    if not permissions.can_draft(actor, policy):
        raise ApplicationError("You are not allowed to edit this monitoring report.", code="forbidden")
    if locked.status != MonitoringReport.Status.DRAFT:
        raise ApplicationError(frozen or draft_closed(locked), code="frozen")
    return policy, locked


class ReportBinding(TypedDict, total=False):
    """What a monitoring report's page showed, posted back with a decision on it (rule 17, as ``Binding`` is for a
    version): the report read and its content hash (``MonitoringReport.content_hash``)."""

    report_read: int | str | None
    report_hash: str | None


def check_report_read(locked: MonitoringReport, *, report_read=None, report_hash: str | None = None) -> None:
    """Rule 17: a decision binds to what was read, like HTTP If-Match. The page posts the id and content hash of the
    report it showed; another report, or one changed since (returned, rewritten and resubmitted; re-marked), is
    refused and nothing is changed. Both None: a caller that showed no page (the demo's seeding, a command)."""
    if report_read is None and report_hash is None:
        return
    report_read = str(getattr(report_read, "pk", report_read) or "")
    if not report_read or not report_hash:
        raise ApplicationError(
            "The page you sent this from does not say which report you read. Nothing was changed: reload the page, "
            "read the report and decide again.", code="stale")
    if report_read != str(locked.pk):
        raise ApplicationError(
            "You read another monitoring report than this one. Nothing was changed: read this report and decide "
            "again.", code="stale")
    if report_hash != locked.content_hash:
        raise ApplicationError(
            "The report has changed since you opened it: read it again. Nothing was changed; its period, sections, "
            "marking or the co-ordinator's comments are not what you read.", code="stale")


def _saved_meanwhile(report: MonitoringReport, actor) -> str:
    """Who saved the report's sections last, and when (its last ``monitoring_report.updated`` event). One query, only
    when a save is refused."""
    last = (AuditEvent.objects.filter(object_type=MonitoringReport._meta.label_lower, object_id=str(report.pk),
                                      action=AuditAction.MONITORING_REPORT_UPDATED)
            .select_related("actor").order_by("-sequence").first())
    return saved_by_whom(last.actor if last else None, last.occurred_at if last else None, actor)


@transaction.atomic
def monitoring_report_update(*, report: MonitoringReport, actor, base_revision: int | None = None,
                             **sections) -> MonitoringReport:
    """Save the draft's sections. ``base_revision``: the draft revision the page showed; a save from a page drawn
    before someone else's save (a colleague, another tab) is refused and nothing is changed (core.stale_saves), as the
    EIA's is. None: a caller that showed no page."""
    require_actor(actor)
    values = clean_sections(sections, REPORT_FIELDS)
    policy, locked = lock_draft(report, actor)
    _save_sections(policy, locked, actor, values, base_revision)
    return locked


def _save_sections(policy: Policy, locked: MonitoringReport, actor, values: dict, base_revision: int | None) -> None:
    """The draft's sections as ``values`` (cleaned), under its lock, from a page that showed ``base_revision``."""
    refuse_stale_save(current=locked.draft_revision, base_revision=base_revision, what="This monitoring report",
                      saved_meanwhile=lambda: _saved_meanwhile(locked, actor))
    changed = [field for field, value in values.items() if getattr(locked, field) != value]
    for field in changed:
        setattr(locked, field, values[field])
    if changed:
        locked.draft_revision += 1
        locked.save(update_fields=[*changed, "draft_revision"])
        audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_UPDATED, obj=locked, policy_id=policy.pk,
                  changes={"sections": changed})


@transaction.atomic
def monitoring_report_submit(*, report: MonitoringReport, actor, base_revision: int | None = None,
                             **sections) -> MonitoringReport:
    """Submitted "to the Business Group Policy Co-ordinator for quality assurance". ``sections``: the sections as
    the report's page sent them with its Submit, saved and submitted as one change (``base_revision`` binds them to
    the page read, as ``monitoring_report_update``'s do): a submission refused (a section left empty, the draft saved
    meanwhile elsewhere) saves nothing, so the page shown again with what was typed is still the draft's, and its
    next Submit is taken (QA walk of 2026-12-06: the sections were saved, the submission refused, and the page's next
    Submit was refused as a save from "another tab"). None: the draft is submitted as saved."""
    require_actor(actor)
    if sections:
        values = clean_sections(sections, REPORT_FIELDS)
        policy, locked = lock_draft(report, actor)
    else:
        policy, locked = lock_report(report)
    if not permissions.can_draft(actor, policy):
        raise ApplicationError("You are not allowed to submit this monitoring report.", code="forbidden")
    if locked.status != MonitoringReport.Status.DRAFT:
        raise ApplicationError("This monitoring report has already been submitted.", code="stale")
    _refuse_if_halted(policy, locked)
    if sections:
        _save_sections(policy, locked, actor, values, base_revision)
    if locked.missing_sections:
        raise ApplicationError("Complete these sections first: " + ", ".join(locked.missing_sections) + ".",
                               code="gate")
    locked.submit()
    locked.submitted_at = timezone.now()
    # Issue 13: reports are due every 12 months from the previous due date, whatever happens in between, and a
    # late report stays late until it is submitted. Submitting the report that covers the year due answers the date
    # due now (monitoring_periods.answers, the one rule); the next one follows it. A report of another period (an
    # earlier year, part of this one) answers nothing: a 2024-25 report written again answered the 2025-26 date.
    before = policy.monitoring_report_due_on
    changes: dict = {}
    if before is not None and monitoring_periods.answers(policy, locked.period_start, locked.period_end,
                                                         report=locked):
        locked.answers_due_on = before
        policy.monitoring_report_due_on = next_monitoring_due(before)
        policy.save(update_fields=["monitoring_report_due_on", "updated_at"])
        changes = {"monitoring_report_due_on": [before, policy.monitoring_report_due_on],
                   "late_by_days": max(0, (timezone.localdate() - before).days)}
        # The reminders of that date are no longer needed, closed in this transaction (notifications).
        monitoring_due_answered.send(sender=MonitoringReport, policy=policy, due_on=before, actor=actor)
    changes["protective_marking"] = _mark_as_policy_now(locked, policy)
    locked.save(update_fields=["status", "submitted_at", "answers_due_on", "protective_marking"])
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_SUBMITTED, obj=locked, policy_id=policy.pk,
              changes=changes)
    return locked


def next_monitoring_due(due: datetime.date) -> datetime.date:
    """SOP, stage 6: monitoring reports "on an annual basis": the next is due a year after the previous due date
    (never after the day a report happened to be written, quality-assured or published)."""
    return due + relativedelta(months=settings.POLICYHUB_MONITORING_INTERVAL_MONTHS)


def _ensure_coordinator(actor, policy, report, read: ReportBinding) -> None:
    if not permissions.is_group_coordinator(actor, policy):
        raise ApplicationError(f"Only the co-ordinator of {policy.business_group} can quality-assure this "
                               "report.", code="forbidden")
    if report.status == MonitoringReport.Status.SUBMITTED:
        # Whoever wrote any part of it or submitted it, not only its creator (lifecycle.report_duties): one query.
        check_report_separation(actor, report, Duty.QA)
        check_report_read(report, **read)
        return
    if report.status == MonitoringReport.Status.DRAFT:
        moved_on = "it has been returned to its author"
    else:  # A second click, or a colleague's decision from another tab.
        moved_on = "it was already quality-assured"
        if report.qa_at is not None:
            moved_on += f" by {report.qa_by} on {timezone.localtime(report.qa_at):%-d %B %Y}"
    raise ApplicationError(f"This monitoring report is not awaiting quality assurance: {moved_on}. Nothing was "
                           "changed.", code="stale")


@transaction.atomic
def monitoring_report_pass_qa(*, report: MonitoringReport, actor, comments: str = "",
                              **read: Unpack[ReportBinding]) -> MonitoringReport:
    """The co-ordinator checks the report is "logical, comprehensive, written in plain English and meet[s]
    relevant legislative requirements"."""
    require_actor(actor)
    policy, locked = lock_report(report)
    _ensure_coordinator(actor, policy, locked, read)
    _refuse_if_halted(policy, locked)
    # The event records the report as the co-ordinator read it (rule 17), before their own comments join it.
    content_hash = locked.content_hash
    comments = (comments or "").strip()
    refuse_direction_controls(comments, label="Your comments", field="comments")
    locked.pass_qa()
    locked.qa_by, locked.qa_at, locked.qa_comments = actor, timezone.now(), comments
    locked.save(update_fields=["status", "qa_by", "qa_at", "qa_comments"])
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_QA_PASSED, obj=locked, policy_id=policy.pk,
              changes={"comments": locked.qa_comments, "content_hash": content_hash})
    monitoring_report_assured.send(sender=MonitoringReport, policy=policy, report=locked)
    return locked


@transaction.atomic
def monitoring_report_return(*, report: MonitoringReport, actor, comments: str,
                             **read: Unpack[ReportBinding]) -> MonitoringReport:
    require_actor(actor)
    comments = (comments or "").strip()
    if not comments:
        raise ApplicationError("Enter comments explaining what must change.", field="comments")
    refuse_direction_controls(comments, label="Your comments", field="comments")
    policy, locked = lock_report(report)
    _ensure_coordinator(actor, policy, locked, read)
    _refuse_if_halted(policy, locked)
    changes: dict = {"comments": comments, "content_hash": locked.content_hash}  # as read, before these comments
    locked.return_to_author()
    locked.qa_comments = comments
    # A returned report does not answer its due date: the date is due again (and late, if it has passed).
    answered = locked.answers_due_on
    if answered is not None and policy.monitoring_report_due_on == next_monitoring_due(answered):
        changes["monitoring_report_due_on"] = [policy.monitoring_report_due_on, answered]
        policy.monitoring_report_due_on = answered
        policy.save(update_fields=["monitoring_report_due_on", "updated_at"])
    locked.answers_due_on = None
    locked.save(update_fields=["status", "qa_comments", "answers_due_on"])
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_RETURNED, obj=locked, policy_id=policy.pk,
              changes=changes)
    monitoring_report_assured.send(sender=MonitoringReport, policy=policy, report=locked)
    return locked


@transaction.atomic
def monitoring_report_publish(*, report: MonitoringReport, actor, **read: Unpack[ReportBinding]) -> MonitoringReport:
    """PCU publishes the quality-assured report, the one they read (rule 17): on the Publication Scheme when it is
    suitable for it, else to staff (assessments.selectors.report_kept_off_scheme; SOP, stage 6). The day it
    does so moves no date: the next report fell due 12 months after the previous due date when this one was
    submitted (issue 13)."""
    require_actor(actor)
    policy, locked = lock_report(report)
    if not permissions.is_pcu(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit publishes monitoring reports.", code="forbidden")
    if locked.status == MonitoringReport.Status.PUBLISHED:  # a second click, or a colleague from another tab
        raise ApplicationError(
            f"This monitoring report was already published by {locked.published_by} "
            f"{moment_shown(locked.published_at)}. Nothing more was done.", code="already_done")
    if locked.status != MonitoringReport.Status.QA_PASSED:
        raise ApplicationError("Only a quality-assured monitoring report can be published.", code="stale")
    if policy.status not in PUBLISHED_STATUSES and policy.first_published_on is None:
        raise ApplicationError("The policy is not published.", code="gate")
    _refuse_if_halted(policy, locked)
    # SOP: PCU is the "'gateway' function for the ... publication of ... monitoring reports": never for one its
    # member wrote, submitted or quality-assured (lifecycle.report_duties).
    check_report_separation(actor, locked, Duty.PUBLISHER)
    check_report_read(locked, **read)
    content_hash = locked.content_hash
    locked.publish()
    locked.published_at, locked.published_by = timezone.now(), actor
    marking = _mark_as_policy_now(locked, policy)
    locked.save(update_fields=["status", "published_at", "published_by", "protective_marking"])
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_PUBLISHED, obj=locked, policy_id=policy.pk,
              changes={"answers_due_on": locked.answers_due_on, "next_report_due_on": policy.monitoring_report_due_on,
                       "protective_marking": marking, "content_hash": content_hash,
                       # Where it went, by the rule the Scheme's page applies (SOP, stage 6: only material suitable
                       # for the Scheme goes on it; the rest to staff).
                       "on_publication_scheme": report_kept_off_scheme(locked) is None})
    return locked
