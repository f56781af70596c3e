"""The emergency route (SOP, stage 3): a Lead approves "to meet immediate operational needs", in consultation
with PCU, without an EIA, which must then be "completed as soon as reasonably practicable"."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.db import IntegrityError, transaction

from assessments.models import EqualityImpactAssessment
from assessments.services import eia_complete_retrospective, eia_update, retrospective_qa_signoff, workbook_update
from core.models import AuditEvent, Role
from core.services import role_assign
from lifecycle import services as s
from lifecycle.models import ApprovalDecision, EmergencyRequest, PolicyVersion
from lifecycle.permissions import forget_roles
from lifecycle.selectors import emergency_outstanding
from lifecycle.states import Status
from publication.services import policy_publish
from tests.factories import ALL_IMPACTS, advance_to, refused, reload
from tests.module_data import module_data, part

TODAY = datetime.date(2024, 3, 4)
RISK = "Operational need: new legislation in force on Monday. I accept the risk of the missing EIA."


def on_today():
    return time_machine.travel(datetime.datetime(2024, 3, 4, 10, 0, tzinfo=datetime.UTC), tick=False)


@pytest.fixture(autouse=True)
def frozen_today():
    with on_today():
        yield


def build_urgent(people):
    """A commissioned policy in development with its statement written and no impact assessment, made on TODAY once
    for the module (tests/module_data.py); each test reads a fresh copy."""
    with on_today():
        policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
        s.draft_update(policy=policy, actor=people.developer, statement="<p>Stop and search under the new Act.</p>")
    return people, reload(policy)


built, built_copy = module_data(build_urgent)
people, urgent = part(0), part(1)


def emergency_approve(policy, people, **overrides):
    """The Lead asks, and a member of PCU agrees in their own name (issue 13)."""
    pcu = overrides.pop("pcu", people.pcu)
    values = {"policy": policy, "actor": people.lead, "risk_statement": RISK}
    values.update(overrides)
    s.policy_request_emergency_approval(**values)
    return s.policy_agree_emergency_approval(policy=policy, actor=pcu)


def sign_off_everything_skipped(policy, people):
    """What the route skipped, completed and signed off: the EIA (DCFD), the Workbook's impact sections (PCU) and
    DOI's quality assurance."""
    eia_update(policy=policy, actor=people.developer, aims="Lawful, fair searches.", impacts=ALL_IMPACTS,
               decision="no_major_change")
    eia_complete_retrospective(policy=policy, actor=people.dcfd)
    workbook_update(policy=policy, actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Consulted after the event.", health_and_safety_impact="none",
                    health_and_safety_statement="No health and safety impact.")
    retrospective_qa_signoff(policy=policy, actor=people.pcu_qa, discipline="pcu")
    retrospective_qa_signoff(policy=policy, actor=people.doi, discipline="doi")


def test_the_lead_asks_and_pcu_agrees_in_its_own_name(urgent, people):
    request = s.policy_request_emergency_approval(policy=urgent, actor=people.lead, risk_statement=RISK)
    # Asked, not approved: nothing is frozen until PCU agrees.
    policy = reload(urgent)
    assert (policy.status, policy.not_impact_assessed, policy.current_version.is_frozen) == (
        Status.DEVELOPMENT, False, False)
    assert (request.requested_by, request.agreed, request.eia_due_on) == (people.lead, None,
                                                                           TODAY + datetime.timedelta(days=28))
    assert AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence").action == "policy.emergency_requested"

    decision = s.policy_agree_emergency_approval(policy=urgent, actor=people.pcu)

    policy = reload(urgent)
    assert policy.status == Status.APPROVED
    assert policy.not_impact_assessed is True
    assert policy.emergency_eia_due_on == TODAY + datetime.timedelta(days=28)
    assert (decision.decision, decision.decided_by, decision.pcu_agreed_by, decision.risk_statement,
            decision.eia_due_on) == ("emergency_approved", people.lead, people.pcu, RISK, policy.emergency_eia_due_on)
    request.refresh_from_db()
    assert (request.agreed, request.answered_by) == (True, people.pcu)
    version = policy.current_version
    # The statement and SOPs are frozen as approved; the EIA and the Workbook stay open for what was skipped.
    assert version.is_frozen and version.content_hash == version.compute_content_hash()
    assert version.workbook.frozen_at is None and version.eia.frozen_at is None
    event = AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence")
    assert (event.action, event.actor) == ("policy.emergency_approved", people.pcu)
    assert event.changes["pcu_agreed_by"] == "pcu" and event.changes["risk_owner"] == "lead"
    assert event.changes["eia_due_on"] == "2024-04-01"


