"""Issue 13, "Due dates drift": the annual monitoring report is due every 12 months from the previous *due date*,
whatever happens in between (late reports, reviews, re-publication). A late report stays late until it is
submitted. Through the pages where there are pages, with time-machine for the dates.

SOP, stage 6: "The results of this monitoring must be recorded in a Monitoring Report template on an annual
basis".
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from assessments.models import MonitoringReport
from core.models import AuditEvent
from core.submissions import MONITORING_REPORT_CREATE
from lifecycle import services as lifecycle_services
from lifecycle.due import MONITORING, DueStatus
from lifecycle.states import Status
from tests.factories import advance_to, fill_development, reload, what_was_read_of_report
from tests.submissions import sent_once

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 10)
FIRST_DUE = datetime.date(2025, 1, 10)
SECTIONS = {"compliance": "Dip samples: 96% compliant.", "benefits": "Complaints down 12%.",
            "performance": "", "diversity_impact": "No disproportionality found."}


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(11, 0), tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def published(policy_in):
    with on(PUBLISHED_ON):
        policy = policy_in(Status.IMPLEMENTATION)
    assert policy.monitoring_report_due_on == FIRST_DUE
    return policy


def write_and_submit(client, policy, people, *, start, end) -> MonitoringReport:
    """The developer starts a report and submits it to the co-ordinator, through the pages."""
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/monitoring/", {
        "period_start-day": start.day, "period_start-month": start.month, "period_start-year": start.year,
        "period_end-day": end.day, "period_end-month": end.month, "period_end-year": end.year,
        **sent_once(people.developer, MONITORING_REPORT_CREATE),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    report = MonitoringReport.objects.filter(policy=policy).latest("pk")
    response = client.post(f"/policies/{policy.reference}/monitoring/{report.pk}/", {
        "step": "submit", **SECTIONS, "base_revision": report.draft_revision})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.SUBMITTED
    return report


def coordinator_qa(client, policy, report, people, outcome="passed", comments="Clear and complete."):
    client.force_login(people.coordinator)
    response = client.post(f"/policies/{policy.reference}/monitoring/{report.pk}/",
                           {"step": "qa", "outcome": outcome, "comments": comments, **what_was_read_of_report(report)})
    assert response.status_code == 302


def pcu_publishes(client, policy, report, people):
    client.force_login(people.pcu)
    response = client.post(f"/policies/{policy.reference}/monitoring/{report.pk}/",
                           {"step": "publish", **what_was_read_of_report(report)})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == MonitoringReport.Status.PUBLISHED


def test_a_late_report_stays_late_until_submitted_and_the_next_is_due_a_year_after_the_last_due_date(
        client, published, people):
    with on(datetime.date(2025, 2, 3)):
        # A month late: overdue until it is submitted.
        assert MONITORING.state_of(reload(published)).status == DueStatus.OVERDUE
        report = write_and_submit(client, published, people, start=PUBLISHED_ON, end=FIRST_DUE)
        policy = reload(published)
        # Submitted: the next report is due 12 months from the previous due date, not from today.
        assert policy.monitoring_report_due_on == datetime.date(2026, 1, 10)
        assert MONITORING.state_of(policy).status == DueStatus.IN_DATE
        report.refresh_from_db()
        assert report.answers_due_on == FIRST_DUE
        event = AuditEvent.objects.filter(action="monitoring_report.submitted").latest("sequence")
        assert event.changes["monitoring_report_due_on"] == ["2025-01-10", "2026-01-10"]
        assert event.changes["late_by_days"] == 24

    with on(datetime.date(2025, 2, 20)):
        coordinator_qa(client, published, report, people)
    with on(datetime.date(2025, 3, 14)):
        pcu_publishes(client, published, report, people)
    # PCU's publication date does not move it.
    assert reload(published).monitoring_report_due_on == datetime.date(2026, 1, 10)


def test_a_report_returned_by_the_coordinator_is_late_again(client, published, people):
    with on(datetime.date(2025, 1, 6)):
        report = write_and_submit(client, published, people, start=PUBLISHED_ON, end=FIRST_DUE)
    assert reload(published).monitoring_report_due_on == datetime.date(2026, 1, 10)
    with on(datetime.date(2025, 1, 20)):
        coordinator_qa(client, published, report, people, outcome="returned", comments="Add the data source.")
        policy = reload(published)
        # The returned report does not answer the due date: it is due as before, and now overdue.
        assert policy.monitoring_report_due_on == FIRST_DUE
        assert MONITORING.state_of(policy).status == DueStatus.OVERDUE
        report.refresh_from_db()
        assert report.answers_due_on is None
        event = AuditEvent.objects.filter(action="monitoring_report.returned").latest("sequence")
        assert event.changes["monitoring_report_due_on"] == ["2026-01-10", "2025-01-10"]
    with on(datetime.date(2025, 1, 27)):
        client.force_login(people.developer)
        report.refresh_from_db()
        client.post(f"/policies/{published.reference}/monitoring/{report.pk}/", {
            "step": "submit", **SECTIONS, "base_revision": report.draft_revision})
    assert reload(published).monitoring_report_due_on == datetime.date(2026, 1, 10)


def test_reviews_and_republication_do_not_move_the_monitoring_date(published, people):
    """Re-publication after a review sets the next *review* date, never the monitoring date: a report missed
    before or during the review is still due, and still late."""
    with on(datetime.date(2024, 11, 4)):
        lifecycle_services.policy_start_review(policy=published, actor=people.coordinator,
                                               reason="New legislation.")
        policy = advance_to(published, Status.DEVELOPMENT, people)
        fill_development(policy, people)
        lifecycle_services.draft_update(policy=policy, actor=people.developer,
                                        statement=policy.current_version.statement,
                                        summary_of_changes="Section 2 follows the new Act.")
        policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    with on(datetime.date(2025, 3, 3)):
        policy = advance_to(policy, Status.IMPLEMENTATION, people)
        assert policy.current_version.number == "2.0"
        assert policy.review_due_on == datetime.date(2028, 3, 3)
        # The report due on 10 January 2025 was never submitted: still due then, still late.
        assert policy.monitoring_report_due_on == FIRST_DUE
        assert MONITORING.state_of(policy).status == DueStatus.OVERDUE
        publication = AuditEvent.objects.filter(action="policy.published").latest("sequence")
        # Recorded [before, after], as every change: the same date before and after.
        assert publication.changes["monitoring_report_due_on"] == ["2025-01-10", "2025-01-10"]
        assert publication.changes["review_due_on"][1] == "2028-03-03"
