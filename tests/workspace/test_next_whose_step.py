"""Whose step "Next:" names on My work (QA crawl, finding 16): PCU's "Reviews overdue" said "POL-0005 ... Next: Submit
for quality assurance" and "Next: Start a review", steps PCU cannot take, and "Next: Publish" to the member of PCU who
could not publish it (separation of duties), with nothing to say whose step it was. A policy in one of the person's own
queues (their drafts, decisions, quality assurance, forwarding, publishing) is theirs to move on, by that queue's step;
any other, a review or report due of a policy they answer for, now says who takes its next step."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from lifecycle import services as s
from lifecycle import workflow
from lifecycle.models import Policy
from lifecycle.states import Status
from lifecycle.workflow_monitoring import MONITORING_REPORT
from publication.services import policy_publish
from tests.factories import advance_to, reload
from workspace.due_queues import MONITORING_REPORT_WRITERS
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db


def published(people, title) -> Policy:
    policy = advance_to(people.policy(title=title), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    return reload(policy)


def next_steps(user, title: str) -> dict[str, tuple[str, str]]:
    """The queue ``title`` on ``user``'s My work: reference -> (next step, by whom; "" when it is theirs)."""
    queue = next(queue for queue in my_work(user=user) if queue["title"] == title)
    return {policy.reference: (policy.next_label, getattr(policy, "next_by", "")) for policy in queue["policies"]}


@pytest.fixture
def overdue(people):
    """Three policies whose reviews are overdue: one in force and in monitoring (its review not started), one whose
    review is drafted, and one whose reviewed version waits for PCU to publish it; the day after they fell due."""
    in_force = published(people, "Review not started")
    # In monitoring: the way on is its review, a step PCU does not take (in implementation it is "Move to monitoring",
    # which PCU may take: tests/workspace/test_next_agrees_in_implementation_and_qa.py).
    s.policy_complete_implementation(policy=in_force, actor=people.coordinator)
    drafted = published(people, "Review drafted")
    s.policy_start_review(policy=drafted, actor=people.coordinator, reason="Due.")
    drafted = advance_to(reload(drafted), Status.DEVELOPMENT, people)
    to_publish = published(people, "Reviewed, to publish")
    s.policy_start_review(policy=to_publish, actor=people.coordinator, reason="Due.")
    to_publish = advance_to(reload(to_publish), Status.AWAITING_PUBLICATION, people)
    Policy.objects.filter(pk__in=[in_force.pk, drafted.pk, to_publish.pk]).update(
        review_due_on=datetime.date.today() - datetime.timedelta(days=1))
    return {"in force": reload(in_force), "drafted": reload(drafted), "to publish": reload(to_publish)}


def test_pcu_is_told_who_takes_the_steps_that_are_not_theirs(people, overdue):
    steps = next_steps(people.pcu_qa, "Reviews overdue")
    assert steps[overdue["in force"].reference] == (workflow.START_REVIEW.page.title, workflow.START_REVIEW.taken_by)
    assert steps[overdue["drafted"].reference] == (workflow.SUBMIT_FOR_QA.page.title, workflow.SUBMIT_FOR_QA.taken_by)


def test_a_step_in_the_persons_own_queue_is_named_as_theirs(people, overdue):
    """The publication is PCU's work: shown once, in "Reviews overdue", as theirs to take. The member of PCU who may
    not publish it (they signed its quality assurance: it is not in their "To publish") is told who does."""
    reference = overdue["to publish"].reference
    signer = reload(overdue["to publish"]).current_version.qa_signoffs.get(discipline="pcu").signed_by
    other = next(person for person in (people.pcu, people.pcu_qa) if person != signer)
    assert next_steps(other, "Reviews overdue")[reference] == (workflow.PUBLISH.page.title, "")
    assert next_steps(signer, "Reviews overdue")[reference] == (workflow.PUBLISH.page.title,
                                                                workflow.PUBLISH.taken_by)
    # The developer's own draft, in their "Drafts to finish": theirs.
    assert next_steps(people.developer, "Reviews overdue")[overdue["drafted"].reference] == (
        workflow.SUBMIT_FOR_QA.page.title, "")


def test_a_monitoring_report_due_says_who_writes_it(people):
    policy = published(people, "Report late")
    late = policy.monitoring_report_due_on + datetime.timedelta(days=3)
    with time_machine.travel(datetime.datetime.combine(late, datetime.time(9)), tick=False):
        assert next_steps(people.pcu, "Monitoring reports overdue")[policy.reference] == (
            MONITORING_REPORT.title, MONITORING_REPORT_WRITERS)


def test_the_page_says_whose_step_it_is(client, people, overdue):
    client.force_login(people.pcu_qa)
    page = client.get("/").content.decode()
    assert (f"Next: <strong>{workflow.SUBMIT_FOR_QA.page.title}</strong>, by "
            f"{workflow.SUBMIT_FOR_QA.taken_by.replace(chr(39), '&#x27;')}") in page
