"""What the tests post and read of a monitoring report: the year it has due, and the hidden fields its decision forms
post (rule 17). Re-exported by tests.factories, where the tests find them."""

from __future__ import annotations

from django.utils import timezone

from assessments.services.monitoring_periods import year_due


def _reload(policy):
    return type(policy).objects.get(pk=policy.pk)


def the_year_due(policy) -> dict:
    """The period of the monitoring report ``policy`` has due, as ``monitoring_report_create``'s keyword arguments:
    the year to its due date, from where its reports so far end (a period overlaps no other report and starts no
    earlier than the policy's publication: assessments.services.monitoring_periods)."""
    year = year_due(_reload(policy))
    return {"period_start": year.start, "period_end": year.due}


def what_was_read_of_report(report) -> dict:
    """The hidden fields a monitoring report's decision form posts (rule 17): the report read and its content hash
    (its period, sections, the marking it is read under and the co-ordinator's comments), as a person who just opened
    its page would send them."""
    report = type(report).objects.select_related("policy").get(pk=report.pk)
    return {"report_read": report.pk, "report_hash": report.content_hash}


def report_hashes_shown(*reports) -> dict:
    """The hidden fields the Designated Lead's response page posts for the reports it shows (rule 17): each report's
    content hash, by report."""
    fresh = type(reports[0]).objects.select_related("policy").filter(pk__in=[report.pk for report in reports])
    return {f"report_hash_{report.pk}": report.content_hash for report in fresh}


REPORT_SECTIONS = {"compliance": "Dip sample of 120 cases: 92% compliant.", "benefits": "Faster referrals.",
                   "diversity_impact": "No disproportionality found."}


def monitoring_up_to_date(policy, people) -> None:
    """What a review concluding no change asks of the policy's monitoring (lifecycle.gates_no_change): each annual
    report due by today written by its developer, quality-assured by its co-ordinator, published by PCU, and
    answered by its Lead (no action), through the real services, as today (the clock the test set)."""
    from assessments import services as assessment_services

    policy = _reload(policy)
    while (due := policy.monitoring_report_due_on) is not None and due < timezone.localdate():
        report = assessment_services.monitoring_report_create(policy=policy, actor=people.developer,
                                                              **the_year_due(policy), **REPORT_SECTIONS)
        assessment_services.monitoring_report_submit(report=report, actor=people.developer)
        report = assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator,
                                                               comments="Clear.")
        report = assessment_services.monitoring_report_publish(report=report, actor=people.pcu)
        assessment_services.monitoring_report_respond(policy=_reload(policy), actor=people.lead, report=report,
                                                      outcome="no_action", reasons="Read; results noted.")
        policy = _reload(policy)
