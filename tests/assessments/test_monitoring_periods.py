"""Which period a monitoring report may cover, and which report answers the date due (assessments.services.
monitoring_periods). SOP, stage 6: "The results of this monitoring must be recorded in a Monitoring Report template on
an annual basis". A QA walk started a 2024-25 report again on POL-0003, whose 2024-25 report was published: its
submission moved "Next report due" to 2027 and the dashboard's overdue count fell to 0, though the 2025-26 report was
never written; POL-0006 took 1 January 2000 to 6 September 2026 the same way. Through the services here; the page in
test_monitoring_periods_page."""

from __future__ import annotations

import datetime

import pytest

from assessments.models import MonitoringReport
from assessments.services import (
    monitoring_report_create,
    monitoring_report_pass_qa,
    monitoring_report_publish,
    monitoring_report_return,
    monitoring_report_submit,
)
from lifecycle.due import MONITORING, DueStatus
from lifecycle.states import Status
from tests.assessments.test_monitoring_dates import FIRST_DUE, PUBLISHED_ON, on
from tests.factories import refused, reload

pytestmark = pytest.mark.django_db

SECOND_DUE = datetime.date(2026, 1, 10)
SECTIONS = {"compliance": "Dip samples: 96% compliant.", "benefits": "Complaints down 12%.",
            "diversity_impact": "No disproportionality found."}


@pytest.fixture
def published(policy_in):
    """Published on 10 January 2024: its first report due on 10 January 2025."""
    with on(PUBLISHED_ON):
        return policy_in(Status.IMPLEMENTATION)


def fresh(report: MonitoringReport) -> MonitoringReport:
    return MonitoringReport.objects.get(pk=report.pk)


def start(policy, people, first, last, actor=None):
    return monitoring_report_create(policy=policy, actor=actor or people.developer, period_start=first,
                                    period_end=last, **SECTIONS)


def through_to_publication(policy, people, first, last) -> MonitoringReport:
    report = start(policy, people, first, last)
    monitoring_report_submit(report=report, actor=people.developer)
    monitoring_report_pass_qa(report=report, actor=people.coordinator)
    return monitoring_report_publish(report=report, actor=people.pcu)


def publish_the_first_year(policy, people):
    """The 2024-25 report written on time and published; the 2025-26 report due on 10 January 2026."""
    with on(FIRST_DUE - datetime.timedelta(days=3)):
        through_to_publication(policy, people, PUBLISHED_ON, FIRST_DUE)
    assert reload(policy).monitoring_report_due_on == SECOND_DUE
    return policy


@pytest.fixture
def first_year_published(published, people):
    return publish_the_first_year(published, people)


def test_a_period_already_reported_is_refused_naming_that_report_and_the_overdue_report_stays_overdue(
        first_year_published, people):
    with on(SECOND_DUE + datetime.timedelta(days=30)):
        with refused("refused", "overlaps the monitoring report for 10 January 2024 to 10 January 2025 (published)"):
            start(first_year_published, people, PUBLISHED_ON, FIRST_DUE)
        with refused("refused", "overlaps the monitoring report for 10 January 2024 to 10 January 2025"):
            start(first_year_published, people, datetime.date(2024, 12, 1), datetime.date(2025, 12, 1))
        assert not first_year_published.monitoring_reports.filter(status=MonitoringReport.Status.DRAFT).exists()
        policy = reload(first_year_published)
        assert policy.monitoring_report_due_on == SECOND_DUE
        assert MONITORING.state_of(policy).status == DueStatus.OVERDUE
        # The day the last report ended is where the next begins: touching is not overlapping.
        report = start(first_year_published, people, FIRST_DUE, SECOND_DUE)
    assert report.period_start == FIRST_DUE


def test_an_overlap_names_the_other_reports_dates_and_which_date_to_move(first_year_published, people):
    """QA walk (04): "Choose a period that ends by its start or starts on or after its end": whose start, whose end?
    The refusal now says which date of the period typed to move, and to which of the other report's dates; a period
    runs up to the date it ends, the next report's first day, so that date is offered to start on."""
    with on(SECOND_DUE + datetime.timedelta(days=30)):
        with refused("refused", "This period overlaps the monitoring report for 10 January 2024 to 10 January 2025 "
                                "(published): start it on or after 10 January 2025, the date that report's period "
                                "ends.") as later:
            start(first_year_published, people, datetime.date(2024, 12, 1), datetime.date(2025, 12, 1))
        assert later.error.field == "period_start" and "its start" not in later.error.message


