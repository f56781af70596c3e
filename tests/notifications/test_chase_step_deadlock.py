"""A step and the chase at once must not deadlock (review of 2026-12-06, MEDIUM). A step locks its policy's row, then
takes the chase's advisory lock shared before closing reminders (``reminders.after_any_chase_writing``); the chase
holds that lock alone while it inserts reminders, whose foreign key to the policy PostgreSQL checks with FOR KEY
SHARE on the policy's row. A step's FOR UPDATE conflicts with that, and the two waited on each other: PostgreSQL broke
the deadlock by failing the step (a 500 for the person who took it). A step's lock is FOR NO KEY UPDATE, as an UPDATE
of the row takes itself: it still excludes every other step, and no longer the chase's key check."""

import datetime
import threading
import time

import pytest

from lifecycle import services as lifecycle_services
from notifications.services import ledger, reminders
from notifications.services.plan import policy_plan
from tests.factories import reload
from tests.lifecycle.test_concurrency import race
from tests.notifications.test_chase import at, published  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_step_and_the_chase_writing_its_reminders_both_finish(published, people, monkeypatch):  # noqa: F811
    """The interleaving that deadlocked, forced: the chase takes its lock and writes reminders for the policy while the
    step holds the policy's row and asks for the lock shared (to close the policy's reminders as it withdraws it)."""
    day = published.review_due_on + datetime.timedelta(days=42)
    with at(day):
        planned = policy_plan(day)
        lifecycle_services.policy_decide_withdrawal(policy=published, actor=people.lead, reason="Superseded by law.")
    assert any(item.policy_id == published.pk for item in planned)
    chase_has_lock, step_has_row = threading.Event(), threading.Event()
    real_lock, real_shared = ledger._runs_one_at_a_time, reminders.after_any_chase_writing

    def chase_lock():
        real_lock()
        chase_has_lock.set()
        step_has_row.wait(10)
        time.sleep(0.3)  # the step is now asking for the lock shared

    def step_shared():
        step_has_row.set()
        chase_has_lock.wait(10)
        real_shared()

    monkeypatch.setattr(ledger, "_runs_one_at_a_time", chase_lock)
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    monkeypatch.setattr(reminders, "after_any_chase_writing", step_shared)
    policy = reload(published)
    with at(day):
        results, errors = race(lambda: ledger.chase_run(today=day),
                               lambda: lifecycle_services.policy_withdraw(policy=policy, actor=people.pcu))
    assert errors == [None, None]
    assert reload(published).status == "withdrawn"
