"""QA walk of 2026-12-05 (B): My work told the developer "Next: Write the annual monitoring report ... Overdue by 249
days" while the policy's report was with the co-ordinator for quality assurance, and its Monitoring page offered no
form ("A new report can be started once it is published": one report is worked on at a time). A dead end: the work
waited for the co-ordinator. Now, while a report is submitted or quality-assured, what comes next is read from the
report's own state (lifecycle.workflow_monitoring.report_work): its quality assurance by the co-ordinator, then its
publication by PCU; My work and the overview say the same."""

from __future__ import annotations

import datetime

import pytest

from assessments import services as a
from lifecycle.states import Status
from lifecycle.workflow_monitoring import MONITORING_REPORT
from tests.assessments.test_reports_awaiting_response import submitted
from tests.clock import travel
from tests.factories import reload
from tests.workspace.test_next_agrees_with_overview import PUBLISHED_ON, overview_next, rows

pytestmark = pytest.mark.django_db

LATER = datetime.date(2026, 2, 1)  # the first year's report (due 15 January 2025) and the second's both late
# Naming the report by the end of its period (QA walk of 2026-12-06: beside "report due 15 January 2026", the report
# waiting is the first year's, to 15 January 2025).
QA = ("Quality-assure the monitoring report to 15 January 2025", "the business group's co-ordinator")
PUBLISH = ("Publish the monitoring report to 15 January 2025", "the Policy Co-ordination Unit")


@pytest.fixture
def in_monitoring(policy_in):
    with travel(PUBLISHED_ON):
        return reload(policy_in(Status.MONITORING))


def said(client, people, policy) -> set[tuple[str, str]]:
    """What My work's "Monitoring reports overdue" row and the overview say comes next, for the developer."""
    row = rows(people.developer, policy.reference)["Monitoring reports overdue"]
    assert overview_next(client, people.developer, policy) == row
    return row


def test_while_a_report_waits_for_others_the_developer_is_not_told_to_write_one(client, people, in_monitoring):
    with travel(LATER):
        assert said(client, people, in_monitoring) == (MONITORING_REPORT.title, MONITORING_REPORT.taken_by)
        report = submitted(reload(in_monitoring), people)
        assert report.period_end == datetime.date(2025, 1, 15)
        # It answered the first year; the second's report, due 15 January 2026, is late too, and cannot be started.
        assert reload(in_monitoring).monitoring_report_due_on == datetime.date(2026, 1, 15)
        assert said(client, people, in_monitoring) == QA
        a.monitoring_report_pass_qa(report=report, actor=people.coordinator)
        assert said(client, people, in_monitoring) == PUBLISH
        client.force_login(people.developer)
        page = client.get("/").content.decode()
        assert "Next: <strong>Publish the monitoring report to 15 January 2025</strong>" in page
        assert "Write the annual monitoring report" not in page
        a.monitoring_report_publish(report=report, actor=people.pcu)
        assert said(client, people, in_monitoring) == (MONITORING_REPORT.title, MONITORING_REPORT.taken_by)
