"""How lifecycle reads a policy's monitoring reports (issue 13), for the gates of the review and of the Lead's
response (lifecycle.gates) and the pages that say which report waits. SOP: "This monitoring data then feeds into future
policy reviews"; the Lead must "review monitoring results and direct remedial action". The reports live in
assessments; they are read here through the policy's relation (the statuses are assessments' MonitoringReport.Status
values), so lifecycle imports nothing from it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from django.apps import apps
from django.db.models import Exists, OuterRef, Q

from core.compiled import CompiledValues
from lifecycle.states import PAGE_READS

QUALITY_ASSURED_REPORT_STATUSES = ("qa_passed", "published")
# A report submitted and not yet published: no other can be started meanwhile (one at a time), and it waits for its
# quality assurance or its publication (lifecycle.workflow_monitoring.REPORT_UNDER_WAY).
REPORT_UNDER_WAY_STATUSES = ("submitted", "qa_passed")


# How many of the policy's reports await the Lead's response, as the offer of the response counted them
# (lifecycle.workflow_monitoring._a_report_left_to_respond_to), kept on the policy read for the page: the response's
# gate, asked next on the same page, reads it rather than asking again (the overview's pinned 12 queries, with the
# reader's monitoring-report work: lifecycle.report_work). A service asks on the policy it locked, read afresh.
AWAITING_COUNTED = "_reports_awaiting_response_counted"


def report_awaits_response(policy) -> bool:
    """Whether a quality-assured report of the policy awaits the Lead's response (``reports_awaiting_response``): as
    counted already on this policy read (``AWAITING_COUNTED``), else one query."""
    counted = policy.__dict__.get(AWAITING_COUNTED)
    return counted > 0 if counted is not None else reports_awaiting_response(policy).exists()


def reports_awaiting_response(policy):
    """The policy's quality-assured monitoring reports the Lead has not yet responded to, oldest first."""
    return policy.monitoring_reports.filter(status__in=QUALITY_ASSURED_REPORT_STATUSES,
                                            response__isnull=True).order_by("period_end", "pk")


def reports_since_last_review(policy):
    """The quality-assured monitoring reports a review must read: those not read by an earlier review (every
    report is read by the first review after it), with whether this review has read them."""
    cycle = policy.current_cycle
    return (policy.monitoring_reports.filter(status__in=QUALITY_ASSURED_REPORT_STATUSES)
            .exclude(readings__cycle__lt=cycle).order_by("period_end", "pk"))


class ReportUnderWay(NamedTuple):
    """The policy's report submitted and not yet published: its status, and the end of the period it reports on (what
    comes next names it: QA walk of 2026-12-06, "Quality-assure the monitoring report" beside "report due 1 April
    2026" read as if that report were the one submitted)."""

    status: str
    period_end: datetime.date


# A report submitted to the co-ordinator or past it: its results are in, for its Lead to answer once quality-assured.
SUBMITTED_REPORT_STATUSES = ("submitted", *QUALITY_ASSURED_REPORT_STATUSES)
# Where ``open_report_rows`` keeps its rows in a page's reads (lifecycle.states.PAGE_READS).
OPEN_REPORT_ROWS = "open_report_rows"


@dataclass(frozen=True)
class OpenReport:
    """One of a policy's monitoring reports with something still open (``open_report_rows``)."""

    pk: int
    status: str
    period_start: datetime.date
    period_end: datetime.date
    protective_marking: str
    responded: bool
    outcome: str | None
    remedial_owner_id: int | None
    remedial_action: str | None
    remedial_due_on: datetime.date | None
    remedial_completed_at: datetime.datetime | None
    read_by_a_review: bool

    @property
    def under_way(self) -> bool:
        """Submitted and not yet published (``REPORT_UNDER_WAY_STATUSES``)."""
        return self.status in REPORT_UNDER_WAY_STATUSES

    @property
    def unanswered(self) -> bool:
        """Its results are in (submitted or past it), no review has read it and the Lead has not answered it."""
        return self.status in SUBMITTED_REPORT_STATUSES and not self.responded and not self.read_by_a_review

    @property
    def remedial_open(self) -> bool:
        """The Lead directed remedial action in answer to it and nobody has yet recorded it as done."""
        return self.outcome == "remedial" and self.remedial_completed_at is None

    @property
    def remedial_waiting(self) -> bool:
        """A remedial action with an owner and a date, not yet done: what My work and the overview offer its owner."""
        return (self.remedial_owner_id is not None and self.remedial_due_on is not None
                and self.remedial_completed_at is None)


