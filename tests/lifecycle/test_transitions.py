"""The six-stage cycle through its services: every allowed move, and every refusal with its reason."""

from __future__ import annotations

import pytest

from core.models import AuditEvent, Role
from core.services import role_assign
from lifecycle import gates
from lifecycle import services as s
from lifecycle.models import ApprovalDecision, CommissioningDecision, PolicyVersion, QASignOff
from lifecycle.permissions import forget_roles
from lifecycle.states import Status
from publication.services import policy_publish
from tests.factories import (
    PATH,
    advance_to,
    fill_development,
    fill_scoping,
    refused,
    reload,
    the_year_due,
)


def last_event(policy):
    return AuditEvent.objects.filter(policy_id=policy.pk).order_by("-sequence").first()


def grant(people, user, role, business_group=None):
    role_assign(actor=people.pcu, user=user, role=role, business_group=business_group)
    forget_roles(user)


# --- the main path, one step at a time --------------------------------------------------------------

EXPECTED_ACTION = {
    Status.COMMISSIONING: "policy.commissioning_requested",
    Status.DEVELOPMENT: "policy.commissioned",
    Status.SUBMITTED_FOR_QA: "policy.submitted_for_qa",
    Status.QA_PASSED: "policy.qa_passed",
    Status.WITH_LEAD: "policy.forwarded_to_lead",
    Status.APPROVED: "policy.approved",
    Status.AWAITING_PUBLICATION: "policy.forwarded_for_publication",
    Status.IMPLEMENTATION: "policy.published",
    Status.MONITORING: "policy.implementation_completed",
}


def test_each_step_of_the_main_path(people):
    """One policy walked from scoping to monitoring: each step lands on its status and records its event."""
    policy = people.policy()
    for source, target in zip(PATH, PATH[1:], strict=False):
        assert policy.status == source
        events_before = AuditEvent.objects.filter(policy_id=policy.pk, action=EXPECTED_ACTION[target]).count()

        policy = advance_to(policy, target, people)

        assert policy.status == target
        event = last_event(policy)
        assert event.action == EXPECTED_ACTION[target], (source, target)
        assert event.changes["status"] == [source, target]
        assert event.actor is not None
        assert AuditEvent.objects.filter(policy_id=policy.pk, action=EXPECTED_ACTION[target]).count() == (
            events_before + 1)


def test_created_policy_starts_in_scoping_with_draft_one_point_nought(people):
    policy = people.policy()

    assert policy.status == Status.SCOPING
    assert policy.reference.startswith("POL-")
    version = policy.current_version
    assert (version.number, version.author, version.is_frozen) == ("1.0", people.developer, False)
    assert version.eia.frozen_at is None and version.workbook.frozen_at is None
    assert last_event(policy).action == "policy.created"
    assert list(policy.developers.all()) == [people.developer]


def test_commissioning_records_the_leads_decision_for_the_cycle(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)

    decision = CommissioningDecision.objects.get(policy=policy)
    assert (decision.cycle, decision.decision, decision.decided_by) == (1, "commissioned", people.lead)


def test_submission_freezes_the_package(policy_in, people):
    policy = policy_in(Status.SUBMITTED_FOR_QA)

    version = policy.current_version
    assert version.submitted_by == people.developer
    assert version.is_frozen
    assert version.eia.frozen_at is not None and version.workbook.frozen_at is not None
    assert last_event(policy).changes["content_hash"] == version.content_hash


def test_two_sign_offs_leave_it_submitted_and_the_third_passes_qa(policy_in, people):
    policy = policy_in(Status.SUBMITTED_FOR_QA)

    s.policy_record_qa_signoff(policy=policy, actor=people.pcu, discipline="pcu")
    s.policy_record_qa_signoff(policy=policy, actor=people.doi, discipline="doi")
    assert reload(policy).status == Status.SUBMITTED_FOR_QA

    s.policy_record_qa_signoff(policy=policy, actor=people.dcfd, discipline="dcfd", comments="EIA sound.")
    assert reload(policy).status == Status.QA_PASSED
    assert set(QASignOff.objects.filter(outcome="passed").values_list("discipline", flat=True)) == {
        "pcu", "dcfd", "doi"
    }


