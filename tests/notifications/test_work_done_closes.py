"""Reminders that chase a task close when the task is done (found on 2026-12-06): POL-0009's "has been waiting for the
Designated Lead's decision" stayed New in the Lead's inbox after the Lead approved it, and a handover would have passed
it on. Of the kinds that chase a task, only the review's and the annual report's closed: work waiting too long at a
stage (STUCK), the impact assessment after an emergency approval (EMERGENCY_EIA), a monitoring report waiting for
quality assurance (MONITORING_QA) and a remedial action (REMEDIAL_ACTION) stayed open for good.

Each now closes in the transaction of the step that does the work, by one rule and one statement each, as the review's
and the annual report's do: kept, with when and why (``Reminder.closed_because``), "No longer needed" in the inbox. The
chase never writes them again, and leaves out one it planned before the step committed (the chase plans before it
takes its lock: test_chase_after_a_step.py)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services as assessments
from assessments.services import eia_complete_retrospective, eia_update, retrospective_qa_signoff, workbook_update
from core.models import AuditEvent
from lifecycle import services as lifecycle_services
from lifecycle.models import Policy
from notifications.models import Notification, Reminder, ReminderClosed, ReminderKind
from notifications.selectors import inbox_items, new_items, no_longer_needed
from notifications.services import ledger, open_tasks_for, outbox_relay
from notifications.services.plan import policy_plan
from tests.clock import travel
from tests.factories import ALL_IMPACTS, advance_to, emergency_approve, reload
from tests.notifications.test_chase import PUBLISHED_ON, at, chase, published  # noqa: F401
from tests.notifications.test_review_date_changed import page_words

pytestmark = pytest.mark.django_db

WITH_LEAD_ON = datetime.date(2025, 2, 3)  # a Monday
LEAD_CHASED_ON = datetime.date(2025, 2, 17)  # ten working days on
DECIDED_ON = datetime.date(2025, 2, 18)


def open_reminders(policy, kind):
    return Reminder.objects.filter(policy=policy, kind=kind, superseded_at__isnull=True)


def assert_closed(policy, kind, because, *, count: int, action: str) -> None:
    """Every reminder of ``kind`` closed, none deleted, in the step's transaction (its audit event's time)."""
    event = AuditEvent.objects.filter(action=action).latest("pk")
    closed = Reminder.objects.filter(policy=policy, kind=kind)
    assert closed.count() == count
    assert not closed.filter(superseded_at__isnull=True).exists()
    assert set(closed.values_list("superseded_at", flat=True)) == {event.occurred_at}
    assert set(closed.values_list("closed_because", flat=True)) == {because}


def inbox_says(user, kind) -> tuple[int, int]:
    """(items of ``kind`` no longer needed, items of ``kind`` New) in ``user``'s inbox."""
    items = inbox_items(user=user).filter(reminder__kind=kind)
    return items.filter(no_longer_needed()).count(), items.filter(new_items()).count()


def handed_on(user, policy, kind) -> list[str]:
    return [task.what for task in open_tasks_for(user=user, policy_ids=[policy.pk]) if task.what.startswith(kind.label)]


@pytest.fixture
def with_lead(people):
    with at(WITH_LEAD_ON):
        return advance_to(people.policy(), "with_lead", people)


# STUCK: any step that moves the status ends the wait it chased.

def test_the_leads_decision_closes_the_reminder_that_waited_for_it(with_lead, people):
    chase(LEAD_CHASED_ON)
    [reminder] = open_reminders(with_lead, ReminderKind.STUCK)
    assert reminder.recipient == people.lead and "the Designated Lead's decision" in reminder.message
    assert handed_on(people.lead, with_lead, ReminderKind.STUCK)
    with at(DECIDED_ON):
        advance_to(with_lead, "approved", people)
    assert_closed(with_lead, ReminderKind.STUCK, ReminderClosed.STEP_TAKEN, count=1, action="policy.approved")
    assert inbox_says(people.lead, ReminderKind.STUCK) == (1, 0)
    assert handed_on(people.lead, with_lead, ReminderKind.STUCK) == []
    # Not written again: the next chases find it approved, waiting on the co-ordinator from today.
    for day in (DECIDED_ON, LEAD_CHASED_ON + datetime.timedelta(days=7)):
        assert chase(day).new_reminders == 0
    assert not open_reminders(with_lead, ReminderKind.STUCK).exists()