def test_the_overview_names_who_approved_by_the_emergency_route_and_who_agreed(client, urgent, people):
    """The document-control block reads the approval with the names of its people only (lifecycle.selectors
    .approval_shown): the Lead as risk owner, and the member of PCU who agreed."""
    emergency_approve(urgent, people)
    client.force_login(people.coordinator)
    page = unescape(client.get(f"/policies/{urgent.reference}/").content.decode())
    assert (f"By the emergency route: {people.lead}, {TODAY:%-d %B %Y}, agreed by {people.pcu} (PCU)"
            in re.sub(r"<[^>]+>", "", page))


def test_an_explicit_eia_due_date_is_kept(urgent, people):
    emergency_approve(urgent, people, eia_due_on=TODAY + datetime.timedelta(days=10))
    assert reload(urgent).emergency_eia_due_on == datetime.date(2024, 3, 14)


@pytest.mark.parametrize(
    "overrides,code,fragment",
    [
        ({"risk_statement": "   "}, "invalid", "risk statement"),
        ({"eia_due_on": TODAY - datetime.timedelta(days=1)}, "refused", "must be in the future"),
        ({"eia_due_on": TODAY}, "refused", "must be in the future"),
        ({"eia_due_on": TODAY + datetime.timedelta(days=181)}, "refused", "within 6 months"),
        ({"actor": "lead2"}, "forbidden", "not allowed to ask for emergency approval"),
        ({"actor": "coordinator"}, "forbidden", "not allowed"),
    ],
    ids=["no-risk-statement", "due-yesterday", "due-today", "due-too-late", "other-groups-lead", "coordinator"],
)
def test_emergency_request_refusals_leave_nothing_behind(urgent, people, overrides, code, fragment):
    overrides = {key: getattr(people, value) if key == "actor" else value for key, value in overrides.items()}
    events_before = AuditEvent.objects.count()

    with refused(code, fragment):
        s.policy_request_emergency_approval(**{"policy": urgent, "actor": people.lead, "risk_statement": RISK,
                                               **overrides})

    policy = reload(urgent)
    assert (policy.status, policy.not_impact_assessed, policy.emergency_eia_due_on) == (
        Status.DEVELOPMENT, False, None)
    assert not policy.current_version.is_frozen
    assert not EmergencyRequest.objects.exists() and not ApprovalDecision.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_pcu_agrees_or_refuses_only_what_the_lead_asked(urgent, people):
    def nothing_changed():
        policy = reload(urgent)
        return (policy.status, policy.not_impact_assessed, policy.current_version.is_frozen,
                ApprovalDecision.objects.count())

    before = nothing_changed()
    with refused("gate", "has not asked for emergency approval"):
        s.policy_agree_emergency_approval(policy=urgent, actor=people.pcu)
    s.policy_request_emergency_approval(policy=urgent, actor=people.lead, risk_statement=RISK)
    with refused("gate", "already been asked"):
        s.policy_request_emergency_approval(policy=urgent, actor=people.lead, risk_statement=RISK)
    # Only PCU answers, and never the Lead who asked, even holding the PCU role.
    for outsider in (people.dcfd, people.coordinator, people.lead2):
        with refused("forbidden", "Only a member of the Policy Co-ordination Unit"):
            s.policy_agree_emergency_approval(policy=urgent, actor=outsider)
    role_assign(actor=people.pcu, user=people.lead, role=Role.PCU)
    forget_roles(people.lead)
    with refused("forbidden", "someone other than the Lead who asked"):
        s.policy_agree_emergency_approval(policy=urgent, actor=people.lead)
    # The draft asked for is held until PCU answers (tests/lifecycle/test_emergency_pending.py); one changed all the
    # same, outside the services, is not what the Lead asked for, and PCU cannot agree to it.
    with refused("held", "asked for emergency approval"):
        s.draft_update(policy=urgent, actor=people.developer, statement="<p>Changed after the request.</p>")
    asked_for = reload(urgent).current_version
    PolicyVersion.objects.filter(pk=asked_for.pk).update(statement="<p>Changed after the request.</p>")
    with refused("stale", "changed since the Lead asked"):
        s.policy_agree_emergency_approval(policy=urgent, actor=people.pcu)
    with refused("invalid", "reason for refusing"):
        s.policy_refuse_emergency_approval(policy=urgent, actor=people.pcu, reason="")
    assert nothing_changed() == before

    request = s.policy_refuse_emergency_approval(policy=urgent, actor=people.pcu,
                                                 reason="Not urgent: the Act comes into force in six months.")
    assert (request.agreed, request.answered_by) == (False, people.pcu)
    assert nothing_changed() == before
    event = AuditEvent.objects.filter(policy_id=urgent.pk).latest("sequence")
    assert (event.action, event.actor, event.changes["asked_by"]) == ("policy.emergency_refused", people.pcu, "lead")
    # Refused: the Lead may ask again.
    s.policy_request_emergency_approval(policy=urgent, actor=people.lead, risk_statement=RISK)


