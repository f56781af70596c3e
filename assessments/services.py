"""Editing the EIA and Workbook of a draft package, the retrospective EIA after an emergency approval, and
the annual monitoring report's own small cycle."""

from __future__ import annotations

import datetime
from typing import Unpack

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    EqualityImpactAssessment,
    Impact,
    MonitoringReport,
    MonitoringReportReading,
    MonitoringResponse,
    PolicyWorkbook,
    ProtectedCharacteristic,
)
from assessments.receivers import EIA_FIELDS, WORKBOOK_FIELDS
from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import RoleAssignment
from lifecycle import gates, permissions
from lifecycle.duties import check_separation
from lifecycle.gates import QUALITY_ASSURED_REPORT_STATUSES
from lifecycle.models import DraftDocument, DraftRevision, NoChangeReview, Policy, QAOutcome, QASignOff
from lifecycle.restorers import restores
from lifecycle.selectors import emergency_outstanding
from lifecycle.services import lock_policy, policy_set_review_date, require_actor, revision_record
from lifecycle.services.base import Binding, begin_step, finish_step, optional_text, require_text
from lifecycle.states import DRAFT_EDITABLE_STATUSES, PUBLISHED_STATUSES, Duty, QADiscipline
from lifecycle.steps import performs
from lifecycle.workflow import RESPOND_TO_MONITORING, SIGN_OFF_UPDATED_EIA

MAX_SECTION_LENGTH = 50_000
# Issue 13: what an emergency approval skips in the Workbook, completed afterwards and signed off by PCU. The rest
# of the Workbook was approved as it stands.
EMERGENCY_WORKBOOK_SECTIONS = ("health_and_safety_impact", "health_and_safety_statement", "information_management",
                               "consultation_summary")


def _clean_sections(values: dict, allowed: list[str]) -> dict:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ApplicationError(f"Unknown section: {', '.join(sorted(unknown))}.", code="invalid")
    cleaned = {}
    for field, value in values.items():
        if field == "impacts":
            continue
        text = (value or "").strip() if isinstance(value, str) or value is None else value
        if isinstance(text, str) and len(text) > MAX_SECTION_LENGTH:
            raise ApplicationError(f"That section is too long (at most {MAX_SECTION_LENGTH:,} characters).",
                                   field=field)
        cleaned[field] = text
    return cleaned


def _clean_impacts(impacts) -> dict:
    if not isinstance(impacts, dict):
        raise ApplicationError("Record the impact on each protected characteristic.", field="impacts")
    cleaned = {}
    for characteristic in ProtectedCharacteristic:
        entry = impacts.get(characteristic.value) or {}
        impact = (entry.get("impact") or "").strip()
        notes = (entry.get("notes") or "").strip()
        if impact and impact not in Impact.values:
            raise ApplicationError(f"Choose an impact for {characteristic.label}.",
                                   field=f"impact_{characteristic.value}")
        if impact == Impact.NEGATIVE and not notes:
            raise ApplicationError(f"Describe the adverse impact on {characteristic.label}.",
                                   field=f"notes_{characteristic.value}")
        if len(notes) > MAX_SECTION_LENGTH:
            raise ApplicationError("Those notes are too long.", field=f"notes_{characteristic.value}")
        if impact or notes:
            cleaned[characteristic.value] = {"impact": impact, "notes": notes}
    return cleaned


def document_editable(*, user, policy: Policy, document) -> bool:
    """Whether ``user`` may change this EIA or Workbook now: the working draft's document, not yet frozen, by
    someone who drafts the policy; or the EIA of an emergency-approved policy awaiting its retrospective EIA.
    The one rule: the pages ask it to offer the form, and the services enforce it under lock."""
    if document is None or document.frozen_at is not None or not permissions.can_draft(user, policy):
        return False
    version = policy.current_version
    if version is None or document.policy_version_id != version.pk:
        return False
    if policy.not_impact_assessed:  # the EIA, and the Workbook's impact sections, after an emergency approval
        return True
    if policy.status in DRAFT_EDITABLE_STATUSES and not version.is_frozen:
        return True
    # Issue 13: the EIA DCFD reopened at a review concluding no change (the rest of its version is frozen).
    return isinstance(document, EqualityImpactAssessment) and gates.eia_reopened_for_review(policy)


