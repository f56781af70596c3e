"""The relay writing an inbox item after the step that closed its kind (open in the notes since 2026-12-06): the steps
that close the inbox items asking someone to act (a review draft withdrawn, ``draft_items_close``; a monitoring report
passed or returned, ``report_qa_items_close``) close the items that exist in their transaction. An event still waiting
in the outbox then (the relay down, or behind) became an item afterwards, asking its reader to act on a draft that was
gone or a report already assured, and stayed New for good.

The relay applies the same rules to the items it writes, in the transaction that writes them: an item whose work was
done before it was relayed is written closed, with why, as it would have been had it been relayed in time."""

from __future__ import annotations

import pytest
from django.utils import timezone

from assessments import services as assessments
from lifecycle import services as s
from lifecycle.states import Status
from notifications.models import Notification, ReminderClosed
from notifications.selectors import inbox_items, new_items
from notifications.services import outbox_relay
from tests.clock import travel
from tests.factories import advance_to, reload, what_was_read
from tests.lifecycle.test_withdraw_review_draft import PUBLISHED_ON, REASON, WINDOW_OPEN, under_review
from tests.notifications.test_chase import at, published  # noqa: F401
from tests.notifications.test_work_done_closes import QA_ASKED, QA_CHASED_ON, submitted_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_long_ago(policy_in):
    with travel(PUBLISHED_ON):
        return policy_in(Status.MONITORING)


def test_an_item_about_a_draft_withdrawn_before_it_was_relayed_is_written_closed(published_long_ago, people):
    with travel(WINDOW_OPEN):
        outbox_relay()  # what came before the review, relayed in time, and read by now
        Notification.objects.update(read_at=timezone.now())
        policy = under_review(published_long_ago, people, Status.DEVELOPMENT)
        s.advice_invite(policy=policy, actor=people.developer, invitee=people.developer2, note="Read it.")
        policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
        # The relay is down: nothing of the draft has reached an inbox when the Lead withdraws it.
        assert not Notification.objects.filter(source_event__audit_event__changes__version="2.0").exists()
        s.policy_withdraw_review_draft(policy=reload(policy), actor=people.lead, reason=REASON,
                                       **what_was_read(reload(policy)))
        outbox_relay()
    about_the_draft = Notification.objects.filter(policy=policy, source_event__audit_event__changes__version="2.0")
    asked = about_the_draft.exclude(source_event__audit_event__action="policy.review_draft_withdrawn")
    assert asked.filter(recipient=people.dcfd, title__startswith="Submitted for quality assurance").exists()
    assert asked.filter(recipient=people.developer2, title__startswith="You are invited to advise").exists()
    assert set(asked.values_list("closed_because", flat=True)) == {ReminderClosed.DRAFT_WITHDRAWN}
    assert not inbox_items(user=people.dcfd).filter(new_items()).exists()
    # The notice of the withdrawal itself stands.
    told = about_the_draft.filter(source_event__audit_event__action="policy.review_draft_withdrawn")
    assert told.exists() and not told.filter(closed_at__isnull=False).exists()


@pytest.mark.parametrize("outcome", ["pass", "return"])
def test_an_item_asking_to_quality_assure_a_report_assured_before_it_was_relayed_is_written_closed(
        published, people, outcome):  # noqa: F811
    outbox_relay()
    report = submitted_report(published, people)
    with at(QA_CHASED_ON):
        if outcome == "pass":
            assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
        else:
            assessments.monitoring_report_return(report=report, actor=people.coordinator, comments="Say which cases.")
        outbox_relay()
    asked = Notification.objects.get(recipient=people.coordinator, policy=published, title__startswith=QA_ASKED)
    assert asked.closed_at is not None and asked.closed_because == ReminderClosed.REPORT_ASSURED
    assert not inbox_items(user=people.coordinator).filter(new_items(), title__startswith=QA_ASKED).exists()


def test_an_item_whose_work_still_waits_is_written_open(published, people):  # noqa: F811
    outbox_relay()
    submitted_report(published, people)
    with at(QA_CHASED_ON):
        outbox_relay()
    asked = Notification.objects.get(recipient=people.coordinator, policy=published, title__startswith=QA_ASKED)
    assert asked.closed_at is None
    assert inbox_items(user=people.coordinator).filter(new_items(), title__startswith=QA_ASKED).exists()


def test_a_batch_closes_in_a_fixed_number_of_statements(policy_in, people):
    """The lock, the withdrawn versions, an UPDATE for each rule: four statements whatever the batch holds (review of
    2026-12-06, LOW: the figure was said, not pinned)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.services.inbox import relayed_items_close

    def withdrawn_draft():
        policy = policy_in(Status.MONITORING)
        s.policy_start_review(policy=policy, actor=people.lead, reason="Three-year review.")
        s.policy_withdraw_review_draft(policy=reload(policy), actor=people.lead, reason=REASON,
                                       **what_was_read(reload(policy)))
        return policy.pk

    def statements(count: int) -> int:
        policies = {withdrawn_draft() for _ in range(count)}
        with CaptureQueriesContext(connection) as queries:
            relayed_items_close(event_ids=list(range(1, 200)), report_policy_ids=policies,
                                version_policy_ids=policies)
        return len(queries)

    assert statements(1) == statements(3) == 4
