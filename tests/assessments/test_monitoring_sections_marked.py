"""A monitoring report submitted with a section left empty was refused with one line in the error summary ("Complete
these sections first: Compliance.") and nothing at the empty box itself, unlike every other form (found by the
thirteenth session's Chromium walk; WCAG 3.3.1: an error is identified at the field in error)."""

from __future__ import annotations

import pytest

from assessments import services
from assessments.models import MonitoringReport
from lifecycle.states import Status

pytestmark = pytest.mark.django_db


def test_each_empty_section_is_marked_at_its_box_and_what_was_typed_is_kept(client, policy_in, people):
    policy = policy_in(Status.MONITORING)
    report = services.monitoring_report_create(policy=policy, actor=people.developer,
                                               period_start=policy.first_published_on,
                                               period_end=policy.monitoring_report_due_on)
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/monitoring/{report.pk}/", {
        "step": "submit", "compliance": "", "benefits": "Complaints down 12%.", "performance": "",
        "diversity_impact": " ", "base_revision": report.draft_revision})
    page = response.content.decode()
    assert response.status_code == 400
    assert '<p class="govuk-error-message" id="id_compliance-error">' in page
    assert '<p class="govuk-error-message" id="id_diversity_impact-error">' in page
    assert 'id="id_benefits-error"' not in page and 'id="id_performance-error"' not in page
    assert 'href="#id_compliance"' in page and 'href="#id_diversity_impact"' in page
    assert "Write the compliance section before you submit the report" in page
    assert "Complaints down 12%." in page
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.DRAFT
