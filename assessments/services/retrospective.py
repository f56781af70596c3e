"""What the emergency route skipped (issue 13), signed off late: DCFD's sign-off of the retrospective EIA, and PCU's
(the Workbook's impact sections) and DOI's (information management) of the Workbook, each bound to what its page
showed (STYLE rule 17); the last of the three clears the policy's "not impact assessed" marking. SOP, stage 3: "In
these circumstances, the impact assessment must be completed as soon as reasonably practicable"."""

from __future__ import annotations

from typing import TypedDict, Unpack

from django.db import transaction
from django.utils import timezone

from assessments.models import EqualityImpactAssessment, PolicyWorkbook
from assessments.signals import emergency_assessed
from core.audit import audit_log
from core.dates import moment_shown
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.templatetags.glossary import lowerfirst
from lifecycle import gates_eia, permissions
from lifecycle.duties import conflicting_duty
from lifecycle.emergency import SKIPPED_PARTS, refuses_late_sign_offs
from lifecycle.models import Policy, QAOutcome, QASignOff
from lifecycle.selectors import emergency_outstanding
from lifecycle.services import lock_policy, require_actor
from lifecycle.services.base import optional_text
from lifecycle.states import Duty, QADiscipline
from lifecycle.steps import halt_refusal


def halted_refusal(policy: Policy, discipline: str) -> ApplicationError | None:
    """Why ``discipline``'s late sign-off of ``policy`` is closed by the cycle's halts, or None: once the Designated
    Lead or the owner has decided to withdraw the policy, nothing moves it on but PCU's withdrawal
    (lifecycle.steps.HALTS; SOP: they "retain ultimate ownership" of their policies). These sign-offs are no steps of
    the cycle, yet the last of them makes the policy "impact assessed": asked here, as ``check_step_allowed`` asks a
    step's halts, after the role and in the same words (who decided, and when), "stale" as a step refused by them."""
    refusal = halt_refusal(policy, f"{lowerfirst(SKIPPED_PARTS[discipline].title)} of")
    return None if refusal is None else ApplicationError(refusal, code="stale")


def retrospective_eia_refusal(actor, policy: Policy) -> ApplicationError | None:
    """Why ``actor`` may not sign off the retrospective EIA of ``policy`` now, or None when they may: the one rule,
    read by the sign-off page on every request (nobody is shown a form the service would refuse; QA10 item 7) and by
    ``eia_complete_retrospective`` under the policy's lock. The role first, as for every step (services.base)."""
    if not permissions.is_dcfd(actor):
        return ApplicationError("Only the Diversity and Citizen Focus Directorate can sign off the EIA.",
                                code="forbidden")
    halted = halted_refusal(policy, QADiscipline.DCFD)
    if halted is not None:
        return halted
    # SOP, stage 3: the emergency route's EIA is "completed as soon as reasonably practicable", and signed off once.
    outstanding = ({item.discipline: item for item in emergency_outstanding(policy)}
                   if policy.not_impact_assessed else {})
    if QADiscipline.DCFD not in outstanding:
        return ApplicationError(f"{policy.reference} is not awaiting a retrospective EIA.", code="stale")
    if outstanding[QADiscipline.DCFD].done:
        return ApplicationError(f"The EIA of {policy.reference} is already signed off: nothing more is asked of the "
                                "Diversity and Citizen Focus Directorate here.", code="stale")
    # SOP, role of DCFD: it quality-assures EIAs "to ensure that all corporate policies seek to eliminate
    # discrimination": not one concluding that the policy, in force by the emergency route, must stop. It stays "not
    # impact assessed", and chased, until the assessment changes or the policy is withdrawn (lifecycle.gates_eia).
    if gates_eia.concludes_stop(policy):
        return ApplicationError(gates_eia.dcfd_stop_refusal(policy, gates_eia.STOP_WHAT_TO_DO), code="gate")
    # Nothing to sign off until its authors have completed it (QA walk: the page was offered, and its post refused).
    incomplete = retrospective_eia_incomplete(policy)
    if incomplete:
        return ApplicationError(incomplete, code="gate")
    # Separation of duties: the EIA's sign-off is a quality-assurance duty on this version.
    how = conflicting_duty(actor, policy.current_version, Duty.QA)
    if how is not None:
        return ApplicationError(f"You cannot sign off the EIA of {policy.reference}: you {how}, and one person may "
                                "not hold two parts in the same version (separation of duties).", code="forbidden")
    return None