def test_approval_records_the_decision_and_the_board(policy_in, people):
    policy = policy_in(Status.APPROVED)

    decision = ApprovalDecision.objects.get(policy_version=policy.current_version)
    assert (decision.decision, decision.decided_by, decision.board) == ("approved", people.lead, people.board)


def test_start_review_from_implementation_and_from_monitoring(policy_in, people):
    for status in (Status.IMPLEMENTATION, Status.MONITORING):
        policy = policy_in(status)
        draft = s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-yearly review.")
        assert reload(policy).status == Status.SCOPING
        assert draft.number == "2.0"
        assert last_event(policy).changes["status"] == [status, Status.SCOPING]


# --- the side routes ---------------------------------------------------------------------------------


def test_lead_declines_commissioning_back_to_scoping(policy_in, people):
    policy = policy_in(Status.COMMISSIONING)

    with refused("invalid", "reasons"):
        s.policy_decline_commissioning(policy=policy, actor=people.lead, reasons="  ")
    s.policy_decline_commissioning(policy=policy, actor=people.lead, reasons="Covered by national guidance.")

    assert reload(policy).status == Status.SCOPING
    decision = CommissioningDecision.objects.get(policy=policy)
    assert (decision.decision, decision.comments) == ("declined", "Covered by national guidance.")
    assert last_event(policy).action == "policy.commissioning_declined"
    # A declined request does not count as commissioning: it can be asked again.
    s.policy_request_commissioning(policy=policy, actor=people.developer)
    assert reload(policy).status == Status.COMMISSIONING


@pytest.mark.parametrize("discipline", ["pcu", "dcfd", "doi"])
def test_qa_return_by_each_discipline_opens_a_new_draft(policy_in, people, discipline):
    policy = policy_in(Status.SUBMITTED_FOR_QA)
    submitted = policy.current_version
    returner = getattr(people, discipline)

    with refused("invalid", "comments"):
        s.policy_return_from_qa(policy=policy, actor=returner, discipline=discipline, comments="")
    draft = s.policy_return_from_qa(policy=policy, actor=returner, discipline=discipline,
                                    comments="Clarify the scope.")

    policy = reload(policy)
    assert policy.status == Status.DEVELOPMENT
    assert (draft.major, draft.minor) == (submitted.major, submitted.minor + 1)
    assert policy.current_version == draft
    assert draft.statement == submitted.statement and not draft.is_frozen
    # The returning discipline does not become the author, or it could never sign off the resubmission.
    assert draft.author == people.developer
    assert draft.eia.frozen_at is None and draft.eia.aims == submitted.eia.aims
    assert draft.workbook.need == submitted.workbook.need
    signoff = QASignOff.objects.get(policy_version=submitted)
    assert (signoff.outcome, signoff.discipline, signoff.comments) == ("returned", discipline, "Clarify the scope.")
    assert PolicyVersion.objects.get(pk=submitted.pk).is_frozen
    assert last_event(policy).changes["new_draft"] == "1.1"

    # The developer carries on, resubmits, and every discipline (including the one that returned it) signs.
    policy = advance_to(policy, Status.QA_PASSED, people)
    assert policy.current_version.number == "1.1"


def test_lead_rejection_opens_a_new_draft_and_the_lead_can_approve_the_next(policy_in, people):
    policy = policy_in(Status.WITH_LEAD)
    rejected = policy.current_version

    with refused("invalid", "reasons"):
        s.policy_reject(policy=policy, actor=people.lead, reasons="")
    draft = s.policy_reject(policy=policy, actor=people.lead, reasons="Too broad.")

    assert reload(policy).status == Status.DEVELOPMENT
    assert draft.number == "1.1"
    assert draft.author == people.developer
    decision = ApprovalDecision.objects.get(policy_version=rejected)
    assert (decision.decision, decision.reasons) == ("rejected", "Too broad.")

    policy = advance_to(policy, Status.APPROVED, people)
    assert ApprovalDecision.objects.get(policy_version=policy.current_version).decided_by == people.lead


