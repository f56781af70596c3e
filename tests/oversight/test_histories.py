"""Reading the histories (oversight.histories): an event's local day and its moment in whole microseconds, worked out
by the database, are the day the force calls it and measure a stay exactly as the two datetimes would."""

from __future__ import annotations

import datetime
import random
import sqlite3

import pytest
import time_machine

from core.models import AuditEvent
from oversight.histories import EpochMicroseconds, _local_date, local_day, stay_days
from tests.factories import advance_to

pytestmark = pytest.mark.django_db
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MOMENTS = [datetime.datetime(2026, 6, 30, 23, 30, 0, 123456, tzinfo=datetime.UTC),  # British Summer Time
           datetime.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
           datetime.datetime(2025, 3, 30, 0, 59, 59, tzinfo=datetime.UTC),  # the hour the clocks go forward
           datetime.datetime(2001, 1, 1, 0, 0, 0, 1, tzinfo=datetime.UTC)]


def microseconds(moment: datetime.datetime) -> int:
    return (moment - EPOCH) // datetime.timedelta(microseconds=1)


def test_postgresql_gives_each_event_s_moment_to_the_microsecond(people):
    for moment in MOMENTS:
        with time_machine.travel(moment, tick=False):
            advance_to(people.policy(title=f"At {moment:%Y-%m-%d %H:%M:%S.%f}"), "development", people)
    events = AuditEvent.objects.values_list("occurred_at", EpochMicroseconds("occurred_at"), local_day("occurred_at"))
    assert {microseconds(when) for when in MOMENTS} <= {moment for _when, moment, _day in events}
    assert all(moment == microseconds(when) and day == _local_date(when) for when, moment, day in events)
    # British Summer Time: half past eleven at night UTC on 30 June is 1 July in London.
    assert (MOMENTS[0], microseconds(MOMENTS[0]), datetime.date(2026, 7, 1)) in set(events)


def test_sqlite_gives_the_same_microseconds():
    """make run's SQLite stores a moment as UTC text, with its microseconds only when there are some."""
    database = sqlite3.connect(":memory:")
    template = EpochMicroseconds.sqlite_template % {"expressions": "stored"}
    for moment in MOMENTS:
        stored = moment.replace(tzinfo=None).isoformat(sep=" ")
        assert database.execute(f"SELECT {template} FROM (SELECT ? AS stored)", [stored]).fetchone()[0] == \
            microseconds(moment), stored


def test_a_stay_is_measured_as_the_two_datetimes_measure_it():
    chosen = random.Random(15)
    for _ in range(2000):
        entered = EPOCH + datetime.timedelta(microseconds=chosen.randrange(10**15, 2 * 10**15))
        left = entered + datetime.timedelta(microseconds=chosen.randrange(1, 400 * 86400 * 10**6))
        assert stay_days(microseconds(entered), microseconds(left)) == (left - entered).total_seconds() / 86400
