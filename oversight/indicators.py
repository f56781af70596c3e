"""Corporate Health Indicators (issue 15), computed from the audit trail and the due dates, never from a counter.

SOP: co-ordinators provide "BG policy performance data to PCU for preparation of Corporate Health Indicators";
PCU "informs Management Board and Performance Board on the status of policy reviews and policy monitoring".

Every service that moves a policy writes its audit event in the same transaction (core.audit), and the event says
what changed: ``status`` [before, after] (every step), ``review_due_on`` and ``monitoring_report_due_on`` (a
publication gives the new dates; bringing a review forward, confirming no change and a monitoring report give
[before, after]), ``business_group`` [old, new] (a move). Replaying those events gives each policy's status, due
dates and business group on any past day, so a past period shows the figures as they stood then, whatever has
happened since. A policy with no such events (loaded before the audit trail, or by a bulk import) keeps its present
values throughout.

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

Bounded work: the period is at most MAX_PERIOD_DAYS; the events are streamed policy by policy (one server-side
cursor), so memory holds one policy's history and the running totals.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone

from core.events import AuditAction
from core.models import AuditEvent
from lifecycle.due import REVIEW
from lifecycle.states import Status

MAX_PERIOD_DAYS = 366 * 5
TREND_MONTHS = 12
POLICY_OBJECT = "lifecycle.policy"
TRACKED_DATES = ("review_due_on", "monitoring_report_due_on")
SUBMITTED = AuditAction.MONITORING_REPORT_SUBMITTED.value
RETURNED = AuditAction.MONITORING_REPORT_RETURNED.value
STAY_STATUSES = {
    Status.SUBMITTED_FOR_QA.value: "qa",
    Status.WITH_LEAD.value: "lead",
    Status.AWAITING_PUBLICATION.value: "publication",
}
COUNTED_ACTIONS = {AuditAction.POLICY_EMERGENCY_APPROVED.value: "emergency_approvals",
                   AuditAction.POLICY_WITHDRAWN.value: "withdrawals"}
_MISSING = object()


def _local_date(moment: datetime.datetime) -> datetime.date:
    # The force's time zone (PolicyHub never activates another): timezone.localtime asks asgiref's context-local
    # storage for the current zone on every call, a sixth of the indicators' time over 30,000 policies' histories.
    return moment.astimezone(timezone.get_default_timezone()).date()


def _as_date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


@dataclass
class _Track:
    """One value's history: (from day, value) in order, the first from ``date.min``."""

    steps: list[tuple[datetime.date, object]] = field(default_factory=list)

    def at(self, day: datetime.date):
        value = None
        for start, step_value in self.steps:
            if start > day:
                break
            value = step_value
        return value

    def intervals(self) -> Iterator[tuple[object, datetime.date, datetime.date | None]]:
        for index, (start, value) in enumerate(self.steps):
            end = self.steps[index + 1][0] if index + 1 < len(self.steps) else None
            yield value, start, end


def _track(current, changes: list[tuple[datetime.date, object, object]]) -> _Track:
    """The history of one value from its changes ((day, before or _MISSING, after)), oldest first: before the
    first change it held that change's "before" (None when the change gave only the new value: a date first set
    by a publication); with no change at all, its present value throughout."""
    if not changes:
        return _Track([(datetime.date.min, current)])
    first_before = changes[0][1]
    steps = [(datetime.date.min, None if first_before is _MISSING else first_before)]
    steps.extend((day, after) for day, _before, after in changes)
    return _Track(steps)


@dataclass
class PolicyHistory:
    policy_id: int
    created_on: datetime.date
    first_published_on: datetime.date | None
    status: _Track
    group: _Track
    dates: dict[str, _Track]
    # (entered, left) times of each stay in the statuses of STAY_STATUSES
    stays: list[tuple[str, datetime.datetime, datetime.datetime]]
    # {monitoring report due date: the day the report that answered it was submitted}, returned reports left out
    answered: dict[datetime.date, datetime.date]
    counted: list[tuple[str, datetime.date]]

    def in_force(self, day: datetime.date) -> bool:
        return (self.created_on <= day and self.first_published_on is not None and self.first_published_on <= day
                and self.status.at(day) != Status.WITHDRAWN)


def _answer(answered: dict, action: str, dates, day: datetime.date) -> None:
    """Keep ``answered`` (due date: day submitted) up to date with one event: a submission answers the date due
    then (assessments.services.monitoring_report_submit: ``monitoring_report_due_on`` [answered, next]); a return
    that gives the date back ([next, answered]) means it was not answered after all."""
    if action not in (SUBMITTED, RETURNED) or not (isinstance(dates, list) and len(dates) == 2):
        return
    if action == SUBMITTED and dates[0] is not None:
        answered[_as_date(dates[0])] = day
    elif action == RETURNED and dates[1] is not None:
        answered.pop(_as_date(dates[1]), None)


