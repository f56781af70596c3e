"""Each policy's history replayed from the audit trail, for the Corporate Health Indicators (oversight.indicators).

Every service that moves a policy writes its audit event in the same transaction (core.audit), and the event says
what changed: ``status`` [before, after] (every step), ``review_due_on`` and ``monitoring_report_due_on``
([before, after]; earlier events of a publication, a review concluding no change and the Lead's response to a
monitoring report give the new date alone, and are read as such: append-only, they keep that shape),
``business_group`` [old, new] (a move). Replaying those events (core.models.audit's POLICY_HISTORY_EVENTS) gives
each policy's status, due dates and business group on any past day. A policy with no such event (loaded before the
audit trail, or by a bulk import) keeps its present values throughout: those are counted by oversight.indicators in
one statement, without a history.

Bounded work: the events are streamed policy by policy (one server-side cursor on the partial index that holds only
these events, in policy order), so memory holds one policy's history. Each event's local day and its moment (whole
microseconds) come worked out by the database: a timestamp read as an aware datetime cost more than all the rest of
an event's reading (200,000 events: 13.6 microseconds an event with it, 7.6 without).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, Exists, Func, OuterRef
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.events import AuditAction
from core.models import AuditEvent
from core.models.audit import POLICY_HISTORY_EVENTS
from lifecycle.states import Status

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


def local_day(field_name: str) -> TruncDate:
    """``field_name``'s day in the force's time zone, worked out by the database as ``_local_date`` does in Python."""
    return TruncDate(field_name, tzinfo=timezone.get_default_timezone())


class EpochMicroseconds(Func):
    """A moment as whole microseconds since 1970 (UTC): stays are measured by subtracting two of them, exactly as
    ``(left - entered).total_seconds()`` with datetimes (``stay_days``)."""

    output_field = BigIntegerField()

    # EXTRACT gives an exact numeric (PostgreSQL 14 and later).
    postgresql_template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    # Stored as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]": the whole seconds (rounded: julianday is a double), then the
    # microseconds as written.
    sqlite_template = ("(CAST(ROUND((julianday(substr(%(expressions)s, 1, 19)) - 2440587.5) * 86400) AS INTEGER)"
                       " * 1000000 + CAST(substr(%(expressions)s, 21, 6) AS INTEGER))")

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=self.postgresql_template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=self.sqlite_template, **extra_context)


def stay_days(entered: int, left: int) -> float:
    """Days between two moments in microseconds (EpochMicroseconds), the float ``timedelta.total_seconds() / 86400``
    gives for the same two moments."""
    return (left - entered) / 10**6 / 86400


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
    # (stage, entered, left, the day it was left on) of each stay in the statuses of STAY_STATUSES, the moments in
    # microseconds (EpochMicroseconds)
    stays: list[tuple[str, int, int, datetime.date]]
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


def _history(row: tuple, events: list[tuple]) -> PolicyHistory:
    """One policy's history from its row (``history_queries``' rows) and its events (local day, moment in
    microseconds, action, object type, changes), oldest first."""
    policy_id, created_on, first_published_on, status, group_id, review_due_on, monitoring_due_on = row
    changes: dict[str, list] = defaultdict(list)
    status_times: list[tuple[int, datetime.date, object]] = []
    answered: dict[datetime.date, datetime.date] = {}
    counted = []
    for day, moment, action, object_type, payload in events:
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
        status_change = payload.get("status")
        if isinstance(status_change, list) and len(status_change) == 2:
            changes["status"].append((day, status_change[0], status_change[1]))
            status_times.append((moment, day, status_change[1]))
        moved = payload.get("business_group")
        # A creation names the group (a name); only a move gives [old id, new id].
        if isinstance(moved, list) and len(moved) == 2:
            changes["business_group"].append((day, moved[0], moved[1]))
    stays = []
    for index, (entered, _day, stay_status) in enumerate(status_times):
        if stay_status in STAY_STATUSES and index + 1 < len(status_times):
            left, left_on, _next = status_times[index + 1]
            stays.append((STAY_STATUSES[stay_status], entered, left, left_on))
    status_track = _track(status, changes["status"])
    if changes["status"] and status_track.steps[0][1] is None:
        status_track.steps[0] = (datetime.date.min, Status.SCOPING.value)
    return PolicyHistory(
        policy_id=policy_id, created_on=created_on, first_published_on=first_published_on,
        status=status_track, group=_track(group_id, changes["business_group"]),
        dates={"review_due_on": _track(review_due_on, changes["review_due_on"]),
               "monitoring_report_due_on": _track(monitoring_due_on, changes["monitoring_report_due_on"])},
        stays=stays, answered=answered, counted=counted,
    )


def history_events():
    """Every event a policy's history is replayed from (core.models.audit.POLICY_HISTORY_EVENTS): the rows of the
    partial index audit_policy_history_idx."""
    return AuditEvent.objects.filter(POLICY_HISTORY_EVENTS)


def with_history(policies):
    """``policies`` that have at least one event to replay."""
    return policies.filter(Exists(history_events().filter(policy_id=OuterRef("pk"))))


def without_history(policies):
    """``policies`` that have none: their present values stand for their whole past."""
    return policies.filter(~Exists(history_events().filter(policy_id=OuterRef("pk"))))


def history_queries(policies):
    """The two statements the histories are read from (make bench times them bare): the present values of the
    policies that have a history, and every event of theirs that changed a status, a business group or a tracked
    date, or submitted a monitoring report, both in policy order, the days and moments worked out by the database."""
    rows = (with_history(policies).order_by("pk")
            .values_list("pk", local_day("created_at"), "first_published_on", "status", "business_group_id",
                         *TRACKED_DATES))
    events = (history_events().filter(policy_id__in=policies.values("pk"))
              .order_by("policy_id", "sequence")
              .values_list("policy_id", local_day("occurred_at"), EpochMicroseconds("occurred_at"), "action",
                           "object_type", "changes"))
    return rows, events


def policy_histories(policies) -> Iterator[PolicyHistory]:
    """Each policy of ``policies`` that has a history, with the whole of it: two streamed queries, merged. The whole
    of it, later events included: a value's past is read back from the "before" of the change that ended it, and a
    policy's present values stand for its past only when nothing ever changed them."""
    rows, events = history_queries(policies)
    event_iter = events.iterator(chunk_size=5000)
    pending = next(event_iter, None)
    for row in rows.iterator(chunk_size=5000):
        mine = []
        while pending is not None and pending[0] < row[0]:
            pending = next(event_iter, None)
        while pending is not None and pending[0] == row[0]:
            mine.append(pending[1:])
            pending = next(event_iter, None)
        yield _history(row, mine)