def test_emergency_route_needs_a_statement_and_starts_only_in_development(policy_in, people):
    blank = policy_in(Status.DEVELOPMENT)
    with refused("gate", "The Policy Statement is empty."):
        emergency_approve(blank, people)

    with_lead = policy_in(Status.WITH_LEAD)
    with refused("stale", "ask for emergency approval"):
        emergency_approve(with_lead, people)
    assert reload(with_lead).status == Status.WITH_LEAD


def test_retrospective_eia_after_publication(urgent, people):
    emergency_approve(urgent, people)
    s.policy_forward_for_publication(policy=urgent, actor=people.coordinator)
    policy_publish(policy=urgent, actor=people.pcu)
    policy = reload(urgent)
    assert policy.status == Status.IMPLEMENTATION and policy.not_impact_assessed
    published = AuditEvent.objects.filter(policy_id=policy.pk, action="policy.published").get()
    assert published.changes["not_impact_assessed"] is True

    # Refused while the EIA is incomplete.
    with refused("gate", "is not complete, so there is nothing to sign off yet", "Age"):
        eia_complete_retrospective(policy=policy, actor=people.dcfd)
    assert reload(policy).not_impact_assessed is True

    # The developer completes it after the event; only DCFD signs it off.
    eia_update(policy=policy, actor=people.developer, aims="Lawful, fair searches.", impacts=ALL_IMPACTS,
               decision="no_major_change")
    with refused("forbidden", "Diversity and Citizen Focus Directorate"):
        eia_complete_retrospective(policy=policy, actor=people.pcu)

    eia = eia_complete_retrospective(policy=policy, actor=people.dcfd, comments="Satisfactory.")

    # The EIA alone does not make it impact assessed: the Workbook's impact sections and DOI's QA are outstanding.
    policy = reload(policy)
    assert policy.not_impact_assessed is True
    assert EqualityImpactAssessment.objects.get(pk=eia.pk).frozen_at is not None
    event = AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence")
    assert event.action == "policy.eia_completed_retrospectively"
    assert event.changes["late"] is False and event.changes["eia_was_due_on"] == "2024-04-01"
    assert event.changes["not_impact_assessed"] is True
    assert [item.done for item in emergency_outstanding(policy)] == [True, False, False]

    with refused("gate", "impact sections are not complete"):
        retrospective_qa_signoff(policy=policy, actor=people.pcu_qa, discipline="pcu")
    with refused("frozen", "only the Workbook's impact sections"):
        workbook_update(policy=policy, actor=people.developer, need="Changed after approval.")
    workbook_update(policy=policy, actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Staff associations consulted after the event.",
                    health_and_safety_impact="none", health_and_safety_statement="No health and safety impact.")
    with refused("forbidden", "Only the Directorate of Information"):
        retrospective_qa_signoff(policy=policy, actor=people.pcu, discipline="doi")
    retrospective_qa_signoff(policy=policy, actor=people.pcu_qa, discipline="pcu")
    assert reload(policy).not_impact_assessed is True
    with refused("frozen"):
        workbook_update(policy=policy, actor=people.developer, information_management="Afterthought.")
    retrospective_qa_signoff(policy=policy, actor=people.doi, discipline="doi")
    policy = reload(policy)
    assert (policy.not_impact_assessed, policy.emergency_eia_due_on) == (False, None)
    assert all(item.done for item in emergency_outstanding(policy))
    assert AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence").changes["not_impact_assessed"] is False
    # Now it is evidence: no more edits, no second sign-off, and the database refuses a raw update.
    with refused("frozen"):
        eia_update(policy=policy, actor=people.developer, mitigation="Afterthought.")
    with refused("stale", "not awaiting a retrospective EIA"):
        eia_complete_retrospective(policy=policy, actor=people.dcfd)
    with refused("stale", "not waiting for anything"):
        retrospective_qa_signoff(policy=policy, actor=people.pcu, discipline="pcu")
    with pytest.raises(IntegrityError, match="refused"), transaction.atomic():
        EqualityImpactAssessment.objects.filter(pk=eia.pk).update(mitigation="tampered")


