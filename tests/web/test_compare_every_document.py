"""The comparison between two versions showed the Policy Statement alone: a reviewer who returned version 1.0 asking
for numbered SOP steps and a DPIA reference in the Workbook could not see in 1.1 that either was done (found by the
twelfth session's Chromium walk). It now shows, after the statement, each SOP the reader may read, the Workbook and
the Equality Impact Assessment, each part that changed as a redline, and says which did not change."""

from __future__ import annotations

import pytest

from assessments import services as assessment_services
from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import advance_to, reload

pytestmark = pytest.mark.django_db


def returned_and_redrafted(people):
    """A policy returned from quality assurance at 1.0 ("number the SOP's steps; give the DPIA reference"), and
    its draft 1.1 with both done."""
    policy = advance_to(people.policy(title="Body-worn video"), Status.DEVELOPMENT, people)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Retaining footage",
                       text="<p>Keep footage for 31 days.</p>")
    policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
    s.policy_return_from_qa(policy=reload(policy), actor=people.pcu_qa, discipline="pcu",
                            comments="Number the SOP's steps; give the DPIA reference.")
    s.sop_update_draft(sop=sop, actor=people.developer,
                       text="<ol><li><p>Keep footage for 31 days.</p></li><li><p>Then delete it.</p></li></ol>")
    assessment_services.workbook_update(policy=reload(policy), actor=people.developer,
                                        information_management="DPIA reference DP-2026-114.")
    return reload(policy)


def test_the_comparison_shows_the_sops_workbook_and_assessment_that_changed(client, people):
    policy = returned_and_redrafted(people)
    client.force_login(people.developer)
    page = client.get(f"/policies/{policy.reference}/versions/compare/?from=1.0&to=1.1").content.decode()
    sops = page.split("Retaining footage", 1)[1]
    assert "Then delete it.</ins>" in sops
    assert "Workbook" in page and "DPIA reference DP-2026-114." in page
    assert "Equality Impact Assessment: no changes" in page


def test_the_reviewer_sees_the_same_changes_on_the_quality_assurance_page(client, people):
    policy = advance_to(returned_and_redrafted(people), Status.SUBMITTED_FOR_QA, people)
    client.force_login(people.pcu_qa)
    page = client.get(f"/policies/{policy.reference}/actions/quality-assurance/").content.decode()
    assert "Changes since the previous submission" in page
    assert "Then delete it.</ins>" in page.split("Retaining footage", 1)[1]
    assert "DPIA reference DP-2026-114." in page
