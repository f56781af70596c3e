"""Rule 17 for monitoring reports: a decision binds to what was read. SOP, stage 6: the report is "submitted to the
Business Group Policy Co-ordinator for quality assurance. Once satisfied, the Business Group Policy Co-ordinator will
send the report to the Policy Co-ordination Unit to arrange for it to be published"; the Designated Lead then
"review[s] monitoring results and direct[s] remedial action".

The co-ordinator's quality assurance (passed or returned), PCU's publication and the Lead's response each post the
report they read and its content hash (its period, sections, the marking it is read under and the co-ordinator's
comments), and the service refuses a mismatch, as HTTP If-Match does: a report returned, rewritten and resubmitted
while the page was open is not quality-assured, published or answered unread. The refusal keeps what was typed;
nothing is changed."""

from __future__ import annotations

import datetime
import re

import pytest

from assessments import services as a
from assessments.models import MonitoringReport, MonitoringResponse
from core.events import AuditAction
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from tests.assessments.test_monitoring_response import QA_ON, on, quality_assured_report, respond
from tests.factories import advance_to, refused, reload, what_was_read_of_report
from tests.library.helpers import published
from tests.lifecycle.test_details import update

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 10)
SECTIONS = {"compliance": "Dip sample of 120 stops: 81% recorded the grounds fully.",
            "benefits": "Complaints down 4%.", "diversity_impact": "No disproportionality found."}
REWRITTEN = "Dip sample of 40 stops only: 62% recorded the grounds fully."
HIDDEN_HASH = re.compile(r'name="report_hash" value="([0-9a-f]{64})"')
# The Lead's page offers each report awaiting a response with its own hash.
LEAD_HASH = re.compile(r'name="report_hash_(\d+)" value="([0-9a-f]{64})"')


def page_url(policy, report) -> str:
    return f"/policies/{policy.reference}/monitoring/{report.pk}/"


def hash_on(body: str) -> str:
    found = HIDDEN_HASH.findall(body)
    assert found, "the page posts no report hash"
    assert len(set(found)) == 1
    return found[0]


