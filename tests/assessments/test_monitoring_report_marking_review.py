"""A monitoring report made OFFICIAL-SENSITIVE (MonitoringReport.protective_marking, frozen when made) on the review's
pages: review, 2026-12-05.

1. The review's checklist ("Read the monitoring reports since the last review", lifecycle.gates) listed the period of
   every report, with its link, to everyone who sees the drafts: staff not cleared for the report (a developer of
   another business group given access to the draft) read its period, and its link answered them 404. They now read
   a line that says only that a report they may not read is to be read, or was, and the gate is the same for them
   as for those cleared.
2. The Lead's response that brings the review forward (assessments.services.responses) writes lifecycle's "Review
   date brought forward" event, a public milestone on the timeline, with a reason quoting the report's period and the
   Lead's reasons: every member of staff read them. The event now names its report, as the response's own does, and
   is read as the report is: only by those cleared for it. The Publication Scheme, its feed and the Notices carry
   neither.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from assessments import services as a
from assessments.models import MonitoringReport
from core.audit import audit_log
from core.events import AuditAction
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.states import Status
from notifications.links import report_named
from tests.assessments.test_monitoring_report_marking import OFFICIAL, SENSITIVE, pages, report_of
from tests.factories import advance_to, reload
from tests.library.helpers import published, staff
from tests.lifecycle.test_details import update
from tests.lifecycle.test_details_downgrade import publish_reviewed

pytestmark = pytest.mark.django_db

# The Lead's reasons for bringing the review forward: words only the response to the report carries.
REASONS = "Stintish disproportionality in the covert tasking."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def reader(people):
    """Territorial Policing staff with no role: not cleared for its OFFICIAL-SENSITIVE material."""
    return staff("reader", people.unit)


def period(report: MonitoringReport) -> str:
    return f"{report.period_start:%-d %B %Y} to {report.period_end:%-d %B %Y}"


# --- 1. the review's checklist --------------------------------------------------------------------------------------


@pytest.fixture
def review_reading_a_sensitive_report(people):
    """Version 1.0 in force OFFICIAL; its monitoring report quality-assured, then published while the review had the
    policy re-marked OFFICIAL-SENSITIVE (so it was published OFFICIAL-SENSITIVE); the review then marked it OFFICIAL
    again. The review is in scoping, the report among those since the last review, and a developer of Specialist
    Crime & Operations, not cleared for Territorial Policing's OFFICIAL-SENSITIVE material, was given access to the
    draft."""
    policy = advance_to(published(people, title="Stop and search"), Status.MONITORING, people)
    report = report_of(policy, people, publish=False)
    a.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    a.monitoring_report_publish(report=report, actor=people.pcu)
    update(reload(policy), people.developer, protective_marking=OFFICIAL)
    policy = reload(policy)
    assert policy.protective_marking == OFFICIAL and policy.status == Status.SCOPING
    s.policy_grant_access(policy=policy, actor=people.coordinator, user=people.developer2, permission="draft_policy")
    report = MonitoringReport.objects.get(pk=report.pk)
    assert report.protective_marking == SENSITIVE
    return policy, report


GATE_LABEL = "Read the monitoring reports since the last review"


def test_the_checklist_lists_a_report_made_official_sensitive_only_to_those_cleared(
        client, people, review_reading_a_sensitive_report, django_assert_num_queries):
    policy, report = review_reading_a_sensitive_report
    overview = f"/policies/{policy.reference}/"
    link = pages(policy, report)["report"]
    # Not cleared: the gate is listed and still to do, the report neither dated nor linked.
    client.force_login(people.developer2)
    page = client.get(overview).content.decode()
    assert GATE_LABEL in page
    assert link not in page and period(report) not in page
    assert "A monitoring report you are not cleared to read: to read" in page
    assert client.get(link).status_code == 404
    # Those cleared read it, and its link, as before.
    for person in (people.developer, people.coordinator, people.pcu):
        client.force_login(person)
        page = client.get(overview).content.decode()
        assert GATE_LABEL in page and link in page and period(report) in page, person
        assert "not cleared to read" not in page, person
    # The page reads the reports, each with whether its reader may read it, once: the readiness of the way on
    # (request commissioning) names only what is missing, and reads them no more (11 queries before, 9 then; 10 since
    # the page says what the policy waits for, which asks whether its withdrawal is decided: Cycle.awaited; 11 since
    # it points its reader to the monitoring-report work waiting for them, a remedial action directed to them among
    # it, and reads the report under way for what comes next: lifecycle.report_work, QA walk of 2026-12-05, C; 10
    # since the policy's own read says whether a withdrawal decision is open, lifecycle.selectors.pages.access_policy,
    # which the cycle's halt asks of every step, lifecycle.steps.HALTS: no query for it where none is).
    client.force_login(people.developer)
    with django_assert_num_queries(10):
        client.get(overview)
    # The review reads it: done for everyone, the uncleared told so without its period.
    a.monitoring_report_read_for_review(report=report, actor=people.developer,
                                        changes_in_response="Nothing: the report found no gap.")
    client.force_login(people.developer2)
    page = client.get(overview).content.decode()
    assert "A monitoring report you are not cleared to read: read, response recorded" in page
    assert link not in page and period(report) not in page


# --- 2. the review brought forward in response to it ----------------------------------------------------------------


@pytest.fixture
def brought_forward(people, django_capture_on_commit_callbacks):
    """Version 1.0 published OFFICIAL-SENSITIVE; its monitoring report quality-assured and published then; a review
    re-marked it OFFICIAL and version 2.0 is published, on the Publication Scheme. The Lead then responds to the
    report, still OFFICIAL-SENSITIVE, by bringing the review forward."""
    with django_capture_on_commit_callbacks(execute=True):
        policy = published(people, title="Covert tasking", marking=SENSITIVE)
    policy = advance_to(policy, Status.MONITORING, people)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_of(policy, people)
    s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
    with django_capture_on_commit_callbacks(execute=True):
        update(reload(policy), people.developer, protective_marking=OFFICIAL, suitable_for_publication_scheme=True)
    policy, _ = publish_reviewed(reload(policy), people, django_capture_on_commit_callbacks)
    assert policy.protective_marking == OFFICIAL
    earlier = timezone.localdate() + datetime.timedelta(days=200)
    with django_capture_on_commit_callbacks(execute=True):
        a.monitoring_report_respond(policy=policy, actor=people.lead, report=report, outcome="bring_forward",
                                    reasons=REASONS, review_due_on=earlier)
    policy = reload(policy)
    assert policy.review_due_on == earlier
    report = MonitoringReport.objects.get(pk=report.pk)
    assert report.protective_marking == SENSITIVE
    return policy, report


def test_the_review_brought_forward_quotes_the_report_only_to_those_cleared(client, people, reader,
                                                                           brought_forward):
    policy, report = brought_forward
    event = AuditEvent.objects.get(policy_id=policy.pk, action="policy.review_date_brought_forward")
    assert event.changes["reason"] == f"Monitoring report {period(report)}: {REASONS}"
    # Named as the response's event names it: the relay tells it only to those cleared for the report (as
    # test_monitoring_report_marking.test_an_event_of_the_report_is_relayed_only_to_those_cleared).
    assert event.changes["report"] == report.pk and report_named(event) == report.pk
    timeline = pages(policy, report)["timeline"]
    # Staff who see the policy in force (its public milestones) or its drafts, not cleared for the report.
    for person in (reader, people.developer2, people.lead2):
        client.force_login(person)
        page = client.get(timeline)
        assert page.status_code == 200, person
        text = page.content.decode()
        assert REASONS not in text and period(report) not in text, person
    # Those cleared read the entry with its reason.
    for person in (people.developer, people.coordinator, people.lead, people.pcu):
        client.force_login(person)
        text = client.get(timeline).content.decode()
        assert "Review date brought forward" in text and REASONS in text and period(report) in text, person
    # The public: the Scheme's entry, its feed and its PDF carry neither (nor does staff's Notices, for the uncleared).
    client.logout()
    for url in (f"/publication-scheme/{policy.reference}/", "/publication-scheme/feed/", "/publication-scheme/"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        text = answer.content.decode()
        assert REASONS not in text and period(report) not in text, url
    client.force_login(reader)
    for url in ("/notices/", "/notices/feed/"):
        text = client.get(url).content.decode()
        assert REASONS not in text and period(report) not in text, url


# Words only the legacy entry carries.
LEGACY_REASONS = "Quillwort surveillance findings in the covert tasking."


def test_a_review_brought_forward_recorded_before_it_named_its_report_is_read_as_the_report_is(
        client, people, reader, brought_forward):
    """Review of 2026-12-05: the events of "Review date brought forward" written by the Lead's response before the
    event named its report (before a75b45f) carry the report's period and the Lead's reasons with no "report" to
    read them by, and the audit trail is append-only: they are read by the response's event, written next in the
    same transaction (the chain's head locked, so their sequences are adjacent), which names the report."""
    policy, report = brought_forward
    response = report.response
    with transaction.atomic():
        audit_log(actor=people.lead, action=AuditAction.POLICY_REVIEW_DATE_BROUGHT_FORWARD, obj=policy,
                  policy_id=policy.pk, changes={"review_due_on": [policy.review_due_on, policy.review_due_on],
                                                "reason": f"Monitoring report {period(report)}: {LEGACY_REASONS}"})
        audit_log(actor=people.lead, action=AuditAction.MONITORING_REPORT_RESPONDED, obj=response,
                  policy_id=policy.pk, changes={"report": report.pk, "outcome": "bring_forward",
                                                "reasons": LEGACY_REASONS})
    # A standalone "brought forward" (the step itself, no report behind it) stays a public milestone.
    with transaction.atomic():
        audit_log(actor=people.lead, action=AuditAction.POLICY_REVIEW_DATE_BROUGHT_FORWARD, obj=policy,
                  policy_id=policy.pk, changes={"review_due_on": [policy.review_due_on, policy.review_due_on],
                                                "reason": "Legislation changed: the Act of 2026."})
    timeline = pages(policy, report)["timeline"]
    for person in (reader, people.developer2, people.lead2):
        client.force_login(person)
        text = client.get(timeline).content.decode()
        assert LEGACY_REASONS not in text and period(report) not in text, person
        assert "Legislation changed: the Act of 2026." in text, person
    for person in (people.developer, people.lead, people.pcu):
        client.force_login(person)
        text = client.get(timeline).content.decode()
        assert LEGACY_REASONS in text and "Legislation changed: the Act of 2026." in text, person
