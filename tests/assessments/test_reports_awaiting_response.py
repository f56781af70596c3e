"""The quality-assured monitoring reports still awaiting the Designated Lead's response (assessments.
MonitoringReportAwaitingResponse), kept by the database from the reports and the responses: My work's queue of them
(workspace.report_queues) reads them in the order they were quality-assured and stops at the page, where testing each
quality-assured report for a response read every report the Lead's policies ever had (make bench, 100,000 policies:
10,100 reports read and sorted to show 21), or, read in that order, every report answered before the first still
waiting (simulated with 97% answered: 540-970 ms). Whatever writes a report or a response, the services, a model
save, the bench's COPY or plain SQL, the rows follow: the database writes them, never the app."""

from __future__ import annotations

import datetime
import threading

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import MonitoringReport, MonitoringReportAwaitingResponse, MonitoringResponse
from benchmarks.dataset import _copy
from lifecycle.monitoring_reports import QUALITY_ASSURED_REPORT_STATUSES
from lifecycle.states import Status
from tests.core.test_append_only import append_only_lifted
from tests.factories import what_was_read

SECTIONS = {"compliance": "Dip sample.", "benefits": "Fewer complaints.", "diversity_impact": "None found."}


def stored() -> dict[int, tuple[int, datetime.datetime | None]]:
    return {report_id: (policy_id, qa_at) for report_id, policy_id, qa_at in
            MonitoringReportAwaitingResponse.objects.values_list("report_id", "policy_id", "qa_at")}


def expected() -> dict[int, tuple[int, datetime.datetime | None]]:
    """What the rows must be: every quality-assured report without a response (SOP, stage 6: the Lead reviews the
    monitoring results), with its policy and when it was quality-assured."""
    return {report_id: (policy_id, qa_at) for report_id, policy_id, qa_at in
            MonitoringReport.objects.filter(status__in=QUALITY_ASSURED_REPORT_STATUSES, response__isnull=True)
            .values_list("pk", "policy_id", "qa_at")}


def submitted(policy, people, *, period_start: datetime.date | None = None) -> MonitoringReport:
    """A year's report submitted: by default the first year, from the policy's publication (a period starts no
    earlier: assessments.services.monitoring_periods)."""
    period_start = period_start or policy.first_published_on
    report = assessment_services.monitoring_report_create(
        policy=policy, actor=people.developer, period_start=period_start,
        period_end=period_start + relativedelta(years=1), **SECTIONS)
    return assessment_services.monitoring_report_submit(report=report, actor=people.developer)


def respond(policy, report, people) -> MonitoringResponse:
    return assessment_services.monitoring_report_respond(policy=policy, actor=people.lead, report=report,
                                                         outcome="no_action", reasons="Within tolerance.",
                                                         **what_was_read(policy))


@pytest.mark.django_db
def test_the_rows_follow_the_reports_and_responses_services(people, policy_in):
    policy = policy_in(Status.MONITORING)
    report = submitted(policy, people)
    assert stored() == {}
    # Quality-assured: awaiting the Lead's response (SOP, stage 6), from when it was quality-assured.
    report = assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    assert stored() == {report.pk: (policy.pk, report.qa_at)} == expected()
    # Published on the Scheme: still awaiting it.
    assessment_services.monitoring_report_publish(report=report, actor=people.pcu)
    assert stored() == {report.pk: (policy.pk, report.qa_at)}
    # Responded to: no longer.
    respond(policy, report, people)
    assert stored() == {} == expected()

    # Returned to its author by the co-ordinator: never quality-assured, never awaiting.
    returned = submitted(policy, people, period_start=report.period_end)
    assessment_services.monitoring_report_return(report=returned, actor=people.coordinator, comments="Add figures.")
    assert stored() == {} == expected()