@pytest.mark.parametrize(
    "status",
    [Status.SCOPING, Status.COMMISSIONING, Status.DEVELOPMENT, Status.SUBMITTED_FOR_QA, Status.WITH_LEAD,
     Status.AWAITING_PUBLICATION, Status.MONITORING],
)
def test_pcu_carries_out_a_withdrawal_the_lead_decided_from_any_live_status(policy_in, people, status):
    policy = policy_in(status)

    decision = s.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="Superseded by national policy.")
    assert reload(policy).status == status  # decided, not yet carried out
    s.policy_withdraw(policy=policy, actor=people.pcu)

    assert reload(policy).status == Status.WITHDRAWN
    event = last_event(policy)
    assert (event.action, event.changes["status"]) == ("policy.withdrawn", [status, Status.WITHDRAWN])
    assert (event.changes["reason"], event.changes["decided_by"]) == ("Superseded by national policy.", "lead")
    decision.refresh_from_db()
    assert (decision.carried_out_by, decision.carried_out_at is not None) == (people.pcu, True)


def test_withdrawal_is_refused_to_others_and_once_withdrawn(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    with refused("gate", "decided to withdraw"):
        s.policy_withdraw(policy=policy, actor=people.pcu)
    with refused("forbidden", "Only the Designated Lead or the Management Board owner"):
        s.policy_decide_withdrawal(policy=policy, actor=people.pcu, reason="No.")
    with refused("forbidden", "Only the Designated Lead or the Management Board owner"):
        s.policy_decide_withdrawal(policy=policy, actor=people.lead2, reason="No.")
    with refused("invalid", "reason"):
        s.policy_decide_withdrawal(policy=policy, actor=people.owner, reason="")
    with refused("invalid", "There is no policy POL-9999"):
        s.policy_decide_withdrawal(policy=policy, actor=people.owner, reason="Replaced.", replaced_by="pol-9999")
    with refused("invalid", "cannot replace itself"):
        s.policy_decide_withdrawal(policy=policy, actor=people.owner, reason="Replaced.",
                                   replaced_by=policy.reference)
    replacement = people.policy()
    decision = s.policy_decide_withdrawal(policy=policy, actor=people.owner, reason="Replaced.",
                                          replaced_by=replacement.reference.lower())
    assert decision.replaced_by == replacement
    # Closed, as every step but PCU's withdrawal is while the decision is open (lifecycle.steps.HALTS), naming it.
    with refused("stale", f"its withdrawal was decided by {people.owner}", "Policy Co-ordination Unit is to carry it"):
        s.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="Again.")
    with refused("forbidden", "Only the Policy Co-ordination Unit can withdraw"):
        s.policy_withdraw(policy=policy, actor=people.lead)
    s.policy_withdraw(policy=policy, actor=people.pcu)
    with refused("stale", "already"):
        s.policy_withdraw(policy=policy, actor=people.pcu)
    with refused("stale", "already"):
        s.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="Again.")


# --- gates -------------------------------------------------------------------------------------------


def refused_for_that_gate_alone(gate, stage_gates, policy, call) -> None:
    """``gate`` is the only one of ``stage_gates`` unmet, and ``call`` is refused with its reason and no
    other's."""
    assert gates.unmet_gates(stage_gates, reload(policy)) == [gate]

    with refused("gate", gate.reason) as refusal:
        call()

    others = [other.reason for other in stage_gates if other is not gate]
    assert not any(reason in refusal.error.message for reason in others)