def test_the_inbox_says_why(client, with_lead, people):
    chase(LEAD_CHASED_ON)
    with at(DECIDED_ON):
        advance_to(with_lead, "approved", people)
    with travel(DECIDED_ON):
        client.force_login(people.lead)
        inbox = page_words(client, "/notifications/")
    assert "No longer needed" in inbox
    assert "This reminder was closed on 18 February 2025: the step it waited for was taken." in inbox


def test_a_stuck_reminder_planned_before_the_step_is_not_written_after_it(with_lead, people, monkeypatch):
    with at(LEAD_CHASED_ON):
        planned = policy_plan(LEAD_CHASED_ON)  # the chase has planned ...
        advance_to(with_lead, "approved", people)  # ... the Lead approves and commits ...
    assert any(item.policy_id == with_lead.pk and item.kind == ReminderKind.STUCK for item in planned)
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    chase(LEAD_CHASED_ON)  # ... and the chase writes what it planned
    assert not open_reminders(with_lead, ReminderKind.STUCK).exists()


def test_a_step_closes_them_in_a_fixed_number_of_queries(people):
    """One statement, however many: approving a policy with its reminder open costs what approving one without does."""
    with at(WITH_LEAD_ON):
        chased = advance_to(people.policy(title="Chased"), "with_lead", people)
    with at(LEAD_CHASED_ON):
        quiet = advance_to(people.policy(title="Quiet"), "with_lead", people)
    chase(LEAD_CHASED_ON)
    assert open_reminders(chased, ReminderKind.STUCK).exists() and not open_reminders(quiet, ReminderKind.STUCK)
    counts = []
    for policy in (quiet, chased):
        with at(DECIDED_ON), CaptureQueriesContext(connection) as queries:
            lifecycle_services.policy_approve(policy=reload(policy), actor=people.lead, comments="Approved.",
                                              meeting_on=DECIDED_ON, minute_reference="COG/25/7")
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert not open_reminders(chased, ReminderKind.STUCK).exists()


# EMERGENCY_EIA: chased while "not impact assessed"; closed when the last of what the route skipped is signed off.

EMERGENCY_ON = datetime.date(2025, 1, 6)


@pytest.fixture
def emergency(people):
    with at(EMERGENCY_ON):
        policy = advance_to(people.policy(), "development", people)
        lifecycle_services.draft_update(policy=policy, actor=people.developer,
                                        statement="<p>Officers may carry the extended device.</p>")
        emergency_approve(policy, people, risk_statement="Immediate operational need: new device.")
    return reload(policy)


def sign_off_what_the_route_skipped(policy, people) -> None:
    eia_update(policy=reload(policy), actor=people.developer, aims="Protect officers and the public.",
               impacts=ALL_IMPACTS, decision="no_major_change")
    eia_complete_retrospective(policy=reload(policy), actor=people.dcfd)
    workbook_update(policy=reload(policy), actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Consulted after the event.", health_and_safety_impact="none",
                    health_and_safety_statement="No health and safety impact.")
    retrospective_qa_signoff(policy=reload(policy), actor=people.pcu_qa, discipline="pcu")
    retrospective_qa_signoff(policy=reload(policy), actor=people.doi, discipline="doi")


def test_the_impact_assessment_signed_off_closes_its_reminders(emergency, people):
    chase(EMERGENCY_ON + datetime.timedelta(days=7))
    chase(EMERGENCY_ON + datetime.timedelta(days=14))
    assert open_reminders(emergency, ReminderKind.EMERGENCY_EIA).count() == 4  # the developer and the manager, twice
    with at(EMERGENCY_ON + datetime.timedelta(days=15)):
        sign_off_what_the_route_skipped(emergency, people)
    assert not Policy.objects.get(pk=emergency.pk).not_impact_assessed
    assert_closed(emergency, ReminderKind.EMERGENCY_EIA, ReminderClosed.IMPACT_ASSESSED, count=4,
                  action="policy.qa_signed_off.doi")
    assert inbox_says(people.developer, ReminderKind.EMERGENCY_EIA) == (2, 0)
    chase(EMERGENCY_ON + datetime.timedelta(days=21))
    assert not open_reminders(emergency, ReminderKind.EMERGENCY_EIA).exists()