def _reports_model():
    """The policy's monitoring reports' model, through the policy's relation (lifecycle imports nothing from
    assessments; this module is imported while lifecycle's models are, so the model is looked up when asked)."""
    return apps.get_model("lifecycle", "Policy")._meta.get_field("monitoring_reports").related_model


def _open_rows(*, policy_id: int):
    reports = _reports_model()
    readings = reports._meta.get_field("readings").related_model
    open_ = (Q(status__in=REPORT_UNDER_WAY_STATUSES)
             | Q(response__remedial_completed_at__isnull=True, response__remedial_due_on__isnull=False)
             | Q(response__outcome="remedial", response__remedial_completed_at__isnull=True)
             | Q(status__in=SUBMITTED_REPORT_STATUSES, response__isnull=True, read_by_a_review=False))
    return (reports.objects.filter(policy_id=policy_id)
            .annotate(read_by_a_review=Exists(readings.objects.filter(report_id=OuterRef("pk"))))
            .filter(open_).order_by("-period_end", "pk")
            .values_list("pk", "status", "period_start", "period_end", "protective_marking", "response__id",
                         "response__outcome", "response__remedial_owner_id", "response__remedial_action",
                         "response__remedial_due_on", "response__remedial_completed_at", "read_by_a_review"))


@cache
def _compiled() -> CompiledValues:
    """Compiled once per process (core.compiled): Django took longer to compile the overview's report statement than
    PostgreSQL took to answer it (make bench, 100,000 policies: 1.2 ms of Python against 0.05 ms of SQL)."""
    return CompiledValues(_reports_model(), _open_rows, ints=("policy_id",))


def open_report_rows(policy) -> tuple[OpenReport, ...]:
    """The policy's monitoring reports with something open, newest first, in one query, for every reader alike: the
    report under way (submitted, not yet published), those whose remedial action is not yet done, and those submitted
    that no review has read and the Lead has not answered. What the overview says of the reader's report work
    (lifecycle.report_work, which keeps to what the reader may read) and what the no-change review's gates ask
    (``monitoring_left_for_review``) are both read from these rows: kept on a page's policy for the request
    (``PAGE_READS``: the overview's pinned 12 queries, issue 16), afresh on any other (a service's, locked)."""
    reads = policy.__dict__.get(PAGE_READS)
    if reads is not None and OPEN_REPORT_ROWS in reads:
        return reads[OPEN_REPORT_ROWS]
    rows = tuple(OpenReport(pk, status, start, end, marking, response_id is not None, outcome, owner_id, action,
                            due_on, completed_at, read)
                 for (pk, status, start, end, marking, response_id, outcome, owner_id, action, due_on, completed_at,
                      read) in _compiled().rows(policy_id=policy.pk))
    if reads is not None:
        reads[OPEN_REPORT_ROWS] = rows
    return rows


def monitoring_left_for_review(policy) -> dict[str, int]:
    """What of the policy's monitoring a review concluding no change has not yet taken in (the gates of
    lifecycle.gates_no_change), from ``open_report_rows``: ``unanswered``, the reports submitted that no review has
    read and the Lead has not answered (quality-assured or not yet); ``remedial_open``, the remedial actions the Lead
    directed in answer to a report and nobody has yet recorded as done. Every report counts, whatever its marking:
    the gates hold the policy's review, not what one reader is shown."""
    rows = open_report_rows(policy)
    return {"unanswered": sum(row.unanswered for row in rows), "remedial_open": sum(row.remedial_open for row in rows)}
