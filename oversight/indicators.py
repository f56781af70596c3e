"""Corporate Health Indicators (issue 15), computed from the audit trail and the due dates, never from a counter.

SOP: co-ordinators provide "BG policy performance data to PCU for preparation of Corporate Health Indicators";
PCU "informs Management Board and Performance Board on the status of policy reviews and policy monitoring".

Each policy is counted as it stood on each day measured: its status, due dates and business group replayed from the
events that changed them (oversight.histories), so a past period shows the figures as they stood then, whatever has
happened since. A policy with no such events (loaded before the audit trail, or by a bulk import) keeps its present
values throughout: those policies are counted by one grouped statement (``_count_without_history``), the same rules
asked in SQL, instead of a history each.

The indicators, for a period [from, to] (both days included) and each business group as the policy stood then:
- **policies in date**: of the policies in force at the end of the period (published and not withdrawn), the share
  whose review was not overdue that day (lifecycle.due's REVIEW rule, on that day);
- **monitoring reports on time**: of the annual monitoring reports that fell due within the period (a due date
  still in force on its day, or answered by then, for a policy in force), the share submitted on or before that
  date: the ``monitoring_report.submitted`` event that answered that very date (its ``monitoring_report_due_on``
  [answered, next]) and was not returned since (a return gives the date back). A submission answers one date
  only: the one that sets next year's date, on the same day, does not answer next year's report;
- **median days in QA / with the Lead / awaiting publication**: over the stays in that status that ended within the
  period (from the status events' times);
- **emergency approvals and withdrawals**: ``policy.emergency_approved`` and ``policy.withdrawn`` events in the
  period.

Bounded work: the period is at most MAX_PERIOD_DAYS; the histories are streamed policy by policy, so memory holds
one policy's history and the running totals. The figures of a period are kept for as long as the audit trail does
not move (oversight.indicators_cache).
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Count, DateField, F, IntegerField, Q, Value, When
from django.utils import timezone

from core.events import AuditAction
from core.models import AuditEvent
from lifecycle.due import REVIEW
from lifecycle.states import Status
from oversight.histories import (
    PolicyHistory,
    _local_date,  # noqa: F401 (asked here by tests/oversight: where an event's day is told)
    history_queries,
    local_day,
    policy_histories,
    stay_days,
    without_history,
)

MAX_PERIOD_DAYS = 366 * 5
TREND_MONTHS = 12


# --- the indicators -------------------------------------------------------------------------------------------


@dataclass
class Tally:
    in_force: int = 0
    in_date: int = 0
    monitoring_due: int = 0
    monitoring_on_time: int = 0
    stays: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    emergency_approvals: int = 0
    withdrawals: int = 0

    @property
    def in_date_percent(self) -> float | None:
        return round(100 * self.in_date / self.in_force, 1) if self.in_force else None

    @property
    def on_time_percent(self) -> float | None:
        return round(100 * self.monitoring_on_time / self.monitoring_due, 1) if self.monitoring_due else None

    def median(self, stage: str) -> float | None:
        values = self.stays.get(stage)
        return round(statistics.median(values), 1) if values else None

    @property
    def is_empty(self) -> bool:
        return not (self.in_force or self.monitoring_due or any(self.stays.values()) or self.emergency_approvals
                    or self.withdrawals)


class _Counter:
    """Tallies by business group and for the whole scope, added to together."""

    def __init__(self, *, by_group: bool = True):
        self.by_group: dict[int, Tally] | None = defaultdict(Tally) if by_group else None
        self.total = Tally()

    def _tallies(self, group_id) -> tuple[Tally, ...]:
        return (self.total,) if self.by_group is None else (self.by_group[group_id], self.total)

    def add(self, group_id, name: str, amount: int = 1) -> None:
        for tally in self._tallies(group_id):
            setattr(tally, name, getattr(tally, name) + amount)

    # The two counts made for every policy on every day measured (a period's end and each month's), spelt out:
    # at 100,000 policies, ``add``'s getattr/setattr was a tenth of the indicators' time (make bench).

    def add_in_force(self, group_id, in_date: bool) -> None:
        total = self.total
        total.in_force += 1
        total.in_date += in_date
        if self.by_group is not None:
            tally = self.by_group[group_id]
            tally.in_force += 1
            tally.in_date += in_date

    def add_monitoring(self, group_id, on_time: bool) -> None:
        total = self.total
        total.monitoring_due += 1
        total.monitoring_on_time += on_time
        if self.by_group is not None:
            tally = self.by_group[group_id]
            tally.monitoring_due += 1
            tally.monitoring_on_time += on_time

    def add_counts(self, group_id, *, in_force: int, in_date: int, monitoring_due: int) -> None:
        """Counts made in one statement (``_count_without_history``): only those that are there, so that a group
        appears in ``by_group`` exactly when a policy was counted in it, as when each is added one by one."""
        for tally in self._tallies(group_id) if in_force or monitoring_due else ():
            tally.in_force += in_force
            tally.in_date += in_date
            tally.monitoring_due += monitoring_due

    def add_stay(self, group_id, stage: str, days: float) -> None:
        for tally in self._tallies(group_id):
            tally.stays[stage].append(days)


def _monitoring_dues(history: PolicyHistory) -> list[tuple[datetime.date, object, bool]]:
    """(due date, business group on the day, submitted on time) of each monitoring report that fell due, once each:
    a date still the due date on its day, or answered by then, of a policy then in force; on time when the report
    that answered that date (``PolicyHistory.answered``) was submitted on or before it. Worked out once per policy,
    then counted in each window measured."""
    dues: dict[datetime.date, tuple[datetime.date, object, bool]] = {}
    for due, _set_on, replaced_on in history.dates["monitoring_report_due_on"].intervals():
        if due is None or due in dues:
            continue
        submitted_on = history.answered.get(due)
        on_time = submitted_on is not None and submitted_on <= due
        # Replaced before it fell due without a report (a reviewed version republished): it never fell due. A date
        # given back by a return is another interval of the same date, which may still be due on its day.
        if not on_time and replaced_on is not None and replaced_on <= due:
            continue
        if history.in_force(due):
            dues[due] = (due, history.group.at(due), on_time)
    return list(dues.values())


def _count_monitoring(dues, counter: _Counter, start: datetime.date, end: datetime.date) -> None:
    """The monitoring reports of ``dues`` (``_monitoring_dues``) that fell due in [start, end]."""
    for due, group, submitted in dues:
        if start <= due <= end:
            counter.add_monitoring(group, submitted)


def _count_in_date(history: PolicyHistory, counter: _Counter, day: datetime.date) -> None:
    due = history.dates["review_due_on"].at(day)
    if due is None or not history.in_force(day):
        return
    counter.add_in_force(history.group.at(day), not REVIEW.is_overdue(due, day))


def _count_in_date_on(history: PolicyHistory, days: list[tuple[datetime.date, _Counter]]) -> None:
    """``_count_in_date`` on each of ``days``. Most policies never changed their status, business group or review
    date (or changed them before the audit trail): for them the answer on each day is two date comparisons, without
    looking the values up again (make bench: 100,000 policies, 13 days each)."""
    due_steps, status_steps, group_steps = (history.dates["review_due_on"].steps, history.status.steps,
                                            history.group.steps)
    if len(due_steps) == len(status_steps) == len(group_steps) == 1:
        due, status, group = due_steps[0][1], status_steps[0][1], group_steps[0][1]
        if due is None or history.first_published_on is None or status == Status.WITHDRAWN:
            return
        in_force_from = max(history.created_on, history.first_published_on)
        for day, counter in days:
            if in_force_from <= day:
                counter.add_in_force(group, not REVIEW.is_overdue(due, day))
        return
    for day, counter in days:
        _count_in_date(history, counter, day)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def months(self) -> list[tuple[datetime.date, datetime.date]]:
        """The TREND_MONTHS calendar months ending with the period's last, each (first day, last day)."""
        last_first = self.end.replace(day=1)
        months = []
        for back in range(TREND_MONTHS - 1, -1, -1):
            first = last_first - relativedelta(months=back)
            months.append((first, first + relativedelta(months=1) - datetime.timedelta(days=1)))
        return months

    def windows(self, today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
        """The period, then each month of ``months`` begun by ``today``, as (first day, last day counted): the
        windows whose monitoring reports are counted, and the days (their last) whose "in date" is."""
        return [(self.start, self.end)] + [(first, min(last, today)) for first, last in self.months
                                           if min(last, today) >= first]


@dataclass
class Indicators:
    period: Period
    by_group: dict[int, Tally]
    force: Tally
    # (month's first day, {business group id: Tally}, Tally of them all), as of the month's end or today
    months: list[tuple[datetime.date, dict[int, Tally], Tally]]
    focus: int | None = None

    @property
    def trend(self) -> list[tuple[datetime.date, Tally]]:
        """The month-by-month figures of the focused business group, or of them all."""
        if self.focus is None:
            return [(first, total) for first, _groups, total in self.months]
        return [(first, groups.get(self.focus, Tally())) for first, groups, _total in self.months]

    @property
    def is_empty(self) -> bool:
        return self.force.is_empty


def counts_without_history(policies, windows: list[tuple[datetime.date, datetime.date]]):
    """The statement counting the policies of ``policies`` that have no history: each holds its present values
    throughout, so it is in force on a day from the later of its creation and its first publication unless withdrawn,
    in date on that day while its review date is not past (``_count_in_date_on``), and its one monitoring report due
    date falls due, never answered, if it is in force that day (``_monitoring_dues``).

    The database puts each policy in a class, not a test per window: the first of the days measured (oldest first)
    on which it is in force, on how many of them its review date is not past, and its due date where that may be
    counted; the rows are grouped by those and the business group (1,113 rows for PCU's 100,000 policies), and each
    window takes its counts from them. (Make bench: 39 filtered counts, one per window and figure, took 750 ms for
    PCU, most of it the local day of each policy's creation worked out again for every filter.)"""
    days = sorted({end for _start, end in windows})
    zone = timezone.get_default_timezone()
    # Created on or before a day: before the next day began where the force is.
    next_midnights = [datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
                      for day in days]
    in_force_from = Case(*[When(created_at__lt=midnight, first_published_on__lte=day, then=Value(index))
                           for index, (day, midnight) in enumerate(zip(days, next_midnights, strict=True))],
                         default=Value(len(days)), output_field=IntegerField())
    # REVIEW.is_overdue: overdue the day after its date; so in date on the days measured up to its date.
    days_in_date = Case(When(review_due_on__isnull=True, then=Value(None)),
                        *[When(review_due_on__gte=day, then=Value(index + 1))
                          for index, day in reversed(list(enumerate(days)))],
                        default=Value(0), output_field=IntegerField())
    first_due, last_due = min(start for start, _end in windows), max(days)
    # In this order (Q(**kwargs) would sort them): the local day of its creation, the dearest test, is worked out
    # only for the few policies whose date falls in the windows.
    counted_due = Case(When(Q(monitoring_report_due_on__gte=first_due) & Q(monitoring_report_due_on__lte=last_due)
                            & Q(first_published_on__lte=F("monitoring_report_due_on"))
                            & Q(created_on__lte=F("monitoring_report_due_on")), then=F("monitoring_report_due_on")),
                       default=Value(None), output_field=DateField())
    return (without_history(policies)
            .filter(Q(first_published_on__isnull=False) & ~Q(status=Status.WITHDRAWN)
                    & (Q(review_due_on__isnull=False)
                       | Q(monitoring_report_due_on__gte=first_due, monitoring_report_due_on__lte=last_due)))
            .annotate(created_on=local_day("created_at"), in_force_from=in_force_from, days_in_date=days_in_date,
                      counted_due=counted_due)
            .order_by().values_list("business_group_id", "in_force_from", "days_in_date", "counted_due")
            .annotate(policies=Count("pk")))


def _count_without_history(policies, windows) -> None:
    """Add the counts of ``counts_without_history`` to each window's tallies: summed by class first, then added once
    per window and business group (the rows are a class each, a thousand for PCU's 100,000 policies)."""
    rows = counts_without_history(policies, [(start, end) for start, end, _tallies in windows])
    day_index = {day: index for index, day in enumerate(sorted({end for _start, end, _tallies in windows}))}
    in_force_classes: dict[tuple, int] = defaultdict(int)
    dues: dict[tuple, int] = defaultdict(int)
    for group_id, first_in_force, in_date_days, due, count in rows:
        if in_date_days is not None:
            in_force_classes[group_id, first_in_force, in_date_days] += count
        if due is not None:
            dues[group_id, due] += count
    for start, end, tallies in windows:
        index = day_index[end]
        sums: dict[object, list[int]] = defaultdict(lambda: [0, 0, 0])
        for (group_id, first_in_force, in_date_days), count in in_force_classes.items():
            if first_in_force <= index:
                group_sums = sums[group_id]
                group_sums[0] += count
                group_sums[1] += count if index < in_date_days else 0
        for (group_id, due), count in dues.items():
            if start <= due <= end:
                sums[group_id][2] += count
        for group_id, (in_force, in_date, monitoring_due) in sums.items():
            tallies.add_counts(group_id, in_force=in_force, in_date=in_date, monitoring_due=monitoring_due)


def _count_history(history: PolicyHistory, period: Period, windows, counter: _Counter) -> None:
    """Count one policy's history on each day and in each window measured."""
    _count_in_date_on(history, [(end, tallies) for _start, end, tallies in windows])
    dues = _monitoring_dues(history)
    for start, end, tallies in windows:
        _count_monitoring(dues, tallies, start, end)
    for stage, entered, left, left_on in history.stays:
        if period.start <= left_on <= period.end:
            counter.add_stay(history.group.at(left_on), stage, stay_days(entered, left))
    for name, day in history.counted:
        if period.start <= day <= period.end:
            counter.add(history.group.at(day), name)


def corporate_health_indicators(*, policies, period: Period, today: datetime.date | None = None,
                                focus: int | None = None) -> Indicators:
    """The indicators of ``policies`` (already narrowed to what the person may see) for ``period``, by business group
    as each policy stood then, and the month-by-month trend (of the ``focus`` business group, or of them all)."""
    today = today or timezone.localdate()
    counter = _Counter()
    months = period.months
    trend = [_Counter() for _ in months]
    # The windows (Period.windows), each with the tallies it adds to: the period's, then its month's (the months not
    # begun by today, left out, are the last).
    measured = period.windows(today)
    windows = [(start, end, tallies)
               for (start, end), tallies in zip(measured, [counter, *trend][:len(measured)], strict=True)]
    _count_without_history(policies, windows)
    for history in policy_histories(policies):
        _count_history(history, period, windows, counter)
    return Indicators(period=period, by_group=dict(counter.by_group), force=counter.total, focus=focus,
                      months=[(first, dict(month.by_group), month.total)
                              for (first, _last), month in zip(months, trend, strict=True)])


def indicator_queries(*, policies, period: Period, today: datetime.date) -> list:
    """The statements ``corporate_health_indicators`` reads (make bench times them bare): the policies without a
    history, counted; the present values of those with one; and their events."""
    return [counts_without_history(policies, period.windows(today)), *history_queries(policies)]


def policies_ever_in(policies, group_id: int):
    """``policies`` that are in the business group now or were moved at some time (and so may have been in it then):
    the indicators of one group count each policy where it stood on the day."""
    # Uncorrelated: PostgreSQL reads the (few) moves once into a hash, instead of probing the audit trail for every
    # policy (make bench: the co-ordinator's histories were read five times slower with a correlated EXISTS, 9.4 s
    # against 1.7 s).
    moved = (AuditEvent.objects.filter(action=AuditAction.POLICY_MOVED_BUSINESS_GROUP.value, policy_id__isnull=False)
             .values("policy_id"))
    return policies.filter(Q(business_group_id=group_id) | Q(pk__in=moved))
