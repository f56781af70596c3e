"""A publication PCU scheduled for a later date on My work (QA walk, LOW): PCU's "To publish" said of it "Next:
Publish by 18 December 2026", its stage deadline, and "Waiting too long" once that day had passed, though it waits on
its own date (4 January 2027). The policy's overview says when it is scheduled for, with no "Expected by" (and, to
PCU, that nothing is waiting for them: lifecycle.next_steps.scheduled_for); the dashboard does not count it stuck and
the chase does not chase it (lifecycle.deadlines.publication_scheduled). My work still lists it, PCU's to publish
sooner or cancel on its Publication page, and says the date it is scheduled for, in the overview's words, with no
deadline."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle import services as s
from lifecycle.deadlines import PUBLICATION, SCHEDULED_FOR
from lifecycle.models import Policy
from lifecycle.states import Status
from publication.services import policy_publish, publication_cancel
from tests.clock import travel
from tests.factories import advance_to, reload
from tests.workspace.test_due_step_of_named_developer_elsewhere import fresh, in_monitoring
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

ARRIVED = datetime.date(2026, 12, 1)  # a Tuesday
PUBLISH_ON = datetime.date(2027, 1, 4)
TO_PUBLISH = "To publish"


@pytest.fixture
def awaiting(people):
    """Two policies sent to PCU on 1 December 2026: one PCU scheduled for 4 January 2027, one not; and the member of
    PCU who may publish them (not the one who signed their quality assurance)."""
    with travel(ARRIVED):
        scheduled = advance_to(people.policy(title="Scheduled"), Status.AWAITING_PUBLICATION, people)
        waiting = advance_to(people.policy(title="Waiting"), Status.AWAITING_PUBLICATION, people)
        signer = reload(scheduled).current_version.qa_signoffs.get(discipline="pcu").signed_by
        publisher = next(person for person in (people.pcu, people.pcu_qa) if person != signer)
        policy_publish(policy=scheduled, actor=publisher, publish_on=PUBLISH_ON)
    assert reload(scheduled).status == Status.AWAITING_PUBLICATION
    return reload(scheduled), reload(waiting), publisher


def late() -> datetime.date:
    """A day past the stage's deadline for work arrived on ARRIVED."""
    return PUBLICATION.due_on(ARRIVED) + datetime.timedelta(days=3)


def to_publish(user) -> dict[str, object]:
    queue = next(queue for queue in my_work(user=user) if queue["title"] == TO_PUBLISH)
    return {policy.reference: policy for policy in queue["policies"]}


def test_a_scheduled_publication_says_its_date_not_a_deadline(client, people, awaiting):
    scheduled, waiting, publisher = awaiting
    with travel(late()):
        items = to_publish(publisher)
        client.force_login(publisher)
        home = client.get("/").content.decode()
    # Still PCU's to publish (sooner, or to cancel): listed, with the date it waits on.
    assert getattr(items[scheduled.reference], SCHEDULED_FOR) == PUBLISH_ON
    assert getattr(items[scheduled.reference], "expected_by", None) is None
    item = home[home.index(f"{scheduled.reference} Scheduled"):]
    item = item[:item.index("</li>")]
    assert "Scheduled for publication on 4 January 2027" in item
    assert "Waiting too long" not in item and "expected by" not in item and " by " not in item
    # The one not scheduled is late, as before.
    other = home[home.index(f"{waiting.reference} Waiting"):]
    other = other[:other.index("</li>")]
    assert "Waiting too long" in other and f"{PUBLICATION.due_on(ARRIVED):%-d %B %Y}" in other
    assert "Scheduled for publication" not in other


def test_before_the_deadline_too_it_gives_its_date_not_a_by(people, awaiting):
    scheduled, waiting, publisher = awaiting
    with travel(ARRIVED + datetime.timedelta(days=1)):
        items = to_publish(publisher)
    assert getattr(items[scheduled.reference], "expected_by", None) is None
    assert items[waiting.reference].expected_by == PUBLICATION.due_on(ARRIVED)
    assert getattr(items[waiting.reference], SCHEDULED_FOR) is None


def test_once_the_schedule_is_cancelled_the_deadline_is_back(people, awaiting):
    scheduled, _, publisher = awaiting
    publication = scheduled.publications.get(status="scheduled")
    with travel(late()):
        publication_cancel(publication=publication, actor=publisher, reason="Not yet.")
        item = to_publish(publisher)[scheduled.reference]
    assert getattr(item, SCHEDULED_FOR) is None
    assert item.expected_by == PUBLICATION.due_on(ARRIVED) and item.expected_late


def test_my_work_reads_the_schedule_with_the_queue(people, awaiting):
    """In the queue's one statement (no query a row): as many queries with more policies scheduled."""
    _, _, publisher = awaiting
    with travel(late()):
        my_work(user=publisher)  # the statements compiled
        with CaptureQueriesContext(connection) as before:
            my_work(user=publisher)
        more = [advance_to(people.policy(title=f"More {n}"), Status.AWAITING_PUBLICATION, people) for n in range(2)]
        for policy in more:
            policy_publish(policy=policy, actor=publisher, publish_on=PUBLISH_ON)
        assert Policy.objects.filter(publications__status="scheduled").count() == 3
        with CaptureQueriesContext(connection) as after:
            items = to_publish(publisher)
    assert len(after) == len(before)
    assert all(getattr(items[policy.reference], SCHEDULED_FOR) == PUBLISH_ON for policy in more)


def test_nor_is_the_date_said_to_a_reader_kept_from_the_draft(people):
    """Security probe F7's rule, as for the stage deadline: a developer named on another group's policy, whose review
    draft is kept from them, is told no date of that draft: not the day its publication is scheduled for."""
    policy = in_monitoring(people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Due.")
    policy = advance_to(reload(policy), Status.AWAITING_PUBLICATION, people)
    signer = policy.current_version.qa_signoffs.get(discipline="pcu").signed_by
    publisher = next(person for person in (people.pcu, people.pcu_qa) if person != signer)
    policy_publish(policy=policy, actor=publisher, publish_on=datetime.date.today() + datetime.timedelta(days=30))
    Policy.objects.filter(pk=policy.pk).update(review_due_on=datetime.date.today() - datetime.timedelta(days=1))
    listed = [item for queue in my_work(user=fresh(people.developer2)) for item in queue.get("policies") or ()
              if item.reference == policy.reference]
    assert listed, "the review overdue is listed to the developer named on it"
    assert all(getattr(item, SCHEDULED_FOR) is None and item.next_label == "" for item in listed)
    # PCU, who may read the draft, is told it (under "Reviews overdue", where it is shown first).
    [pcu_item] = [item for queue in my_work(user=fresh(publisher)) for item in queue.get("policies") or ()
                  if item.reference == policy.reference]
    assert getattr(pcu_item, SCHEDULED_FOR) is not None