@pytest.mark.django_db
def test_the_rows_follow_a_model_save_the_bench_datasets_copy_and_plain_sql(people, policy_in):
    policy = policy_in(Status.MONITORING)
    qa_at = timezone.now() - datetime.timedelta(days=3)
    # A model save (the admin, a factory): a draft, then quality-assured in a save of its own.
    saved = MonitoringReport.objects.create(
        policy=policy, author=people.developer, period_start=datetime.date(2023, 1, 10),
        period_end=datetime.date(2024, 1, 10), protective_marking=policy.protective_marking, **SECTIONS)
    assert stored() == {}
    MonitoringReport.objects.filter(pk=saved.pk).update(status=MonitoringReport.Status.QA_PASSED, qa_at=qa_at,
                                                        qa_by=people.coordinator)
    assert stored() == {saved.pk: (policy.pk, qa_at)} == expected()

    # The bench's COPY: one published, one quality-assured, one still a draft.
    next_id = saved.pk + 1000
    columns = ["id", "policy", "period_start", "period_end", "compliance", "benefits", "performance",
               "diversity_impact", "author", "status", "qa_at", "created_at", "protective_marking"]
    rows = [(next_id + offset, policy.pk, datetime.date(2020 + offset, 1, 10), datetime.date(2021 + offset, 1, 10),
             "c", "b", "p", "d", people.developer.pk, status, qa_at if status != "draft" else None, qa_at,
             policy.protective_marking)
            for offset, status in enumerate(["published", "qa_passed", "draft"])]
    assert _copy(MonitoringReport, columns, rows) == 3
    assert set(stored()) == {saved.pk, next_id, next_id + 1}
    assert stored() == expected()

    # Plain SQL: a response recorded, then taken away again; a report's quality-assurance time corrected.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO assessments_monitoringresponse (report_id, policy_id, outcome, reasons, decided_by_id, "
            "decided_at, remedial_action, remedial_outcome) VALUES (%s, %s, 'no_action', 'Fine.', %s, now(), '', '')",
            [next_id, policy.pk, people.lead.pk])
        assert set(stored()) == {saved.pk, next_id + 1}
        # A response is evidence (migration 0013): taken away only by the owner, its append-only trigger switched off.
        with append_only_lifted("assessments_monitoringresponse"):
            cursor.execute("DELETE FROM assessments_monitoringresponse WHERE report_id = %s", [next_id])
        assert set(stored()) == {saved.pk, next_id, next_id + 1}
        later = qa_at + datetime.timedelta(hours=5)
        cursor.execute("UPDATE assessments_monitoringreport SET qa_at = %s WHERE id = %s", [later, saved.pk])
        assert stored()[saved.pk] == (policy.pk, later)
        # A quality-assured report deleted (it is not yet evidence: only a published one is kept for ever).
        cursor.execute("DELETE FROM assessments_monitoringreport WHERE id = %s", [next_id + 1])
    assert stored() == expected()
    assert set(stored()) == {saved.pk, next_id}


@pytest.mark.django_db(transaction=True)
def test_a_response_recorded_while_its_report_is_published_leaves_no_row(people, policy_in):
    """Each change reads the report's responses after any other change to the report has committed. Without that, a
    response recorded while PCU published its report (each in plain SQL, without the services' locks) left the report
    in the queue: the publication's new row was not yet committed when the response deleted the old one."""
    policy = policy_in(Status.MONITORING)
    report = assessment_services.monitoring_report_pass_qa(report=submitted(policy, people), actor=people.coordinator)
    published, responding = threading.Event(), threading.Event()
    errors = []

    def publish():
        from django.db import connection as thread_connection

        try:
            with transaction.atomic(), thread_connection.cursor() as cursor:
                cursor.execute("UPDATE assessments_monitoringreport SET status = 'published', published_at = now() "
                               "WHERE id = %s", [report.pk])
                published.set()
                responding.wait(timeout=10)
                # Long enough for the response to be waiting on this transaction.
                cursor.execute("SELECT pg_sleep(0.5)")
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            published.set()
            thread_connection.close()

    def record_response():
        from django.db import connection as thread_connection

        try:
            published.wait(timeout=10)
            responding.set()
            with transaction.atomic(), thread_connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO assessments_monitoringresponse (report_id, policy_id, outcome, reasons, "
                    "decided_by_id, decided_at, remedial_action, remedial_outcome) "
                    "VALUES (%s, %s, 'no_action', 'Fine.', %s, now(), '', '')", [report.pk, policy.pk, people.lead.pk])
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=publish), threading.Thread(target=record_response)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.PUBLISHED
    assert stored() == {} == expected()