@refuses_late_sign_offs
def late_sign_off_refusal(actor, policy: Policy, discipline: str) -> ApplicationError | None:
    """Why ``actor`` may not sign off ``discipline``'s part of what the emergency route skipped on ``policy`` now, or
    None: DCFD's EIA (``retrospective_eia_refusal``), PCU's and DOI's Workbook (``retrospective_qa_refusal``). What the
    policy's overview asks, through lifecycle.emergency.late_sign_off_refusal, to link a part only where its page would
    offer it (leftover C: "Sign off your part" was linked while there was nothing to sign)."""
    if discipline == QADiscipline.DCFD:
        return retrospective_eia_refusal(actor, policy)
    return retrospective_qa_refusal(actor, policy, discipline)


def retrospective_eia_incomplete(policy: Policy) -> str:
    """Why the retrospective EIA of ``policy`` (its current version's) cannot be signed off yet, or "": not complete
    (its aims, the impact on every protected characteristic and the outcome), or an outcome that must say why without
    its reasons (lifecycle.gates_eia.eia_outcome_justified, as for a package submitted)."""
    version = policy.current_version
    eia = getattr(version, "eia", None) if version is not None else None
    if eia is None:
        return f"{policy.reference} has no Equality Impact Assessment to sign off."
    if not eia.is_complete:
        missing = [label for label, absent in (("the aims", not eia.aims.strip()),
                                                ("the outcome", not eia.decision)) if absent]
        if eia.missing_characteristics:
            missing.append("the impact on " + ", ".join(eia.missing_characteristics))
        return (f"The Equality Impact Assessment of {policy.reference} is not complete, so there is nothing to sign "
                f"off yet: its authors are still to record {', '.join(missing)}.")
    if eia.reasons_missing:
        return (f"The Equality Impact Assessment of {policy.reference} does not say why its outcome "
                f"({eia.get_decision_display()}) was chosen, so there is nothing to sign off yet: its authors are "
                "still to record the justification in its reasons for the outcome.")
    return ""


def check_read(locked, read, read_hash: str | None, *, current_hash: str, name: str, shown: str) -> None:
    """Rule 17: a sign-off binds to what was read, like HTTP If-Match. Its page posts the id of the document it showed
    (``read``) and the content hash of what it showed of it (``read_hash``); another document, or one changed since
    (its authors saved it meanwhile: ``current_hash`` differs), is refused and nothing is signed off. Call it under
    the document's lock. ``name`` names the document ("Equality Impact Assessment"), ``shown`` what its page shows of
    it ("the assessment as it stands"). Both None: a caller that showed no page (the demo's seeding, a command)."""
    if read is None and read_hash is None:
        return
    read = str(getattr(read, "pk", read) or "")
    if not read or not read_hash:
        raise ApplicationError(
            f"The page you sent this from does not say which {name} you read. Nothing was signed off: read {shown}, "
            "below, and sign off again.", code="stale")
    if read != str(locked.pk):
        raise ApplicationError(
            f"You read another {name} than the one awaiting sign-off. Nothing was signed off: read {shown}, below, "
            "and sign off again.", code="stale")
    if read_hash != current_hash:
        raise ApplicationError(
            f"The {name} has changed since you opened the page: its authors saved it meanwhile. Nothing was signed "
            f"off: read {shown} now, below, and sign off again.", code="stale")


class EIABinding(TypedDict, total=False):
    """What DCFD's sign-off page showed of the retrospective EIA, posted back with the decision (rule 17, as
    ``Binding`` is for a version): the EIA read and its content hash (``EqualityImpactAssessment.content_hash``)."""

    eia_read: int | str | None
    eia_hash: str | None


# How ``check_read`` names the EIA, and what DCFD's sign-off page shows of it.
EIA_READ = {"name": "Equality Impact Assessment", "shown": "the assessment as it stands"}


@transaction.atomic
def eia_complete_retrospective(*, policy: Policy, actor, comments: str = "",
                               **read: Unpack[EIABinding]) -> EqualityImpactAssessment:
    """DCFD signs off the EIA of an emergency-approved policy, as read (``read``: the EIA's id and content hash, as its
    page showed them). The EIA is frozen as evidence; the policy is impact assessed once nothing else the route skipped
    is outstanding: the "not impact assessed" marking and the EIA due date are then cleared."""
    require_actor(actor)
    comments = optional_text(comments, "Comments", field="comments")
    locked = lock_policy(policy)
    refusal = retrospective_eia_refusal(actor, locked)
    if refusal is not None:
        raise refusal
    version = locked.current_version
    eia = EqualityImpactAssessment.objects.select_for_update().get(policy_version=version)
    check_read(eia, read.get("eia_read"), read.get("eia_hash"), current_hash=eia.content_hash, **EIA_READ)
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
                       "content_hash": eia.content_hash,
                       "late": bool(due and timezone.localdate() > due), "not_impact_assessed": not cleared,
                       "outstanding": [item.label for item in emergency_outstanding(locked) if not item.done]})
    return eia


