"""The policy cycle, one declaration per step.

Each ``Step`` below is the whole rule for one step of the SOP's six-stage cycle: the statuses it goes from
and to, who may take it (a rules permission from ``lifecycle.permissions``), its gates (each with the SOP's
reason and its checklist label, ``lifecycle.gates``), the duty it is for separation of duties, the page that
offers it (label, button, form), its audit action and whom the event notifies.

Everything else reads these declarations and restates nothing:
- ``Policy``'s django-fsm transitions are generated from them (``fsm_transitions``);
- the service that performs a step says so with ``@performs(STEP)`` and runs the shared ceremony
  (``lifecycle.services.base``: lock, stale and version checks, permission, gates, duties, fire, audit);
- the policy page's buttons and the action view come from ``PAGES``;
- notifications route each step's audit action to ``notify``;
- the README's state diagram is generated from ``STEPS`` (``manage.py workflow_diagram``), and a test fails
  when the two disagree.

To add a step: declare it here, write its service with ``@performs``, and add its rule to the permission
matrix's independent table (tests/permissions/rules_table.py).

The local work instructions' own route, outside the corporate process, is declared in ``lifecycle.local_steps``
and joins the cycle here. What a step and a page are, and how the cycle is read (``CYCLE``: the pages, the way on,
what is offered to whom, the fsm transitions), is ``lifecycle.steps``: this module holds only the declarations.
"""

from __future__ import annotations

from core.events import AuditAction
from lifecycle import emergency, forms, gates, permissions
from lifecycle.local_steps import AGREE_LOCAL_SUPPLEMENT, APPROVE_LOCAL
from lifecycle.states import (
    DRAFT_EDITABLE_STATUSES,
    EMERGENCY_SOURCES,
    PUBLISHED_STATUSES,
    Duty,
    PolicyKind,
    Stage,
    Status,
)
from lifecycle.steps import Cycle, Page, Step

# --- pages shared by two steps ------------------------------------------------------------------

QA_PAGE = Page(
    slug="quality-assurance", title="Record quality assurance", form=forms.QADecisionForm,
    button="Record your decision", success="Your quality assurance decision has been recorded.",
    choice="outcome", shows_version=True,
)
DECISION_PAGE = Page(
    slug="decide", title="Approve or reject", form=forms.ApprovalDecisionForm, button="Record your decision",
    success="Your decision has been recorded.", choice="decision", shows_version=True,
)
_IN_FORCE = tuple(sorted(PUBLISHED_STATUSES))
_ALL_BUT_WITHDRAWN = tuple(status for status in Status.values if status != Status.WITHDRAWN)
_DRAFTED = tuple(sorted(DRAFT_EDITABLE_STATUSES))
# Steps both kinds take once in force: monitoring, review, withdrawal.
_EVERY_KIND = (PolicyKind.CORPORATE, PolicyKind.LOCAL)

# --- stage 1 and 2: scoping and commissioning --------------------------------------------------------

