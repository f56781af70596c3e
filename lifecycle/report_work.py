"""A policy's monitoring-report work as its overview says it (QA walk of 2026-12-05, B and C): the report under way
(submitted, not yet published), for what comes next (``next_steps.next_work``), and the report work waiting for the
reader, linked to the report's page, as their My work lists it (workspace.report_queues): a report for the
co-ordinator to quality-assure, one for PCU to publish, a remedial action the Lead directed to them. The reports live
in assessments; they are read here through the policy's relation (lifecycle imports nothing from it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from lifecycle.due import REMEDIAL, DueState
from lifecycle.monitoring_reports import ReportUnderWay, open_report_rows
from lifecycle.permissions import is_group_coordinator, is_pcu
from lifecycle.selectors import user_may_see_sensitive
from lifecycle.states import ProtectiveMarking, Status

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
    under_way: ReportUnderWay | None = None
    waiting: tuple[ReportWaiting, ...] = ()


def report_work_for(user, policy, today: datetime.date | None = None) -> ReportWork:
    """The report under way on ``policy`` (its status) and the report work waiting for ``user``: one query, none for a
    policy never published (it has no reports). Only reports they may read (their own marking and the policy's,
    ``frozen_marking_readable``, as My work asks); a report to quality-assure or publish is shown to the role that
    clears them for it."""
    if policy.first_published_on is None or policy.status == Status.WITHDRAWN:
        return ReportWork()
    # Only a report the reader may read (its own marking and the policy's): one made OFFICIAL-SENSITIVE, its policy
    # OFFICIAL since a review, is neither named as what comes next nor offered to someone not cleared for it
    # (``frozen_marking_readable`` for one policy: cleared for its business group, or not frozen OFFICIAL-SENSITIVE).
    sensitive = user_may_see_sensitive(user=user, policy=policy)
    under_way, waiting = None, []
    for row in open_report_rows(policy):
        if not sensitive and row.protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE:
            continue
        if row.under_way:
            under_way = under_way or ReportUnderWay(row.status, row.period_end)
            said, whose = WAITING_FOR[row.status]
            if whose(user, policy):
                waiting.append(ReportWaiting(said=said, report_id=row.pk, period_start=row.period_start,
                                             period_end=row.period_end))
        if row.remedial_owner_id == user.pk and row.remedial_waiting:
            waiting.append(ReportWaiting(said="A remedial action is waiting for you", report_id=row.pk,
                                         period_start=row.period_start, period_end=row.period_end,
                                         remedial_action=row.remedial_action,
                                         due=REMEDIAL.state(row.remedial_due_on, today)))
    return ReportWork(under_way=under_way, waiting=tuple(waiting))
