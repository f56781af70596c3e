"""Which period a monitoring report may cover, and which report answers the date a report is due: declared once,
read by the services that start a report, correct its period and submit it, and by the page that offers the form.

SOP, stage 6: "The results of this monitoring must be recorded in a Monitoring Report template on an annual basis";
the co-ordinator's role: "publish monitoring reports annually". So a policy's reports follow one another year by
year: none covers a day another (started, submitted, quality-assured or published) already covers, none starts
before the policy was first published (there was nothing to monitor), none covers much more than a year, and only
the report covering the year that was due answers it (its submission moves the due date on a year). A QA walk
started a 2024-25 report again on POL-0003, whose 2024-25 report was published: its submission answered the
2025-26 report, never written, and the dashboard's overdue count fell to 0; POL-0006 took 1 January 2000 to
6 September 2026 the same way."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from assessments.models import MonitoringReport
from core.dates import date_shown
from core.exceptions import ApplicationError
from lifecycle.due import MONITORING
from lifecycle.models import Policy

# A report is due every year, a year after the date the last was due (issue 13, ``next_monitoring_due``).
INTERVAL = relativedelta(months=settings.POLICYHUB_MONITORING_INTERVAL_MONTHS)
# A report may be written in the month before it falls due (the month lifecycle.due.MONITORING calls it coming due,
# and the chase reminds its authors), so its period may end up to that month before the due date, and may start up
# to that month after the year due began. The next report then runs from where that one ended to its own due date:
# a year and that month at most, the longest period a report may cover.
TOLERANCE = MONITORING.warning
LONGEST_PERIOD = INTERVAL + TOLERANCE
LONGEST_PERIOD_SHOWN = f"{LONGEST_PERIOD.years * 12 + LONGEST_PERIOD.months} months"


class YearDue(NamedTuple):
    """The report due on ``due``: the days from ``start`` to ``due`` are not yet reported (a year before the due
    date, less what the policy's reports already cover of it)."""

    start: datetime.date
    due: datetime.date


def live_reports(policy: Policy, *, excluding: MonitoringReport | None = None):
    """The policy's reports that hold their period: all but drafts discarded (``monitoring_report_discard``)."""
    reports = policy.monitoring_reports.exclude(status=MonitoringReport.Status.DISCARDED)
    return reports.exclude(pk=excluding.pk) if excluding is not None else reports


def _reported(policy: Policy, *, excluding: MonitoringReport | None) -> list[tuple[datetime.date, datetime.date]]:
    """The periods of the policy's reports submitted, quality-assured or published (a draft reports nothing yet)."""
    return list(live_reports(policy, excluding=excluding).exclude(status=MonitoringReport.Status.DRAFT)
                .values_list("period_start", "period_end"))


def _reported_until(periods, start: datetime.date) -> datetime.date:
    """How far from ``start`` the periods report without a gap longer than ``TOLERANCE`` (a report written in the
    month before it fell due ends then; the next picks up from there)."""
    reached = start
    for period_start, period_end in sorted(periods):
        if period_end <= reached:
            continue
        if period_start > reached + TOLERANCE:
            break
        reached = period_end
    return reached


def year_due(policy: Policy, *, excluding: MonitoringReport | None = None) -> YearDue | None:
    """What the policy's next report must cover, or None before a first due date is set (on publication)."""
    due = policy.monitoring_report_due_on
    if due is None:
        return None
    return YearDue(start=min(_reported_until(_reported(policy, excluding=excluding), due - INTERVAL), due), due=due)


def answers(policy: Policy, period_start: datetime.date, period_end: datetime.date, *,
            report: MonitoringReport | None = None) -> bool:
    """The rule that moves the due date on (``monitoring_report_submit``): a report answers the report due when,
    with the policy's reports already submitted, the year to the due date is reported, give or take the month
    (``TOLERANCE``). A report of another period (an earlier year, part of the year) leaves the date due."""
    due = policy.monitoring_report_due_on
    if due is None:
        return False
    periods = [*_reported(policy, excluding=report), (period_start, period_end)]
    return _reported_until(periods, due - INTERVAL) >= due - TOLERANCE


def check_period(policy: Policy, period_start, period_end, *, report: MonitoringReport | None = None) -> None:
    """Refuse a period the policy's report may not cover, with the field to mark and why. ``policy`` is locked by
    the caller (the row lock that serialises two tabs starting or correcting reports of one policy), ``report`` the
    report whose period is corrected, if it is one."""
    if not isinstance(period_start, datetime.date) or not isinstance(period_end, datetime.date):
        raise ApplicationError("Enter the start and end of the monitoring period.", field="period_start")
    if period_end <= period_start:
        raise ApplicationError("The end of the period must be after its start.", field="period_end")
    if period_end > period_start + LONGEST_PERIOD:
        raise ApplicationError(
            f"A monitoring report covers a year (SOP: monitoring reports are written annually): this period is "
            f"longer than {LONGEST_PERIOD_SHOWN}. End it by {date_shown(period_start + LONGEST_PERIOD)}, or "
            "start it later.", field="period_end")
    first = policy.first_published_on
    if first is not None and period_start < first:
        raise ApplicationError(
            f"The period cannot start before {date_shown(first)}, when {policy.reference} was first published: "
            "there was nothing to monitor before then.", field="period_start")
    overlapped = (live_reports(policy, excluding=report)
                  .filter(period_start__lt=period_end, period_end__gt=period_start).order_by("period_start").first())
    if overlapped is not None:
        # Which date of the period typed to move, to which of the other report's dates. It read "Choose a period that
        # ends by its start or starts on or after its end" (QA walk): whose start, whose end? Periods are half-open
        # (migration assessments 0010): a report covers the days up to the date its period ends, the next report's
        # first day, so the period may start on that date, or end on the date the other starts.
        if period_start < overlapped.period_start:
            move, field = (f"end it on or before {date_shown(overlapped.period_start)}, the date that report's "
                           "period starts"), "period_end"
        else:
            move, field = (f"start it on or after {date_shown(overlapped.period_end)}, the date that report's "
                           "period ends"), "period_start"
        raise ApplicationError(
            f"This period overlaps the monitoring report for {date_shown(overlapped.period_start)} to "
            f"{date_shown(overlapped.period_end)} ({overlapped.get_status_display().lower()}): {move}.", field=field)
    _check_period_ended(policy, period_start, period_end, report=report)


def _check_period_ended(policy: Policy, period_start, period_end, *, report) -> None:
    """A report records monitoring done, over a period that ends by the date the report is due (it may be written in
    the days before), or by today when that is later. A period running a year ahead was accepted, and its submission
    answered the report due (found by a Chromium walk). Past the due date, a period may run beyond it only as the
    late report due: one that runs past it without covering the year due would leave that year unreported."""
    today = timezone.localdate()
    due = policy.monitoring_report_due_on
    if due is not None and due > today:
        if period_end > due:
            raise ApplicationError(f"The period must end by {date_shown(due)}, the date this report is due.",
                                   field="period_end")
        return
    if period_end > today:
        raise ApplicationError(f"The period has not ended yet: its end must be today, {date_shown(today)}, or "
                               "earlier.", field="period_end")
    year = year_due(policy, excluding=report)
    if year is not None and period_end > year.due and not answers(policy, period_start, period_end, report=report):
        raise ApplicationError(
            f"The report due on {date_shown(year.due)}, for {date_shown(year.start)} to {date_shown(year.due)}, has "
            "not been written: this period runs past that date without covering that year. Write that report first.",
            field="period_start")