def test_the_eia_alone_signed_off_leaves_them_open_while_the_rest_is_outstanding(emergency, people):
    """The chase reminds until "not impact assessed" is cleared: so does the ledger keep them open."""
    chase(EMERGENCY_ON + datetime.timedelta(days=7))
    with at(EMERGENCY_ON + datetime.timedelta(days=8)):
        eia_update(policy=reload(emergency), actor=people.developer, aims="Protect officers and the public.",
                   impacts=ALL_IMPACTS, decision="no_major_change")
        eia_complete_retrospective(policy=reload(emergency), actor=people.dcfd)
    assert open_reminders(emergency, ReminderKind.EMERGENCY_EIA).count() == 2


def test_an_impact_assessment_reminder_planned_before_the_sign_off_is_not_written_after_it(emergency, people,
                                                                                          monkeypatch):
    day = EMERGENCY_ON + datetime.timedelta(days=7)
    with at(day):
        planned = policy_plan(day)
        sign_off_what_the_route_skipped(emergency, people)
    assert any(item.policy_id == emergency.pk and item.kind == ReminderKind.EMERGENCY_EIA for item in planned)
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    chase(day)
    assert not open_reminders(emergency, ReminderKind.EMERGENCY_EIA).exists()


# MONITORING_QA: closed when the co-ordinator passes or returns the report.

QA_CHASED_ON = datetime.date(2024, 3, 12)  # ten working days after the submission on 27 February 2024


def submitted_report(policy, people):
    due = policy.monitoring_report_due_on
    with at(due - datetime.timedelta(days=3)):
        report = assessments.monitoring_report_create(
            policy=policy, actor=people.developer, period_start=PUBLISHED_ON, period_end=due,
            compliance="Dip sample of 120 cases: 96% compliant.", benefits="Faster referrals.",
            diversity_impact="No disproportionality found.")
        return assessments.monitoring_report_submit(report=report, actor=people.developer)


@pytest.mark.parametrize(("outcome", "action"), [("pass", "monitoring_report.qa_passed"),
                                                  ("return", "monitoring_report.returned")])
def test_the_coordinator_passing_or_returning_the_report_closes_its_reminder(published, people,  # noqa: F811
                                                                            outcome, action):
    report = submitted_report(published, people)
    chase(QA_CHASED_ON)
    [reminder] = open_reminders(published, ReminderKind.MONITORING_QA)
    assert reminder.recipient == people.coordinator
    with at(QA_CHASED_ON + datetime.timedelta(days=1)):
        if outcome == "pass":
            assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
        else:
            assessments.monitoring_report_return(report=report, actor=people.coordinator, comments="Say which cases.")
    assert_closed(published, ReminderKind.MONITORING_QA, ReminderClosed.REPORT_ASSURED, count=1, action=action)
    assert inbox_says(people.coordinator, ReminderKind.MONITORING_QA) == (1, 0)
    chase(QA_CHASED_ON + datetime.timedelta(days=7))
    assert not open_reminders(published, ReminderKind.MONITORING_QA).exists()


# The co-ordinator's inbox items that asked for the report's quality assurance (QA walk of 2026-12-06: after POL-0003's
# report was returned, its three "Monitoring report to quality-assure" items, of this report and an earlier one, still
# showed as New): closed with the reminders, in the same transaction, by one UPDATE, with why.

QA_ASKED = "Monitoring report to quality-assure"


@pytest.mark.parametrize(("outcome", "action"), [("pass", "monitoring_report.qa_passed"),
                                                  ("return", "monitoring_report.returned")])
