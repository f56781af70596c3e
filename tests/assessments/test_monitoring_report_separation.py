"""Separation of duties on a monitoring report (lifecycle.report_duties; review 4). SOP, "6. Monitoring and review":
the report is "submitted to the Business Group Policy Co-ordinator for quality assurance. Once satisfied, the Business
Group Policy Co-ordinator will send the report to the Policy Co-ordination Unit to arrange for it to be published";
the Designated Lead will "Review monitoring and compliance results and direct appropriate remedial action".

Only the report's creator was barred from its quality assurance: a co-ordinator who is also a named developer could
rewrite a colleague's report, submit it and pass it. Whoever wrote any part of it or submitted it is barred now, from
its quality assurance, the Lead's response and its publication, as for a policy version (lifecycle.duties)."""

import datetime

import pytest
from django.utils import timezone

from assessments import services as a
from assessments.models import MonitoringReport, MonitoringResponse
from core.models import Role, User
from lifecycle.report_duties import report_parts_held
from lifecycle.states import Duty, Status
from tests.factories import (
    RoleAssignmentFactory,
    advance_to,
    refused,
    reload,
    report_hashes_shown,
    user_with_role,
    what_was_read_of_report,
)
from tests.library.helpers import published

pytestmark = pytest.mark.django_db

WROTE = "you wrote or submitted it, and one person may not hold two parts in the same report (separation of duties)"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def also_developer(people, policy, user) -> User:
    """``user`` given the developer role in the policy's group and named on it as a developer (a role no conflict
    check flags), fresh from the database (no role cached)."""
    RoleAssignmentFactory(user=user, role=Role.DEVELOPER, business_group=people.group)
    policy.developers.add(user)
    return User.objects.get(pk=user.pk)


def report_of(policy, people, **sections) -> MonitoringReport:
    today = timezone.localdate()
    values = {"compliance": "x", "benefits": "x", "performance": "x", "diversity_impact": "x", **sections}
    return a.monitoring_report_create(policy=reload(policy), actor=people.developer, period_start=today,
                                      period_end=today + datetime.timedelta(days=30), **values)


def fresh(report) -> MonitoringReport:
    return MonitoringReport.objects.get(pk=report.pk)


@pytest.fixture
def in_force(people):
    return advance_to(published(people, title="Stop and search"), Status.MONITORING, people)


def test_coordinator_who_rewrote_and_submitted_a_colleagues_report_cannot_quality_assure_it(in_force, people):
    coordinator = also_developer(people, in_force, people.coordinator)
    report = report_of(in_force, people)
    a.monitoring_report_update(report=report, actor=coordinator, compliance="All written by the co-ordinator.",
                               benefits="Theirs.", performance="Theirs.", diversity_impact="Theirs.")
    a.monitoring_report_submit(report=fresh(report), actor=coordinator)
    with refused("forbidden", f"You cannot quality-assure this monitoring report: {WROTE}"):
        a.monitoring_report_pass_qa(report=fresh(report), actor=coordinator)
    with refused("forbidden", f"You cannot quality-assure this monitoring report: {WROTE}"):
        a.monitoring_report_return(report=fresh(report), actor=coordinator, comments="Self-review.")
    assert fresh(report).status == MonitoringReport.Status.SUBMITTED
    # Another co-ordinator of the group, who wrote none of it, still does.
    colleague = user_with_role(Role.COORDINATOR, people.group)
    passed = a.monitoring_report_pass_qa(report=fresh(report), actor=colleague)
    assert passed.status == MonitoringReport.Status.QA_PASSED


def test_saving_one_section_bars_the_coordinator_in_one_query(in_force, people, django_assert_num_queries):
    coordinator = also_developer(people, in_force, people.coordinator)
    report = report_of(in_force, people, performance="")
    a.monitoring_report_update(report=report, actor=coordinator, performance="One section, theirs.")
    a.monitoring_report_update(report=fresh(report), actor=coordinator, benefits="Another, theirs.")
    report = fresh(report)
    with django_assert_num_queries(1):  # one query, however many sections they saved
        assert report_parts_held(coordinator, report) == {Duty.AUTHOR: "wrote or submitted it"}
    a.monitoring_report_submit(report=fresh(report), actor=people.developer)
    with refused("forbidden", WROTE):
        a.monitoring_report_pass_qa(report=fresh(report), actor=coordinator)


