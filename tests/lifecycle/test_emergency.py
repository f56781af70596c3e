"""The emergency route (SOP, stage 3): a Lead approves "to meet immediate operational needs", in consultation
with PCU, without an EIA, which must then be "completed as soon as reasonably practicable"."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from assessments.models import EqualityImpactAssessment
from assessments.services import eia_complete_retrospective, eia_update
from core.models import AuditEvent, Role
from core.services import role_assign
from lifecycle import services as s
from lifecycle.models import ApprovalDecision
from lifecycle.permissions import forget_roles
from lifecycle.states import Status
from publication.services import policy_publish
from tests.factories import ALL_IMPACTS, refused, reload

TODAY = datetime.date(2024, 3, 4)
RISK = "Operational need: new legislation in force on Monday. I accept the risk of the missing EIA."


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2024, 3, 4, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def urgent(policy_in, people):
    """A commissioned policy in development with its statement written and no impact assessment."""
    policy = policy_in(Status.DEVELOPMENT)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Stop and search under the new Act.</p>")
    return reload(policy)


def emergency_approve(policy, people, **overrides):
    values = {"policy": policy, "actor": people.lead, "risk_statement": RISK, "pcu_agreed_by": people.pcu}
    values.update(overrides)
    return s.policy_emergency_approve(**values)


def test_lead_approves_by_the_emergency_route(urgent, people):
    decision = emergency_approve(urgent, people)

    policy = reload(urgent)
    assert policy.status == Status.APPROVED
    assert policy.not_impact_assessed is True
    assert policy.emergency_eia_due_on == TODAY + datetime.timedelta(days=28)
    assert (decision.decision, decision.decided_by, decision.pcu_agreed_by, decision.risk_statement,
            decision.eia_due_on) == ("emergency_approved", people.lead, people.pcu, RISK, policy.emergency_eia_due_on)
    version = policy.current_version
    # The statement, SOPs and Workbook are frozen as approved; the EIA stays open for its completion.
    assert version.is_frozen and version.content_hash == version.compute_content_hash()
    assert version.workbook.frozen_at is not None
    assert version.eia.frozen_at is None
    event = AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence")
    assert event.action == "policy.emergency_approved"
    assert event.changes["pcu_agreed_by"] == "pcu" and event.changes["risk_owner"] == "lead"
    assert event.changes["eia_due_on"] == "2024-04-01"


def test_an_explicit_eia_due_date_is_kept(urgent, people):
    emergency_approve(urgent, people, eia_due_on=TODAY + datetime.timedelta(days=10))
    assert reload(urgent).emergency_eia_due_on == datetime.date(2024, 3, 14)


@pytest.mark.parametrize(
    "overrides,code,fragment",
    [
        ({"risk_statement": "   "}, "invalid", "risk statement"),
        ({"pcu_agreed_by": None}, "refused", "Policy Co-ordination Unit who agreed"),
        ({"pcu_agreed_by": "dcfd"}, "refused", "Policy Co-ordination Unit who agreed"),
        ({"eia_due_on": TODAY - datetime.timedelta(days=1)}, "refused", "must be in the future"),
        ({"eia_due_on": TODAY}, "refused", "must be in the future"),
        ({"eia_due_on": TODAY + datetime.timedelta(days=181)}, "refused", "within 6 months"),
        ({"actor": "lead2"}, "forbidden", "not allowed to approve by the emergency route"),
        ({"actor": "coordinator"}, "forbidden", "not allowed"),
    ],
    ids=["no-risk-statement", "no-pcu", "agreed-by-dcfd", "due-yesterday", "due-today", "due-too-late",
         "other-groups-lead", "coordinator"],
)
def test_emergency_approval_refusals_leave_nothing_behind(urgent, people, overrides, code, fragment):
    overrides = {key: getattr(people, value) if key in {"actor", "pcu_agreed_by"} and value else value
                 for key, value in overrides.items()}
    events_before = AuditEvent.objects.count()

    with refused(code, fragment):
        emergency_approve(urgent, people, **overrides)

    policy = reload(urgent)
    assert (policy.status, policy.not_impact_assessed, policy.emergency_eia_due_on) == (
        Status.DEVELOPMENT, False, None)
    assert not policy.current_version.is_frozen
    assert not ApprovalDecision.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_pcu_agreement_must_come_from_someone_other_than_the_lead(urgent, people):
    role_assign(actor=people.pcu, user=people.lead, role=Role.PCU)
    forget_roles(people.lead)

    with refused("refused", "someone other than the approving Lead"):
        emergency_approve(urgent, people, pcu_agreed_by=people.lead)
    assert reload(urgent).status == Status.DEVELOPMENT


def test_emergency_route_needs_a_statement_and_starts_only_in_development(policy_in, people):
    blank = policy_in(Status.DEVELOPMENT)
    with refused("gate", "The Policy Statement is empty."):
        emergency_approve(blank, people)

    with_lead = policy_in(Status.WITH_LEAD)
    with refused("stale", "approve by the emergency route"):
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
    with refused("gate", "The EIA is not complete", "Age"):
        eia_complete_retrospective(policy=policy, actor=people.dcfd)
    assert reload(policy).not_impact_assessed is True

    # The developer completes it after the event; only DCFD signs it off.
    eia_update(policy=policy, actor=people.developer, aims="Lawful, fair searches.", impacts=ALL_IMPACTS,
               decision="no_major_change")
    with refused("forbidden", "Diversity and Citizen Focus Directorate"):
        eia_complete_retrospective(policy=policy, actor=people.pcu)

    eia = eia_complete_retrospective(policy=policy, actor=people.dcfd, comments="Satisfactory.")

    policy = reload(policy)
    assert (policy.not_impact_assessed, policy.emergency_eia_due_on) == (False, None)
    assert EqualityImpactAssessment.objects.get(pk=eia.pk).frozen_at is not None
    event = AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence")
    assert event.action == "policy.eia_completed_retrospectively"
    assert event.changes["late"] is False and event.changes["eia_was_due_on"] == "2024-04-01"
    # Now it is evidence: no more edits, no second sign-off, and the database refuses a raw update.
    with refused("frozen"):
        eia_update(policy=policy, actor=people.developer, mitigation="Afterthought.")
    with refused("stale", "not awaiting a retrospective EIA"):
        eia_complete_retrospective(policy=policy, actor=people.dcfd)
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

    eia_update(policy=urgent, actor=people.developer, aims="Aims.", impacts=ALL_IMPACTS, decision="no_major_change")
    eia_complete_retrospective(policy=urgent, actor=people.dcfd)
    draft = s.policy_start_review(policy=urgent, actor=people.coordinator, reason="Early review.")
    assert draft.number == "2.0" and draft.eia.frozen_at is None
    eia_update(policy=urgent, actor=people.developer, consultation_summary="Reviewed with staff networks.")
