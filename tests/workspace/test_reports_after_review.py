"""QA walk of 2026-12-05 (qa9): after POL-0003's review concluded with no change and was re-published, its Lead's My
work still listed the reports from before the review under "Monitoring reports to respond to", whereas after POL-0004's
review with changes its pre-review report was not listed. The two do not differ: POL-0004's one report had its Lead's
response in the demo's data (no action, months before its review: demo.data's "report_response" step), and a
report quality-assured and not yet answered stays listed after either kind of review, until the Lead responds.

That is the SOP's rule. The Designated Lead will "Review monitoring and compliance results and direct appropriate
remedial action, escalating critical and strategic issues as necessary": a duty for each report's results, which a
review does not discharge. A review reads the reports ("This monitoring data then feeds into future policy reviews":
the developer records what the review changes in response, assessments.MonitoringReportReading) to decide the policy's
text; the Lead's response decides what is done about the practice the results show (compliance, performance,
disproportionality): a remedial action, an escalation, an earlier next review, or none. A policy re-published unchanged
leaves the practice the report found as it was, and a reviewed text does not by itself remedy it. Dropped from the
queue at the review, the report would stay unanswered with nobody asked (RESPOND_TO_MONITORING is open whatever stage a
review is in, "the published version stays in force, and its reports keep coming").

Since a later QA walk, a review concludes with no change only once every report since the last review has the Lead's
response (lifecycle.gates_no_change): the report waits for the Lead before that conclusion, not after it."""

from __future__ import annotations

import datetime

import pytest

from assessments import services as assessment_services
from core.exceptions import ApplicationError
from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from tests.factories import advance_to, reload, what_was_read
from tests.notifications.test_chase import PUBLISHED_ON, at, published  # noqa: F401
from tests.workspace.test_report_queues import awaiting_response

pytestmark = pytest.mark.django_db

SECTIONS = {"compliance": "Dip sample of 120 cases: 78% compliant.", "benefits": "Faster referrals.",
            "diversity_impact": "No disproportionality found."}
REVIEWED_ON = datetime.date(2026, 1, 15)


@pytest.fixture
def reported(published, people):  # noqa: F811
    """The first year's report of the policy published on 1 March 2023, quality-assured on 12 March 2024 and not
    answered by its Lead."""
    with at(datetime.date(2024, 3, 5)):
        report = assessment_services.monitoring_report_create(
            policy=published, actor=people.developer, period_start=PUBLISHED_ON,
            period_end=published.monitoring_report_due_on, **SECTIONS)
        assessment_services.monitoring_report_submit(report=report, actor=people.developer)
    with at(datetime.date(2024, 3, 12)):
        report = assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator,
                                                               comments="Clear.")
    label = f"{published.reference} {published.title}: report to 1 March 2024"
    assert awaiting_response(people.lead) == [label]
    return report, label


def review_with_changes(policy, people):
    with at(REVIEWED_ON):
        lifecycle_services.policy_start_review(policy=policy, actor=people.developer, reason="Three-yearly review.")
        advance_to(policy, Status.IMPLEMENTATION, people)  # the review reads the report at its scoping


def test_a_report_not_answered_before_the_review_awaits_the_lead_after_it(reported, published, people):  # noqa: F811
    report, label = reported
    review_with_changes(published, people)
    policy = reload(published)
    assert policy.review_due_on == datetime.date(2029, 1, 15)
    assert awaiting_response(people.lead) == [label]
    # The Lead responds to it as to any report, and it leaves the queue.
    with at(REVIEWED_ON + datetime.timedelta(days=1)):
        assessment_services.monitoring_report_respond(
            policy=policy, actor=people.lead, report=report, outcome="remedial",
            reasons="Compliance at 78% whatever the text says.", remedial_action="Brief every borough again.",
            remedial_owner=people.developer, remedial_due_on=datetime.date(2026, 4, 1), **what_was_read(policy))
    assert awaiting_response(people.lead) == []


def test_a_review_concluding_no_change_waits_for_the_leads_response(reported, published, people):  # noqa: F811
    """A review concluding no change drafts nothing for the report to be read in: the Lead's response is its reading
    (lifecycle.gates_no_change.monitoring_reports_answered, QA walk: POL-0003 concluded with a report unanswered), so
    the conclusion is refused while the report waits, and the report stays in the Lead's queue."""
    report, label = reported
    with at(REVIEWED_ON):
        with pytest.raises(ApplicationError, match="has not responded to every monitoring report") as refused:
            lifecycle_services.policy_conclude_no_change(policy=reload(published), actor=people.lead,
                                                         reason="Law unchanged.")
        assert refused.value.code == "gate"
    assert awaiting_response(people.lead) == [label]
