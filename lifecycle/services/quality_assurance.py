"""Stage 3 to 4: submission and quality assurance.

SOP stage 4: "The Policy Co-ordination Unit will co-ordinate the quality assurance process in conjunction with
DCFD and DOI"; the co-ordinator ensures "only documents that have successfully completed the quality assurance
process ... may be submitted" to the Lead. Each step's rule is declared in lifecycle.workflow.
"""

from __future__ import annotations

from typing import Unpack

from django.db import transaction

from core.events import AuditAction
from core.exceptions import ApplicationError
from lifecycle import gates, gates_eia, permissions
from lifecycle.models import Policy, PolicyVersion, QAOutcome, QASignOff
from lifecycle.permissions import DISCIPLINE_PERMISSIONS
from lifecycle.services.base import Binding, begin_step, finish_step, optional_text, require_text, take_plain_step
from lifecycle.services.drafting import freeze, new_draft
from lifecycle.signals import qa_signed_off
from lifecycle.states import QADiscipline
from lifecycle.steps import performs
from lifecycle.workflow import FORWARD_TO_LEAD, PASS_QA, RETURN_FROM_QA, SIGN_OFF_QA, SUBMIT_FOR_QA


@performs(SUBMIT_FOR_QA)
@transaction.atomic
def policy_submit_for_qa(
    *, policy: Policy, actor, **read: Unpack[Binding],
) -> Policy:
    """The package is frozen from here on: statement, SOP texts, EIA and Workbook become evidence."""
    locked = begin_step(SUBMIT_FOR_QA, policy=policy, actor=actor, **read)
    package = PolicyVersion.objects.select_for_update().get(pk=locked.current_version.pk)
    freeze(locked, package, actor)
    finish_step(SUBMIT_FOR_QA, locked, actor, version=package, changes={"content_hash": package.content_hash})
    return locked


def _begin_qa(step, *, policy, actor, discipline, **read: Unpack[Binding]) -> tuple[Policy, PolicyVersion]:
    if discipline not in DISCIPLINE_PERMISSIONS:
        raise ApplicationError("Choose PCU, DCFD or DOI as the quality assurance discipline.", field="discipline")
    try:
        locked = begin_step(step, policy=policy, actor=actor, **read)
    except ApplicationError as refusal:
        if refusal.code == "forbidden":
            _refuse_discipline(policy, actor, discipline)
        raise
    _refuse_discipline(locked, actor, discipline)
    return locked, locked.current_version


def _refuse_discipline(policy: Policy, actor, discipline: str) -> None:
    """The discipline's own reasons, more telling than "not allowed": already recorded (a second tab, a double
    click), or not this person's discipline."""
    package = policy.current_version
    label = QADiscipline(discipline).label
    if package is not None and package.qa_signoffs.filter(discipline=discipline).exists():
        raise ApplicationError(f"{label} has already recorded its decision on version {package.number}.",
                               code="stale")
    if not permissions.has_force_role(actor, discipline):
        raise ApplicationError(f"Only {label} can record this sign-off.", code="forbidden")


@performs(SIGN_OFF_QA)
@transaction.atomic
def policy_record_qa_signoff(
    *, policy: Policy, actor, discipline: str, comments: str = "", **read: Unpack[Binding],
) -> QASignOff:
    """PCU, DCFD (the EIA) or DOI (information management) passes the submission. When the last of the three
    has passed, the policy moves to "QA passed" in the same transaction."""
    comments = optional_text(comments, "Comments", field="comments")
    locked, package = _begin_qa(SIGN_OFF_QA, policy=policy, actor=actor, discipline=discipline,
                                **read)
    # SOP, role of DCFD: "Quality assure ... Equality Impact Assessments, to ensure that all corporate policies seek
    # to eliminate discrimination". A version whose assessment concludes that the policy must stop (frozen so before
    # the submission's gate, lifecycle.gates_eia) is not passed by DCFD: it is returned. PCU's and DOI's parts are their
    # own, and their page warns them.
    if discipline == QADiscipline.DCFD and gates_eia.concludes_stop(locked):
        raise ApplicationError(gates_eia.dcfd_stop_refusal(
            locked, "Return it to the developer with comments instead. " + gates_eia.STOP_WHAT_TO_DO),
            code="gate", field="outcome")
    signoff = QASignOff.objects.create(
        policy_version=package, discipline=discipline, outcome=QAOutcome.PASSED, signed_by=actor, comments=comments
    )
    finish_step(SIGN_OFF_QA, locked, actor, audit_action=AuditAction.qa_signed_off(discipline),
                changes={"discipline": discipline, "comments": comments, "content_hash": package.content_hash})
    # The discipline's part is done, whether or not the others' are (notifications: its reminders stop).
    qa_signed_off.send(sender=Policy, policy=locked, version=package, discipline=discipline)
    if gates.all_qa_signoffs_passed(locked):
        finish_step(PASS_QA, locked, actor)
    return signoff


@performs(RETURN_FROM_QA)
@transaction.atomic
def policy_return_from_qa(
    *, policy: Policy, actor, discipline: str, comments: str, **read: Unpack[Binding],
) -> PolicyVersion:
    """Any QA discipline may return the submission with comments; work continues in a new draft, which PCU, DCFD and
    DOI each check when it is submitted (their sign-offs are the version's). The event records which of the others
    had passed the submission and which had not yet checked it."""
    comments = require_text(comments, "comments explaining what must change", field="comments")
    locked, package = _begin_qa(RETURN_FROM_QA, policy=policy, actor=actor, discipline=discipline,
                                **read)
    # One return ends the round: what the others had recorded, for the notice and the draft's overview to say which
    # had not yet checked it (lifecycle.next_steps.after_qa_return). Every one checks the next submission.
    recorded = dict(package.qa_signoffs.values_list("discipline", "outcome"))
    QASignOff.objects.create(
        policy_version=package, discipline=discipline, outcome=QAOutcome.RETURNED, signed_by=actor, comments=comments,
    )
    draft = new_draft(policy=locked, actor=actor, previous=package, new_cycle=False)
    finish_step(RETURN_FROM_QA, locked, actor, version=package,
                changes={"discipline": discipline, "comments": comments, "returned_version": package.number,
                         "new_draft": draft.number,
                         "passed": [other for other in QADiscipline.values if recorded.get(other) == QAOutcome.PASSED],
                         "not_yet_checked": [other for other in QADiscipline.values
                                             if other != discipline and other not in recorded]})
    return draft


@performs(FORWARD_TO_LEAD)
@transaction.atomic
def policy_forward_to_lead(
    *, policy: Policy, actor, **read: Unpack[Binding],
) -> Policy:
    return take_plain_step(FORWARD_TO_LEAD, policy=policy, actor=actor, **read)
