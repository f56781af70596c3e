"""The EIA and Workbook of a draft package: editing and restoring their sections (after an emergency approval too, the
EIA and the Workbook's impact sections, until each is signed off: ``retrospective``), and DCFD's sign-off of the EIA it
reopened at a review concluding no change."""

from __future__ import annotations

from typing import Unpack

import rules
from django.db import transaction
from django.utils import timezone

from assessments.models import (
    EqualityImpactAssessment,
    Impact,
    PolicyWorkbook,
    ProtectedCharacteristic,
)
from assessments.receivers import EIA_FIELDS, WORKBOOK_FIELDS
from assessments.services.retrospective import signed_off_said, workbook_sections_signed_off
from core.audit import audit_log
from core.dates import moment_shown
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.stale_saves import refuse_stale_save
from lifecycle import permissions
from lifecycle.models import DraftDocument, DraftRevision, NoChangeReview, Policy
from lifecycle.restorers import restores
from lifecycle.selectors import is_emergency_author
from lifecycle.services import lock_policy, require_actor, revision_record
from lifecycle.services.base import Binding, begin_step, finish_step, optional_text, work_first
from lifecycle.services.working_draft import saved_meanwhile
from lifecycle.states import DRAFT_EDITABLE_STATUSES
from lifecycle.steps import performs
from lifecycle.workflow import SIGN_OFF_UPDATED_EIA
from lifecycle.workflow_monitoring import UPDATE_REOPENED_EIA

MAX_SECTION_LENGTH = 50_000
# Issue 13: what an emergency approval skips in the Workbook, completed afterwards and signed off late, as the model
# declares it. The rest of the Workbook was approved as it stands.
EMERGENCY_WORKBOOK_SECTIONS = PolicyWorkbook.IMPACT_SECTIONS


def clean_sections(values: dict, allowed: list[str]) -> dict:
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
    someone who drafts the policy; or, after an emergency approval, the EIA and the Workbook's impact sections until
    each is signed off, by the authors of what the route skipped (lifecycle.selectors.emergency_authors: the rule the
    overview, My work and the chase read too). The one rule: the pages ask it to offer the form, and the services
    enforce it under lock. Those it allows are shown the version it belongs to (lifecycle.selectors.user_may_see_drafts
    reads the same rule of when the drafters work on the newest version, lifecycle.gates_no_change.drafted_now)."""
    if document is None or document.frozen_at is not None:
        return False
    version = policy.current_version
    if version is None or document.policy_version_id != version.pk:
        return False
    if policy.not_impact_assessed:  # the EIA, and the Workbook's impact sections, after an emergency approval
        return is_emergency_author(user, policy)
    if not permissions.can_draft(user, policy):
        return False
    if policy.status in DRAFT_EDITABLE_STATUSES and not version.is_frozen:
        return True
    # Issue 13: the EIA DCFD reopened at a review concluding no change (the rest of its version is frozen), the
    # drafters' part of the update (lifecycle.workflow_monitoring.UPDATE_REOPENED_EIA).
    return isinstance(document, EqualityImpactAssessment) and rules.has_perm(UPDATE_REOPENED_EIA.permission, user,
                                                                             policy)


def _lock_document(model, policy: Policy, actor, *, base_revision: int | None):
    locked = lock_policy(policy)
    version = locked.current_version
    document = model.objects.select_for_update().filter(policy_version=version).first()
    if document is None:
        raise ApplicationError("This version has no such document.", code="not_found")
    if not (is_emergency_author(actor, locked) if locked.not_impact_assessed else permissions.can_draft(actor, locked)):
        raise ApplicationError(f"You are not allowed to edit the documents of {locked.reference}.",
                               code="forbidden")
    if not document_editable(user=actor, policy=locked, document=document):
        raise ApplicationError(
            f"The {model._meta.verbose_name} of {locked.reference} cannot be changed while it is "
            f"'{locked.get_status_display()}': {_frozen_when(document, version)}", code="frozen",
        )
    kind = DraftDocument.EIA if isinstance(document, EqualityImpactAssessment) else DraftDocument.WORKBOOK
    refuse_stale_save(current=document.draft_revision, base_revision=base_revision, what=f"This {kind.label}",
                      saved_meanwhile=lambda: saved_meanwhile(version, actor, documents=(kind,)))
    return locked, version, document


def _frozen_when(document, version) -> str:
    """When ``document`` was frozen, for its refusal: with its package (lifecycle.services.drafting freezes it with
    the moment the version is submitted), or when a sign-off froze it later, DCFD's or PCU's after an emergency
    approval (assessments.services.retrospective) or DCFD's of the EIA it reopened: those were refused "it was frozen
    when the package was submitted", of a package the emergency route never submitted with them."""
    if document.frozen_at is None or document.frozen_at == version.submitted_at:
        return "it was frozen when the package was submitted."
    return f"it was frozen when it was signed off {moment_shown(document.frozen_at)}."


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
    values = clean_sections(sections, EIA_FIELDS)
    if "impacts" in sections:
        values["impacts"] = _clean_impacts(sections["impacts"])
    if values.get("decision") and values["decision"] not in EqualityImpactAssessment.Decision.values:
        raise ApplicationError("Choose the outcome of the assessment.", field="decision")
    locked, version, eia = _lock_document(EqualityImpactAssessment, policy, actor, base_revision=base_revision)
    # An outcome that keeps the policy despite its potential adverse impact ("justified"), or stops it, says why: as
    # the assessment will stand once saved (a save may send the outcome or its reasons alone).
    decision = values.get("decision", eia.decision)
    if decision in EqualityImpactAssessment.REASONS_REQUIRED and not values.get(
            "decision_rationale", eia.decision_rationale).strip():
        raise ApplicationError(f"{EqualityImpactAssessment.REASONS_REQUIRED[decision]}.", code="invalid",
                               field="decision_rationale")
    # The drafters' revision of the EIA DCFD reopened at a review concluding no change (UPDATE_REOPENED_EIA): its first
    # save that changes it tells DCFD that the sign-off waits for them. Its gate reads the version's EIA: the row saved.
    version.eia = eia
    with work_first(UPDATE_REOPENED_EIA, locked, actor, version=version):
        return _save_sections(eia, actor, values, action=AuditAction.EIA_UPDATED, policy_id=locked.pk,
                              version=version, kind=DraftDocument.EIA, fields=EIA_FIELDS, restored_from=restored_from)


@transaction.atomic
def workbook_update(*, policy: Policy, actor, base_revision: int | None = None,
                    restored_from: DraftRevision | None = None, **sections) -> PolicyWorkbook:
    require_actor(actor)
    values = clean_sections(sections, WORKBOOK_FIELDS)
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
        # What a late sign-off has signed off is frozen for the drafters, as the sign-off froze it (DOI's section before
        # PCU signs the rest: retrospective.workbook_sections_signed_off), said with who signed it off and when.
        signed = workbook_sections_signed_off(locked, workbook)
        changed = [field for field in signed if field in values and getattr(workbook, field) != values[field]]
        if changed:
            raise ApplicationError(signed_off_said(locked, changed[0], signed[changed[0]]), code="frozen",
                                   field=changed[0])
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


