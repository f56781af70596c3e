"""Annual monitoring reports (SOP, stage 6): written for a published policy, quality-assured by the business
group's co-ordinator, and published by PCU; the next report then falls due a year later."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from assessments.models import MonitoringReport
from assessments.services import (
    monitoring_report_create,
    monitoring_report_pass_qa,
    monitoring_report_publish,
    monitoring_report_return,
    monitoring_report_submit,
    monitoring_report_update,
)
from core.models import AuditEvent, Role
from core.services import role_assign
from lifecycle.permissions import forget_roles
from lifecycle.states import Status
from tests.factories import refused, reload

START, END = datetime.date(2024, 1, 10), datetime.date(2024, 12, 31)  # from its publication
SECTIONS = {"compliance": "Dip samples: 96% compliant.", "benefits": "Complaints down 12%.",
            "diversity_impact": "No disproportionality found."}


@pytest.fixture
def published(policy_in):
    with time_machine.travel(datetime.datetime(2024, 1, 10, 12, tzinfo=datetime.UTC), tick=False):
        return policy_in(Status.IMPLEMENTATION)


def create(policy, actor, **sections):
    return monitoring_report_create(policy=policy, actor=actor, period_start=START, period_end=END, **sections)


def test_a_report_written_before_its_due_date_covers_the_year_to_that_date_and_no_further(published, people):
    due = published.monitoring_report_due_on
    with time_machine.travel(datetime.datetime.combine(due - datetime.timedelta(days=5), datetime.time(11),
                                                       tzinfo=datetime.UTC), tick=False):
        with refused("refused", f"must end by {due:%-d %B %Y}, the date this report is due"):
            monitoring_report_create(policy=published, actor=people.developer, period_start=START,
                                     period_end=due + datetime.timedelta(days=1))
        report = monitoring_report_create(policy=published, actor=people.developer, period_start=START,
                                          period_end=due)
    assert report.period_end == due


def test_report_created_for_a_published_policy(published, people):
    report = create(published, people.developer, compliance="Draft notes.")

    assert (report.status, report.author, report.compliance) == ("draft", people.developer, "Draft notes.")
    event = AuditEvent.objects.filter(policy_id=published.pk).latest("sequence")
    assert (event.action, event.changes) == (
        "monitoring_report.created", {"period_start": "2024-01-10", "period_end": "2024-12-31",
                                      "protective_marking": "official"})


def test_creation_refusals(policy_in, published, people):
    unpublished = policy_in(Status.DEVELOPMENT)
    with refused("gate", "only for a published policy"):
        create(unpublished, people.developer)
    with refused("forbidden", "not allowed to write monitoring reports"):
        create(published, people.coordinator)
    with refused("forbidden"):
        create(published, people.developer2)
    with refused("refused", "end of the period must be after its start"):
        monitoring_report_create(policy=published, actor=people.developer, period_start=END, period_end=START)
    # A report records monitoring done (SOP, stage 6: "The results of this monitoring must be recorded"): a period
    # running a year ahead was accepted, and its submission answered the report due (found by a Chromium walk).
    # Here the report is overdue, so the period ends by today.
    today = datetime.date.today()
    assert published.monitoring_report_due_on < today
    with refused("refused", "period has not ended yet"):
        monitoring_report_create(policy=published, actor=people.developer, period_start=today - datetime.timedelta(
            days=200), period_end=today + datetime.timedelta(days=165))
    with refused("invalid", "Unknown section: verdict"):
        create(published, people.developer, verdict="Great.")
    create(published, people.developer)
    with refused("stale", "already has a monitoring report in progress"):
        create(published, people.manager)
    assert MonitoringReport.objects.count() == 1


def test_submission_needs_every_required_section(published, people):
    report = create(published, people.developer, compliance="96%.")

    with refused("gate", "Complete these sections first: Benefits, Diversity impact."):
        monitoring_report_submit(report=report, actor=people.developer)
    assert MonitoringReport.objects.get(pk=report.pk).status == "draft"

    monitoring_report_update(report=report, actor=people.developer, **SECTIONS)
    submitted = monitoring_report_submit(report=report, actor=people.developer)

    assert submitted.status == "submitted" and submitted.submitted_at is not None
    with refused("frozen", "can no longer be edited"):
        monitoring_report_update(report=report, actor=people.developer, compliance="Changed.")
    with refused("stale", "already been submitted"):
        monitoring_report_submit(report=report, actor=people.developer)


@pytest.fixture
def submitted(published, people):
    report = create(published, people.developer, **SECTIONS)
    return monitoring_report_submit(report=report, actor=people.developer)


def test_only_the_groups_coordinator_quality_assures(submitted, people):
    for outsider in (people.coordinator2, people.developer, people.lead, people.pcu):
        with refused("forbidden", "Only the co-ordinator of Territorial Policing"):
            monitoring_report_pass_qa(report=submitted, actor=outsider)
    assert MonitoringReport.objects.get(pk=submitted.pk).status == "submitted"


def test_author_cannot_quality_assure_their_own_report(published, people):
    role_assign(actor=people.pcu, user=people.manager, role=Role.COORDINATOR, business_group=people.group)
    forget_roles(people.manager)
    report = create(published, people.manager, **SECTIONS)
    monitoring_report_submit(report=report, actor=people.manager)

    with refused("forbidden", "you wrote or submitted it"):
        monitoring_report_pass_qa(report=report, actor=people.manager)
    with refused("forbidden", "you wrote or submitted it"):
        monitoring_report_return(report=report, actor=people.manager, comments="Self-review.")
    assert MonitoringReport.objects.get(pk=report.pk).status == "submitted"


def test_coordinator_returns_then_passes(submitted, people):
    with refused("refused", "Enter comments"):
        monitoring_report_return(report=submitted, actor=people.coordinator, comments=" ")

    returned = monitoring_report_return(report=submitted, actor=people.coordinator, comments="Add the data source.")
    assert (returned.status, returned.qa_comments) == ("draft", "Add the data source.")

    monitoring_report_update(report=submitted, actor=people.developer, performance="Source: CAD system.")
    monitoring_report_submit(report=submitted, actor=people.developer)
    passed = monitoring_report_pass_qa(report=submitted, actor=people.coordinator, comments="Clear.")

    assert (passed.status, passed.qa_by, passed.qa_comments) == ("qa_passed", people.coordinator, "Clear.")
    with refused("stale", "not awaiting quality assurance"):
        monitoring_report_pass_qa(report=submitted, actor=people.coordinator)
    actions = list(AuditEvent.objects.filter(object_type="assessments.monitoringreport")
                   .order_by("sequence").values_list("action", flat=True))
    assert actions == ["monitoring_report.created", "monitoring_report.submitted", "monitoring_report.returned",
                       "monitoring_report.updated", "monitoring_report.submitted", "monitoring_report.qa_passed"]


def test_pcu_publishes_and_the_next_report_is_due_a_year_after_the_last_due_date(submitted, published, people):
    # Submitting answered the report due on 10 January 2025: the next is due a year after that date.
    assert reload(published).monitoring_report_due_on == datetime.date(2026, 1, 10)
    with refused("stale", "Only a quality-assured monitoring report"):
        monitoring_report_publish(report=submitted, actor=people.pcu)
    monitoring_report_pass_qa(report=submitted, actor=people.coordinator)
    with refused("forbidden", "Only the Policy Co-ordination Unit"):
        monitoring_report_publish(report=submitted, actor=people.coordinator)

    with time_machine.travel(datetime.datetime(2025, 2, 3, 12, tzinfo=datetime.UTC), tick=False):
        report = monitoring_report_publish(report=submitted, actor=people.pcu)

    assert (report.status, report.published_by) == ("published", people.pcu)
    policy = reload(published)
    # Issue 13: the day PCU publishes it moves nothing (it used to reset the date to 3 February 2026).
    assert policy.monitoring_report_due_on == datetime.date(2026, 1, 10)
    assert policy.status == Status.IMPLEMENTATION
    event = AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence")
    # Rule 17: the event records the content hash of what was published; and where it went (the policy was not put on
    # the Publication Scheme, so nor is its report).
    assert event.changes == {"answers_due_on": "2025-01-10", "next_report_due_on": "2026-01-10",
                             "protective_marking": "official", "content_hash": report.content_hash,
                             "on_publication_scheme": False}
    # With that one published, the next year's report can be started: from where that one ended (its own year again
    # is refused, assessments.services.monitoring_periods).
    monitoring_report_create(policy=policy, actor=people.developer, period_start=END,
                             period_end=datetime.date(2026, 1, 10))


def test_no_monitoring_report_for_a_withdrawn_policy(published, people):
    """A withdrawn policy is no longer in force, so there is nothing to monitor even though it was published: said
    as the report's other parts are once it is withdrawn (services.report_halted), rather than "only for a published
    policy" of a policy that was."""
    from lifecycle.services import policy_decide_withdrawal, policy_withdraw

    policy_decide_withdrawal(policy=published, actor=people.lead, reason="Superseded.")
    policy_withdraw(policy=published, actor=people.pcu)

    with refused("halted", f"Cannot start a monitoring report of {published.reference}: the policy was withdrawn on",
                 "a withdrawn policy has nothing left to monitor"):
        create(published, people.developer)
    assert not MonitoringReport.objects.exists()


def test_monitoring_continues_while_the_policy_is_under_review(published, people):
    """The published version stays in force during a review, so its annual report is still due."""
    from lifecycle.services import policy_start_review

    policy_start_review(policy=published, actor=people.coordinator, reason="Three-yearly review.")
    report = create(published, people.developer, **SECTIONS)
    monitoring_report_submit(report=report, actor=people.developer)
    monitoring_report_pass_qa(report=report, actor=people.coordinator)
    assert monitoring_report_publish(report=report, actor=people.pcu).status == "published"
