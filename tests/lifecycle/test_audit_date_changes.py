"""The audit events that move or restate a policy's due dates record them as every other change is recorded,
``[before, after]`` (lifecycle.services.base's ``status``, a draft's details, bringing a review forward, a monitoring
report's submission): a publication (the next review and the first monitoring report), a review's conclusion that no
change is needed (its review date stays until PCU re-publishes: [the date, the same date]) and the Lead's response
bringing a review forward. They recorded the new date alone.

Events are append-only (core.audit): those already written keep the date alone. Whatever reads the payloads reads
both shapes: the timeline (the date alone, a date before and after, a date unchanged shown once), the histories the
Corporate Health Indicators replay (oversight.histories) and verify_audit."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.db import transaction

from assessments import services as assessments
from core.audit import audit_log
from core.events import AuditAction
from core.models import AuditEvent
from lifecycle import services as lifecycle_services
from lifecycle.models import Policy
from lifecycle.timeline import describe_changes
from oversight.histories import _history
from tests.factories import advance_to, monitoring_up_to_date

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2023, 3, 1)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


def latest(action) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-sequence").first()


@pytest.fixture
def published(people):
    with at(PUBLISHED_ON - datetime.timedelta(days=20)):
        policy = people.policy()
    with at(PUBLISHED_ON):
        return advance_to(policy, "implementation", people)


def test_a_publication_records_the_dates_it_sets_before_and_after(published):
    event = latest(AuditAction.POLICY_PUBLISHED)
    assert event.changes["review_due_on"] == [None, "2026-03-01"]
    assert event.changes["monitoring_report_due_on"] == [None, "2024-03-01"]


def test_concluding_no_change_records_the_review_date_it_leaves_as_it_is(published, people):
    day = published.review_due_on - relativedelta(months=2)
    with at(day):
        monitoring_up_to_date(published, people)
        lifecycle_services.policy_conclude_no_change(policy=published, actor=people.lead,
                                                     reason="Monitoring shows the policy works; law unchanged.")
    assert latest(AuditAction.POLICY_REVIEW_CONCLUDED_NO_CHANGE).changes["review_due_on"] == [
        "2026-03-01", "2026-03-01"]


def test_the_leads_response_bringing_the_review_forward_records_the_date_before_and_after(published, people):
    with at(datetime.date(2024, 3, 4)):
        report = assessments.monitoring_report_create(
            policy=published, actor=people.developer, period_start=PUBLISHED_ON, period_end=datetime.date(2024, 3, 1),
            compliance="Dip sample: 71% compliant.", benefits="None seen.", diversity_impact="Disproportionate.")
        assessments.monitoring_report_submit(report=report, actor=people.developer)
        assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
        assessments.monitoring_report_respond(
            policy=Policy.objects.get(pk=published.pk), actor=people.lead, report=report, outcome="bring_forward",
            reasons="Disproportionality calls for a review now.", review_due_on=datetime.date(2024, 9, 2))
    responded = latest(AuditAction.MONITORING_REPORT_RESPONDED)
    assert responded.changes["review_due_on"] == ["2026-03-01", "2024-09-02"]
    assert latest(AuditAction.POLICY_REVIEW_DATE_BROUGHT_FORWARD).changes["review_due_on"] == [
        "2026-03-01", "2024-09-02"]


# --- both shapes read -----------------------------------------------------------------------------------------------


def _old_shape_event(policy, people, action, **dates) -> AuditEvent:
    """An event as the services wrote them before: the new date alone (kept as it is: events are append-only)."""
    with transaction.atomic():
        return audit_log(actor=people.pcu, action=action, obj=policy,
                         changes={"status": ["awaiting_publication", "implementation"], **dates})


def _row(event: AuditEvent) -> dict:
    return {"changes": event.changes, "object_type": event.object_type}


def test_the_timeline_reads_both_shapes(published, people):
    old = _old_shape_event(published, people, AuditAction.POLICY_PUBLISHED, review_due_on="2026-03-01")
    [old_row] = [change for change in describe_changes(_row(old), {}) if change.label == "Review due"]
    assert (old_row.before, old_row.after) == (None, "1 March 2026")
    new = AuditEvent.objects.filter(action=AuditAction.POLICY_PUBLISHED).order_by("sequence").first()
    [new_row] = [change for change in describe_changes(_row(new), {}) if change.label == "Review due"]
    assert (new_row.before, new_row.after) == ("(none)", "1 March 2026")
    # A date a step left as it was is shown once, as the date alone was.
    unchanged = {"changes": {"review_due_on": ["2026-03-01", "2026-03-01"]}, "object_type": "lifecycle.policy"}
    [same] = describe_changes(unchanged, {})
    assert (same.before, same.after) == (None, "1 March 2026")


def test_the_histories_read_both_shapes_alike():
    """The indicators' replay (oversight.histories) gives the same dates from a history written the old way (a
    publication's dates alone) and the new ([before, after])."""
    row = (1, datetime.date(2023, 1, 1), PUBLISHED_ON, "implementation", 1, datetime.date(2029, 3, 1),
           datetime.date(2027, 3, 1))
    old = [(PUBLISHED_ON, 0, "policy.published", "lifecycle.policy",
            {"review_due_on": "2026-03-01", "monitoring_report_due_on": "2024-03-01"}),
           (datetime.date(2026, 3, 1), 1, "policy.published", "lifecycle.policy",
            {"review_due_on": "2029-03-01", "monitoring_report_due_on": "2027-03-01"})]
    new = [(PUBLISHED_ON, 0, "policy.published", "lifecycle.policy",
            {"review_due_on": [None, "2026-03-01"], "monitoring_report_due_on": [None, "2024-03-01"]}),
           (datetime.date(2026, 3, 1), 1, "policy.published", "lifecycle.policy",
            {"review_due_on": ["2026-03-01", "2029-03-01"], "monitoring_report_due_on": ["2027-03-01", "2027-03-01"]})]
    for name in ("review_due_on", "monitoring_report_due_on"):
        assert _history(row, old).dates[name].steps == _history(row, new).dates[name].steps, name
    review = _history(row, new).dates["review_due_on"]
    assert [review.at(day) for day in (datetime.date(2022, 1, 1), datetime.date(2025, 1, 1),
                                       datetime.date(2027, 1, 1))] == [
        None, datetime.date(2026, 3, 1), datetime.date(2029, 3, 1)]


def test_verify_audit_holds_over_both_shapes(published, people):
    _old_shape_event(published, people, AuditAction.POLICY_PUBLISHED, review_due_on="2026-03-01",
                     monitoring_report_due_on="2024-03-01")
    with at(published.review_due_on - relativedelta(months=2)):
        monitoring_up_to_date(published, people)
        lifecycle_services.policy_conclude_no_change(policy=published, actor=people.lead, reason="Still sound.")
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()