def test_the_coordinator_passing_or_returning_the_report_closes_the_items_that_asked_for_it(
        client, published, people, outcome, action):  # noqa: F811
    report = submitted_report(published, people)
    outbox_relay()
    with at(QA_CHASED_ON):
        assessments.monitoring_report_return(report=report, actor=people.coordinator, comments="Say which cases.")
        assessments.monitoring_report_submit(report=report, actor=people.developer)
    outbox_relay()
    asked = Notification.objects.filter(recipient=people.coordinator, policy=published, title__startswith=QA_ASKED)
    assert asked.count() == 2
    # The first submission's item as the code before left it after the return: open, New.
    asked.update(closed_at=None, closed_because="")
    decided_on = QA_CHASED_ON + datetime.timedelta(days=1)
    with at(decided_on), CaptureQueriesContext(connection) as queries:
        if outcome == "pass":
            assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
        else:
            assessments.monitoring_report_return(report=report, actor=people.coordinator, comments="Still vague.")
    event = AuditEvent.objects.filter(action=action).latest("pk")
    assert set(asked.values_list("closed_at", "closed_because")) == {(event.occurred_at, ReminderClosed.REPORT_ASSURED)}
    assert len([q for q in queries.captured_queries
                if q["sql"].startswith('UPDATE "notifications_notification"')]) == 1
    assert not inbox_items(user=people.coordinator).filter(new_items(), title__startswith=QA_ASKED).exists()
    with at(decided_on):
        client.force_login(people.coordinator)
        inbox = page_words(client, "/notifications/")
    assert ("This notice was closed on 13 March 2024: the co-ordinator quality-assured the report (passed or returned "
            "it).") in inbox


# REMEDIAL_ACTION: closed when the action is recorded as done.

REMEDIAL_DUE = datetime.date(2024, 4, 30)


def test_the_remedial_action_done_closes_its_reminders(published, people):  # noqa: F811
    report = submitted_report(published, people)
    with at(QA_CHASED_ON):
        assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
        response = assessments.monitoring_report_respond(
            policy=reload(published), actor=people.lead, report=report, outcome="remedial",
            reasons="Compliance is falling.", remedial_action="Brief every response team.",
            remedial_owner=people.developer, remedial_due_on=REMEDIAL_DUE)
    chase(REMEDIAL_DUE - datetime.timedelta(days=14))
    [reminder] = open_reminders(published, ReminderKind.REMEDIAL_ACTION)
    assert reminder.recipient == people.developer and reminder.chased_item == response.pk
    with at(REMEDIAL_DUE - datetime.timedelta(days=13)):
        assessments.monitoring_remedial_action_complete(response=response, actor=people.developer,
                                                        outcome="Every response team was briefed.")
    assert_closed(published, ReminderKind.REMEDIAL_ACTION, ReminderClosed.ACTION_COMPLETED, count=1,
                  action="monitoring_report.remedial_action_completed")
    assert inbox_says(people.developer, ReminderKind.REMEDIAL_ACTION) == (1, 0)
    chase(REMEDIAL_DUE)
    assert not open_reminders(published, ReminderKind.REMEDIAL_ACTION).exists()


def test_a_quality_assurance_reminder_planned_before_the_pass_is_not_written_after_it(published, people,  # noqa: F811
                                                                                     monkeypatch):
    report = submitted_report(published, people)
    with at(QA_CHASED_ON):
        planned = policy_plan(QA_CHASED_ON)
        assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    assert any(item.policy_id == published.pk and item.kind == ReminderKind.MONITORING_QA for item in planned)
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    chase(QA_CHASED_ON)
    assert not open_reminders(published, ReminderKind.MONITORING_QA).exists()


def test_a_remedial_reminder_planned_before_the_action_was_done_is_not_written_after_it(published, people,  # noqa: F811
                                                                                       monkeypatch):
    report = submitted_report(published, people)
    with at(QA_CHASED_ON):
        assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
        response = assessments.monitoring_report_respond(
            policy=reload(published), actor=people.lead, report=report, outcome="remedial",
            reasons="Compliance is falling.", remedial_action="Brief every response team.",
            remedial_owner=people.developer, remedial_due_on=REMEDIAL_DUE)
    day = REMEDIAL_DUE - datetime.timedelta(days=14)
    with at(day):
        planned = policy_plan(day)
        assessments.monitoring_remedial_action_complete(response=response, actor=people.developer,
                                                        outcome="Every response team was briefed.")
    assert any(item.chased_item == response.pk and item.kind == ReminderKind.REMEDIAL_ACTION for item in planned)
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    chase(day)
    assert not open_reminders(published, ReminderKind.REMEDIAL_ACTION).exists()
