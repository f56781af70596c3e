"""The lifecycle actions a user can take from a policy page, declared once.

Each action names the service that performs it, the rules permission and django-fsm transition that
decide whether it is offered, and the form it needs. Views, buttons and the permission matrix all read
this table, so a button is shown exactly when the service would accept the action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import rules

from lifecycle import forms, services
from lifecycle.models import Policy
from lifecycle.permissions import is_current_version_author, is_dcfd, is_doi, is_pcu
from lifecycle.states import PUBLISHED_STATUSES, QADiscipline, Status


@dataclass(frozen=True)
class PolicyAction:
    slug: str
    label: str
    perm: str
    perform: Callable
    success: str
    form_class: type = forms.NoFieldsForm
    transition: str | None = None
    statuses: frozenset[str] = field(default_factory=frozenset)
    explanation: str = ""
    warning: bool = False
    button: str = ""

    @property
    def button_label(self) -> str:
        return self.button or self.label

    def is_available(self, policy: Policy) -> bool:
        if self.transition is not None:
            meta = getattr(Policy, self.transition)._django_fsm
            return meta.has_transition(policy.status)
        return policy.status in self.statuses

    def is_allowed(self, user, policy: Policy) -> bool:
        return self.is_available(policy) and rules.has_perm(self.perm, user, policy)


def qa_disciplines_for(user, policy: Policy) -> list[tuple[str, str]]:
    """The QA disciplines this user may still sign off on the current version."""
    holders = {QADiscipline.PCU: is_pcu, QADiscipline.DCFD: is_dcfd, QADiscipline.DOI: is_doi}
    version = policy.current_version
    if version is None or is_current_version_author(user, policy):
        return []
    done = set(version.qa_signoffs.values_list("discipline", flat=True))
    return [
        (discipline.value, discipline.label)
        for discipline, holds in holders.items()
        if discipline.value not in done and holds(user)
    ]


def _qa(policy, actor, data):
    if data["outcome"] == "passed":
        return services.policy_record_qa_signoff(
            policy=policy, actor=actor, discipline=data["discipline"], comments=data.get("comments", ""),
            expected_status=data["expected_status"],
        )
    return services.policy_return_from_qa(
        policy=policy, actor=actor, discipline=data["discipline"], comments=data.get("comments", ""),
        expected_status=data["expected_status"],
    )


def _decide(policy, actor, data):
    if data["decision"] == "approve":
        return services.policy_approve(policy=policy, actor=actor, comments=data.get("comments", ""),
                                       expected_status=data["expected_status"])
    return services.policy_reject(policy=policy, actor=actor, reasons=data.get("comments", ""),
                                  expected_status=data["expected_status"])


def _publish(policy, actor, data):
    from publication.services import policy_publish

    return policy_publish(
        policy=policy, actor=actor, on_intranet=data["on_intranet"], in_notices=data["in_notices"],
        on_publication_scheme=data["on_publication_scheme"], publish_on=data.get("publish_on"),
        expected_status=data["expected_status"],
    )


ACTIONS: list[PolicyAction] = [
    PolicyAction(
        slug="request-commissioning", label="Request commissioning", perm="lifecycle.request_commissioning",
        transition="request_commissioning",
        perform=lambda p, a, d: services.policy_request_commissioning(
            policy=p, actor=a, expected_status=d["expected_status"]),
        success="Commissioning requested: the Designated Lead has been asked for a decision.",
        explanation="Scoping is complete. The Designated Business Group Policy Lead will be asked to commission "
        "the development of this policy (SOP stage 2).",
    ),
    PolicyAction(
        slug="commission", label="Commission development", perm="lifecycle.decide_commissioning",
        transition="commission", form_class=forms.CommentsForm,
        perform=lambda p, a, d: services.policy_commission(
            policy=p, actor=a, comments=d.get("comments", ""), expected_status=d["expected_status"]),
        success="Commissioned: the policy is now in development.",
        explanation="Your formal agreement to progress the work (SOP stage 2).",
    ),
    PolicyAction(
        slug="decline-commissioning", label="Decline commissioning", perm="lifecycle.decide_commissioning",
        transition="decline_commissioning", form_class=forms.ReasonsForm, warning=True,
        perform=lambda p, a, d: services.policy_decline_commissioning(
            policy=p, actor=a, reasons=d["reasons"], expected_status=d["expected_status"]),
        success="Commissioning declined: the policy has returned to scoping.",
    ),
    PolicyAction(
        slug="submit-for-qa", label="Submit for quality assurance", perm="lifecycle.submit_for_qa",
        transition="submit_for_qa",
        perform=lambda p, a, d: services.policy_submit_for_qa(
            policy=p, actor=a, expected_status=d["expected_status"]),
        success="Submitted to the Policy Co-ordination Unit for quality assurance. This version is now frozen.",
        explanation="The Policy Statement, SOPs, EIA and Workbook go to PCU, DCFD and DOI for quality assurance, "
        "copied to the business group co-ordinator. From then on this version cannot be changed.",
    ),
    PolicyAction(
        slug="quality-assurance", label="Record quality assurance", perm="lifecycle.qa_any",
        statuses=frozenset({Status.SUBMITTED_FOR_QA}), form_class=forms.QADecisionForm, perform=_qa,
        button="Record your decision",
        success="Your quality assurance decision has been recorded.",
    ),
    PolicyAction(
        slug="forward-to-lead", label="Forward to the Designated Lead", perm="lifecycle.forward_to_lead",
        transition="forward_to_lead",
        perform=lambda p, a, d: services.policy_forward_to_lead(
            policy=p, actor=a, expected_status=d["expected_status"]),
        success="Forwarded to the Designated Lead for approval.",
        explanation="Quality assurance is complete. Only QA-passed documents may go to the Lead (SOP, role of the "
        "Business Group Policy Co-ordinator).",
    ),
    PolicyAction(
        slug="decide", label="Approve or reject", perm="lifecycle.approve", transition="approve",
        form_class=forms.ApprovalDecisionForm, perform=_decide, button="Record your decision",
        success="Your decision has been recorded.",
    ),
    PolicyAction(
        slug="emergency-approve", label="Emergency approval", perm="lifecycle.emergency_approve",
        transition="emergency_approve", form_class=forms.EmergencyApprovalForm, warning=True,
        perform=lambda p, a, d: services.policy_emergency_approve(
            policy=p, actor=a, risk_statement=d["risk_statement"], pcu_agreed_by=d["pcu_agreed_by"],
            eia_due_on=d.get("eia_due_on"), expected_status=d["expected_status"]),
        success="Approved by the emergency route. The policy is marked \u201cnot impact assessed\u201d until "
        "its EIA is signed off.",
        explanation="Only where a policy has to be introduced to meet immediate operational needs. You will be "
        "recorded as the owner of the associated risks, and the EIA must be completed as soon as reasonably "
        "practicable.",
    ),
    PolicyAction(
        slug="forward-for-publication", label="Send to PCU for publication", perm="lifecycle.forward_for_publication",
        transition="forward_for_publication",
        perform=lambda p, a, d: services.policy_forward_for_publication(
            policy=p, actor=a, expected_status=d["expected_status"]),
        success="Sent to the Policy Co-ordination Unit for publication.",
    ),
    PolicyAction(
        slug="publish", label="Publish", perm="lifecycle.publish", transition="publish",
        form_class=forms.PublishForm, perform=_publish,
        success="Publication recorded.",
    ),
    PolicyAction(
        slug="complete-implementation", label="Move to monitoring", perm="lifecycle.complete_implementation",
        transition="complete_implementation",
        perform=lambda p, a, d: services.policy_complete_implementation(
            policy=p, actor=a, expected_status=d["expected_status"]),
        success="Implementation complete: the policy is now in monitoring and review.",
    ),
    PolicyAction(
        slug="start-review", label="Start a review", perm="lifecycle.start_review", transition="start_review",
        form_class=forms.ReasonForm,
        perform=lambda p, a, d: services.policy_start_review(
            policy=p, actor=a, reason=d["reason"], expected_status=d["expected_status"]),
        success="Review started: a new draft version is open in scoping. The published version stays in force.",
    ),
    PolicyAction(
        slug="confirm-no-change", label="Confirm no change is needed", perm="lifecycle.confirm_no_change",
        transition="confirm_no_change", form_class=forms.ReasonForm,
        perform=lambda p, a, d: services.policy_confirm_no_change(
            policy=p, actor=a, reason=d["reason"], expected_status=d["expected_status"]),
        success="Review concluded with no change: the policy is re-published with a new review date in 3 years.",
        explanation="The review found that the policy is still needed and needs no change. It is re-published as "
        "it stands and its next review falls due in 3 years.",
    ),
    PolicyAction(
        slug="set-review-date", label="Bring the review forward", perm="lifecycle.set_review_date",
        statuses=frozenset(PUBLISHED_STATUSES), form_class=forms.ReviewDateForm,
        perform=lambda p, a, d: services.policy_set_review_date(
            policy=p, actor=a, review_due_on=d["review_due_on"], reason=d["reason"]),
        success="The review date has been brought forward.",
    ),
    PolicyAction(
        slug="withdraw", label="Withdraw the policy", perm="lifecycle.withdraw", transition="withdraw",
        form_class=forms.ReasonForm, warning=True,
        perform=lambda p, a, d: services.policy_withdraw(
            policy=p, actor=a, reason=d["reason"], expected_status=d["expected_status"]),
        success="The policy has been withdrawn.",
    ),
]

ACTIONS_BY_SLUG = {action.slug: action for action in ACTIONS}


def available_actions(user, policy: Policy) -> list[PolicyAction]:
    return [action for action in ACTIONS if action.is_allowed(user, policy)]