@pytest.mark.parametrize("gate", gates.SCOPING_GATES, ids=lambda gate: gate.__name__)
def test_each_scoping_gate_blocks_the_commissioning_request(policy_in, people, gate):
    if gate is gates.monitoring_reports_read:
        # Only a review reads the monitoring reports since the last review (issue 13).
        from assessments import services as assessment_services

        policy = policy_in(Status.MONITORING)
        report = assessment_services.monitoring_report_create(
            policy=policy, actor=people.developer, **the_year_due(policy), compliance="96%.",
            benefits="Fewer complaints.", diversity_impact="None found.")
        assessment_services.monitoring_report_submit(report=report, actor=people.developer)
        assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator)
        s.policy_start_review(policy=policy, actor=people.coordinator, reason="Monitoring results.")
    else:
        policy = people.policy()
    fill_scoping(policy, people, omit={gate.__name__})

    refused_for_that_gate_alone(gate, gates.SCOPING_GATES, policy,
                                lambda: s.policy_request_commissioning(policy=policy, actor=people.developer))

    assert reload(policy).status == Status.SCOPING


@pytest.mark.parametrize("gate", gates.SUBMISSION_GATES, ids=lambda gate: gate.__name__)
def test_each_submission_gate_blocks_submission(policy_in, people, gate):
    if gate is gates.summary_of_changes_for_review:
        # Only a review (a version revising a published policy) needs the note of changes.
        policy = policy_in(Status.IMPLEMENTATION)
        s.policy_start_review(policy=policy, actor=people.coordinator, reason="Legislation changed.")
        policy = advance_to(policy, Status.DEVELOPMENT, people)
    else:
        policy = policy_in(Status.DEVELOPMENT)
    fill_development(policy, people, omit={gate.__name__})

    refused_for_that_gate_alone(gate, gates.SUBMISSION_GATES, policy,
                                lambda: s.policy_submit_for_qa(policy=policy, actor=people.developer))

    policy = reload(policy)
    assert policy.status == Status.DEVELOPMENT
    assert not policy.current_version.is_frozen


def test_not_impact_assessed_is_refused_at_submission_and_at_approval(policy_in, people):
    """SOP: a policy "that has not been impact assessed ... will not be approved". Submission asks for the
    finished EIA; approval checks it again."""
    policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
    fill_development(policy, people, complete_assessment=False)
    events_before = AuditEvent.objects.count()

    with refused("gate", gates.impact_assessed.reason):
        s.policy_submit_for_qa(policy=policy, actor=people.developer)

    assert reload(policy).status == Status.DEVELOPMENT
    assert AuditEvent.objects.count() == events_before
    assert gates.impact_assessed in gates.APPROVAL_GATES