def _lock_document(model, policy: Policy, actor, *, base_revision: int | None):
    locked = lock_policy(policy)
    version = locked.current_version
    document = model.objects.select_for_update().filter(policy_version=version).first()
    if document is None:
        raise ApplicationError("This version has no such document.", code="not_found")
    if not permissions.can_draft(actor, locked):
        raise ApplicationError(f"You are not allowed to edit the documents of {locked.reference}.",
                               code="forbidden")
    if not document_editable(user=actor, policy=locked, document=document):
        raise ApplicationError(
            f"The {model._meta.verbose_name} of {locked.reference} cannot be changed while it is "
            f"'{locked.get_status_display()}': it was frozen when the package was submitted.", code="frozen",
        )
    if base_revision is not None and base_revision != document.draft_revision:
        raise ApplicationError(
            "Someone else saved this document while you were editing it. Your changes have not been saved: "
            "copy them, reload, and merge.", code="conflict",
        )
    return locked, version, document


def _save_sections(document, actor, values: dict, *, action: str, policy_id: int, version, kind: str,
                   fields: list[str], restored_from: DraftRevision | None = None):
    """Save the changed sections, keep every section as it now stands as a revision of the version (issue 12:
    the SOP's "including any interim amendments"), and audit it, all in the caller's transaction."""
    before = {field: getattr(document, field) for field in fields}
    changed = {}
    for field, value in values.items():
        if getattr(document, field) != value:
            changed[field] = {"before": getattr(document, field), "after": value}
            setattr(document, field, value)
    if not changed:
        return document
    document.updated_by = actor
    document.draft_revision += 1
    document.save(update_fields=[*changed.keys(), "updated_by", "updated_at", "draft_revision"])
    revision = revision_record(version=version, document=kind, actor=actor, before=before,
                               content={field: getattr(document, field) for field in fields},
                               restored_from=restored_from)
    restored = ({"restored_from": {"version": restored_from.policy_version.number,
                                   "revision": restored_from.sequence}} if restored_from else {})
    audit_log(actor=actor, action=action, obj=document, policy_id=policy_id,
              changes={"sections": sorted(changed), "values": changed,
                       "revision": revision.sequence if revision else None, **restored})
    return document


@transaction.atomic
def eia_update(*, policy: Policy, actor, base_revision: int | None = None, restored_from: DraftRevision | None = None,
               **sections) -> EqualityImpactAssessment:
    """Save sections of the draft EIA (Form 6119a). ``impacts`` maps characteristic → {impact, notes}."""
    require_actor(actor)
    values = _clean_sections(sections, EIA_FIELDS)
    if "impacts" in sections:
        values["impacts"] = _clean_impacts(sections["impacts"])
    if values.get("decision") and values["decision"] not in EqualityImpactAssessment.Decision.values:
        raise ApplicationError("Choose the outcome of the assessment.", field="decision")
    locked, version, eia = _lock_document(EqualityImpactAssessment, policy, actor, base_revision=base_revision)
    return _save_sections(eia, actor, values, action=AuditAction.EIA_UPDATED, policy_id=locked.pk, version=version,
                          kind=DraftDocument.EIA, fields=EIA_FIELDS, restored_from=restored_from)


@transaction.atomic
def workbook_update(*, policy: Policy, actor, base_revision: int | None = None,
                    restored_from: DraftRevision | None = None, **sections) -> PolicyWorkbook:
    require_actor(actor)
    values = _clean_sections(sections, WORKBOOK_FIELDS)
    impact = values.get("health_and_safety_impact")
    if impact and impact not in PolicyWorkbook.HealthAndSafetyImpact.values:
        raise ApplicationError("Choose whether the policy has a health and safety impact.",
                               field="health_and_safety_impact")
    locked, version, workbook = _lock_document(PolicyWorkbook, policy, actor, base_revision=base_revision)
    if locked.not_impact_assessed and version.is_frozen:
        approved = sorted(field for field, value in values.items()
                          if field not in EMERGENCY_WORKBOOK_SECTIONS and getattr(workbook, field) != value)
        if approved:
            raise ApplicationError(
                "After an emergency approval only the Workbook's impact sections (health and safety, information "
                "management, consultation) are completed; the rest was approved as it stands.", code="frozen",
                field=approved[0])
    return _save_sections(workbook, actor, values, action=AuditAction.WORKBOOK_UPDATED, policy_id=locked.pk,
                          version=version, kind=DraftDocument.WORKBOOK, fields=WORKBOOK_FIELDS,
                          restored_from=restored_from)