def test_a_period_starting_before_the_report_it_overlaps_is_told_where_to_end(published, people):
    """A report of part of a year (from 1 June 2024) published; a period typed from the first publication to
    1 July 2024 overlaps it from before its start: its end is the date to move."""
    with on(FIRST_DUE - datetime.timedelta(days=3)):
        through_to_publication(published, people, datetime.date(2024, 6, 1), FIRST_DUE)
        with refused("refused", "This period overlaps the monitoring report for 1 June 2024 to 10 January 2025 "
                                "(published): end it on or before 1 June 2024, the date that report's period "
                                "starts.") as earlier:
            start(published, people, PUBLISHED_ON, datetime.date(2024, 7, 1))
        assert earlier.error.field == "period_end"
        # Ending on that date is not overlapping: the report covers the days up to it.
        assert start(published, people, PUBLISHED_ON, datetime.date(2024, 6, 1)).period_end == datetime.date(2024, 6, 1)


def test_a_period_longer_than_a_year_and_the_month_before_a_report_falls_due_is_refused(published, people):
    with on(datetime.date(2025, 3, 1)):
        with refused("refused", "longer than 13 months", "End it by 10 February 2025"):
            start(published, people, PUBLISHED_ON, datetime.date(2025, 2, 11))
        with refused("refused", "longer than 13 months"):
            start(published, people, datetime.date(2000, 1, 1), datetime.date(2025, 2, 28))
        report = start(published, people, PUBLISHED_ON, datetime.date(2025, 2, 10))
    assert report.period_end == datetime.date(2025, 2, 10)


def test_a_period_starting_before_the_policy_was_first_published_is_refused(published, people):
    with on(FIRST_DUE - datetime.timedelta(days=3)), refused(
            "refused", "cannot start before 10 January 2024, when", "was first published") as refusal:
        start(published, people, datetime.date(2024, 1, 9), FIRST_DUE)
    assert refusal.error.field == "period_start"


def test_a_period_running_past_an_overdue_date_without_covering_its_year_is_refused(published, people):
    with on(datetime.date(2026, 2, 1)):
        # The 2024-25 report, due 10 January 2025, was never written: 2025-26 cannot be reported in its place.
        with refused("refused", "The report due on 10 January 2025, for 10 January 2024 to 10 January 2025, has not "
                                "been written"):
            start(published, people, FIRST_DUE, SECOND_DUE)
        assert reload(published).monitoring_report_due_on == FIRST_DUE


def test_only_the_report_covering_the_year_due_moves_the_due_date_on(published, people):
    with on(FIRST_DUE - datetime.timedelta(days=3)):
        # Part of the year (from June): submitted, and the report due on 10 January 2025 is still due.
        part = start(published, people, datetime.date(2024, 6, 1), FIRST_DUE)
        monitoring_report_submit(report=part, actor=people.developer)
        assert (reload(published).monitoring_report_due_on, fresh(part).answers_due_on) == (FIRST_DUE, None)
        monitoring_report_pass_qa(report=part, actor=people.coordinator)
        monitoring_report_publish(report=part, actor=people.pcu)
        assert reload(published).monitoring_report_due_on == FIRST_DUE
    with on(FIRST_DUE + datetime.timedelta(days=3)):
        # The rest of the year: with the June report, the year due is reported, and the next falls due.
        rest = start(published, people, PUBLISHED_ON, datetime.date(2024, 6, 1))
        monitoring_report_submit(report=rest, actor=people.developer)
        assert (reload(published).monitoring_report_due_on, fresh(rest).answers_due_on) == (SECOND_DUE, FIRST_DUE)
        # Returned, it answers nothing: the date is due again; resubmitted, it answers it again.
        monitoring_report_return(report=rest, actor=people.coordinator, comments="Add the dip samples.")
        assert reload(published).monitoring_report_due_on == FIRST_DUE
        monitoring_report_submit(report=rest, actor=people.developer)
        assert reload(published).monitoring_report_due_on == SECOND_DUE


def test_a_report_written_in_the_month_before_it_falls_due_answers_it_and_the_next_starts_where_it_ended(
        published, people):
    early_end = FIRST_DUE - datetime.timedelta(days=20)
    with on(early_end):
        report = start(published, people, PUBLISHED_ON, early_end)
        monitoring_report_submit(report=report, actor=people.developer)
    assert reload(published).monitoring_report_due_on == SECOND_DUE
    monitoring_report_pass_qa(report=report, actor=people.coordinator)
    monitoring_report_publish(report=report, actor=people.pcu)
    with on(SECOND_DUE - datetime.timedelta(days=5)):
        # A year and twenty days: within the 13 months a report may cover, and it answers the 2026 date.
        following = start(published, people, early_end, SECOND_DUE)
        monitoring_report_submit(report=following, actor=people.developer)
    assert reload(published).monitoring_report_due_on == datetime.date(2027, 1, 10)
