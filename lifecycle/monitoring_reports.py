"""How lifecycle reads a policy's monitoring reports (issue 13), for the gates of the review and of the Lead's
response (lifecycle.gates) and the pages that say which report waits. SOP: "This monitoring data then feeds into future
policy reviews"; the Lead must "review monitoring results and direct remedial action". The reports live in
assessments; they are read here through the policy's relation (the statuses are assessments' MonitoringReport.Status
values), so lifecycle imports nothing from it."""

QUALITY_ASSURED_REPORT_STATUSES = ("qa_passed", "published")


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