def _clear_when_nothing_is_outstanding(locked: Policy) -> bool:
    """"Not impact assessed" stays until everything the route skipped is signed off; then it is cleared, and the
    reminders of it stop (``signals.emergency_assessed``: the chase reminds while it stands, rules.emergency_eia)."""
    if any(not item.done for item in emergency_outstanding(locked)):
        return False
    locked.not_impact_assessed = False
    locked.emergency_eia_due_on = None
    locked.save(update_fields=["not_impact_assessed", "emergency_eia_due_on", "updated_at"])
    emergency_assessed.send(sender=Policy, policy=locked)
    return True


RETROSPECTIVE_DISCIPLINES = {QADiscipline.PCU: permissions.is_pcu, QADiscipline.DOI: permissions.is_doi}


def retrospective_qa_refusal(actor, policy: Policy, discipline: str) -> ApplicationError | None:
    """Why ``actor`` may not sign off ``discipline``'s part (PCU's or DOI's) of what the emergency route skipped on
    ``policy`` now, or None when they may: the one rule, read by the sign-off page and the Workbook's page on every
    request (nobody is offered a form the service would refuse; QA10 item 7) and by ``retrospective_qa_signoff`` under
    the policy's lock. The role first, as for every step (services.base); then whether it is still waiting, the
    separation of duties, and last whether its authors have written what it signs off (``retrospective_qa_incomplete``:
    the page then waits for them, and a post refused so keeps what was typed)."""
    if discipline not in RETROSPECTIVE_DISCIPLINES:
        return ApplicationError("Choose the discipline you sign off for.", field="discipline")
    label = QADiscipline(discipline).label
    if not RETROSPECTIVE_DISCIPLINES[discipline](actor):
        return ApplicationError(f"Only the {label} can sign this off.", code="forbidden")
    halted = halted_refusal(policy, discipline)
    if halted is not None:
        return halted
    outstanding = ({item.discipline: item for item in emergency_outstanding(policy)}
                   if policy.not_impact_assessed else {})
    if discipline not in outstanding:
        return ApplicationError(f"{policy.reference} is not waiting for anything the emergency route skipped.",
                                code="stale")
    if outstanding[discipline].done:
        return ApplicationError(f"The {label} has already signed this off.", code="stale")
    # Separation of duties: the late sign-off is a quality-assurance duty on this version.
    how = conflicting_duty(actor, policy.current_version, Duty.QA)
    if how is not None:
        return ApplicationError(f"You cannot sign off what the emergency route skipped on {policy.reference}: you "
                                f"{how}, and one person may not hold two parts in the same version (separation of "
                                "duties).", code="forbidden")
    incomplete = retrospective_qa_incomplete(policy, discipline)
    if incomplete:
        return ApplicationError(incomplete, code="gate")
    return None


def retrospective_qa_incomplete(policy: Policy, discipline: str) -> str:
    """Why ``discipline``'s part of what the emergency route skipped on ``policy`` cannot be signed off yet, or "": PCU
    signs off the Workbook's impact sections (``PolicyWorkbook.IMPACT_SECTIONS``), so waits for all of them, the
    health and safety impact with its statement; DOI quality-assures information management (SOP, role of the
    Directorate of Information: "Audit ... Workbook/Checklist from an information management perspective"), so waits
    for that section alone (QA walk: both pages were offered with nothing written, and PCU's post refused)."""
    version = policy.current_version
    workbook = getattr(version, "workbook", None) if version is not None else None
    if workbook is None:
        return f"{policy.reference} has no Corporate Policy Workbook to sign off."
    written = {field: bool((getattr(workbook, field) or "").strip()) for field in PolicyWorkbook.IMPACT_SECTIONS}
    written["health_and_safety_statement"] = workbook.has_health_and_safety_statement
    asked = WORKBOOK_SIGNED_OFF[discipline]
    missing = [WORKBOOK_SECTION_SAID[field] for field in asked
               if field != "health_and_safety_impact" and not written[field]]
    if not missing:
        return ""
    what = ("The Workbook's information management section is not written" if discipline == QADiscipline.DOI
            else "The Workbook's impact sections are not complete")
    return (f"{what}, so there is nothing to sign off yet: the authors of {policy.reference} are still to record "
            f"{_listed(missing)}.")


# What each discipline's late sign-off signs off of the Workbook: PCU the impact sections; DOI the information
# management section (SOP, role of the Directorate of Information: "Audit policies, SOPs, and Workbook/Checklist from
# an information management perspective"). Declared once: what its sign-off waits for (``retrospective_qa_incomplete``)
# and what it freezes for the drafters once signed (``workbook_sections_signed_off``).
WORKBOOK_SIGNED_OFF: dict[str, tuple[str, ...]] = {QADiscipline.PCU: PolicyWorkbook.IMPACT_SECTIONS,
                                                   QADiscipline.DOI: ("information_management",)}


