"""The consultation log (SOP stage 3: consult subject matter experts, those affected, and always the Safety and
Health Risk Management Team; "Consider and respond to feedback received")."""

from __future__ import annotations

import datetime
import hashlib
import json

import rules
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.submissions import CONSULTATION_RECORD, Submission, submission_check_repeat, submission_claim, submission_done
from lifecycle import permissions
from lifecycle.models import ConsultationRecord, ConsulteeType, Policy
from lifecycle.services.base import lock_policy, optional_text, require_actor, require_name, require_text
from lifecycle.states import DRAFT_EDITABLE_STATUSES


@transaction.atomic
def consultation_record(
    *, policy: Policy, actor, consultee: str, organisation: str, consultee_type: str, date_sent: datetime.date,
    response: str = "", response_received_on: datetime.date | None = None, decision_taken: str = "",
    feedback_given: bool = False, submission: Submission | str | None = None,
) -> ConsultationRecord:
    """Add a line to the consultation log (SOP stage 3: consult subject matter experts, those affected,
    and always the Safety and Health Risk Management Team). ``submission``: the one-time token of the form that sent
    it (core.submissions; None from no page): the same form sent again adds no second line."""
    require_actor(actor)
    claim = submission_claim(submission=submission, actor=actor, purpose=CONSULTATION_RECORD)
    consultee = require_name(consultee, "who was consulted", field="consultee", max_length=160)
    organisation = require_name(organisation, "their organisation", field="organisation", max_length=160)
    if consultee_type not in ConsulteeType.values:
        raise ApplicationError("Choose the type of consultee.", field="consultee_type")
    if not isinstance(date_sent, datetime.date):
        raise ApplicationError("Enter the date the consultation was sent.", field="date_sent")
    if date_sent > timezone.localdate():
        raise ApplicationError("The date sent cannot be in the future.", field="date_sent")
    if response_received_on and response_received_on < date_sent:
        raise ApplicationError("The response cannot be received before the consultation was sent.",
                               field="response_received_on")
    locked = lock_policy(policy)
    if not permissions.can_draft(actor, locked):
        raise ApplicationError(f"You are not allowed to record consultation on {locked.reference}.",
                               code="forbidden")
    if locked.status not in DRAFT_EDITABLE_STATUSES:
        raise ApplicationError(
            f"Consultation can be recorded only in scoping or development; {locked.reference} is "
            f"'{locked.get_status_display()}'.", code="frozen",
        )
    # SOP, Policy Managers: "Ensure an audit trail of consultation results and decisions is maintained": one line
    # for one consultation, not two for the same form sent again from a page drawn afresh.
    submission_check_repeat(claim, content={
        "policy": locked, "consultee": consultee, "organisation": organisation, "consultee_type": consultee_type,
        "date_sent": date_sent, "response": response, "response_received_on": response_received_on,
        "decision_taken": decision_taken, "feedback_given": bool(feedback_given)})
    record = ConsultationRecord.objects.create(
        policy=locked, cycle=locked.current_cycle, consultee=consultee, organisation=organisation,
        consultee_type=consultee_type, date_sent=date_sent,
        response=optional_text(response, "The response", field="response"),
        response_received_on=response_received_on,
        decision_taken=optional_text(decision_taken, "The decision taken", field="decision_taken"),
        feedback_given=bool(feedback_given), recorded_by=actor,
    )
    audit_log(actor=actor, action=AuditAction.CONSULTATION_RECORDED, obj=record, policy_id=locked.pk,
              changes={"consultee": consultee, "organisation": organisation, "type": consultee_type,
                       "date_sent": date_sent, "cycle": record.cycle})
    submission_done(claim, created=f"the consultation with {consultee} ({organisation}) was recorded",
                    named=f"the consultation with {consultee} ({organisation})",
                    landing=reverse("lifecycle:consultation", args=[locked.reference]))
    return record


def response_seen(record: ConsultationRecord) -> str:
    """What a response page shows of the recorded response, as a token its form carries: a response is saved only
    over the one its author saw (rule 17), so two people recording the same consultee cannot overwrite each other
    unseen."""
    shown = [record.response, str(record.response_received_on or ""), record.decision_taken,
             bool(record.feedback_given)]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:32]


@transaction.atomic
def consultation_record_response(
    *, record: ConsultationRecord, actor, response: str, response_received_on: datetime.date | None = None,
    decision_taken: str | None = None, feedback_given: bool | None = None, seen: str | None = None,
) -> ConsultationRecord:
    """Record a consultee's response (SHRMT records its own advice) and what was decided about it. ``seen``: the
    ``response_seen`` token of the page it was typed on, which a page always sends ("" when its form left it out);
    a response changed since is not overwritten. None only for a caller that showed no page (the demo's seeding, a
    script), as ``lifecycle.services.base.check_version_read`` takes a version read."""
    require_actor(actor)
    locked_policy = lock_policy(record.policy_id)
    locked = ConsultationRecord.objects.select_for_update().get(pk=record.pk)
    locked.policy = locked_policy
    if locked.cycle != locked_policy.current_cycle or locked_policy.status not in DRAFT_EDITABLE_STATUSES:
        raise ApplicationError("This consultation belongs to a closed stage and can no longer be changed.",
                               code="frozen")
    if not rules.has_perm("lifecycle.respond_to_consultation", actor, locked):
        raise ApplicationError("You are not allowed to record this response.", code="forbidden")
    if seen is not None and not seen:
        # Integrity review of 2026-12-06: a post without its token saved over a colleague's response unseen. Refused as
        # stale, as a changed response is: the page shows what is recorded, keeps what was typed and carries the token.
        raise ApplicationError("The page you sent this from does not say which recorded response you saw. Nothing was "
                               "saved: what is recorded now is shown above; your text is kept below. Save again only "
                               "if yours should replace it.", code="stale")
    if seen is not None and seen != response_seen(locked):
        raise ApplicationError("The response was changed by someone else since you opened this page. What is recorded "
                               "now is shown above; your text is kept below. Save again only if yours should replace "
                               "it.", code="stale")
    response = require_text(response, "the response", field="response")
    received = response_received_on or timezone.localdate()
    if received < locked.date_sent:
        raise ApplicationError("The response cannot be received before the consultation was sent.",
                               field="response_received_on")
    before = {"response": locked.response, "decision_taken": locked.decision_taken,
              "feedback_given": locked.feedback_given}
    locked.response = response
    locked.response_received_on = received
    if decision_taken is not None:
        locked.decision_taken = optional_text(decision_taken, "The decision taken", field="decision_taken")
    if feedback_given is not None:
        locked.feedback_given = bool(feedback_given)
    locked.save(update_fields=["response", "response_received_on", "decision_taken", "feedback_given",
                               "updated_at"])
    audit_log(actor=actor, action=AuditAction.CONSULTATION_RESPONSE_RECORDED, obj=locked, policy_id=locked_policy.pk,
              changes={"before": before, "response": response, "decision_taken": locked.decision_taken,
                       "feedback_given": locked.feedback_given})
    return locked
