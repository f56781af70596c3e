"""The Monitoring tab's 409 refusal (a report started in another tab meanwhile) lists the reports as the tab does
(second review of 2026-12-06, LOW): it read them without the Lead's response or whether a review read them, so it
tagged a report a review had read "Awaiting the Designated Lead's response", read each response with a query of its
own, and listed a draft discarded by mistake."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services as a
from assessments.models import MonitoringReport, MonitoringReportReading
from core.submissions import MONITORING_REPORT_CREATE
from tests.assessments import test_monitoring_page
from tests.assessments.test_monitoring_dates import FIRST_DUE, on
from tests.reports import REPORT_SECTIONS, the_year_due
from tests.submissions import sent_once

pytestmark = pytest.mark.django_db
# Published on 10 January 2024, its first monitoring report due on 10 January 2025: the tab's own tests' fixture.
published = test_monitoring_page.published
TAG = "Awaiting the Designated Lead's response"


def _reload(p):
    return type(p).objects.get(pk=p.pk)


def _publish_one(policy, people):
    r = a.monitoring_report_create(policy=_reload(policy), actor=people.developer, **the_year_due(policy),
                                   **REPORT_SECTIONS)
    a.monitoring_report_submit(report=r, actor=people.developer)
    r = a.monitoring_report_pass_qa(report=r, actor=people.coordinator, comments="Clear.")
    return a.monitoring_report_publish(report=r, actor=people.pcu)


def test_the_refusal_tags_no_report_a_review_has_read_as_awaiting_the_lead(client, published, people):
    with on(FIRST_DUE + datetime.timedelta(days=20)):
        report = _publish_one(published, people)
        MonitoringReportReading.objects.create(report=report, policy=published, cycle=1, read_by=people.developer,
                                               read_at=timezone.now(), changes_in_response="Noted.")
        # The next report started: in progress.
        a.monitoring_report_create(policy=_reload(published), actor=people.developer, **the_year_due(published),
                                   **REPORT_SECTIONS)
        client.force_login(people.developer)
        get = client.get(f"/policies/{published.reference}/monitoring/").content.decode()
        resp = client.post(f"/policies/{published.reference}/monitoring/", {
            "period_start-day": 10, "period_start-month": 1, "period_start-year": 2026,
            "period_end-day": 9, "period_end-month": 1, "period_end-year": 2027, "compliance": "Typed before.",
            **sent_once(people.developer, MONITORING_REPORT_CREATE)})
    html = resp.content.decode()
    assert resp.status_code == 409
    assert TAG not in get and TAG not in html


def test_the_refusal_reads_the_reports_in_a_constant_number_of_queries(client, published, people):
    counts = []
    day = FIRST_DUE + datetime.timedelta(days=20)
    for _ in range(3):
        with on(day):
            _publish_one(published, people)
            a.monitoring_report_create(policy=_reload(published), actor=people.developer, **the_year_due(published),
                                       **REPORT_SECTIONS)
            client.force_login(people.developer)
            with CaptureQueriesContext(connection) as q:
                resp = client.post(f"/policies/{published.reference}/monitoring/", {
                    "period_start-day": 10, "period_start-month": 1, "period_start-year": 2030,
                    "period_end-day": 9, "period_end-month": 1, "period_end-year": 2031, "compliance": "x",
                    **sent_once(people.developer, MONITORING_REPORT_CREATE)})
            assert resp.status_code == 409, resp.status_code
            counts.append(len(q))
            # The one in progress discarded, so that the next year's may be started.
            ip = MonitoringReport.objects.filter(policy=published, status="draft").get()
            a.monitoring_report_discard(report=ip, actor=people.developer, reason="Started by mistake.")
        day = day + datetime.timedelta(days=366)
    assert counts[0] == counts[-1], counts
    # Two of the three were discarded when the last refusal was drawn.
    assert MonitoringReport.objects.filter(policy=published, status="discarded").count() == 3
    assert "Discarded" not in resp.content.decode()
