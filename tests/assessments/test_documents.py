"""The EIA (Form 6119a) and the Corporate Policy Workbook of a draft package: validation, who may edit them,
and how they travel with the versions."""

from __future__ import annotations

import pytest

from assessments.models import EqualityImpactAssessment, PolicyWorkbook
from assessments.services import eia_update, workbook_update
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import ALL_IMPACTS, emergency_approve, refused, reload


@pytest.fixture
def draft(policy_in):
    return policy_in(Status.DEVELOPMENT)


def test_eia_sections_are_saved_and_audited(draft, people):
    impacts = {**ALL_IMPACTS, "disability": {"impact": "negative", "notes": "Screen readers cannot read form 12."}}
    eia = eia_update(policy=draft, actor=people.developer, impacts=impacts, mitigation="Accessible form by May.",
                     decision="adjust", decision_rationale="Barrier removed by the new form.")

    eia = EqualityImpactAssessment.objects.get(pk=eia.pk)
    assert eia.impacts["disability"] == {"impact": "negative", "notes": "Screen readers cannot read form 12."}
    assert eia.missing_characteristics == [] and eia.is_complete
    assert eia.updated_by == people.developer
    event = AuditEvent.objects.filter(action="eia.updated").latest("sequence")
    assert event.policy_id == draft.pk
    assert event.changes["sections"] == ["decision", "decision_rationale", "impacts", "mitigation"]


def test_unchanged_sections_write_nothing(draft, people):
    eia_update(policy=draft, actor=people.developer, mitigation="Same.")
    revision = EqualityImpactAssessment.objects.get(policy_version=draft.current_version).draft_revision
    events = AuditEvent.objects.count()

    eia_update(policy=draft, actor=people.developer, mitigation="Same.")

    assert EqualityImpactAssessment.objects.get(policy_version=draft.current_version).draft_revision == revision
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "sections,fragment",
    [
        ({"verdict": "Fine."}, "Unknown section: verdict"),
        ({"impacts": {"age": {"impact": "catastrophic"}}}, "Choose an impact for Age"),
        ({"impacts": {"race": {"impact": "negative", "notes": ""}}}, "Describe the adverse impact on Race"),
        ({"impacts": ["age"]}, "Record the impact on each protected characteristic"),
        ({"decision": "ignore"}, "Choose the outcome of the assessment"),
    ],
    ids=["unknown-section", "bad-impact", "adverse-without-notes", "impacts-not-a-mapping", "bad-decision"],
)
def test_eia_validation(draft, people, sections, fragment):
    before = EqualityImpactAssessment.objects.get(policy_version=draft.current_version).draft_revision
    with refused(refused_code(fragment), fragment):
        eia_update(policy=draft, actor=people.developer, **sections)
    assert EqualityImpactAssessment.objects.get(policy_version=draft.current_version).draft_revision == before


def refused_code(fragment: str) -> str:
    return "invalid" if fragment.startswith("Unknown") else "refused"


def test_workbook_validation_and_permission(draft, people):
    with refused("refused", "health and safety impact"):
        workbook_update(policy=draft, actor=people.developer, health_and_safety_impact="maybe")
    with refused("forbidden", "not allowed to edit the documents"):
        workbook_update(policy=draft, actor=people.developer2, need="Hijack.")
    with refused("forbidden"):
        eia_update(policy=draft, actor=people.dcfd, aims="DCFD drafts it instead.")
    workbook = workbook_update(policy=draft, actor=people.manager, information_management="Retain 6 years.")
    assert PolicyWorkbook.objects.get(pk=workbook.pk).information_management == "Retain 6 years."


def test_workbook_conflict_on_stale_revision(draft, people):
    workbook = reload(draft).current_version.workbook
    workbook_update(policy=draft, actor=people.developer, benefits="One.", base_revision=workbook.draft_revision)
    with refused("conflict", "have not been saved"):
        workbook_update(policy=draft, actor=people.manager, benefits="Two.", base_revision=workbook.draft_revision)
    assert PolicyWorkbook.objects.get(pk=workbook.pk).benefits == "One."


def test_emergency_route_leaves_only_the_eia_and_the_workbooks_impact_sections_open(draft, people):
    s.draft_update(policy=draft, actor=people.developer, statement="<p>Urgent.</p>")
    emergency_approve(draft, people, risk_statement="Urgent need.")

    eia_update(policy=draft, actor=people.developer, aims="Completed after the event.")
    workbook_update(policy=draft, actor=people.developer, information_management="Completed after the event.")
    with refused("frozen"):
        workbook_update(policy=draft, actor=people.developer, need="Changed after approval.")
    version = reload(draft).current_version
    assert version.eia.aims == version.workbook.information_management == "Completed after the event."


def test_assessments_are_carried_into_a_returned_draft_as_new_rows(policy_in, people):
    policy = policy_in(Status.SUBMITTED_FOR_QA)
    submitted = policy.current_version
    draft = s.policy_return_from_qa(policy=policy, actor=people.dcfd, discipline="dcfd", comments="Evidence?")

    assert draft.author == people.developer
    assert draft.eia.pk != submitted.eia.pk and draft.workbook.pk != submitted.workbook.pk
    assert draft.eia.is_complete and draft.eia.decision == submitted.eia.decision
    assert draft.workbook.consultation_summary == submitted.workbook.consultation_summary
    eia_update(policy=policy, actor=people.developer, evidence_and_data="Stop-search data 2023.")
    assert EqualityImpactAssessment.objects.get(pk=submitted.eia.pk).evidence_and_data == ""
