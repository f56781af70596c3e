"""My work's "Next:" and the policy's own "What to do next" say the same next work, read from the one declaration
(STYLE rule 16): ``lifecycle.next_steps.next_work`` over the step's ``due`` and ``meanwhile``.

A policy in monitoring whose annual monitoring report falls due before its review: its overview says the report comes
first ("Next: Write the annual monitoring report, by the policy's developers or manager"), while My work's "Reviews
due" row said "Next: Start a review", from the status alone, and its "Monitoring reports" row "Write the monitoring
report", a title of its own."""

from __future__ import annotations

import datetime

import pytest

from lifecycle.due import RULES
from lifecycle.models import Policy
from lifecycle.states import Status
from lifecycle.workflow import START_REVIEW
from lifecycle.workflow_monitoring import MONITORING_REPORT
from tests.clock import travel
from tests.factories import reload
from workspace.queues import QUEUE_FIELDS
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review falls due on 15 January 2027




def overview_next(client, user, policy) -> tuple[str, str]:
    """What the policy's overview says comes next, and by whom (its "What to do next")."""
    client.force_login(user)
    response = client.get(f"/policies/{policy.reference}/")
    assert response.status_code == 200
    work = response.context["next"].work
    return work.title, work.by


def rows(user, reference) -> dict[str, tuple[str, str]]:
    """Each queue of ``user``'s My work showing ``reference``: its title -> (next work, by whom)."""
    return {queue["title"]: (policy.next_label, policy.next_by) for queue in my_work(user=user)
            for policy in queue["policies"] or () if policy.reference == reference}


@pytest.fixture
def in_monitoring(policy_in):
    with travel(PUBLISHED_ON):
        return reload(policy_in(Status.MONITORING))


@pytest.mark.parametrize("username", ["coordinator", "pcu", "lead"])
def test_a_review_due_soon_names_the_report_due_before_it_as_the_overview_does(client, people, in_monitoring,
                                                                                username):
    Policy.objects.filter(pk=in_monitoring.pk).update(monitoring_report_due_on=datetime.date(2026, 10, 1))
    user = getattr(people, username)
    with travel(datetime.date(2026, 8, 3)):  # the review due within 6 months, the report in two
        overview = overview_next(client, user, in_monitoring)
        assert overview == (MONITORING_REPORT.title, MONITORING_REPORT.taken_by)
        assert rows(user, in_monitoring.reference) == {"Reviews due within 6 months": overview}
        client.force_login(user)
        page = client.get("/").content.decode()
    assert ("Next: <strong>Write the annual monitoring report</strong>, by the policy&#x27;s developers or manager"
            in page), page
    assert f"Next: <strong>{START_REVIEW.page.title}</strong>" not in page


@pytest.mark.parametrize("username", ["coordinator", "pcu"])
def test_overdue_review_and_report_both_name_the_report_due_first(client, people, in_monitoring, username):
    Policy.objects.filter(pk=in_monitoring.pk).update(monitoring_report_due_on=datetime.date(2026, 12, 1))
    user = getattr(people, username)
    with travel(datetime.date(2027, 2, 1)):  # both late, the report the longer
        overview = overview_next(client, user, in_monitoring)
        assert overview == (MONITORING_REPORT.title, MONITORING_REPORT.taken_by)
        assert rows(user, in_monitoring.reference) == {"Reviews overdue": overview,
                                                      "Monitoring reports overdue": overview}


def test_once_the_review_comes_first_both_name_the_review(client, people, in_monitoring):
    Policy.objects.filter(pk=in_monitoring.pk).update(monitoring_report_due_on=datetime.date(2027, 6, 1))
    with travel(datetime.date(2026, 8, 3)):
        overview = overview_next(client, people.coordinator, in_monitoring)
        assert overview == (START_REVIEW.page.title, START_REVIEW.taken_by)
        assert rows(people.coordinator, in_monitoring.reference) == {"Reviews due within 6 months": overview}


def test_my_work_reads_every_field_what_comes_next_reads():
    """A queue's item holds only QUEUE_FIELDS (workspace.queues.QueueItem): one the due rules read but the queue did
    not load would read as no date, and My work would name the review where the overview names the report."""
    assert {"status", "kind", "first_published_on", *(rule.field for rule in RULES.values())} <= set(QUEUE_FIELDS)
