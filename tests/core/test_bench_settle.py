"""benchmarks.database.settle: CHECKPOINT between the bench's scenarios, and a clear line when the role may not."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from benchmarks.database import settle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _checkpoints() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_get_bgwriter_timed_checkpoints() + pg_stat_get_bgwriter_requested_checkpoints()")
        return cursor.fetchone()[0]


def _checkpoints_since(before: int, *, seconds: float = 5.0) -> int:
    """The count of checkpoints once it has moved past ``before``, or after ``seconds``: the checkpointer reports a
    checkpoint to the statistics after it has let the CHECKPOINT that asked for it return (in make test, the count
    was read unchanged once in about two thousand tests)."""
    deadline = time.monotonic() + seconds
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
        count = _checkpoints()
        if count > before or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


def test_settle_checkpoints_and_says_nothing_when_it_may():
    lines = []
    before = _checkpoints()
    settle(log=lines.append)
    assert lines == []
    assert _checkpoints_since(before) > before


def test_a_role_that_may_not_checkpoint_is_told_and_its_transaction_goes_on():
    lines = []
    person = UserFactory()
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE policyhub_bench_no_checkpoint")
        cursor.execute("GRANT SELECT ON core_user TO policyhub_bench_no_checkpoint")
        cursor.execute("SET ROLE policyhub_bench_no_checkpoint")
    try:
        settle(log=lines.append)
        # The test's transaction is still usable (an aborted one refuses every statement).
        assert type(person).objects.filter(pk=person.pk).exists()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert len(lines) == 1 and "no CHECKPOINT" in lines[0]
