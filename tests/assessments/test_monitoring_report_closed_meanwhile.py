"""A monitoring report's draft open in one tab while, in another (or by PCU), it is discarded or submitted: saving the
first tab answered "That is not something you can do to this report now." on the report's page, and the sections
typed were lost (found checking the other editors of draft parts after the QA walk's t_sop_removed). Nothing is saved;
the person is told why in plain words and what they typed is shown back to copy (409, lifecycle.typed_back.refused, as
a draft's editor whose page moved on)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services
from assessments.models import MonitoringReport
from lifecycle.states import Status
from tests.factories import what_was_read_of_report

pytestmark = pytest.mark.django_db

TYPED = "Dip samples in March: 96% compliant, typed before the report was closed."


@pytest.fixture
def draft(policy_in, people) -> MonitoringReport:
    policy = policy_in(Status.MONITORING)
    return services.monitoring_report_create(policy=policy, actor=people.developer,
                                             period_start=policy.first_published_on,
                                             period_end=policy.monitoring_report_due_on,
                                             compliance="Compliance.", benefits="Benefits.",
                                             diversity_impact="None found.")


def save(client, report, people):
    client.force_login(people.developer)
    return post(client, report)


def post(client, report):
    return client.post(f"/policies/{report.policy.reference}/monitoring/{report.pk}/", {
        "step": "save", "compliance": TYPED, "benefits": "Benefits.", "performance": "",
        "diversity_impact": "None found.", "base_revision": 0})


def test_a_draft_discarded_meanwhile_keeps_what_was_typed(client, draft, people):
    services.monitoring_report_discard(report=draft, actor=people.pcu, reason="Duplicate.",
                                       **what_was_read_of_report(draft))
    response = save(client, draft, people)
    page = response.content.decode()
    assert response.status_code == 409
    summary = page.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert "This monitoring report was discarded" in summary
    assert "Nothing was saved" in page and TYPED in page
    assert MonitoringReport.objects.get(pk=draft.pk).compliance == "Compliance."


def test_a_draft_submitted_meanwhile_keeps_what_was_typed(client, draft, people):
    services.monitoring_report_submit(report=draft, actor=people.manager)
    response = save(client, draft, people)
    page = response.content.decode()
    assert response.status_code == 409
    summary = page.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert "This monitoring report has been submitted to the co-ordinator" in summary
    assert TYPED in page
    assert MonitoringReport.objects.get(pk=draft.pk).compliance == "Compliance."


def test_the_refusal_costs_a_fixed_number_of_queries(client, draft, people):
    services.monitoring_report_submit(report=draft, actor=people.manager)
    client.force_login(people.developer)
    with CaptureQueriesContext(connection) as queries:
        assert post(client, draft).status_code == 409
    # 10: whether the policy's EIA is reopened for its drafters at a review concluding no change, read once for the
    # page (lifecycle.gates_no_change.drafted_now: the named developer sees the newest version while it is; QA walk of
    # 2026-12-06).
    assert len(queries) == 10, [query["sql"] for query in queries]
