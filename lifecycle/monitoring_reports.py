"""How lifecycle reads a policy's monitoring reports (issue 13), for the gates of the review and of the Lead's
response (lifecycle.gates) and the pages that say which report waits. SOP: "This monitoring data then feeds into future
policy reviews"; the Lead must "review monitoring results and direct remedial action". The reports live in
assessments; they are read here through the policy's relation (the statuses are assessments' MonitoringReport.Status
values), so lifecycle imports nothing from it."""

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


def report_under_way(policy) -> str | None:
    """The status of the policy's report submitted and not yet published (``REPORT_UNDER_WAY_STATUSES``), None
    when there is none: one query."""
    return (policy.monitoring_reports.filter(status__in=REPORT_UNDER_WAY_STATUSES).order_by("-period_end")
            .values_list("status", flat=True).first())
