"""The clock the tests set: a day, at 11:00 UTC, standing still (time_machine)."""

from __future__ import annotations

import datetime

import time_machine


def travel(day: datetime.date):
    """Time set to 11:00 UTC on ``day``, not ticking: a context manager (or decorator)."""
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(11, 0), tzinfo=datetime.UTC), tick=False)
