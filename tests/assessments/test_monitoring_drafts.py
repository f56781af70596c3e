"""A monitoring report started by mistake (the wrong period, a second tab) can be discarded by its author or PCU
before it is submitted, or its period corrected while it is a draft (assessments.services.monitoring_drafts). Found
by QA: the draft's period could not be edited and the draft could not be discarded, so even after the co-ordinator
returned it the author was stuck with it, and no other report could be started."""

from __future__ import annotations

import datetime

import pytest

from assessments.models import MonitoringReport
from assessments.services import (
    monitoring_report_correct_period,
    monitoring_report_discard,
    monitoring_report_return,
    monitoring_report_submit,
)
from core.models import AuditEvent
from lifecycle.states import Status
from tests.assessments.test_monitoring_dates import FIRST_DUE, PUBLISHED_ON, on
from tests.assessments.test_monitoring_periods import SECOND_DUE, fresh, publish_the_first_year, start
from tests.factories import refused, reload, what_was_read_of_report

pytestmark = pytest.mark.django_db

WRONG = (datetime.date(2025, 3, 1), datetime.date(2025, 9, 1))


@pytest.fixture
def mistaken(policy_in, people):
    """A draft of half the 2025-26 year, started by the developer by mistake, once the 2024-25 report is
    published."""
    with on(PUBLISHED_ON):
        policy = policy_in(Status.IMPLEMENTATION)
    publish_the_first_year(policy, people)
    with on(SECOND_DUE + datetime.timedelta(days=30)):
        return start(policy, people, *WRONG)


def test_the_author_discards_their_draft_and_may_start_the_right_report(mistaken, people):
    policy = mistaken.policy
    with on(SECOND_DUE + datetime.timedelta(days=31)):
        monitoring_report_discard(report=mistaken, actor=people.developer, reason="Wrong period: started in error.",
                                  **what_was_read_of_report(mistaken))
        report = start(policy, people, FIRST_DUE, SECOND_DUE)  # the period overlapping the discarded draft's
    mistaken.refresh_from_db()
    assert mistaken.status == MonitoringReport.Status.DISCARDED
    event = AuditEvent.objects.filter(policy_id=policy.pk, action="monitoring_report.discarded").get()
    assert (event.actor_id, event.object_id, event.changes["reason"], event.changes["period"]) == (
        people.developer.pk, str(mistaken.pk), "Wrong period: started in error.", ["2025-03-01", "2025-09-01"])
    assert event.changes["content_hash"] == what_was_read_of_report(mistaken)["report_hash"]
    assert report.status == MonitoringReport.Status.DRAFT


def test_pcu_may_discard_a_draft_and_no_one_else_but_its_author(mistaken, people):
    read = what_was_read_of_report(mistaken)
    for someone in (people.manager, people.coordinator, people.lead, people.developer2):
        with refused("forbidden", "Only its author or PCU"):
            monitoring_report_discard(report=mistaken, actor=someone, reason="Not needed.", **read)
    assert fresh(mistaken).status == MonitoringReport.Status.DRAFT
    monitoring_report_discard(report=mistaken, actor=people.pcu, reason="Duplicate of the author's other tab.", **read)
    assert fresh(mistaken).status == MonitoringReport.Status.DISCARDED


def test_a_discard_needs_a_reason_and_binds_to_the_report_read(mistaken, people):
    read = what_was_read_of_report(mistaken)
    with refused("refused", "Say why"):
        monitoring_report_discard(report=mistaken, actor=people.developer, reason="  ", **read)
    with refused("stale", "has changed since you opened it"):
        monitoring_report_discard(report=mistaken, actor=people.developer, reason="Wrong period.",
                                  report_read=mistaken.pk, report_hash="0" * 64)
    assert fresh(mistaken).status == MonitoringReport.Status.DRAFT


def test_a_submitted_report_cannot_be_discarded_but_once_returned_it_can(mistaken, people):
    with on(SECOND_DUE + datetime.timedelta(days=31)):
        monitoring_report_submit(report=mistaken, actor=people.developer)
        with refused("stale", "submitted"):
            monitoring_report_discard(report=mistaken, actor=people.developer, reason="Wrong period.",
                                      **what_was_read_of_report(mistaken))
        monitoring_report_return(report=mistaken, actor=people.coordinator, comments="This is half a year.",
                                 **what_was_read_of_report(mistaken))
        monitoring_report_discard(report=mistaken, actor=people.developer, reason="Half a year: starting again.",
                                  **what_was_read_of_report(mistaken))
    mistaken.refresh_from_db()
    # Kept, marked: its events and the co-ordinator's comments still name it.
    assert (mistaken.status, mistaken.qa_comments) == (MonitoringReport.Status.DISCARDED, "This is half a year.")
    assert reload(mistaken.policy).monitoring_report_due_on == SECOND_DUE


def test_the_author_corrects_the_period_of_their_draft_within_the_same_rules(mistaken, people):
    with on(SECOND_DUE + datetime.timedelta(days=31)):
        with refused("refused", "overlaps the monitoring report for 10 January 2024 to 10 January 2025"):
            monitoring_report_correct_period(report=mistaken, actor=people.developer,
                                             period_start=PUBLISHED_ON, period_end=FIRST_DUE)
        with refused("forbidden"):
            monitoring_report_correct_period(report=mistaken, actor=people.coordinator,
                                             period_start=FIRST_DUE, period_end=SECOND_DUE)
        corrected = monitoring_report_correct_period(report=mistaken, actor=people.developer,
                                                     period_start=FIRST_DUE, period_end=SECOND_DUE)
        assert (corrected.period_start, corrected.period_end) == (FIRST_DUE, SECOND_DUE)
        event = AuditEvent.objects.filter(action="monitoring_report.period_corrected").get()
        assert event.changes == {"period_start": ["2025-03-01", "2025-01-10"],
                                 "period_end": ["2025-09-01", "2026-01-10"]}
        monitoring_report_submit(report=mistaken, actor=people.developer)
        with refused("frozen"):
            monitoring_report_correct_period(report=mistaken, actor=people.developer,
                                             period_start=FIRST_DUE, period_end=SECOND_DUE)
    assert reload(mistaken.policy).monitoring_report_due_on == datetime.date(2027, 1, 10)
