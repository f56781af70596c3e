"""A monitoring report keeps the protective marking it was written, submitted and published under
(test_monitoring_report_marking.py, whose downgraded policy is built once for its module): the tests here each need a
policy of their own, the marking recorded by the service and a re-marking up restricting earlier reports at once."""

from __future__ import annotations

import pytest

from assessments import services as a
from assessments.models import MonitoringReport
from core.events import AuditAction
from core.models import AuditEvent
from library.selectors import library_search
from lifecycle import services as s
from lifecycle.states import Status
from tests.assessments.test_monitoring_report_marking import COMPLIANCE, OFFICIAL, SENSITIVE, pages, report_of
from tests.factories import advance_to, reload
from tests.library.helpers import published
from tests.lifecycle.test_details import update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


# --- the service records the marking --------------------------------------------------------------------------------


def test_a_report_records_the_marking_in_force_when_written_submitted_and_published(people, policy_in):
    official = policy_in(Status.MONITORING)
    assert report_of(official, people).protective_marking == OFFICIAL
    sensitive = policy_in(Status.MONITORING, protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    report = report_of(sensitive, people, publish=False)
    assert report.protective_marking == SENSITIVE
    event = AuditEvent.objects.get(policy_id=sensitive.pk, action=AuditAction.MONITORING_REPORT_SUBMITTED)
    assert event.changes["protective_marking"] == SENSITIVE


def test_a_report_re_marked_up_before_it_is_published_is_published_official_sensitive(people):
    """Submitted while OFFICIAL; a review marks the policy OFFICIAL-SENSITIVE (at once) before PCU publishes it: the
    report is published OFFICIAL-SENSITIVE, and stays so when the review marks the policy OFFICIAL again."""
    policy = advance_to(published(people, title="Stop and search"), Status.MONITORING, people)
    report = report_of(policy, people, publish=False)
    assert report.protective_marking == OFFICIAL
    a.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    a.monitoring_report_publish(report=report, actor=people.pcu)
    report = MonitoringReport.objects.get(pk=report.pk)
    assert report.protective_marking == SENSITIVE
    event = AuditEvent.objects.get(policy_id=policy.pk, action=AuditAction.MONITORING_REPORT_PUBLISHED)
    assert event.changes["protective_marking"] == SENSITIVE
    # The review undoes its re-marking (version 1.0 in force was published OFFICIAL): the policy is OFFICIAL again at
    # once, and the report published OFFICIAL-SENSITIVE is not.
    update(reload(policy), people.developer, protective_marking=OFFICIAL)
    assert reload(policy).protective_marking == OFFICIAL
    assert MonitoringReport.objects.get(pk=report.pk).protective_marking == SENSITIVE


# --- a re-marking up restricts earlier reports at once ---------------------------------------------------------------


def test_a_report_published_official_is_restricted_once_the_policy_is_re_marked_official_sensitive(
        client, people, reader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        policy = advance_to(published(people, title="Stop and search"), Status.MONITORING, people)
        report = report_of(policy, people)
    client.force_login(reader)
    assert client.get(pages(policy, report)["report"]).status_code == 200
    s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
    with django_capture_on_commit_callbacks(execute=True):
        update(reload(policy), people.developer, protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    assert MonitoringReport.objects.get(pk=report.pk).protective_marking == OFFICIAL
    assert client.get(pages(policy, report)["report"]).status_code == 404
    assert library_search(user=reader, text=COMPLIANCE).total == 0
    client.logout()
    assert client.get(f"/publication-scheme/{policy.reference}/").status_code == 404