# Issue 12: an earlier revision of the EIA or Workbook is restored from the revisions page, as a new save of its
# sections (lifecycle.services.draft_revision_restore calls these under the policy's lock; lifecycle.restorers).
# Only the sections the document has now are put back.


@restores(DraftDocument.EIA)
def eia_restore(*, policy: Policy, actor, revision: DraftRevision):
    sections = {field: value for field, value in (revision.content or {}).items() if field in EIA_FIELDS}
    return eia_update(policy=policy, actor=actor, restored_from=revision, **sections)


@restores(DraftDocument.WORKBOOK)
def workbook_restore(*, policy: Policy, actor, revision: DraftRevision):
    sections = {field: value for field, value in (revision.content or {}).items() if field in WORKBOOK_FIELDS}
    return workbook_update(policy=policy, actor=actor, restored_from=revision, **sections)


@transaction.atomic
def eia_complete_retrospective(*, policy: Policy, actor, comments: str = "") -> EqualityImpactAssessment:
    """DCFD signs off the EIA of an emergency-approved policy. The policy is then impact assessed: the
    "not impact assessed" marking and the EIA due date are cleared, and the EIA is frozen as evidence."""
    require_actor(actor)
    locked = lock_policy(policy)
    if not permissions.is_dcfd(actor):
        raise ApplicationError("Only the Diversity and Citizen Focus Directorate can sign off the EIA.",
                               code="forbidden")
    if not locked.not_impact_assessed:
        raise ApplicationError(f"{locked.reference} is not awaiting a retrospective EIA.", code="stale")
    version = locked.current_version
    eia = EqualityImpactAssessment.objects.select_for_update().get(policy_version=version)
    # Separation of duties: the EIA's sign-off is a quality-assurance duty on this version.
    check_separation(actor, version, Duty.QA, doing=f"sign off the EIA of {locked.reference}")
    if not eia.is_complete:
        missing = ", ".join(eia.missing_characteristics) or "none"
        raise ApplicationError(
            "The EIA is not complete: record the aims, the impact on every protected characteristic "
            f"(missing: {missing}) and the decision.", code="gate",
        )
    eia.frozen_at = timezone.now()
    eia.save(update_fields=["frozen_at"])
    # DCFD's sign-off of the EIA is its quality assurance, given late.
    QASignOff.objects.get_or_create(policy_version=version, discipline=QADiscipline.DCFD,
                                    defaults={"outcome": QAOutcome.PASSED, "signed_by": actor,
                                              "comments": comments.strip()})
    due = locked.emergency_eia_due_on
    cleared = _clear_when_nothing_is_outstanding(locked)
    audit_log(actor=actor, action=AuditAction.POLICY_EIA_COMPLETED_RETROSPECTIVELY, obj=locked,
              changes={"version": version.number, "eia_was_due_on": due, "comments": comments.strip(),
                       "late": bool(due and timezone.localdate() > due), "not_impact_assessed": not cleared,
                       "outstanding": [item.label for item in emergency_outstanding(locked) if not item.done]})
    return eia


@performs(SIGN_OFF_UPDATED_EIA)
@transaction.atomic
def eia_sign_off_update(*, policy: Policy, actor, comments: str = "", **read: Unpack[Binding]) -> NoChangeReview:
    """DCFD signs off the Equality Impact Assessment it reopened at a review concluding no change, once the policy's
    drafters have updated it (lifecycle.workflow.SIGN_OFF_UPDATED_EIA): the EIA is frozen as evidence, and PCU may
    re-publish the policy with it."""
    comments = optional_text(comments, "Comments", field="comments")
    locked = begin_step(SIGN_OFF_UPDATED_EIA, policy=policy, actor=actor, **read)
    version = locked.current_version
    now = timezone.now()
    eia = EqualityImpactAssessment.objects.select_for_update().get(policy_version=version)
    eia.frozen_at = now
    eia.save(update_fields=["frozen_at"])
    review = NoChangeReview.objects.select_for_update().get(policy=locked, republished_on__isnull=True)
    review.updated_eia_signed_off_by, review.updated_eia_signed_off_at = actor, now
    review.save(update_fields=["updated_eia_signed_off_by", "updated_eia_signed_off_at"])
    finish_step(SIGN_OFF_UPDATED_EIA, locked, actor, version=version, changes={
        "comments": comments, "no_change_review": review.pk, "asked_for": review.eia_comments})
    return review