def _history(row: dict, events: list[tuple]) -> PolicyHistory:
    changes: dict[str, list] = defaultdict(list)
    status_times: list[tuple[datetime.datetime, object]] = []
    answered: dict[datetime.date, datetime.date] = {}
    counted = []
    for occurred_at, action, object_type, payload in events:
        day = _local_date(occurred_at)
        if action in COUNTED_ACTIONS:
            counted.append((COUNTED_ACTIONS[action], day))
        payload = payload if isinstance(payload, dict) else {}
        _answer(answered, action, payload.get("monitoring_report_due_on"), day)
        for name in TRACKED_DATES:
            if name in payload:
                value = payload[name]
                if isinstance(value, list) and len(value) == 2:
                    changes[name].append((day, _as_date(value[0]), _as_date(value[1])))
                elif not isinstance(value, list):
                    changes[name].append((day, _MISSING, _as_date(value)))
        if object_type != POLICY_OBJECT:
            continue
        status = payload.get("status")
        if isinstance(status, list) and len(status) == 2:
            changes["status"].append((day, status[0], status[1]))
            status_times.append((occurred_at, status[1]))
        moved = payload.get("business_group")
        # A creation names the group (a name); only a move gives [old id, new id].
        if isinstance(moved, list) and len(moved) == 2:
            changes["business_group"].append((day, moved[0], moved[1]))
    stays = []
    for index, (entered, status) in enumerate(status_times):
        if status in STAY_STATUSES and index + 1 < len(status_times):
            stays.append((STAY_STATUSES[status], entered, status_times[index + 1][0]))
    created_on = _local_date(row["created_at"])
    status_track = _track(row["status"], changes["status"])
    if changes["status"] and status_track.steps[0][1] is None:
        status_track.steps[0] = (datetime.date.min, Status.SCOPING.value)
    return PolicyHistory(
        policy_id=row["pk"], created_on=created_on, first_published_on=row["first_published_on"],
        status=status_track, group=_track(row["business_group_id"], changes["business_group"]),
        dates={name: _track(row[name], changes[name]) for name in TRACKED_DATES},
        stays=stays, answered=answered, counted=counted,
    )


def history_queries(policies):
    """The two statements the histories are read from (make bench times them bare): the policies' present values,
    and every event that changed a status, a business group or a tracked date, or submitted a monitoring report,
    both in policy order."""
    rows = policies.order_by("pk").values("pk", "created_at", "first_published_on", "status", "business_group_id",
                                          *TRACKED_DATES)
    events = (AuditEvent.objects.filter(policy_id__in=policies.values("pk"))
              .filter(Q(changes__has_any_keys=["status", "business_group", *TRACKED_DATES])
                      | Q(action=SUBMITTED))
              .order_by("policy_id", "sequence")
              .values_list("policy_id", "occurred_at", "action", "object_type", "changes"))
    return rows, events


def policy_histories(policies) -> Iterator[PolicyHistory]:
    """Each policy of ``policies`` with its whole history: two streamed queries, merged. The whole of it, later
    events included: a value's past is read back from the "before" of the change that ended it, and a policy's
    present values stand for its past only when nothing ever changed them."""
    rows, events = history_queries(policies)
    event_iter = events.iterator(chunk_size=5000)
    pending = next(event_iter, None)
    for row in rows.iterator(chunk_size=5000):
        mine = []
        while pending is not None and pending[0] < row["pk"]:
            pending = next(event_iter, None)
        while pending is not None and pending[0] == row["pk"]:
            mine.append(pending[1:])
            pending = next(event_iter, None)
        yield _history(row, mine)


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


def corporate_health_indicators(*, policies, period: Period, today: datetime.date | None = None,
                                focus: int | None = None) -> Indicators:
    """The indicators of ``policies`` (already narrowed to what the person may see) for ``period``, by business group
    as each policy stood then, and the month-by-month trend (of the ``focus`` business group, or of them all)."""
    today = today or timezone.localdate()
    counter = _Counter()
    months = period.months
    trend = [_Counter() for _ in months]
    # The days whose "in date" is counted (the period's end, each month's end or today) and the windows whose
    # monitoring reports are (the period, each month so far), each with the tallies it adds to.
    windows = [(period.start, period.end, counter)] + [
        (first, min(last, today), month) for (first, last), month in zip(months, trend, strict=True)
        if min(last, today) >= first]
    for history in policy_histories(policies):
        _count_in_date_on(history, [(end, tallies) for _start, end, tallies in windows])
        dues = _monitoring_dues(history)
        for start, end, tallies in windows:
            _count_monitoring(dues, tallies, start, end)
        for stage, entered, left in history.stays:
            if period.start <= _local_date(left) <= period.end:
                counter.add_stay(history.group.at(_local_date(left)), stage, (left - entered).total_seconds() / 86400)
        for name, day in history.counted:
            if period.start <= day <= period.end:
                counter.add(history.group.at(day), name)
    return Indicators(period=period, by_group=dict(counter.by_group), force=counter.total, focus=focus,
                      months=[(first, dict(month.by_group), month.total)
                              for (first, _last), month in zip(months, trend, strict=True)])


def policies_ever_in(policies, group_id: int):
    """``policies`` that are in the business group now or were moved at some time (and so may have been in it then):
    the indicators of one group count each policy where it stood on the day."""
    # Uncorrelated: PostgreSQL reads the (few) moves once into a hash, instead of probing the audit trail for every
    # policy (make bench: the co-ordinator's histories were read five times slower with a correlated EXISTS, 9.4 s
    # against 1.7 s).
    moved = (AuditEvent.objects.filter(action=AuditAction.POLICY_MOVED_BUSINESS_GROUP.value, policy_id__isnull=False)
             .values("policy_id"))
    return policies.filter(Q(business_group_id=group_id) | Q(pk__in=moved))
