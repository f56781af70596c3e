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

The steps of stage 6, monitoring and review (and withdrawal), are declared in ``lifecycle.workflow_monitoring``, and
the local work instructions' own route, outside the corporate process, in ``lifecycle.local_steps``; both join the
cycle here, and are imported from here. What a step and a page are, and how the cycle is read (``CYCLE``: the pages,
the way on, what is offered to whom, the fsm transitions), is ``lifecycle.steps``: this module holds only the
declarations.
"""

from __future__ import annotations

from core.events import AuditAction
from lifecycle import emergency, forms, gates, gates_eia, permissions
from lifecycle.local_steps import AGREE_LOCAL_SUPPLEMENT, APPROVE_LOCAL
from lifecycle.states import EMERGENCY_SOURCES, Duty, Status
from lifecycle.steps import Cycle, Page, Step
from lifecycle.workflow_monitoring import (
    CONCLUDE_NO_CHANGE,
    CONFIRM_EIA,
    DECIDE_WITHDRAWAL,
    EVERY_KIND,
    REPUBLISH_NO_CHANGE,
    RESPOND_TO_MONITORING,
    SET_REVIEW_DATE,
    SIGN_OFF_UPDATED_EIA,
    START_REVIEW,
    WITHDRAW,
    WITHDRAW_REVIEW_DRAFT,
    WITHDRAW_REVIEW_DRAFT_TO_IMPLEMENTATION,
    WITHDRAW_REVIEW_DRAFT_TO_MONITORING,
)

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
    # While the Lead's request for emergency approval waits, the draft goes no other way (issue 13). An assessment
    # concluding that the policy must stop, or keeping it unjustified, is settled first (lifecycle.gates_eia).
    gates=(gates.commissioning_recorded, *gates.SUBMISSION_GATES, gates_eia.eia_outcome_justified,
           gates_eia.eia_not_concluding_stop, gates.sops_written, emergency.no_emergency_request_waiting),
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
    # While the Lead's request waits, the draft is held for PCU's answer (emergency.emergency_hold): that answer is
    # what comes next on it, not its submission for quality assurance (QA walk: the overview told PCU and the Lead
    # "Next on the policy: Submit for quality assurance, by the policy's developers").
    under_way=emergency.emergency_requested,
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

# --- stage 5: implementation (publication); stage 6, monitoring and review, is lifecycle.workflow_monitoring ----

FORWARD_FOR_PUBLICATION = Step(
    done="Sent to PCU for publication",
    taken_by="the business group's co-ordinator",
    name="forward_for_publication", source=(Status.APPROVED,), target=Status.AWAITING_PUBLICATION,
    # Taken once the Lead has approved, in stage 5 as its status is (lifecycle.states.STAGE_OF): SOP, "5.
    # Implementation": "If approval for publication is given, final versions of the above documents are to be sent to
    # the Policy Co-ordination Unit to arrange publication".
    permission="lifecycle.forward_for_publication", label="forward for publication",
    audit=AuditAction.POLICY_FORWARDED_FOR_PUBLICATION,
    doc="Co-ordinator: \"Ensure only documents approved by Designated Business Group Policy Lead are submitted to "
        "the Policy Co-ordination Unit for publication\".",
    gates=(gates.approval_recorded,),
    page=Page(slug="forward-for-publication", title="Send to PCU for publication",
              success="Sent to the Policy Co-ordination Unit for publication."),
    notify=("pcu",), notice="Ready for publication",
)

SCHEDULED_ALREADY = ("this version is already scheduled for publication: publish it now, or cancel the schedule, on "
                     "the policy's Publication page.")


def _not_scheduled_already(user, policy) -> bool:
    return gates.scheduled_publication_date(policy) is None


PUBLISH = Step(
    done="Published",
    taken_by="PCU",
    name="publish", source=(Status.AWAITING_PUBLICATION,), target=Status.IMPLEMENTATION,
    # Taken on a policy awaiting publication, a status of stage 5: SOP, "5. Implementation": PCU arranges
    # "publication: on the Corporate Policy Intranet, in Notices, on the MPS Publication Scheme".
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
    kinds=EVERY_KIND,
    name="complete_implementation", source=(Status.IMPLEMENTATION,), target=Status.MONITORING,
    permission="lifecycle.complete_implementation", label="move to monitoring",
    audit=AuditAction.POLICY_IMPLEMENTATION_COMPLETED,
    doc="SOP stage 5 to 6: the implementation plan is complete; monitoring and review follow.",
    page=Page(slug="complete-implementation", title="Move to monitoring",
              success="Implementation complete: the policy is now in monitoring and review.",
              # {monitoring}, {review}: the policy's dates (lifecycle.next_steps.explanation).
              explanation="Record that the policy's implementation plan is complete: the policy moves to stage 6, "
              "monitoring and review (SOP: \"Monitoring of compliance, benefits and impact should be carried out "
              "continuously throughout the lifetime of a policy\"). Its annual monitoring report then falls due on "
              "{monitoring}, and its review falls due on {review}."),
)

STEPS: tuple[Step, ...] = (
    REQUEST_COMMISSIONING, COMMISSION, DECLINE_COMMISSIONING, SUBMIT_FOR_QA, SIGN_OFF_QA, PASS_QA, RETURN_FROM_QA,
    FORWARD_TO_LEAD, APPROVE, REJECT, REQUEST_EMERGENCY_APPROVAL, AGREE_EMERGENCY_APPROVAL, REFUSE_EMERGENCY_APPROVAL,
    FORWARD_FOR_PUBLICATION, PUBLISH, COMPLETE_IMPLEMENTATION,
    START_REVIEW, WITHDRAW_REVIEW_DRAFT, WITHDRAW_REVIEW_DRAFT_TO_IMPLEMENTATION, WITHDRAW_REVIEW_DRAFT_TO_MONITORING,
    CONCLUDE_NO_CHANGE, CONFIRM_EIA, SIGN_OFF_UPDATED_EIA, REPUBLISH_NO_CHANGE, SET_REVIEW_DATE,
    RESPOND_TO_MONITORING, DECIDE_WITHDRAWAL, WITHDRAW, AGREE_LOCAL_SUPPLEMENT, APPROVE_LOCAL,
)
# The emergency route and withdrawal leave a status, but are exceptions, not the way on from it.
CYCLE = Cycle(STEPS, detours=(AGREE_EMERGENCY_APPROVAL, WITHDRAW))
STEPS_BY_NAME = CYCLE.by_name
# The work done first before a step (``Step.first``): the drafters' revision of the EIA DCFD reopened.
WORKS_FIRST = CYCLE.works_first
# slug -> (page, the steps it offers), in the order of STEPS.
PAGES = CYCLE.pages
# What the app reads from the cycle (lifecycle.steps.Cycle), by the names its callers use.
step_for_choice = CYCLE.step_for_choice
next_gated_step = CYCLE.next_gated_step
way_on = CYCLE.way_on
way_on_of = CYCLE.way_on_of
awaited = CYCLE.awaited
awaiting = CYCLE.awaiting
awaiting_taker = CYCLE.awaiting_taker
first_due = CYCLE.first_due
first_due_column = CYCLE.first_due_column
awaited_column = CYCLE.awaited_column
steps_offered = CYCLE.steps_offered
steps_permitted = CYCLE.steps_permitted
pages_offered = CYCLE.pages_offered
fsm_transitions = CYCLE.fsm_transitions