def _clear_when_nothing_is_outstanding(locked: Policy) -> bool:
    """"Not impact assessed" stays until everything the route skipped is signed off; then it is cleared."""
    if any(not item.done for item in emergency_outstanding(locked)):
        return False
    locked.not_impact_assessed = False
    locked.emergency_eia_due_on = None
    locked.save(update_fields=["not_impact_assessed", "emergency_eia_due_on", "updated_at"])
    return True


RETROSPECTIVE_DISCIPLINES = {QADiscipline.PCU: permissions.is_pcu, QADiscipline.DOI: permissions.is_doi}


@transaction.atomic
def retrospective_qa_signoff(*, policy: Policy, actor, discipline: str, comments: str = "") -> QASignOff:
    """PCU (the Workbook's impact sections, which it then freezes) or DOI signs off, late, what the emergency route
    skipped; DCFD's part is the EIA (``eia_complete_retrospective``). The last of the three clears "not impact
    assessed"."""
    require_actor(actor)
    if discipline not in RETROSPECTIVE_DISCIPLINES:
        raise ApplicationError("Choose the discipline you sign off for.", field="discipline")
    locked = lock_policy(policy)
    label = QADiscipline(discipline).label
    if not RETROSPECTIVE_DISCIPLINES[discipline](actor):
        raise ApplicationError(f"Only the {label} can sign this off.", code="forbidden")
    if not locked.not_impact_assessed:
        raise ApplicationError(f"{locked.reference} is not waiting for anything the emergency route skipped.",
                               code="stale")
    version = locked.current_version
    if version.qa_signoffs.filter(discipline=discipline).exists():
        raise ApplicationError(f"The {label} has already signed this off.", code="stale")
    check_separation(actor, version, Duty.QA, doing=f"sign off what the emergency route skipped on {locked.reference}")
    if discipline == QADiscipline.PCU:
        workbook = PolicyWorkbook.objects.select_for_update().get(policy_version=version)
        missing = [PolicyWorkbook._meta.get_field(field).verbose_name for field in EMERGENCY_WORKBOOK_SECTIONS
                   if field != "health_and_safety_impact" and not (getattr(workbook, field) or "").strip()]
        if missing or not workbook.has_health_and_safety_statement:
            raise ApplicationError("The Workbook's impact sections are not complete: " + ", ".join(
                missing or ["health and safety statement"]) + ".", code="gate")
        workbook.frozen_at = timezone.now()
        workbook.save(update_fields=["frozen_at"])
    signoff = QASignOff.objects.create(policy_version=version, discipline=discipline, outcome=QAOutcome.PASSED,
                                       signed_by=actor, comments=(comments or "").strip())
    cleared = _clear_when_nothing_is_outstanding(locked)
    audit_log(actor=actor, action=AuditAction.qa_signed_off(discipline), obj=locked, changes={
        "version": version.number, "outcome": "passed", "retrospective": True, "comments": signoff.comments,
        "not_impact_assessed": not cleared,
    })
    return signoff


# --- monitoring reports -------------------------------------------------------------------------

REPORT_FIELDS = ["compliance", "benefits", "performance", "diversity_impact"]


@transaction.atomic
def monitoring_report_create(
    *, policy: Policy, actor, period_start: datetime.date, period_end: datetime.date, **sections
) -> MonitoringReport:
    require_actor(actor)
    if not isinstance(period_start, datetime.date) or not isinstance(period_end, datetime.date):
        raise ApplicationError("Enter the start and end of the monitoring period.", field="period_start")
    if period_end <= period_start:
        raise ApplicationError("The end of the period must be after its start.", field="period_end")
    values = _clean_sections(sections, REPORT_FIELDS)
    locked = lock_policy(policy)
    if not permissions.can_draft(actor, locked):
        raise ApplicationError(f"You are not allowed to write monitoring reports for {locked.reference}.",
                               code="forbidden")
    # Only a policy in force is monitored: a withdrawn one has nothing left to monitor.
    if not locked.is_in_force:
        raise ApplicationError("A monitoring report can be written only for a published policy.", code="gate")
    if locked.monitoring_reports.exclude(status=MonitoringReport.Status.PUBLISHED).exists():
        raise ApplicationError("This policy already has a monitoring report in progress.", code="stale")
    report = MonitoringReport.objects.create(
        policy=locked, period_start=period_start, period_end=period_end, author=actor, **values
    )
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_CREATED, obj=report, policy_id=locked.pk,
              changes={"period_start": period_start, "period_end": period_end})
    return report