@pytest.fixture
def submitted(policy_in, people):
    with on(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    with on(QA_ON):
        report = a.monitoring_report_create(policy=policy, actor=people.developer, period_start=PUBLISHED_ON,
                                            period_end=datetime.date(2025, 1, 10), **SECTIONS)
        a.monitoring_report_submit(report=report, actor=people.developer)
    return policy, MonitoringReport.objects.get(pk=report.pk)


def return_rewrite_and_resubmit(report, people) -> None:
    """In another tab the co-ordinator returns the report; the developer rewrites it and submits it again."""
    a.monitoring_report_return(report=report, actor=people.coordinator, comments="Say how big the sample was.")
    a.monitoring_report_update(report=report, actor=people.developer, compliance=REWRITTEN)
    a.monitoring_report_submit(report=report, actor=people.developer)


def test_the_coordinators_quality_assurance_is_bound_to_the_text_they_read(client, submitted, people):
    policy, report = submitted
    client.force_login(people.coordinator)
    with on(QA_ON):
        opened = hash_on(client.get(page_url(policy, report)).content.decode())
        return_rewrite_and_resubmit(report, people)
        response = client.post(page_url(policy, report), {
            "step": "qa", "outcome": "passed", "comments": "Clear, logical and in plain English.",
            "report_read": report.pk, "report_hash": opened})
    assert response.status_code == 409
    body = response.content.decode()
    assert "The report has changed since you opened it: read it again" in body
    # What was typed is kept, and the page shows the report as it is now, with its hash.
    assert "Clear, logical and in plain English." in body and REWRITTEN in body
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.SUBMITTED
    assert not AuditEvent.objects.filter(policy_id=policy.pk, action=AuditAction.MONITORING_REPORT_QA_PASSED).exists()
    read_again = hash_on(body)
    assert read_again != opened
    with on(QA_ON):
        response = client.post(page_url(policy, report), {
            "step": "qa", "outcome": "passed", "comments": "Clear.", "report_read": report.pk,
            "report_hash": read_again})
    assert response.status_code == 302
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.QA_PASSED
    event = AuditEvent.objects.get(policy_id=policy.pk, action=AuditAction.MONITORING_REPORT_QA_PASSED)
    assert event.changes["content_hash"] == read_again


def test_a_return_is_bound_too_and_keeps_the_comments(client, submitted, people):
    policy, report = submitted
    client.force_login(people.coordinator)
    with on(QA_ON):
        opened = hash_on(client.get(page_url(policy, report)).content.decode())
        return_rewrite_and_resubmit(report, people)
        response = client.post(page_url(policy, report), {
            "step": "qa", "outcome": "returned", "comments": "The sample is too small to conclude anything.",
            "report_read": report.pk, "report_hash": opened})
    assert response.status_code == 409
    assert "The sample is too small to conclude anything." in response.content.decode()
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.SUBMITTED


def test_pcu_cannot_publish_a_text_other_than_the_one_they_read(client, submitted, people):
    """PCU read the report while it was with the co-ordinator; it was returned, rewritten, resubmitted and
    quality-assured again. A publication posted with the hash of what PCU read is refused; nothing is published."""
    policy, report = submitted
    read_before = what_was_read_of_report(report)
    with on(QA_ON):
        return_rewrite_and_resubmit(report, people)
        a.monitoring_report_pass_qa(report=report, actor=people.coordinator, comments="Now clear.")
        with refused("stale", "The report has changed since you opened it: read it again"):
            a.monitoring_report_publish(report=report, actor=people.pcu, **read_before)
        client.force_login(people.pcu)
        response = client.post(page_url(policy, report), {"step": "publish", **read_before})
        assert response.status_code == 302
        shown = client.get(response.url).content.decode()
    assert "The report has changed since you opened it: read it again" in shown and REWRITTEN in shown
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.QA_PASSED
    # Read again, it is published; a second click of the same button is refused politely.
    with on(QA_ON):
        response = client.post(page_url(policy, report), {"step": "publish", "report_read": report.pk,
                                                          "report_hash": hash_on(shown)})
        assert response.status_code == 302
        assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.PUBLISHED
        again = client.post(page_url(policy, report), {"step": "publish", "report_read": report.pk,
                                                       "report_hash": hash_on(shown)}, follow=True)
    assert again.status_code == 200
    assert "already published" in again.content.decode()
    assert AuditEvent.objects.filter(policy_id=policy.pk, action=AuditAction.MONITORING_REPORT_PUBLISHED).count() == 1


def test_pcu_publishing_is_bound_to_the_marking_read(client, people):
    """PCU opens the publish page of a report read OFFICIAL; a review re-marks the policy OFFICIAL-SENSITIVE (at once),
    so the report would be published OFFICIAL-SENSITIVE: PCU's publication from the page they opened is refused."""
    policy = advance_to(published(people, title="Stop and search"), Status.MONITORING, people)
    report = quality_assured_report(policy, people, start=policy.first_published_on,
                                    end=policy.first_published_on + datetime.timedelta(days=30))
    client.force_login(people.pcu)
    body = client.get(page_url(policy, report)).content.decode()
    opened = hash_on(body)
    # Published on the intranet only: its report goes to staff, and the button says so (QA walk qa9).
    assert "Publish internally" in body
    s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
           suitable_for_publication_scheme=False)
    response = client.post(page_url(policy, report), {"step": "publish", "report_read": report.pk,
                                                      "report_hash": opened}, follow=True)
    assert "The report has changed since you opened it: read it again" in response.content.decode()
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.QA_PASSED
    response = client.post(page_url(policy, report), {"step": "publish", "report_read": report.pk,
                                                      "report_hash": hash_on(response.content.decode())})
    assert response.status_code == 302
    published_report = MonitoringReport.objects.get(pk=report.pk)
    assert (published_report.status, published_report.protective_marking) == (
        MonitoringReport.Status.PUBLISHED, ProtectiveMarking.OFFICIAL_SENSITIVE)


def test_a_form_posted_without_the_report_read_is_refused(client, submitted, people):
    policy, report = submitted
    client.force_login(people.coordinator)
    with on(QA_ON):
        for missing in ({}, {"report_read": report.pk}, {"report_hash": report.content_hash}):
            response = client.post(page_url(policy, report), {"step": "qa", "outcome": "passed",
                                                              "comments": "Fine.", **missing})
            assert response.status_code == 409
            assert "does not say which report you read" in response.content.decode()
        # A hash of the right shape for another report is refused too.
        response = client.post(page_url(policy, report), {"step": "qa", "outcome": "passed", "comments": "Fine.",
                                                          "report_read": report.pk + 1,
                                                          "report_hash": report.content_hash})
        assert response.status_code == 409
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.SUBMITTED
    a.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    client.force_login(people.pcu)
    response = client.post(page_url(policy, report), {"step": "publish"}, follow=True)
    assert "does not say which report you read" in response.content.decode()
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.QA_PASSED