def workbook_sections_signed_off(policy: Policy, workbook) -> dict[str, QASignOff]:
    """The sections of ``workbook`` (the current version's) that a late sign-off has signed off, each with that
    sign-off (who, and when): no longer the drafters' to change (assessments.services.workbook_update refuses it, with
    ``signed_off_said``; the Workbook's page shows them read-only). A sign-off freezes what it signed, as DCFD's freezes
    the EIA and PCU's the Workbook (``frozen_at``, set by the services below): DOI's signs one section of a Workbook
    whose other impact sections PCU has yet to sign (and may find wanting), so it freezes that section alone, not the
    Workbook. Chosen over voiding DOI's sign-off when the section changes: no save of a drafter's undoes a quality
    assurance anywhere in the cycle, and DOI would have to be chased to sign again what it had signed. Empty but after
    an emergency approval (not impact assessed): a Workbook quality-assured on the full route was frozen with its
    package. One query, only then."""
    if not policy.not_impact_assessed or workbook is None:
        return {}
    version = policy.current_version
    if version is None or workbook.policy_version_id != version.pk:
        return {}
    signed: dict[str, QASignOff] = {}
    for signoff in (QASignOff.objects.filter(policy_version=version, discipline__in=list(WORKBOOK_SIGNED_OFF),
                                             outcome=QAOutcome.PASSED).select_related("signed_by")):
        for field in WORKBOOK_SIGNED_OFF[signoff.discipline]:
            signed.setdefault(field, signoff)
    return signed


def signed_off_said(policy: Policy, field: str, signoff: QASignOff) -> str:
    """Why the drafters may no longer change ``field`` of the Workbook: who signed it off, and when."""
    section = WORKBOOK_SECTION_SAID.get(field, f"the {field.replace('_', ' ')} section")
    who = SKIPPED_PARTS[signoff.discipline].who
    return (f"{section[:1].upper()}{section[1:]} of the Workbook of {policy.reference} was signed off by "
            f"{signoff.signed_by} {moment_shown(signoff.signed_at)} (the {who}'s late quality assurance of what the "
            "emergency route skipped): it can no longer be changed.")


# What the authors of the Workbook's impact sections are still to record, said of each section (the health and safety
# impact is chosen with its statement: ``PolicyWorkbook.has_health_and_safety_statement``).
WORKBOOK_SECTION_SAID = {"health_and_safety_statement": "the health and safety impact with its statement",
                         "information_management": "the information management section",
                         "consultation_summary": "the summary of consultation feedback"}


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


class WorkbookBinding(TypedDict, total=False):
    """What PCU's and DOI's sign-off page showed of the Workbook, posted back with the decision (rule 17, as
    ``EIABinding`` is for the EIA): the Workbook read and the content hash of its impact sections
    (``PolicyWorkbook.impact_sections_hash``)."""

    workbook_read: int | str | None
    workbook_hash: str | None


# How ``check_read`` names the Workbook, and what PCU's and DOI's sign-off page shows of it.
WORKBOOK_READ = {"name": "Corporate Policy Workbook", "shown": "its impact sections as they stand"}


@transaction.atomic
def retrospective_qa_signoff(*, policy: Policy, actor, discipline: str, comments: str = "",
                             **read: Unpack[WorkbookBinding]) -> QASignOff:
    """PCU (the Workbook's impact sections, which it then freezes) or DOI (information management) signs off, late,
    what the emergency route skipped, as read (``read``: the Workbook's id and the content hash of its impact
    sections, as its page showed them; the hash is recorded in the audit event). DCFD's part is the EIA
    (``eia_complete_retrospective``). The last of the three clears "not impact assessed"."""
    require_actor(actor)
    comments = optional_text(comments, "Comments", field="comments")
    locked = lock_policy(policy)
    refusal = retrospective_qa_refusal(actor, locked, discipline)
    if refusal is not None:
        raise refusal
    version = locked.current_version
    workbook = PolicyWorkbook.objects.select_for_update().get(policy_version=version)
    read_hash = workbook.impact_sections_hash
    check_read(workbook, read.get("workbook_read"), read.get("workbook_hash"), current_hash=read_hash,
               **WORKBOOK_READ)
    if discipline == QADiscipline.PCU:
        workbook.frozen_at = timezone.now()
        workbook.save(update_fields=["frozen_at"])
    signoff = QASignOff.objects.create(policy_version=version, discipline=discipline, outcome=QAOutcome.PASSED,
                                       signed_by=actor, comments=(comments or "").strip())
    cleared = _clear_when_nothing_is_outstanding(locked)
    audit_log(actor=actor, action=AuditAction.qa_signed_off(discipline), obj=locked, changes={
        "version": version.number, "outcome": "passed", "retrospective": True, "comments": signoff.comments,
        "content_hash": read_hash, "not_impact_assessed": not cleared,
    })
    return signoff