def _lock_report(report: MonitoringReport) -> tuple[Policy, MonitoringReport]:
    locked_policy = lock_policy(report.policy_id)
    locked = MonitoringReport.objects.select_for_update().filter(pk=report.pk).first()
    if locked is None:
        raise ApplicationError("That monitoring report no longer exists.", code="not_found")
    return locked_policy, locked


@transaction.atomic
def monitoring_report_update(*, report: MonitoringReport, actor, **sections) -> MonitoringReport:
    require_actor(actor)
    values = _clean_sections(sections, REPORT_FIELDS)
    policy, locked = _lock_report(report)
    if not permissions.can_draft(actor, policy):
        raise ApplicationError("You are not allowed to edit this monitoring report.", code="forbidden")
    if locked.status != MonitoringReport.Status.DRAFT:
        raise ApplicationError("This monitoring report has been submitted and can no longer be edited.",
                               code="frozen")
    changed = [field for field, value in values.items() if getattr(locked, field) != value]
    for field in changed:
        setattr(locked, field, values[field])
    if changed:
        locked.save(update_fields=changed)
        audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_UPDATED, obj=locked, policy_id=policy.pk,
                  changes={"sections": changed})
    return locked


@transaction.atomic
def monitoring_report_submit(*, report: MonitoringReport, actor) -> MonitoringReport:
    """Submitted "to the Business Group Policy Co-ordinator for quality assurance"."""
    require_actor(actor)
    policy, locked = _lock_report(report)
    if not permissions.can_draft(actor, policy):
        raise ApplicationError("You are not allowed to submit this monitoring report.", code="forbidden")
    if locked.status != MonitoringReport.Status.DRAFT:
        raise ApplicationError("This monitoring report has already been submitted.", code="stale")
    if locked.missing_sections:
        raise ApplicationError("Complete these sections first: " + ", ".join(locked.missing_sections) + ".",
                               code="gate")
    locked.submit()
    locked.submitted_at = timezone.now()
    # Issue 13: reports are due every 12 months from the previous due date, whatever happens in between, and a
    # late report stays late until it is submitted. Submitting answers the date due now; the next one follows it.
    before = policy.monitoring_report_due_on
    changes: dict = {}
    if before is not None:
        locked.answers_due_on = before
        policy.monitoring_report_due_on = next_monitoring_due(before)
        policy.save(update_fields=["monitoring_report_due_on", "updated_at"])
        changes = {"monitoring_report_due_on": [before, policy.monitoring_report_due_on],
                   "late_by_days": max(0, (timezone.localdate() - before).days)}
    locked.save(update_fields=["status", "submitted_at", "answers_due_on"])
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_SUBMITTED, obj=locked, policy_id=policy.pk,
              changes=changes)
    return locked


def next_monitoring_due(due: datetime.date) -> datetime.date:
    """SOP, stage 6: monitoring reports "on an annual basis": the next is due a year after the previous due date
    (never after the day a report happened to be written, quality-assured or published)."""
    return due + relativedelta(months=settings.POLICYHUB_MONITORING_INTERVAL_MONTHS)


def _ensure_coordinator(actor, policy, report) -> None:
    if not permissions.is_group_coordinator(actor, policy):
        raise ApplicationError(f"Only the co-ordinator of {policy.business_group} can quality-assure this "
                               "report.", code="forbidden")
    if report.author_id == actor.pk:
        raise ApplicationError("You wrote this report, so you cannot quality-assure it.", code="forbidden")
    if report.status != MonitoringReport.Status.SUBMITTED:
        raise ApplicationError("This monitoring report is not awaiting quality assurance.", code="stale")


@transaction.atomic
def monitoring_report_pass_qa(*, report: MonitoringReport, actor, comments: str = "") -> MonitoringReport:
    """The co-ordinator checks the report is "logical, comprehensive, written in plain English and meet[s]
    relevant legislative requirements"."""
    require_actor(actor)
    policy, locked = _lock_report(report)
    _ensure_coordinator(actor, policy, locked)
    locked.pass_qa()
    locked.qa_by, locked.qa_at, locked.qa_comments = actor, timezone.now(), (comments or "").strip()
    locked.save(update_fields=["status", "qa_by", "qa_at", "qa_comments"])
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_QA_PASSED, obj=locked, policy_id=policy.pk,
              changes={"comments": locked.qa_comments})
    return locked


