"""The service's dates as people read them (core.dates): a date or time printed without a format, ``{{ a_date }}``
or ``|date``, reads "2 March 2026" or "2 March 2026, 14:05", not Django's en-GB "2 Mar 2026". Input formats are
left to Django's own en-GB module."""

from core.dates import DATE_FORMAT, DATETIME_FORMAT, MONTH_FORMAT

__all__ = ["DATE_FORMAT", "DATETIME_FORMAT", "MONTH_DAY_FORMAT", "YEAR_MONTH_FORMAT"]

MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = MONTH_FORMAT
