"""The relay and a step that closes items, at once (review of 2026-12-06, MEDIUM): the relay writing closed an item
whose work was done before it was relayed (``relayed_items_close``) read what was withdrawn or assured without a lock.
Under READ COMMITTED a relay batch that read before the withdrawal committed saw nothing withdrawn, while the
withdrawal's own closer (``draft_items_close``) could not see the relay's items, not yet committed: both committed,
and the item stayed New for good, the very flaw the relay's closing mended, narrowed but not closed.

The relay now locks the policies whose items it may close before it reads, as every step that closes them does
(the policy's row): the two are taken one after the other, and whichever comes second closes the item."""

import threading
import time

import pytest

from lifecycle import services as s
from lifecycle.states import Status
from notifications import receivers
from notifications.models import Notification, ReminderClosed
from notifications.services import outbox, outbox_relay
from tests.clock import travel
from tests.factories import advance_to, reload, what_was_read
from tests.lifecycle.test_concurrency import race
from tests.lifecycle.test_withdraw_review_draft import PUBLISHED_ON, REASON, WINDOW_OPEN, under_review

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_relay_batch_read_while_the_draft_is_withdrawn_closes_its_items(policy_in, people, monkeypatch):
    with travel(PUBLISHED_ON):
        published = policy_in(Status.MONITORING)
    with travel(WINDOW_OPEN):
        outbox_relay()
        policy = advance_to(under_review(published, people, Status.DEVELOPMENT), Status.SUBMITTED_FOR_QA, people)
        # The relay is behind: the submission's event waits in the outbox when the Lead withdraws the draft.
        step_closed, relay_reading = threading.Event(), threading.Event()
        real_close, real_batch, real_relayed_close = (receivers.draft_items_close, outbox._relay_batch,
                                                      outbox.relayed_items_close)

        def step_closes_then_waits(*, policy_id):
            closed = real_close(policy_id=policy_id)  # nothing to close: the relay has written nothing yet
            step_closed.set()
            relay_reading.wait(10)
            time.sleep(0.3)  # the relay reads what was withdrawn now, before this commits
            return closed

        def relay_after_the_steps_closer(*args):
            step_closed.wait(10)
            return real_batch(*args)

        def relay_reads(**kwargs):
            relay_reading.set()
            return real_relayed_close(**kwargs)

        monkeypatch.setattr(receivers, "draft_items_close", step_closes_then_waits)
        monkeypatch.setattr(outbox, "_relay_batch", relay_after_the_steps_closer)
        monkeypatch.setattr(outbox, "relayed_items_close", relay_reads)
        locked = reload(policy)
        results, errors = race(
            lambda: s.policy_withdraw_review_draft(policy=locked, actor=people.lead, reason=REASON,
                                                   **what_was_read(locked)),
            outbox_relay)
    assert errors == [None, None]
    asked = Notification.objects.filter(policy=policy, source_event__audit_event__changes__version="2.0",
                                        title__startswith="Submitted for quality assurance")
    assert asked.exists()
    assert set(asked.values_list("closed_because", flat=True)) == {ReminderClosed.DRAFT_WITHDRAWN}
