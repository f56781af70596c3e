"""My work's monitoring reports for a Designated Lead (workspace.report_queues, issue 13): the quality-assured reports
still awaiting a response, of the policies naming the Lead (or no Lead) in their business groups, the one
quality-assured longest ago first."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import MonitoringReport, MonitoringReportAwaitingResponse
from core.dates import date_shown
from core.models import Role
from lifecycle import services as lifecycle_services
from lifecycle.selectors import viewer_of
from lifecycle.services import people as people_services
from lifecycle.states import Status
from tests.factories import the_year_due, user_with_role, what_was_read
from tests.plans import SORTS_PRICED_OUT, plans_of, sorts_in, statements_reading
from tests.web.test_query_counts import PINNED
from workspace.report_queues import monitoring_action_queues, report_queues

pytestmark = pytest.mark.django_db

SECTIONS = {"compliance": "Dip sample.", "benefits": "Fewer complaints.", "diversity_impact": "None found."}


def quality_assured_on(day: datetime.date, policy, people) -> MonitoringReport:
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC), tick=False):
        report = assessment_services.monitoring_report_create(
            policy=policy, actor=people.developer, **the_year_due(policy), **SECTIONS)
        assessment_services.monitoring_report_submit(report=report, actor=people.developer)
        return assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator,
                                                             comments="Clear.")


def ends(policy) -> str:
    """The end of the policy's one report: the year it had due (``the_year_due``)."""
    return date_shown(MonitoringReport.objects.get(policy=policy).period_end)


def awaiting_response(lead) -> list[str]:
    queues = monitoring_action_queues(lead, viewer_of(lead), timezone.localdate())
    return [entry["label"] for queue in queues if queue["title"] == "Monitoring reports to respond to"
            for entry in queue["entries"]]


def test_a_lead_is_shown_the_reports_awaiting_their_response_oldest_first(people, policy_in):
    later, earlier, answered = (policy_in(Status.MONITORING, title=title) for title in ("Later", "Earlier", "Answered"))
    other_lead = user_with_role(Role.LEAD, people.group)
    anothers = people_services.policy_reassign(policy=policy_in(Status.MONITORING, title="Another Lead's"),
                                               actor=people.pcu, role="designated_lead", new_holder=other_lead,
                                               reason="Moved to the other Lead.")
    quality_assured_on(datetime.date(2025, 3, 2), later, people)
    quality_assured_on(datetime.date(2025, 2, 1), earlier, people)
    quality_assured_on(datetime.date(2025, 2, 15), anothers, people)
    responded = quality_assured_on(datetime.date(2025, 1, 20), answered, people)
    assessment_services.monitoring_report_respond(policy=answered, actor=people.lead, report=responded,
                                                  outcome="no_action", reasons="Within tolerance.",
                                                  **what_was_read(answered))

    withdrawn = policy_in(Status.MONITORING, title="Withdrawn")
    quality_assured_on(datetime.date(2025, 1, 5), withdrawn, people)
    lifecycle_services.policy_decide_withdrawal(policy=withdrawn, actor=people.lead, reason="Superseded.")
    lifecycle_services.policy_withdraw(policy=withdrawn, actor=people.pcu)

    assert awaiting_response(people.lead) == [f"{earlier.reference} Earlier: report to {ends(earlier)}",
                                              f"{later.reference} Later: report to {ends(later)}"]
    assert awaiting_response(other_lead) == [f"{anothers.reference} Another Lead's: report to {ends(anothers)}"]
    assert awaiting_response(people.lead2) == []


def test_reports_quality_assured_at_one_moment_are_shown_in_the_order_they_were_written(people, policy_in):
    """The queue's order is (quality-assured at, report id), published or not (SOP, stage 6: PCU publishes the
    report; the Lead's response does not wait for it)."""
    first, second, third = (policy_in(Status.MONITORING, title=title) for title in ("First", "Second", "Third"))
    moment = datetime.date(2025, 2, 1)
    reports = [quality_assured_on(moment, policy, people) for policy in (second, third, first)]
    assessment_services.monitoring_report_publish(report=reports[1], actor=people.pcu)
    assert awaiting_response(people.lead) == [f"{policy.reference} {policy.title}: report to {ends(policy)}"
                                              for policy in (second, third, first)]


