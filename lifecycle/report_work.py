"""A policy's monitoring-report work as its overview says it (QA walk of 2026-12-05, B and C): the report under way
(submitted, not yet published), for what comes next (``next_steps.next_work``), and the report work waiting for the
reader, linked to the report's page, as their My work lists it (workspace.report_queues): a report for the
co-ordinator to quality-assure, one for PCU to publish, a remedial action the Lead directed to them. The reports live
in assessments; they are read here through the policy's relation (lifecycle imports nothing from it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache, partial

from django.db.models import Q

from core.compiled import CompiledValues
from lifecycle.due import REMEDIAL, DueState
from lifecycle.models import Policy
from lifecycle.monitoring_reports import REPORT_UNDER_WAY_STATUSES
from lifecycle.permissions import is_group_coordinator, is_pcu
from lifecycle.selectors import REPORT_MARKING, frozen_sensitive, user_may_see_sensitive
from lifecycle.states import Status

# What the reader is asked to do with a report, by its status, and whose role it is (My work's "Monitoring reports
# to quality-assure or publish": the business group's co-ordinators, PCU).
WAITING_FOR = {
    "submitted": ("A monitoring report is waiting for your quality assurance", is_group_coordinator),
    "qa_passed": ("A quality-assured monitoring report is waiting for you to publish it",
                  lambda user, policy: is_pcu(user)),
}


@dataclass(frozen=True)
class ReportWaiting:
    """A report waiting for the reader: what they are asked (``said``), the report (its id and period) and, for a
    remedial action, its words and due state."""

    said: str
    report_id: int
    period_start: datetime.date
    period_end: datetime.date
    remedial_action: str = ""
    due: DueState | None = None


@dataclass(frozen=True)
class ReportWork:
    under_way: str | None = None
    waiting: tuple[ReportWaiting, ...] = ()


# The report under way and the reader's remedial actions: the statement's columns, in order.
_COLUMNS = ("pk", "status", "period_start", "period_end", "response__remedial_owner_id", "response__remedial_action",
            "response__remedial_due_on", "response__remedial_completed_at")


def _report_rows(*, policy_id: int, user_id: int, sensitive: bool):
    remedial = Q(response__remedial_owner_id=user_id, response__remedial_due_on__isnull=False,
                 response__remedial_completed_at__isnull=True)
    # Only a report the reader may read (its own marking and the policy's): one made OFFICIAL-SENSITIVE, its policy
    # OFFICIAL since a review, is neither named as what comes next nor offered to someone not cleared for it
    # (``frozen_marking_readable`` for one policy: cleared for its business group, or not frozen OFFICIAL-SENSITIVE).
    readable = Q() if sensitive else ~frozen_sensitive(marking=REPORT_MARKING)
    reports = Policy._meta.get_field("monitoring_reports").related_model.objects
    return (reports.filter(Q(policy_id=policy_id) & (Q(status__in=REPORT_UNDER_WAY_STATUSES) | remedial) & readable)
            .order_by("-period_end", "pk").values_list(*_COLUMNS))


@cache
def _compiled(sensitive: bool) -> CompiledValues:
    """The statement for a reader cleared for the policy's OFFICIAL-SENSITIVE material or not, compiled once per
    process (core.compiled): Django took longer to compile it than PostgreSQL took to answer it (make bench, the
    overview at 100,000 policies: 1.2 ms of Python against 0.05 ms of SQL, prepared)."""
    model = Policy._meta.get_field("monitoring_reports").related_model
    return CompiledValues(model, partial(_report_rows, sensitive=sensitive), ints=("policy_id", "user_id"))


def report_work_for(user, policy, today: datetime.date | None = None) -> ReportWork:
    """The report under way on ``policy`` (its status) and the report work waiting for ``user``: one query, none for a
    policy never published (it has no reports). Only reports they may read (their own marking and the policy's,
    ``frozen_marking_readable``, as My work asks); a report to quality-assure or publish is shown to the role that
    clears them for it."""
    if policy.first_published_on is None or policy.status == Status.WITHDRAWN:
        return ReportWork()
    rows = _compiled(user_may_see_sensitive(user=user, policy=policy)).rows(policy_id=policy.pk, user_id=user.pk)
    under_way, waiting = None, []
    for pk, status, start, end, owner_id, action, due_on, completed_at in rows:
        if status in REPORT_UNDER_WAY_STATUSES:
            under_way = under_way or status
            said, whose = WAITING_FOR[status]
            if whose(user, policy):
                waiting.append(ReportWaiting(said=said, report_id=pk, period_start=start, period_end=end))
        if owner_id == user.pk and due_on is not None and completed_at is None:
            waiting.append(ReportWaiting(said="A remedial action is waiting for you", report_id=pk,
                                         period_start=start, period_end=end, remedial_action=action,
                                         due=REMEDIAL.state(due_on, today)))
    return ReportWork(under_way=under_way, waiting=tuple(waiting))