REQUEST_COMMISSIONING = Step(
    done="Commissioning requested",
    taken_by="the policy's developers or manager",
    name="request_commissioning", source=(Status.SCOPING,), target=Status.COMMISSIONING,
    permission="lifecycle.request_commissioning", label="request commissioning of",
    audit=AuditAction.POLICY_COMMISSIONING_REQUESTED,
    doc="SOP stage 2: \"seek formal agreement to progress the work, through the relevant Designated Business "
        "Group Policy Lead\".",
    gates=tuple(gates.SCOPING_GATES),
    page=Page(
        slug="request-commissioning", title="Request commissioning",
        success="Commissioning requested: the Designated Lead has been asked for a decision.",
        explanation="Scoping is complete. The Designated Business Group Policy Lead will be asked to commission "
        "the development of this policy (SOP stage 2).",
    ),
    notify=("lead",), notice="Commissioning requested",
)
COMMISSION = Step(
    done="Development commissioned",
    taken_by="the Designated Lead",
    name="commission", source=(Status.COMMISSIONING,), target=Status.DEVELOPMENT,
    permission="lifecycle.decide_commissioning", label="commission", audit=AuditAction.POLICY_COMMISSIONED,
    doc="Co-ordinator's duty: \"Ensure new policy is commissioned formally before it is developed\".",
    gates=(gates.commissioning_recorded,), records=(gates.commissioning_recorded,),
    page=Page(slug="commission", title="Commission development", form=forms.CommentsForm,
              success="Commissioned: the policy is now in development.",
              explanation="Your formal agreement to progress the work (SOP stage 2)."),
    notify=("authors",), notice="Commissioned: development can start",
)
DECLINE_COMMISSIONING = Step(
    done="Commissioning declined",
    taken_by="the Designated Lead",
    name="decline_commissioning", source=(Status.COMMISSIONING,), target=Status.SCOPING,
    permission="lifecycle.decide_commissioning", label="decline commissioning of",
    audit=AuditAction.POLICY_COMMISSIONING_DECLINED,
    doc="SOP stage 2: the Lead may decline to commission; scoping continues.",
    page=Page(slug="decline-commissioning", title="Decline commissioning", form=forms.ReasonsForm, warning=True,
              success="Commissioning declined: the policy has returned to scoping."),
    notify=("authors",), notice="Commissioning declined",
)

# --- stage 3 to 4: submission and quality assurance --------------------------------------------------

SUBMIT_FOR_QA = Step(
    done="Submitted for quality assurance",
    taken_by="the policy's developers or manager",
    name="submit_for_qa", source=(Status.DEVELOPMENT,), target=Status.SUBMITTED_FOR_QA,
    permission="lifecycle.submit_for_qa", label="submit for quality assurance", duty=Duty.AUTHOR,
    audit=AuditAction.POLICY_SUBMITTED_FOR_QA,
    doc="SOP stage 4: the Policy Statement, SOPs, EIA and Workbook go to PCU for quality assurance, copied to "
        "the business group co-ordinator.",
    # While the Lead's request for emergency approval waits, the draft goes no other way (issue 13).
    gates=(gates.commissioning_recorded, *gates.SUBMISSION_GATES, gates.sops_written,
           emergency.no_emergency_request_waiting),
    page=Page(
        slug="submit-for-qa", title="Submit for quality assurance",
        success="Submitted to the Policy Co-ordination Unit for quality assurance. This version is now frozen.",
        explanation="The Policy Statement, SOPs, EIA and Workbook go to PCU, DCFD and DOI for quality assurance, "
        "copied to the business group co-ordinator. From then on this version cannot be changed.",
    ),
    notify=("pcu", "dcfd", "doi", "coordinator"), notice="Submitted for quality assurance",
)
QA_NOT_OFFERED = ("Every part of the quality assurance of this version that you could record is recorded (or is not "
                  "yours to record): nothing is asked of you here.")


def _has_a_discipline_left(user, policy) -> bool:
    """The QA page is offered to those with a discipline still to record on the version (another member of PCU
    once PCU's sign-off is recorded is offered nothing: the form had no discipline to choose)."""
    return bool(permissions.qa_disciplines_for(user, policy))