# --- wrong stage, wrong person -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "status,call",
    [
        (Status.SCOPING, lambda p, people: s.policy_commission(policy=p, actor=people.lead)),
        (Status.SCOPING, lambda p, people: s.policy_submit_for_qa(policy=p, actor=people.developer)),
        (Status.DEVELOPMENT, lambda p, people: s.policy_approve(policy=p, actor=people.lead)),
        (Status.DEVELOPMENT, lambda p, people: s.policy_forward_to_lead(policy=p, actor=people.coordinator)),
        (Status.QA_PASSED, lambda p, people: s.policy_record_qa_signoff(policy=p, actor=people.pcu,
                                                                         discipline="pcu")),
        (Status.APPROVED, lambda p, people: policy_publish(policy=p, actor=people.pcu)),
        (Status.APPROVED, lambda p, people: s.policy_start_review(policy=p, actor=people.lead, reason="Early.")),
        (Status.MONITORING, lambda p, people: s.policy_complete_implementation(policy=p, actor=people.pcu)),
    ],
    ids=["commission-in-scoping", "submit-in-scoping", "approve-in-development", "forward-in-development",
         "signoff-after-qa", "publish-before-forwarding", "review-before-publication", "complete-twice"],
)
def test_wrong_stage_is_refused_as_stale(policy_in, people, status, call):
    policy = policy_in(status)
    events_before = AuditEvent.objects.count()

    with refused("stale"):
        call(policy, people)

    assert reload(policy).status == status
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(
    "status,call,message",
    [
        (Status.SCOPING, lambda p, people: s.policy_request_commissioning(policy=p, actor=people.developer2),
         "not allowed to request commissioning"),
        (Status.COMMISSIONING, lambda p, people: s.policy_commission(policy=p, actor=people.developer),
         "not allowed to commission"),
        (Status.COMMISSIONING, lambda p, people: s.policy_commission(policy=p, actor=people.lead2),
         "not allowed to commission"),
        (Status.DEVELOPMENT, lambda p, people: s.policy_submit_for_qa(policy=p, actor=people.coordinator),
         "not allowed to submit"),
        (Status.SUBMITTED_FOR_QA, lambda p, people: s.policy_record_qa_signoff(
            policy=p, actor=people.coordinator, discipline="pcu"), "Only Policy Co-ordination Unit"),
        (Status.SUBMITTED_FOR_QA, lambda p, people: s.policy_record_qa_signoff(
            policy=p, actor=people.dcfd, discipline="doi"), "Only Directorate of Information"),
        (Status.QA_PASSED, lambda p, people: s.policy_forward_to_lead(policy=p, actor=people.coordinator2),
         "not allowed to forward"),
        (Status.WITH_LEAD, lambda p, people: s.policy_approve(policy=p, actor=people.lead2),
         "not allowed to approve"),
        (Status.WITH_LEAD, lambda p, people: s.policy_approve(policy=p, actor=people.owner),
         "not allowed to approve"),
        (Status.WITH_LEAD, lambda p, people: s.policy_reject(policy=p, actor=people.lead2, reasons="No."),
         "not allowed to reject"),
        (Status.AWAITING_PUBLICATION, lambda p, people: policy_publish(policy=p, actor=people.shrmt),
         "Only the Policy Co-ordination Unit can publish"),
        (Status.AWAITING_PUBLICATION, lambda p, people: policy_publish(policy=p, actor=people.lead),
         "Only the Policy Co-ordination Unit can publish"),
    ],
    ids=["other-group-developer-requests", "developer-commissions", "other-lead-commissions",
         "coordinator-submits", "coordinator-signs-qa", "dcfd-signs-as-doi", "other-coordinator-forwards",
         "other-lead-approves", "owner-approves", "other-lead-rejects", "shrmt-publishes", "lead-publishes"],
)
def test_wrong_person_is_refused_as_forbidden(policy_in, people, status, call, message):
    policy = policy_in(status)
    events_before = AuditEvent.objects.count()
    decisions_before = (CommissioningDecision.objects.count(), QASignOff.objects.count(),
                        ApprovalDecision.objects.count())

    with refused("forbidden", message):
        call(policy, people)

    assert reload(policy).status == status
    assert AuditEvent.objects.count() == events_before
    assert (CommissioningDecision.objects.count(), QASignOff.objects.count(),
            ApprovalDecision.objects.count()) == decisions_before


def test_inactive_or_missing_actor_is_refused(policy_in, people):
    policy = policy_in(Status.COMMISSIONING)
    people.lead.is_active = False
    people.lead.save(update_fields=["is_active"])
    with refused("forbidden", "signed in"):
        s.policy_commission(policy=policy, actor=people.lead)
    with refused("forbidden", "signed in"):
        s.policy_commission(policy=policy, actor=None)
    assert reload(policy).status == Status.COMMISSIONING


# --- separation of duties ----------------------------------------------------------------------------


def test_author_holding_pcu_role_cannot_sign_off_own_version(policy_in, people):
    grant(people, people.developer, Role.PCU)
    policy = policy_in(Status.SUBMITTED_FOR_QA)
    assert policy.current_version.author == people.developer

    with refused("forbidden", "you wrote or submitted version"):
        s.policy_record_qa_signoff(policy=policy, actor=people.developer, discipline="pcu")
    with refused("forbidden", "you wrote or submitted version"):
        s.policy_return_from_qa(policy=policy, actor=people.developer, discipline="pcu", comments="Mine.")

    assert not QASignOff.objects.exists()
    assert reload(policy).status == Status.SUBMITTED_FOR_QA


