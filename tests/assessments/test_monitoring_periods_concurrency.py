"""Two tabs starting a monitoring report for the same year at the same moment create one report: the policy's row
lock takes them one after the other and the second is refused. And on PostgreSQL the database itself refuses two
reports of a policy covering the same day, whatever writes them (assessments 0010: an exclusion constraint on the
half-open period, discarded drafts aside); SQLite relies on the service's check under the lock."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from assessments.models import MonitoringReport
from assessments.services import monitoring_report_create, monitoring_report_discard
from lifecycle.states import Status
from tests.assessments.test_monitoring_dates import FIRST_DUE, PUBLISHED_ON, on
from tests.assessments.test_monitoring_periods import SECOND_DUE, SECTIONS, publish_the_first_year
from tests.factories import what_was_read_of_report
from tests.lifecycle.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_tabs_starting_the_same_year_create_one_report(policy_in, people):
    with on(PUBLISHED_ON):
        policy = policy_in(Status.IMPLEMENTATION)

    def start():
        return monitoring_report_create(policy=policy, actor=people.developer, period_start=PUBLISHED_ON,
                                        period_end=FIRST_DUE, **SECTIONS)

    with on(FIRST_DUE - datetime.timedelta(days=3)):
        results, errors = race(start, start)
    assert sum(result is not None for result in results) == 1, errors
    refusal = next(error for error in errors if error is not None)
    assert (refusal.code, refusal.message) == ("stale", "This policy already has a monitoring report in progress.")
    assert MonitoringReport.objects.filter(policy=policy).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_the_database_refuses_a_second_report_of_the_same_days_but_not_of_the_next_or_a_discarded_one(
        policy_in, people):
    with on(PUBLISHED_ON):
        policy = policy_in(Status.IMPLEMENTATION)
    publish_the_first_year(policy, people)

    def written(first, last):
        return MonitoringReport.objects.create(policy=policy, author=people.developer, period_start=first,
                                               period_end=last, protective_marking=policy.protective_marking)

    with pytest.raises(IntegrityError, match="assessments_monitoring_periods_do_not_overlap"), transaction.atomic():
        written(datetime.date(2024, 12, 1), datetime.date(2025, 12, 1))
    draft = written(FIRST_DUE, SECOND_DUE)  # the day the first ended is where this begins
    with on(SECOND_DUE + datetime.timedelta(days=5)):
        monitoring_report_discard(report=draft, actor=people.developer, reason="Started twice.",
                                  **what_was_read_of_report(draft))
    assert written(FIRST_DUE, SECOND_DUE).period_start == FIRST_DUE