def test_the_leads_response_is_bound_to_the_report_shown(client, submitted, people):
    """The Lead read the report while it was with the co-ordinator. The response page shows the report quality-assured
    since, with its hash; a response bound to the text read before is refused, the reasons kept; one posted without
    the report's hash too; and one from the page is recorded."""
    policy, report = submitted
    read_before = what_was_read_of_report(report)
    with on(QA_ON):
        return_rewrite_and_resubmit(report, people)
        a.monitoring_report_pass_qa(report=report, actor=people.coordinator, comments="Now clear.")
        with refused("stale", "The report has changed since you opened it: read it again"):
            a.monitoring_report_respond(policy=reload(policy), actor=people.lead, report=report,
                                        report_hash=read_before["report_hash"], outcome="no_action",
                                        reasons="Within tolerance.")
        client.force_login(people.lead)
        page = client.get(f"/policies/{policy.reference}/actions/respond-to-monitoring/").content.decode()
        assert REWRITTEN in page
        shown = dict(LEAD_HASH.findall(page))
        assert shown == {str(report.pk): reload(policy).monitoring_reports.get().content_hash}
        reasons = "Compliance is within tolerance; the review will look at recording grounds."
        stale = respond(client, policy, report, outcome="no_action", reasons=reasons,
                        **{f"report_hash_{report.pk}": read_before["report_hash"]})
        assert stale.status_code == 409
        assert "The report has changed since you opened it: read it again" in stale.content.decode()
        assert reasons in stale.content.decode()
        unbound = respond(client, policy, report, outcome="no_action", reasons=reasons,
                          **{f"report_hash_{report.pk}": ""})
        assert unbound.status_code == 409 and "does not say which report you read" in unbound.content.decode()
        assert not MonitoringResponse.objects.filter(report=report).exists()
        done = respond(client, policy, report, outcome="no_action", reasons=reasons,
                       **{f"report_hash_{report.pk}": shown[str(report.pk)]})
    assert done.status_code == 302
    assert MonitoringResponse.objects.get(report=report).reasons == reasons
    event = AuditEvent.objects.get(policy_id=policy.pk, action=AuditAction.MONITORING_REPORT_RESPONDED)
    assert event.changes["content_hash"] == shown[str(report.pk)]


def test_a_second_click_of_the_quality_assurance_is_refused_politely_with_the_comments_kept(client, submitted, people):
    policy, report = submitted
    client.force_login(people.coordinator)
    with on(QA_ON):
        read = hash_on(client.get(page_url(policy, report)).content.decode())
        posted = {"step": "qa", "outcome": "passed", "comments": "Logical and comprehensive.",
                  "report_read": report.pk, "report_hash": read}
        assert client.post(page_url(policy, report), posted).status_code == 302
        again = client.post(page_url(policy, report), posted)
    assert again.status_code == 409
    body = again.content.decode()
    assert "not awaiting quality assurance: it was already quality-assured by" in body
    assert "Logical and comprehensive." in body
    assert AuditEvent.objects.filter(policy_id=policy.pk, action=AuditAction.MONITORING_REPORT_QA_PASSED).count() == 1


def test_the_coordinators_comments_are_part_of_what_is_read(client, submitted, people):
    """The co-ordinator's comments are shown with the report on its page and on the Lead's response page, and are
    read with it by whoever decides: comments written since the page was opened (the report returned with them and
    resubmitted unchanged, or quality-assured with them) change what was read, and the decision is refused, as for a
    rewritten section."""
    policy, report = submitted
    client.force_login(people.coordinator)
    with on(QA_ON):
        opened = hash_on(client.get(page_url(policy, report)).content.decode())
        # In another tab the report is returned with comments, and resubmitted without a word changed.
        a.monitoring_report_return(report=report, actor=people.coordinator, comments="Say how big the sample was.")
        a.monitoring_report_submit(report=report, actor=people.developer)
        response = client.post(page_url(policy, report), {
            "step": "qa", "outcome": "passed", "comments": "Clear, logical and in plain English.",
            "report_read": report.pk, "report_hash": opened})
        assert response.status_code == 409
        body = response.content.decode()
        assert "The report has changed since you opened it: read it again" in body
        assert "Clear, logical and in plain English." in body and "Say how big the sample was." in body
        assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.SUBMITTED
        # PCU and the Lead read the report before the co-ordinator passed it with comments of their own.
        read_before = what_was_read_of_report(report)
        a.monitoring_report_pass_qa(report=report, actor=people.coordinator, report_read=report.pk,
                                    report_hash=hash_on(body), comments="The sample is small: publish with care.")
        with refused("stale", "The report has changed since you opened it: read it again"):
            a.monitoring_report_publish(report=report, actor=people.pcu, **read_before)
        with refused("stale", "The report has changed since you opened it: read it again"):
            a.monitoring_report_respond(policy=reload(policy), actor=people.lead, report=report,
                                        report_hash=read_before["report_hash"], outcome="no_action",
                                        reasons="Within tolerance.")
        assert not MonitoringResponse.objects.filter(report=report).exists()
        # The Lead's page shows the comments, and posts the hash that covers them.
        client.force_login(people.lead)
        page = client.get(f"/policies/{policy.reference}/actions/respond-to-monitoring/").content.decode()
        assert "The sample is small: publish with care." in page
        assert dict(LEAD_HASH.findall(page)) == {str(report.pk): what_was_read_of_report(report)["report_hash"]}
        a.monitoring_report_publish(report=report, actor=people.pcu, **what_was_read_of_report(report))
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.PUBLISHED