def test_submitter_holding_doi_role_cannot_sign_off(policy_in, people):
    grant(people, people.manager, Role.DOI)
    policy = people.policy()
    policy = advance_to(policy, Status.DEVELOPMENT, people)
    fill_development(policy, people)
    s.policy_submit_for_qa(policy=policy, actor=people.manager)

    with refused("forbidden", "you wrote or submitted"):
        s.policy_record_qa_signoff(policy=policy, actor=people.manager, discipline="doi")


def test_lead_who_authored_the_version_cannot_approve_it(people):
    grant(people, people.lead, Role.MANAGER, people.group)
    policy = people.policy(actor=people.lead)
    assert policy.current_version.author == people.lead
    policy = advance_to(policy, Status.WITH_LEAD, people)

    with refused("forbidden", "you wrote or submitted version"):
        s.policy_approve(policy=policy, actor=people.lead)
    with refused("forbidden", "you wrote or submitted version"):
        s.policy_reject(policy=policy, actor=people.lead, reasons="Self-review.")

    assert reload(policy).status == Status.WITH_LEAD
    assert not ApprovalDecision.objects.exists()


def test_lead_who_authored_the_version_cannot_approve_it_by_the_emergency_route(people):
    grant(people, people.lead, Role.MANAGER, people.group)
    policy = advance_to(people.policy(actor=people.lead), Status.DEVELOPMENT, people)
    s.draft_update(policy=policy, actor=people.lead, statement="<p>Urgent.</p>")

    with refused("forbidden", "you wrote or submitted version"):
        s.policy_request_emergency_approval(policy=policy, actor=people.lead, risk_statement="Urgent.")
    assert reload(policy).status == Status.DEVELOPMENT


# --- stale pages and partial state -------------------------------------------------------------------


def test_expected_status_mismatch_is_stale_and_changes_nothing(policy_in, people):
    policy = policy_in(Status.COMMISSIONING)
    events_before = AuditEvent.objects.count()

    with refused("stale", "has moved on", "Nothing was changed"):
        s.policy_commission(policy=policy, actor=people.lead, expected_status=Status.SCOPING)

    assert reload(policy).status == Status.COMMISSIONING
    assert not CommissioningDecision.objects.exists()
    assert AuditEvent.objects.count() == events_before
    # With the right expectation it goes through.
    s.policy_commission(policy=policy, actor=people.lead, expected_status=Status.COMMISSIONING)
    assert reload(policy).status == Status.DEVELOPMENT


def test_a_second_signoff_of_the_same_discipline_is_refused_without_a_trace(policy_in, people):
    policy = policy_in(Status.SUBMITTED_FOR_QA)
    s.policy_record_qa_signoff(policy=policy, actor=people.pcu, discipline="pcu")
    events_before = AuditEvent.objects.count()

    with refused("stale", "already recorded"):
        s.policy_record_qa_signoff(policy=policy, actor=people.pcu, discipline="pcu")
    with refused("stale", "already recorded"):
        s.policy_return_from_qa(policy=policy, actor=people.pcu, discipline="pcu", comments="Changed my mind.")

    assert QASignOff.objects.count() == 1
    assert PolicyVersion.objects.filter(policy=policy).count() == 1
    assert AuditEvent.objects.count() == events_before
    assert reload(policy).status == Status.SUBMITTED_FOR_QA


def test_stale_policy_object_cannot_skip_the_lock(policy_in, people):
    """A caller holding an old in-memory copy (status 'commissioning') cannot commission twice."""
    policy = policy_in(Status.COMMISSIONING)
    s.policy_commission(policy=policy, actor=people.lead)
    assert policy.status == Status.COMMISSIONING  # the caller's copy is out of date

    with refused("stale", "already"):
        s.policy_commission(policy=policy, actor=people.lead)
    assert CommissioningDecision.objects.filter(policy=policy).count() == 1