def test_a_late_retrospective_eia_is_recorded_as_late(urgent, people):
    emergency_approve(urgent, people)
    eia_update(policy=urgent, actor=people.developer, aims="Aims.", impacts=ALL_IMPACTS, decision="no_major_change")
    with time_machine.travel(datetime.datetime(2024, 5, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        eia_complete_retrospective(policy=urgent, actor=people.dcfd)
    event = AuditEvent.objects.filter(policy_id=urgent.pk).latest("sequence")
    assert event.changes["late"] is True


def test_author_cannot_sign_off_the_retrospective_eia(urgent, people):
    role_assign(actor=people.pcu, user=people.developer, role=Role.DCFD)
    forget_roles(people.developer)
    emergency_approve(urgent, people)
    eia_update(policy=urgent, actor=people.developer, aims="Aims.", impacts=ALL_IMPACTS, decision="no_major_change")

    with refused("forbidden", "you wrote or submitted version"):
        eia_complete_retrospective(policy=urgent, actor=people.developer)
    assert reload(urgent).not_impact_assessed is True


def test_review_waits_for_the_retrospective_eia(urgent, people):
    """A review's new draft would strand the emergency version's EIA (and DCFD's sign-off would freeze the
    draft's EIA mid-review), so the review starts only once the policy is impact assessed."""
    emergency_approve(urgent, people)
    s.policy_forward_for_publication(policy=urgent, actor=people.coordinator)
    policy_publish(policy=urgent, actor=people.pcu)

    with refused("gate", "retrospective Equality Impact Assessment"):
        s.policy_start_review(policy=urgent, actor=people.coordinator, reason="Early review.")
    assert reload(urgent).status == Status.IMPLEMENTATION
    assert reload(urgent).current_version.number == "1.0"

    sign_off_everything_skipped(urgent, people)
    draft = s.policy_start_review(policy=urgent, actor=people.coordinator, reason="Early review.")
    assert draft.number == "2.0" and draft.eia.frozen_at is None
    eia_update(policy=urgent, actor=people.developer, consultation_summary="Reviewed with staff networks.")


def test_an_emergency_request_waits_in_pcus_my_work_until_answered(client, urgent, people):
    """The Lead's request waited only in PCU's notifications: My work, where PCU looks for what is theirs to do,
    did not list it. It is listed with what to do, and leaves once answered."""
    s.policy_request_emergency_approval(policy=urgent, actor=people.lead, risk_statement=RISK,
                                        eia_due_on=TODAY + datetime.timedelta(days=60))
    client.force_login(people.pcu)
    home = client.get("/").content.decode()
    assert urgent.reference in home and "Agree to emergency approval" in home
    s.policy_agree_emergency_approval(policy=reload(urgent), actor=people.pcu)
    assert "Agree to emergency approval" not in client.get("/").content.decode()