SIGN_OFF_QA = Step(
    # One discipline's part (lifecycle.timeline names it): "Quality assurance passed" read as the whole having passed.
    done="{discipline} passed its part of quality assurance",
    taken_by="PCU, DCFD and DOI, each for their part",
    name="sign_off_qa", source=(Status.SUBMITTED_FOR_QA,), target=None,
    permission="lifecycle.qa_any", label="record quality assurance of", duty=Duty.QA,
    # One audit action per discipline: the service names it (AuditAction.qa_signed_off).
    audit=AuditAction.POLICY_QA_SIGNED_OFF_PCU,
    doc="SOP stage 4: \"The Policy Co-ordination Unit will co-ordinate the quality assurance process in "
        "conjunction with DCFD and DOI\".",
    page=QA_PAGE, choice_value="passed",
    offered_if=_has_a_discipline_left, not_offered=QA_NOT_OFFERED,
)
PASS_QA = Step(
    done="Quality assurance complete: PCU, DCFD and DOI have all signed off",
    name="pass_qa", source=(Status.SUBMITTED_FOR_QA,), target=Status.QA_PASSED,
    permission="lifecycle.qa_any", label="pass quality assurance of", audit=AuditAction.POLICY_QA_PASSED,
    doc="Entered in the same transaction as the last of the PCU, DCFD and DOI sign-offs.",
    gates=(gates.all_qa_signoffs_passed,),
    notify=("coordinator", "authors"), notice="Quality assurance passed",
)
RETURN_FROM_QA = Step(
    done="Returned from quality assurance with comments",
    taken_by="PCU, DCFD and DOI, each for their part",
    name="return_from_qa", source=(Status.SUBMITTED_FOR_QA,), target=Status.DEVELOPMENT,
    permission="lifecycle.qa_any", label="return", duty=Duty.QA, audit=AuditAction.POLICY_RETURNED_FROM_QA,
    doc="Any of PCU, DCFD or DOI may return the submission with comments; work continues in a new draft.",
    page=QA_PAGE, choice_value="returned",
    offered_if=_has_a_discipline_left, not_offered=QA_NOT_OFFERED,
    notify=("authors", "coordinator"), notice="Returned from quality assurance with comments",
)
FORWARD_TO_LEAD = Step(
    done="Forwarded to the Designated Lead for approval",
    taken_by="the business group's co-ordinator",
    name="forward_to_lead", source=(Status.QA_PASSED,), target=Status.WITH_LEAD,
    permission="lifecycle.forward_to_lead", label="forward to the Designated Lead",
    audit=AuditAction.POLICY_FORWARDED_TO_LEAD,
    doc="Co-ordinator: \"only documents that have successfully completed the quality assurance process, as "
        "advised by the Policy Co-ordination Unit, may be submitted\" to the Lead.",
    gates=(gates.all_qa_signoffs_passed,),
    page=Page(slug="forward-to-lead", title="Forward to the Designated Lead",
              success="Forwarded to the Designated Lead for approval.",
              explanation="Quality assurance is complete. Only QA-passed documents may go to the Lead (SOP, role of "
              "the Business Group Policy Co-ordinator)."),
    notify=("lead",), notice="Waiting for your approval",
)

# --- stage 4: the Lead's decision --------------------------------------------------------------------

