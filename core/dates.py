"""The one way PolicyHub writes a date for people (issue 17: "dates are in one format"): GOV.UK style, the day
without a leading zero and the month in full, "2 March 2026"; with a time, "2 March 2026, 14:05".

Templates write ``|date:"j F Y"`` and ``|date:"j F Y, H:i"`` (and bare ``{{ a_date }}`` renders the same, through
``policyhub.formats``); Python writes ``date_shown(day)`` and ``datetime_shown(moment)``, or the same strftime
patterns. A test reads every template and module and fails on any other format shown to people
(tests/core/test_date_formats.py). Machine formats (an ``<input type="date">``'s value, a ``<time datetime>``, a
CSV cell) are ISO 8601 and are not for reading.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

# For templates' |date filter and django.utils.dateformat.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
# The same, for strftime and f-strings ("%-d": the day without a leading zero; POSIX, as on every host we run on).
DATE_STRFTIME = "%-d %B %Y"
DATETIME_STRFTIME = "%-d %B %Y, %H:%M"

# A month as a period ("March 2026"): a monitoring report's months, a chart's month by month.
MONTH_FORMAT = "F Y"
MONTH_STRFTIME = "%B %Y"
# A chart's axis, where twelve months must fit under the plot: its table and its description give them in full.
AXIS_MONTH_STRFTIME = "%b %Y"

# Formats that are not for reading: ISO 8601 dates and times for inputs, <time datetime> and data files.
MACHINE_FORMATS = frozenset({"c", "Y-m-d", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"})
# A year alone, in a reference ("TP/2026/017").
YEAR_FORMATS = frozenset({"Y", "%Y"})
# A time of day alone, beside a date already written ("Thursday's notices ... 14:05").
TIME_FORMATS = frozenset({"H:i", "%H:%M"})
FORMATS = frozenset({DATE_FORMAT, DATETIME_FORMAT, DATE_STRFTIME, DATETIME_STRFTIME, MONTH_FORMAT, MONTH_STRFTIME,
                     AXIS_MONTH_STRFTIME})


# The months as DATE_FORMAT's "F" writes them in the service's one language (en-GB); a test checks them against
# django.utils.dateformat for every month.
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


def date_shown(day: datetime.date | None) -> str:
    """``2 March 2026``; "" for no date. What ``|date:"j F Y"`` writes, without its format parser: a page of
    dates (the timeline's 50 events) spent most of its template time in django.utils.dateformat (make bench)."""
    if not day:
        return ""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year:04d}"


def moment_shown(moment: datetime.datetime | datetime.date | None) -> str:
    """``at 14:05 on 2 March 2026`` in the service's time zone, as a sentence says when something was done ("Already
    done by Jane Morgan at 14:05 on 2 March 2026"); of a date alone (what is recorded only by its day) ``on 2 March
    2026``; "" for none."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime.datetime):
        return f"on {date_shown(moment)}"
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"at {moment.hour:02d}:{moment.minute:02d} on {date_shown(moment.date())}"


def datetime_shown(moment: datetime.datetime | None, *, zone: datetime.tzinfo | None = None) -> str:
    """``2 March 2026, 14:05`` in the service's time zone (or ``zone``, when the caller has it at hand for a page
    of them); "" for none. What ``|date:"j F Y, H:i"`` writes."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = moment.astimezone(zone or timezone.get_current_timezone())
    return f"{moment.day} {MONTH_NAMES[moment.month - 1]} {moment.year:04d}, {moment.hour:02d}:{moment.minute:02d}"