@transaction.atomic
def monitoring_report_return(*, report: MonitoringReport, actor, comments: str) -> MonitoringReport:
    require_actor(actor)
    comments = (comments or "").strip()
    if not comments:
        raise ApplicationError("Enter comments explaining what must change.", field="comments")
    policy, locked = _lock_report(report)
    _ensure_coordinator(actor, policy, locked)
    locked.return_to_author()
    locked.qa_comments = comments
    changes: dict = {"comments": comments}
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
    return locked


@transaction.atomic
def monitoring_report_publish(*, report: MonitoringReport, actor) -> MonitoringReport:
    """PCU publishes the quality-assured report on the Publication Scheme. The day it does so moves no date:
    the next report fell due 12 months after the previous due date when this one was submitted (issue 13)."""
    require_actor(actor)
    policy, locked = _lock_report(report)
    if not permissions.is_pcu(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit publishes monitoring reports.", code="forbidden")
    if locked.status != MonitoringReport.Status.QA_PASSED:
        raise ApplicationError("Only a quality-assured monitoring report can be published.", code="stale")
    if policy.status not in PUBLISHED_STATUSES and policy.first_published_on is None:
        raise ApplicationError("The policy is not published.", code="gate")
    locked.publish()
    locked.published_at, locked.published_by = timezone.now(), actor
    locked.save(update_fields=["status", "published_at", "published_by"])
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_PUBLISHED, obj=locked, policy_id=policy.pk,
              changes={"answers_due_on": locked.answers_due_on,
                       "next_report_due_on": policy.monitoring_report_due_on})
    return locked


# --- acting on monitoring results (issue 13) ------------------------------------------------------

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
    return found


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
    **read: Unpack[Binding],
) -> MonitoringResponse:
    """The Designated Lead responds to a quality-assured monitoring report (workflow.RESPOND_TO_MONITORING): no
    action; a remedial action (what, who, by when), chased until done; or the review brought forward, by
    lifecycle's own step (``policy_set_review_date``), which writes its own event."""
    reasons = require_text(reasons, "your reasons", field="reasons")
    if outcome not in MonitoringResponse.Outcome.values:
        raise ApplicationError("Choose your response.", field="outcome")
    locked = begin_step(RESPOND_TO_MONITORING, policy=policy, actor=actor, **read)
    target = _report_of(locked, report)
    if target.status not in QUALITY_ASSURED_REPORT_STATUSES:
        raise ApplicationError("That monitoring report has not been quality-assured by the co-ordinator yet.",
                               code="stale")
    answered = MonitoringResponse.objects.filter(report=target).select_related("decided_by").first()
    if answered is not None:
        raise ApplicationError(
            f"{answered.decided_by} already responded to that report on {answered.decided_at:%-d %B %Y} "
            f"({answered.get_outcome_display().lower()}). Nothing was changed.", code="stale")
    response = MonitoringResponse(report=target, policy=locked, outcome=outcome, reasons=reasons, decided_by=actor,
                                  decided_at=timezone.now())
    changes: dict = {"report": target.pk, "period": [target.period_start, target.period_end], "outcome": outcome,
                     "reasons": reasons}
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
        if not isinstance(review_due_on, datetime.date):
            raise ApplicationError("Enter the new review date.", field="review_due_on")
        brought = policy_set_review_date(
            policy=locked, actor=actor, review_due_on=review_due_on,
            reason=f"Monitoring report {target.period_start:%-d %B %Y} to {target.period_end:%-d %B %Y}: {reasons}",
            **read)
        response.review_due_on = brought.review_due_on
        changes["review_due_on"] = review_due_on
    response.save()
    finish_step(RESPOND_TO_MONITORING, locked, actor, changes=changes)
    return response


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
        raise ApplicationError(f"The remedial action was already recorded as done on "
                               f"{timezone.localtime(locked.remedial_completed_at):%-d %B %Y}. Nothing was changed.",
                               code="stale")
    locked.remedial_completed_at, locked.remedial_completed_by, locked.remedial_outcome = timezone.now(), actor, outcome
    locked.save(update_fields=["remedial_completed_at", "remedial_completed_by", "remedial_outcome"])
    today = timezone.localdate()
    audit_log(actor=actor, action=AuditAction.MONITORING_REMEDIAL_ACTION_COMPLETED, obj=locked, policy_id=policy.pk,
              changes={"report": locked.report_id, "outcome": outcome, "due_on": locked.remedial_due_on,
                       "late_by_days": max(0, (today - locked.remedial_due_on).days)})
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
    policy, locked = _lock_report(report)
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