APPROVE = Step(
    done="Approved",
    taken_by="the Designated Lead",
    name="approve", source=(Status.WITH_LEAD,), target=Status.APPROVED,
    permission="lifecycle.approve", label="approve", duty=Duty.APPROVER, audit=AuditAction.POLICY_APPROVED,
    doc="SOP stage 4: the Designated Business Group Policy Lead approves publication of a QA-passed, "
        "impact-assessed version.",
    gates=(*gates.APPROVAL_GATES, gates.approval_recorded), records=(gates.approval_recorded,),
    page=DECISION_PAGE, choice_value="approve",
    notify=("coordinator", "authors"), notice="Approved by the Designated Lead",
)
REJECT = Step(
    done="Rejected",
    taken_by="the Designated Lead",
    name="reject", source=(Status.WITH_LEAD,), target=Status.DEVELOPMENT,
    permission="lifecycle.approve", label="reject", duty=Duty.APPROVER, audit=AuditAction.POLICY_REJECTED,
    doc="SOP stage 4: the Lead may reject; the developer continues in a new draft.",
    page=DECISION_PAGE, choice_value="reject", arguments={"comments": "reasons"},
    notify=("authors", "coordinator"), notice="Rejected by the Designated Lead",
)
EMERGENCY_DOC = (
    "SOP stage 3: an exception \"where a policy has to be introduced to meet immediate operational needs ... must be "
    "made with the approval of the appropriate policy lead ... in consultation with the Policy Co-ordination Unit. In "
    "these circumstances, the impact assessment must be completed as soon as reasonably practicable.\""
)
REQUEST_EMERGENCY_APPROVAL = Step(
    done="Emergency approval asked for",
    taken_by="the Designated Lead",
    name="request_emergency_approval", source=tuple(EMERGENCY_SOURCES), target=None,
    permission="lifecycle.emergency_approve", label="ask for emergency approval of", duty=Duty.APPROVER,
    audit=AuditAction.POLICY_EMERGENCY_REQUESTED, doc=EMERGENCY_DOC,
    gates=(gates.commissioning_recorded, gates.statement_written, gates.sops_written,
           emergency.emergency_not_requested),
    page=Page(
        slug="emergency-approve", title="Emergency approval", form=forms.EmergencyApprovalForm, warning=True,
        shows_version=True, button="Ask PCU to agree",
        success="Emergency approval asked for: a member of the Policy Co-ordination Unit must agree before the "
        "policy is approved.",
        explanation="Only where a policy has to be introduced to meet immediate operational needs. A member of PCU "
        "must agree, in their own name. You will be recorded as the owner of the associated risks, and the EIA, the "
        "Workbook's impact sections and the quality assurance skipped must be completed as soon as reasonably "
        "practicable.",
    ),
    notify=("pcu",), notice="Emergency approval asked for: PCU's agreement needed",
    then="agree_emergency_approval",
)
EMERGENCY_ANSWER_PAGE = Page(
    slug="emergency-agreement", title="Agree to emergency approval", form=forms.EmergencyAnswerForm, warning=True,
    shows_version=True, choice="answer", button="Record your answer", success="Your answer has been recorded.",
    explanation="The Designated Lead asks to approve this policy by the emergency route, as risk owner. Your answer "
    "is recorded in your own name.",
)
AGREE_EMERGENCY_APPROVAL = Step(
    done="Approved by the emergency route, with PCU's agreement",
    taken_by="a member of the Policy Co-ordination Unit",
    name="agree_emergency_approval", source=tuple(EMERGENCY_SOURCES), target=Status.APPROVED,
    permission="lifecycle.agree_emergency", label="agree to the emergency approval of", duty=Duty.APPROVER,
    who="a member of the Policy Co-ordination Unit", audit=AuditAction.POLICY_EMERGENCY_APPROVED, doc=EMERGENCY_DOC,
    gates=(gates.commissioning_recorded, gates.statement_written, emergency.emergency_requested,
           gates.approval_recorded),
    records=(gates.approval_recorded,),
    page=EMERGENCY_ANSWER_PAGE, choice_value="agree",
    success="You agreed: the policy is approved by the emergency route, with the Lead as risk owner.",
    notify=("pcu", "dcfd", "doi", "coordinator", "lead", "authors"),
    notice="Approved by the emergency route: EIA, Workbook and quality assurance outstanding",
)
REFUSE_EMERGENCY_APPROVAL = Step(
    done="Emergency approval refused by PCU",
    taken_by="a member of the Policy Co-ordination Unit",
    name="refuse_emergency_approval", source=tuple(EMERGENCY_SOURCES), target=None,
    permission="lifecycle.agree_emergency", label="refuse the emergency approval of", duty=Duty.APPROVER,
    who="a member of the Policy Co-ordination Unit", audit=AuditAction.POLICY_EMERGENCY_REFUSED, doc=EMERGENCY_DOC,
    gates=(emergency.emergency_requested,),
    page=EMERGENCY_ANSWER_PAGE, choice_value="refuse",
    success="You refused the emergency approval: the draft goes the full route, and the Lead may ask again.",
    notify=("lead", "authors", "coordinator"), notice="Emergency approval refused by PCU",
)
FORWARD_FOR_PUBLICATION = Step(
    done="Sent to PCU for publication",
    taken_by="the business group's co-ordinator",
    name="forward_for_publication", source=(Status.APPROVED,), target=Status.AWAITING_PUBLICATION,
    permission="lifecycle.forward_for_publication", label="forward for publication",
    audit=AuditAction.POLICY_FORWARDED_FOR_PUBLICATION,
    doc="Co-ordinator: \"Ensure only documents approved by Designated Business Group Policy Lead are submitted to "
        "the Policy Co-ordination Unit for publication\".",
    gates=(gates.approval_recorded,),
    page=Page(slug="forward-for-publication", title="Send to PCU for publication",
              success="Sent to the Policy Co-ordination Unit for publication."),
    notify=("pcu",), notice="Ready for publication",
)