def test_a_leads_my_work_costs_the_same_however_many_reports_await_them(client, people, policy_in):
    """The queue is one statement, whatever it holds; the page stays within its pin (tests/web/test_query_counts)."""
    client.force_login(people.lead)
    empty = _my_work_queries(client)
    answered = policy_in(Status.MONITORING, title="Answered")
    responded = quality_assured_on(datetime.date(2025, 1, 20), answered, people)
    assessment_services.monitoring_report_respond(policy=answered, actor=people.lead, report=responded,
                                                  outcome="no_action", reasons="Within tolerance.",
                                                  **what_was_read(answered))
    for day in (3, 4, 5):
        quality_assured_on(datetime.date(2025, 2, day), policy_in(Status.MONITORING), people)
    assert len(awaiting_response(people.lead)) == 3
    assert _my_work_queries(client) == empty <= PINNED["/"]


def _my_work_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's plans")
def test_a_leads_reports_are_read_in_the_order_shown_and_stopped_at_the_page(people, policy_in):
    """make bench, 100,000 policies: the Lead's 14,560 policies were found first and each one's quality-assured
    reports tested for a response, 10,127 reports read and sorted to show 21 (60-97 ms of the Lead's My work). The
    reports awaiting a response are kept apart (assessments.MonitoringReportAwaitingResponse) and read in the order
    they were quality-assured, each policy tested as it comes, stopped at the page's 21: answered reports, however
    many years of them there are, are not read at all."""
    quality_assured_on(datetime.date(2025, 2, 1), policy_in(Status.MONITORING), people)
    with CaptureQueriesContext(connection) as captured:
        assert len(awaiting_response(people.lead)) == 1
    [statement] = statements_reading(captured, MonitoringReportAwaitingResponse._meta.db_table)
    [plan] = plans_of([statement], priced_out=SORTS_PRICED_OUT)
    assert "Index Scan using monitoring_awaiting_queue_idx" in plan, plan
    assert not sorts_in(plan), plan
    assert "assessments_monitoringresponse" not in statement, statement


def _to_assure_or_publish(user) -> list[int]:
    """The reports My work lists the person to quality-assure or publish (``report_queues``), by id."""
    return [report.pk for queue in report_queues(viewer_of(user).roles, timezone.localdate())
            for report in queue["reports"]]


def _withdrawn(policy, people) -> None:
    lifecycle_services.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="Superseded.")
    lifecycle_services.policy_withdraw(policy=policy, actor=people.pcu)


def test_no_report_of_a_withdrawn_policy_is_listed_to_quality_assure_or_publish(people, policy_in):
    """A report of a withdrawn policy stops where it stood (assessments.services.report_halted: no one may
    quality-assure or publish it), and its reminders and inbox items stop with the withdrawal (notifications:
    POLICY_WITHDRAWN); My work's "Monitoring reports to quality-assure or publish" listed it still."""
    kept, gone, assured_gone = (policy_in(Status.MONITORING, title=title) for title in ("Kept", "Gone", "Assured"))
    submitted = {}
    for policy in (kept, gone):
        report = assessment_services.monitoring_report_create(policy=policy, actor=people.developer,
                                                              **the_year_due(policy), **SECTIONS)
        submitted[policy.pk] = assessment_services.monitoring_report_submit(report=report, actor=people.developer).pk
    assured = quality_assured_on(datetime.date(2025, 2, 1), assured_gone, people)
    assert sorted(_to_assure_or_publish(people.coordinator)) == sorted(submitted.values())
    assert _to_assure_or_publish(people.pcu) == [assured.pk]
    _withdrawn(gone, people)
    _withdrawn(assured_gone, people)
    assert _to_assure_or_publish(people.coordinator) == [submitted[kept.pk]]
    assert _to_assure_or_publish(people.pcu) == []


def test_no_report_of_a_policy_whose_withdrawal_is_decided_is_listed_either(people, policy_in):
    """From the decision the report's next part is refused (assessments.services.report_halted, lifecycle.steps.HALTS)
    and its reminders closed: My work listed it still, to the co-ordinator and PCU, as theirs to take."""
    kept, decided = (policy_in(Status.MONITORING, title=title) for title in ("Kept", "Decided"))
    submitted = {}
    for policy in (kept, decided):
        report = assessment_services.monitoring_report_create(policy=policy, actor=people.developer,
                                                              **the_year_due(policy), **SECTIONS)
        submitted[policy.pk] = assessment_services.monitoring_report_submit(report=report, actor=people.developer).pk
    lifecycle_services.policy_decide_withdrawal(policy=decided, actor=people.lead, reason="Superseded.")
    assert _to_assure_or_publish(people.coordinator) == [submitted[kept.pk]]
