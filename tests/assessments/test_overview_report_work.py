"""QA walk of 2026-12-05 (C): the overview's "What to do next" left out the monitoring-report work My work showed.
While a report was with the co-ordinator, their My work listed it under "Monitoring reports to quality-assure or
publish" and the policy's overview offered only "Start a review" and "Bring the review forward"; the remedial action
the Lead directed was in the developer's My work ("Remedial actions for you") and not on the overview. The overview
now points its reader to the report waiting for them, linked to the report's page, at no more than the detail page's
pinned 12 queries (tests/web/test_query_counts.py)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services as a
from lifecycle.states import Status
from tests.assessments.test_reports_awaiting_response import submitted
from tests.factories import reload, what_was_read
from tests.page_cost import queries_compiled
from tests.web.test_query_counts import PINNED

pytestmark = pytest.mark.django_db

QA = "A monitoring report is waiting for your quality assurance"
PUBLISH = "A quality-assured monitoring report is waiting for you to publish it"
REMEDIAL = "A remedial action is waiting for you"
ACTION = "Re-brief the custody staff on the new form."


def overview(client, user, policy) -> str:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/policies/{policy.reference}/")
    assert response.status_code == 200
    assert len(queries) <= PINNED["detail"], (user.username, len(queries))
    return response.content.decode()


def test_the_overview_points_each_reader_to_the_report_waiting_for_them(client, people, policy_in):
    policy = policy_in(Status.MONITORING)
    report = submitted(policy, people)
    link = f'href="/policies/{policy.reference}/monitoring/{report.pk}/"'
    page = overview(client, people.coordinator, policy)
    assert QA in page and link in page
    assert QA not in overview(client, people.pcu, policy) and QA not in overview(client, people.developer, policy)

    a.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    page = overview(client, people.pcu, policy)
    assert PUBLISH in page and link in page
    assert PUBLISH not in overview(client, people.coordinator, policy)

    a.monitoring_report_publish(report=report, actor=people.pcu)
    assert PUBLISH not in overview(client, people.pcu, policy)
    a.monitoring_report_respond(policy=reload(policy), actor=people.lead, report=report, outcome="remedial",
                                reasons="Forms missed.", remedial_action=ACTION, remedial_owner=people.developer,
                                remedial_due_on=timezone.localdate() + datetime.timedelta(days=30),
                                **what_was_read(reload(policy)))
    page = overview(client, people.developer, policy)
    assert REMEDIAL in page and link in page and ACTION in page
    for other in (people.coordinator, people.pcu, people.lead):
        assert REMEDIAL not in overview(client, other, policy), other.username


def test_the_report_work_statement_is_compiled_once_per_process_not_on_every_overview(client, people, policy_in,
                                                                                       monkeypatch):
    """Issue 16: Django took longer to compile the overview's report-work statement (a join to the response and the
    reader's clearance) than PostgreSQL took to answer it, prepared (make bench, 100,000 policies: 1.2 ms against
    0.05 ms). It is compiled once per process, for readers cleared for the policy's OFFICIAL-SENSITIVE material and for
    those not (lifecycle.report_work), and answers each reader as before."""
    from assessments.models import MonitoringReport

    policy = policy_in(Status.MONITORING)
    report = submitted(policy, people)
    for reader in (people.coordinator, people.developer2):  # cleared for the policy's group, and not
        overview(client, reader, policy)
    compiled = queries_compiled(monkeypatch)
    page = overview(client, people.coordinator, policy)
    assert QA in page and f'href="/policies/{policy.reference}/monitoring/{report.pk}/"' in page
    assert QA not in overview(client, people.developer2, policy)
    assert MonitoringReport not in {query.model for query in compiled}