# --- stage 5 and 6 -------------------------------------------------------------------------------------

SCHEDULED_ALREADY = ("this version is already scheduled for publication: publish it now, or cancel the schedule, on "
                     "the policy's Publication page.")


def _not_scheduled_already(user, policy) -> bool:
    return gates.scheduled_publication_date(policy) is None


PUBLISH = Step(
    done="Published",
    taken_by="PCU",
    name="publish", source=(Status.AWAITING_PUBLICATION,), target=Status.IMPLEMENTATION,
    # The scheduler publishes what PCU scheduled: publication.services checks PCU when the request is made.
    permission="lifecycle.publish", label="publish", duty=Duty.PUBLISHER, audit=AuditAction.POLICY_PUBLISHED,
    who="the Policy Co-ordination Unit",
    doc="SOP stage 5: PCU publishes \"on the Corporate Policy Intranet, in Notices, on the MPS Publication "
        "Scheme\".",
    gates=(gates.approval_recorded,),
    # A version scheduled already is published now (or its schedule cancelled) from its Publication page: the form
    # was offered again and, filled in, refused (the service's own check). Not a condition of the step, which the
    # scheduler and "publish now" take on that very schedule.
    offered_if=_not_scheduled_already, not_offered=SCHEDULED_ALREADY,
    # Scheduling notifies no one (policy.publication_scheduled); the step's own event, on the day it is published,
    # tells those below. The confirmation says which happened (lifecycle.next_steps.after_step).
    page=Page(slug="publish", title="Publish", form=forms.PublishForm, success="Publication recorded.",
              shows_version=True),
    notify=("authors", "coordinator", "lead", "owner"), notice="Published",
)
COMPLETE_IMPLEMENTATION = Step(
    done="Implementation completed: moved to monitoring and review",
    taken_by="the co-ordinator, the policy manager or PCU",
    kinds=_EVERY_KIND,
    name="complete_implementation", source=(Status.IMPLEMENTATION,), target=Status.MONITORING,
    permission="lifecycle.complete_implementation", label="move to monitoring",
    audit=AuditAction.POLICY_IMPLEMENTATION_COMPLETED,
    doc="SOP stage 5 to 6: the implementation plan is complete; monitoring and review follow.",
    page=Page(slug="complete-implementation", title="Move to monitoring",
              success="Implementation complete: the policy is now in monitoring and review."),
)
START_REVIEW = Step(
    done="Review started",
    taken_by="the policy's developers or manager, the co-ordinator or the Designated Lead",
    kinds=_EVERY_KIND,
    name="start_review", source=_IN_FORCE, target=Status.SCOPING, stage=Stage.MONITORING,
    permission="lifecycle.start_review", label="start a review of", audit=AuditAction.POLICY_REVIEW_STARTED,
    doc="SOP stage 1: \"If this is a policy review ... see whether there are any changes\".",
    gates=(gates.retrospective_eia_signed_off, gates.no_change_review_not_open),
    page=Page(slug="start-review", title="Start a review", form=forms.ReasonForm,
              success="Review started: a new draft version is open in scoping. The published version stays in "
              "force."),
    notify=("authors", "coordinator"), notice="Review started",
)
# A review that concludes no change is needed (issue 13): a real, short review outcome in three steps, each its own
# person's. The policy stays in force and in its status throughout; the open NoChangeReview says whose turn it is.
CONCLUDE_NO_CHANGE = Step(
    done="Review concluded with no change needed",
    taken_by="the Designated Lead",
    name="conclude_no_change", source=_IN_FORCE, target=None, stage=Stage.MONITORING,
    permission="lifecycle.conclude_no_change", label="conclude with no change the review of",
    who="the Designated Lead the policy names", audit=AuditAction.POLICY_REVIEW_CONCLUDED_NO_CHANGE,
    doc="SOP: the Designated Lead will \"Approve new and reviewed policy and SOPs\"; reviews \"at least every 3 "
        "years\" (\"allow at least 6 months for a basic review\"), and \"Equality Impact Assessments ... on existing "
        "policies every 3 years\": the Lead concludes, DCFD confirms the EIA, PCU re-publishes.",
    gates=(gates.has_been_published, gates.retrospective_eia_signed_off, gates.review_window_open,
           gates.no_change_review_not_open),
    page=Page(
        slug="conclude-no-change", title="Conclude the review: no change needed", form=forms.ReasonForm,
        success="Review concluded with no change. DCFD has been asked to confirm the Equality Impact Assessment; "
        "PCU will then re-publish the policy.",
        explanation="The review found that the policy is still needed and needs no change. DCFD will confirm that "
        "its Equality Impact Assessment still stands, and PCU will re-publish it; its next review falls due 3 years "
        "from that publication.",
        shows_version=True,
    ),
    notify=("dcfd", "coordinator", "authors"), notice="Review concluded with no change: EIA to be confirmed",
    then="confirm_eia",
)
CONFIRM_EIA = Step(
    done="Equality Impact Assessment confirmed for the review",
    taken_by="the Diversity and Citizen Focus Directorate",
    name="confirm_eia", source=_IN_FORCE, target=None, stage=Stage.MONITORING,
    permission="lifecycle.confirm_eia", label="confirm the Equality Impact Assessment of",
    who="the Diversity and Citizen Focus Directorate", audit=AuditAction.POLICY_REVIEW_EIA_CONFIRMED,
    doc="SOP: Equality Impact Assessments are required \"on existing policies every 3 years\"; DCFD quality-assures "
        "them.",
    gates=(gates.no_change_awaits_eia,),
    page=Page(slug="confirm-eia", title="Confirm the Equality Impact Assessment", form=forms.EIAConfirmationForm,
              success="Recorded. If the assessment stands, PCU has been asked to re-publish the policy; if it must be "
              "updated, it is reopened for the policy's developers to revise, and you sign the update off before PCU "
              "re-publishes.",
              explanation="The Designated Lead concluded that the policy needs no change. Confirm that its Equality "
              "Impact Assessment still stands, or say what must be updated: the assessment is then reopened for "
              "revision, and the re-publication waits until you sign the updated assessment off.", shows_version=True),
    notify=("pcu", "lead", "coordinator", "authors"), notice="EIA confirmed, or reopened to be updated",
)
SIGN_OFF_UPDATED_EIA = Step(
    done="Updated Equality Impact Assessment signed off for the review",
    taken_by="the Diversity and Citizen Focus Directorate",
    name="sign_off_updated_eia", source=_IN_FORCE, target=None, stage=Stage.MONITORING,
    permission="lifecycle.confirm_eia", label="sign off the updated Equality Impact Assessment of", duty=Duty.QA,
    who="the Diversity and Citizen Focus Directorate", audit=AuditAction.POLICY_REVIEW_EIA_UPDATE_SIGNED_OFF,
    doc="SOP: Equality Impact Assessments are required \"on existing policies every 3 years\"; DCFD quality-assures "
        "them. The assessment DCFD reopened at a review concluding no change is re-published only once signed off.",
    gates=(gates.no_change_awaits_updated_eia, gates.updated_eia_complete),
    page=Page(slug="sign-off-updated-eia", title="Sign off the updated Equality Impact Assessment",
              form=forms.CommentsForm, button="Sign it off", shows_version=True,
              success="Signed off. PCU has been asked to re-publish the policy with its updated assessment.",
              explanation="You said the Equality Impact Assessment must be updated; the policy's developers have "
              "revised it (EIA tab). Once you sign it off it is frozen, and PCU re-publishes the policy with it."),
    notify=("pcu", "lead", "coordinator", "authors"), notice="Updated EIA signed off: ready to re-publish",
    then="republish_no_change",
)
REPUBLISH_NO_CHANGE = Step(
    done="Re-published after a review with no change",
    taken_by="the Policy Co-ordination Unit",
    name="republish_no_change", source=_IN_FORCE, target=None, stage=Stage.MONITORING,
    permission="lifecycle.publish", label="re-publish", duty=Duty.PUBLISHER,
    who="the Policy Co-ordination Unit", audit=AuditAction.POLICY_REPUBLISHED_NO_CHANGE,
    doc="SOP stage 5: PCU publishes \"on the Corporate Policy Intranet, in Notices, on the MPS Publication "
        "Scheme\"; \"Ensure policies are reviewed and published at least once every 3 years\".",
    gates=(gates.no_change_awaits_publication,),
    page=Page(slug="republish", title="Re-publish unchanged", form=forms.RepublishForm,
              success="Re-published, with a notice. The next review is due in 3 years.", shows_version=True,
              explanation="The review concluded with no change and DCFD confirmed the Equality Impact Assessment. "
              "The version in force is re-published as it stands, with a notice; its next review falls due 3 years "
              "from today."),
    notify=("authors", "coordinator", "lead", "owner"), notice="Re-published after review: no change",
)
# Only while the policy is in force and no review is open (a policy under review has its new version's
# status): bringing forward a review that has already started means nothing. Nor one already due: no date is left.
SET_REVIEW_DATE = Step(
    done="Review date brought forward",
    taken_by="the Designated Lead or the co-ordinator",
    kinds=_EVERY_KIND,
    name="set_review_date", source=_IN_FORCE, target=None, stage=Stage.MONITORING, only_if=gates.review_date_ahead,
    permission="lifecycle.set_review_date", label="bring forward the review of",
    who="the Designated Lead or the co-ordinator of its business group",
    audit=AuditAction.POLICY_REVIEW_DATE_BROUGHT_FORWARD,
    doc="SOP: reviews at least every 3 years, \"if no earlier review has been prompted by monitoring results, or "
        "external factors e.g. legislation, critical incidents\".",
    page=Page(slug="set-review-date", title="Bring the review forward", form=forms.ReviewDateForm,
              success="The review date has been brought forward."),
    notify=("authors",), notice="Review brought forward",
    # What the earlier date is for: the review itself, started by then (in implementation the way on from the
    # status would be "Move to monitoring", which bringing a review forward does not ask for).
    then="start_review",
)
# Issue 13: the Lead acts on monitoring results. Open whatever stage a review is in (the published version stays in
# force, and its reports keep coming), on a policy published at least once.
RESPOND_TO_MONITORING = Step(
    done="The Designated Lead responded to a monitoring report",
    taken_by="the Designated Lead",
    kinds=_EVERY_KIND,
    name="respond_to_monitoring", source=_ALL_BUT_WITHDRAWN, target=None, stage=Stage.MONITORING,
    permission="lifecycle.respond_to_monitoring", label="respond to a monitoring report of",
    who="the Designated Lead it names", audit=AuditAction.MONITORING_REPORT_RESPONDED,
    doc="SOP, role of the Designated Business Group Policy Lead: \"review monitoring results and direct remedial "
        "action\"; \"This monitoring data then feeds into future policy reviews\". After the co-ordinator's quality "
        "assurance, the Lead records no action, a remedial action (what, who, by when) or an earlier review.",
    gates=(gates.monitoring_report_awaits_response,), only_if=gates.has_been_published,
    page=Page(
        slug="respond-to-monitoring", title="Respond to a monitoring report", form=forms.MonitoringResponseForm,
        button="Record your response", success="Your response to the monitoring report has been recorded.",
        explanation="Read the quality-assured report first (Monitoring tab). Record that no action is needed, "
        "direct a remedial action (what, who, by when: it is chased until done), or bring the review forward.",
    ),
    # "named_in_changes": whoever a remedial action names (notifications.services.NAMED_IN_CHANGES).
    notify=("authors", "coordinator", "named_in_changes"),
    notice="The Designated Lead responded to a monitoring report",
)
DECIDE_WITHDRAWAL = Step(
    done="Withdrawal decided",
    taken_by="the Designated Lead or the owner",
    kinds=_EVERY_KIND,
    name="decide_withdrawal", source=_ALL_BUT_WITHDRAWN, target=None, stage=Stage.MONITORING,
    permission="lifecycle.decide_withdrawal", label="decide to withdraw",
    who="the Designated Lead or the Management Board owner the policy names",
    audit=AuditAction.POLICY_WITHDRAWAL_DECIDED,
    doc="SOP: the Management Board member and the Designated Lead \"retain ultimate ownership\" of their policies; "
        "PCU is the \"gateway\" for publication, and so for taking a policy down.",
    gates=(gates.withdrawal_not_decided,),
    page=Page(slug="decide-withdrawal", title="Decide to withdraw the policy", form=forms.WithdrawalDecisionForm,
              warning=True, success="Withdrawal decided. The Policy Co-ordination Unit has been asked to carry it out.",
              explanation="The policy will be taken off the Corporate Policy Intranet and the Publication Scheme by "
              "PCU, and kept in the archive. Its reminders stop once it is withdrawn."),
    notify=("pcu", "authors", "coordinator", "lead", "owner"), notice="Withdrawal decided: PCU to carry it out",
    then="withdraw",
)
WITHDRAW = Step(
    done="Withdrawn",
    taken_by="the Policy Co-ordination Unit",
    kinds=_EVERY_KIND,
    name="withdraw", source=_ALL_BUT_WITHDRAWN, target=Status.WITHDRAWN, stage=Stage.MONITORING,
    permission="lifecycle.withdraw", label="withdraw", who="the Policy Co-ordination Unit",
    audit=AuditAction.POLICY_WITHDRAWN,
    doc="PCU carries out a withdrawal the Lead or the owner decided: off the intranet and the Publication Scheme; "
        "it stays in the archive.",
    gates=(gates.withdrawal_decided,),
    page=Page(slug="withdraw", title="Carry out the withdrawal", form=forms.CommentsForm, warning=True,
              success="The policy has been withdrawn: it is off the intranet and the Publication Scheme, kept in the "
              "archive, and its reminders have stopped.",
              explanation="The Designated Lead or the owner decided to withdraw this policy. It will be taken off "
              "the Corporate Policy Intranet and the Publication Scheme and kept in the archive; any scheduled "
              "publication is cancelled and its reminders stop."),
    notify=("authors", "coordinator", "lead", "owner"), notice="Withdrawn",
)