def test_only_submitting_a_report_bars_the_coordinator_too(in_force, people):
    coordinator = also_developer(people, in_force, people.coordinator)
    report = a.monitoring_report_submit(report=report_of(in_force, people), actor=coordinator)
    with refused("forbidden", WROTE):
        a.monitoring_report_pass_qa(report=fresh(report), actor=coordinator)


def test_the_page_offers_no_quality_assurance_and_a_refusal_keeps_the_comments(client, in_force, people):
    coordinator = also_developer(people, in_force, people.coordinator)
    report = report_of(in_force, people)
    a.monitoring_report_update(report=report, actor=coordinator, compliance="Rewritten by the co-ordinator.")
    a.monitoring_report_submit(report=fresh(report), actor=people.developer)
    url = f"/policies/{in_force.reference}/monitoring/{report.pk}/"
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert "Record decision" not in page
    assert f"You cannot quality-assure this monitoring report: {WROTE}" in page
    # Posted all the same (a page opened before, another tab): refused, with the reason and what was typed.
    answer = client.post(url, {"step": "qa", "outcome": "passed", "comments": "Reads well to me.",
                               **what_was_read_of_report(report)})
    assert answer.status_code == 409
    body = answer.content.decode()
    assert f"You cannot quality-assure this monitoring report: {WROTE}" in body and "Reads well to me." in body
    assert fresh(report).status == MonitoringReport.Status.SUBMITTED


def quality_assured(in_force, people, writer) -> MonitoringReport:
    report = report_of(in_force, people)
    a.monitoring_report_update(report=report, actor=writer, benefits="Written by them.")
    a.monitoring_report_submit(report=fresh(report), actor=people.developer)
    return a.monitoring_report_pass_qa(report=fresh(report), actor=people.coordinator)


def test_a_lead_who_wrote_part_of_the_report_does_not_respond_to_it(client, in_force, people):
    lead = also_developer(people, in_force, people.lead)
    report = quality_assured(in_force, people, lead)
    with refused("forbidden", f"You cannot respond to this monitoring report: {WROTE}"):
        a.monitoring_report_respond(policy=reload(in_force), actor=lead, report=report, outcome="no_action",
                                    reasons="Fine.")
    client.force_login(lead)
    page = client.get(f"/policies/{in_force.reference}/monitoring/{report.pk}/").content.decode()
    assert "Respond to this report" not in page
    assert f"You cannot respond to this monitoring report: {WROTE}" in page
    # The step is not offered either: its only report is one they wrote.
    url = f"/policies/{in_force.reference}/actions/respond-to-monitoring/"
    assert url not in client.get(f"/policies/{in_force.reference}/").content.decode()
    refusal = client.get(url, follow=True).content.decode()
    assert "you wrote, submitted, quality-assured or published each monitoring report awaiting a response" in refusal
    # Posted all the same: refused with the reason, as any step refused for separation of duties (the policy's page,
    # with the message), and nothing recorded.
    version = reload(in_force).current_version
    answer = client.post(url, {"report": str(report.pk), "outcome": "no_action", "reasons": "Within tolerance.",
                               "expected_status": in_force.status, "version": version.pk,
                               "version_hash": version.read_hash, **report_hashes_shown(report)}, follow=True)
    assert f"You cannot respond to this monitoring report: {WROTE}" in answer.content.decode()
    assert not MonitoringResponse.objects.filter(report=report).exists()


def test_pcu_does_not_publish_a_report_its_member_wrote_part_of(client, in_force, people):
    pcu = also_developer(people, in_force, people.pcu)
    report = quality_assured(in_force, people, pcu)
    with refused("forbidden", f"You cannot publish this monitoring report: {WROTE}"):
        a.monitoring_report_publish(report=fresh(report), actor=pcu)
    client.force_login(pcu)
    page = client.get(f"/policies/{in_force.reference}/monitoring/{report.pk}/").content.decode()
    assert "Publish on the Publication Scheme" not in page
    assert f"You cannot publish this monitoring report: {WROTE}" in page
    assert a.monitoring_report_publish(report=fresh(report), actor=user_with_role(Role.PCU)
                                       ).status == MonitoringReport.Status.PUBLISHED
