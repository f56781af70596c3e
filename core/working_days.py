"""Working days: Monday to Friday, except the bank holidays of England and Wales (issue 13: "Working days ignore
bank holidays"). The force is in London; the bank holidays come from the ``holidays`` package, which computes them
(Easter, substitute days, one-off holidays such as a coronation) without any network access.

Everything that counts working days (the chase's stuck-work timing, a monitoring report waiting for quality
assurance) asks ``is_working_day`` or ``working_days_after``: one calendar.
"""

from __future__ import annotations

import datetime
import functools

import holidays

# England and Wales share their bank holidays; the package's subdivision "ENG" holds them (Scotland and Northern
# Ireland have their own, which are working days here).
COUNTRY, SUBDIVISION = "GB", "ENG"


@functools.lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[datetime.date]:
    """The bank holidays of England and Wales in ``year`` (substitute days included)."""
    return frozenset(holidays.country_holidays(COUNTRY, subdiv=SUBDIVISION, years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


@functools.lru_cache(maxsize=8192)
def working_days_after(start: datetime.date, count: int) -> datetime.date:
    """``count`` working days after ``start`` (``start`` itself when ``count`` is 0)."""
    day = start
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