STEPS: tuple[Step, ...] = (
    REQUEST_COMMISSIONING, COMMISSION, DECLINE_COMMISSIONING, SUBMIT_FOR_QA, SIGN_OFF_QA, PASS_QA, RETURN_FROM_QA,
    FORWARD_TO_LEAD, APPROVE, REJECT, REQUEST_EMERGENCY_APPROVAL, AGREE_EMERGENCY_APPROVAL, REFUSE_EMERGENCY_APPROVAL,
    FORWARD_FOR_PUBLICATION, PUBLISH, COMPLETE_IMPLEMENTATION,
    START_REVIEW, CONCLUDE_NO_CHANGE, CONFIRM_EIA, SIGN_OFF_UPDATED_EIA, REPUBLISH_NO_CHANGE, SET_REVIEW_DATE,
    RESPOND_TO_MONITORING, DECIDE_WITHDRAWAL, WITHDRAW, AGREE_LOCAL_SUPPLEMENT, APPROVE_LOCAL,
)
# The emergency route and withdrawal leave a status, but are exceptions, not the way on from it.
CYCLE = Cycle(STEPS, detours=(AGREE_EMERGENCY_APPROVAL, WITHDRAW))
STEPS_BY_NAME = CYCLE.by_name
# slug -> (page, the steps it offers), in the order of STEPS.
PAGES = CYCLE.pages
# What the app reads from the cycle (lifecycle.steps.Cycle), by the names its callers use.
step_for_choice = CYCLE.step_for_choice
next_gated_step = CYCLE.next_gated_step
way_on = CYCLE.way_on
steps_offered = CYCLE.steps_offered
steps_permitted = CYCLE.steps_permitted
pages_offered = CYCLE.pages_offered
fsm_transitions = CYCLE.fsm_transitions
