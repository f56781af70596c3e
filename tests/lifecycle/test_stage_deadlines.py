"""By when the work waiting on a stage is expected (issue 17, "the next step named ... by when"): each stage's
deadline is declared once (lifecycle.deadlines.STAGE_DEADLINES, with what the SOP says), and My work, the policy page,
the confirmation after a step and the chase all read it. Changing the declaration moves all of them."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
import time_machine

from lifecycle import deadlines
from lifecycle.states import Status
from notifications import services as notifications
from notifications.models import Reminder
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

SUBMITTED = datetime.date(2025, 2, 3)  # a Monday


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


def _shown(client, user, policy, day) -> tuple[str, str]:
    with at(day):
        client.force_login(user)
        return client.get("/").content.decode(), client.get(f"/policies/{policy.reference}/").content.decode()


def _chased(day) -> set[str]:
    with at(day):
        notifications.chase_run(today=day)
    return {reminder.recipient.username for reminder in Reminder.objects.filter(kind="stuck")}


def test_the_quality_assurance_deadline_is_declared_with_the_sops_words():
    assert deadlines.DEADLINE_OF_STATUS[Status.SUBMITTED_FOR_QA] is deadlines.QUALITY_ASSURANCE
    assert "will co-ordinate the quality assurance process in conjunction with DCFD and DOI" in \
        deadlines.QUALITY_ASSURANCE.sop
    assert deadlines.QUALITY_ASSURANCE.due_on(SUBMITTED) == datetime.date(2025, 2, 17)  # 10 working days
    # Every status in which the work waits on someone has a deadline; none is declared twice.
    assert len({deadline.status for deadline in deadlines.STAGE_DEADLINES}) == len(deadlines.STAGE_DEADLINES)


def test_my_work_the_policy_page_and_the_chase_read_the_quality_assurance_deadline(client, people):
    with at(SUBMITTED):
        policy = advance_to(people.policy(), Status.SUBMITTED_FOR_QA, people)
    expected = "17 February 2025"
    home, page = _shown(client, people.dcfd, policy, SUBMITTED + datetime.timedelta(days=1))
    assert f"by {expected}" in home and "Waiting too long" not in home
    assert f"Expected by {expected} (due in 13 days)." in page
    assert _chased(datetime.date(2025, 2, 14)) == set()
    # The day it falls due, the chase reminds the disciplines that have not signed; the day after, it is late.
    assert _chased(datetime.date(2025, 2, 17)) == {"pcu", "pcu_qa", "dcfd", "doi"}
    assert f"expected by {expected}" in Reminder.objects.filter(kind="stuck").first().message
    home, page = _shown(client, people.dcfd, policy, datetime.date(2025, 2, 18))
    assert f"Waiting too long</strong>: expected by {expected}" in home
    assert f"Waiting too long</strong>: expected by {expected} (1 day overdue)." in page


def test_a_changed_declaration_moves_the_by_when_and_the_chase_together(client, people, monkeypatch):
    three_weeks = dataclasses.replace(deadlines.QUALITY_ASSURANCE, working_days=15)
    monkeypatch.setitem(deadlines.DEADLINE_OF_STATUS, Status.SUBMITTED_FOR_QA, three_weeks)
    with at(SUBMITTED):
        policy = advance_to(people.policy(), Status.SUBMITTED_FOR_QA, people)
    home, page = _shown(client, people.doi, policy, SUBMITTED)
    assert "by 24 February 2025" in home and "Expected by 24 February 2025" in page
    assert _chased(datetime.date(2025, 2, 17)) == set()
    assert _chased(datetime.date(2025, 2, 24)) == {"pcu", "pcu_qa", "dcfd", "doi"}


def test_the_confirmation_after_submission_says_by_when(client, people):
    from tests.factories import fill_development, what_was_read

    with at(SUBMITTED):
        policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
        fill_development(policy, people)
        client.force_login(people.developer)
        response = client.post(f"/policies/{policy.reference}/actions/submit-for-qa/", what_was_read(policy),
                               follow=True)
    assert "expected by 17 February 2025." in response.content.decode()


def test_a_monitoring_reports_quality_assurance_is_expected_by_its_declared_deadline(client, people):
    from assessments.services import monitoring_report_create, monitoring_report_submit
    from publication.services import policy_publish

    with at(SUBMITTED - datetime.timedelta(days=400)):
        policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
        policy_publish(policy=policy, actor=people.pcu)
    policy = type(policy).objects.get(pk=policy.pk)
    with at(SUBMITTED):
        report = monitoring_report_create(
            policy=policy, actor=people.developer, period_start=policy.first_published_on,
            period_end=policy.monitoring_report_due_on, compliance="96% compliant.", benefits="Fewer complaints.",
            diversity_impact="None found.")
        monitoring_report_submit(report=report, actor=people.developer)
    assert deadlines.MONITORING_REPORT_QA.due_on(SUBMITTED) == datetime.date(2025, 2, 17)
    home, _ = _shown(client, people.coordinator, policy, SUBMITTED + datetime.timedelta(days=1))
    assert "by 17 February 2025" in home
    with at(datetime.date(2025, 2, 17)):
        notifications.chase_run(today=datetime.date(2025, 2, 17))
    reminder = Reminder.objects.get(kind="monitoring_qa")
    assert reminder.recipient == people.coordinator and "expected by 17 February 2025" in reminder.message
    home, _ = _shown(client, people.coordinator, policy, datetime.date(2025, 2, 18))
    assert "Waiting too long</strong>: expected by 17 February 2025" in home
