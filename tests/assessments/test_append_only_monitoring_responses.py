"""The Designated Lead's response to a monitoring report, and a review's reading of one, are evidence: written once,
then filled in only by the one-way step their service takes (a remedial action recorded as done), never rewritten or
deleted in the database (integrity review of 2026-12-06, MEDIUM 7: a raw UPDATE or DELETE of either succeeded; the
responses' table had only the triggers keeping the queue of reports awaiting a response).

SOP, role of the Designated Business Group Policy Lead: "review monitoring results and direct remedial action"; and
"This monitoring data then feeds into future policy reviews". PostgreSQL's triggers (assessments 0013); SQLite,
``make run``'s zero-set-up default, has none."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection

from assessments import services as assessment_services
from assessments.models import MonitoringReportAwaitingResponse, MonitoringResponse
from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from tests.core.test_append_only import refused
from tests.factories import reload

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")]

PUBLISHED_ON = datetime.date(2024, 1, 10)
QA_ON = datetime.date(2025, 1, 20)
SECTIONS = {"compliance": "Dip sample of 120 stops: 81% recorded the grounds fully.",
            "benefits": "Complaints down 4%.", "diversity_impact": "Stops of young black men 2.1 times the rate."}
RESPONSES = "assessments_monitoringresponse"


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC), tick=False)


@pytest.fixture
def reported(policy_in, people):
    with on(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    with on(QA_ON):
        report = assessment_services.monitoring_report_create(
            policy=policy, actor=people.developer, period_start=PUBLISHED_ON, period_end=datetime.date(2025, 1, 10),
            **SECTIONS)
        assessment_services.monitoring_report_submit(report=report, actor=people.developer)
        report = assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator,
                                                               comments="Clear.")
    return reload(policy), report


def _decided_is_frozen(response: MonitoringResponse, people) -> None:
    refused(f"UPDATE {RESPONSES} SET reasons = 'Rewritten.' WHERE id = %s", [response.pk])
    refused(f"UPDATE {RESPONSES} SET outcome = 'bring_forward', review_due_on = '2025-06-01' WHERE id = %s",
            [response.pk])
    refused(f"UPDATE {RESPONSES} SET decided_by_id = %s WHERE id = %s", [people.owner.pk, response.pk])
    refused(f"UPDATE {RESPONSES} SET decided_at = decided_at - interval '1 day' WHERE id = %s", [response.pk])
    refused(f"UPDATE {RESPONSES} SET report_id = report_id + 1 WHERE id = %s", [response.pk])
    refused(f"DELETE FROM {RESPONSES} WHERE id = %s", [response.pk])


def test_a_response_of_no_action_is_never_rewritten(reported, people):
    policy, report = reported
    with on(QA_ON):
        response = assessment_services.monitoring_report_respond(
            policy=policy, actor=people.lead, report=report, outcome="no_action", reasons="Results noted.")
    _decided_is_frozen(response, people)
    # Nor is a remedial action slipped into it afterwards.
    refused(f"UPDATE {RESPONSES} SET remedial_outcome = 'Planted.', remedial_completed_at = now(), "
            "remedial_completed_by_id = %s WHERE id = %s", [people.lead.pk, response.pk])
    # The queue of reports awaiting a response still follows: answered, so not awaiting.
    assert not MonitoringReportAwaitingResponse.objects.filter(report=report).exists()


def test_a_remedial_action_is_recorded_done_once_and_never_rewritten(reported, people):
    policy, report = reported
    due = QA_ON + datetime.timedelta(days=30)
    with on(QA_ON):
        response = assessment_services.monitoring_report_respond(
            policy=policy, actor=people.lead, report=report, outcome="remedial", reasons="Grounds not recorded.",
            remedial_action="Brief every team.", remedial_owner=people.manager, remedial_due_on=due)
    _decided_is_frozen(response, people)
    # What, who and by when the Lead directed stays as directed while it is open.
    refused(f"UPDATE {RESPONSES} SET remedial_action = 'Something easier.' WHERE id = %s", [response.pk])
    refused(f"UPDATE {RESPONSES} SET remedial_owner_id = %s WHERE id = %s", [people.developer.pk, response.pk])
    refused(f"UPDATE {RESPONSES} SET remedial_due_on = remedial_due_on + 60 WHERE id = %s", [response.pk])
    # An outcome is written only as the action is recorded as done.
    refused(f"UPDATE {RESPONSES} SET remedial_outcome = 'Planted.' WHERE id = %s", [response.pk])
    # Recorded as done by the person named, through the service: the one fill it takes.
    with on(QA_ON + datetime.timedelta(days=5)):
        done = assessment_services.monitoring_remedial_action_complete(response=response, actor=people.manager,
                                                                       outcome="All teams briefed.")
    assert (done.remedial_completed_by, done.remedial_outcome) == (people.manager, "All teams briefed.")
    _decided_is_frozen(response, people)
    refused(f"UPDATE {RESPONSES} SET remedial_outcome = 'Rewritten.' WHERE id = %s", [response.pk])
    refused(f"UPDATE {RESPONSES} SET remedial_completed_by_id = %s WHERE id = %s", [people.lead.pk, response.pk])
    refused(f"UPDATE {RESPONSES} SET remedial_completed_at = NULL, remedial_completed_by_id = NULL, "
            "remedial_outcome = '' WHERE id = %s", [response.pk])
    assert MonitoringResponse.objects.get(pk=response.pk).remedial_outcome == "All teams briefed."


def test_a_reading_for_a_review_is_never_rewritten(reported, people):
    policy, report = reported
    with on(datetime.date(2025, 5, 1)):
        assessment_services.monitoring_report_respond(policy=policy, actor=people.lead, report=report,
                                                      outcome="no_action", reasons="Results noted.")
        lifecycle_services.policy_start_review(policy=reload(policy), actor=people.developer,
                                               reason="Monitoring results.")
        reading = assessment_services.monitoring_report_read_for_review(
            report=report, actor=people.developer, changes_in_response="SOP 2 now requires the grounds recorded.")
    table = "assessments_monitoringreportreading"
    refused(f"UPDATE {table} SET changes_in_response = 'Nothing.' WHERE id = %s", [reading.pk])
    refused(f"UPDATE {table} SET read_by_id = %s WHERE id = %s", [people.lead.pk, reading.pk])
    refused(f"UPDATE {table} SET cycle = cycle + 1 WHERE id = %s", [reading.pk])
    refused(f"UPDATE {table} SET read_at = read_at - interval '1 day' WHERE id = %s", [reading.pk])
    refused(f"DELETE FROM {table} WHERE id = %s", [reading.pk])
