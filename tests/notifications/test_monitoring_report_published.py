"""QA walk of 2026-12-05 (A, MEDIUM): PCU published a monitoring report and "Monitoring report published" went only to
its developers and co-ordinator; the Designated Lead, whose My work listed it among the "Monitoring reports to respond
to", was not told. SOP, the Lead's role: "review monitoring results and direct remedial action". The Lead is told of
it now, and only when cleared for the report's marking (the relay's one rule, ``outbox._cleared``)."""

from __future__ import annotations

import pytest

from assessments import services as a
from core.events import AuditAction
from core.models import Role
from lifecycle.states import ProtectiveMarking, Status
from notifications import services
from notifications.models import Notification
from tests.assessments import test_monitoring_report_marking as report_marking
from tests.factories import advance_to
from tests.library.helpers import published
from tests.notifications.test_chase_clearance import role_removed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def told_of_publication(report) -> set[str]:
    return set(Notification.objects.filter(source_event__topic=AuditAction.MONITORING_REPORT_PUBLISHED,
                                           report_id=report.pk).values_list("recipient__username", flat=True))


def monitored(people, django_capture_on_commit_callbacks, marking):
    with django_capture_on_commit_callbacks(execute=True):
        policy = published(people, title="Stop and search records", marking=marking)
    return advance_to(policy, Status.MONITORING, people)


def test_the_designated_lead_is_told_when_a_report_is_published_for_their_response(
        people, django_capture_on_commit_callbacks):
    policy = monitored(people, django_capture_on_commit_callbacks, ProtectiveMarking.OFFICIAL)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_marking.report_of(policy, people)
    services.outbox_relay()
    assert people.lead.username in told_of_publication(report)
    item = Notification.objects.get(recipient=people.lead, report_id=report.pk,
                                    source_event__topic=AuditAction.MONITORING_REPORT_PUBLISHED)
    assert item.title.startswith("Monitoring report published: ")


def test_a_lead_not_cleared_for_an_official_sensitive_report_is_not_told_of_it(
        people, django_capture_on_commit_callbacks):
    policy = monitored(people, django_capture_on_commit_callbacks, ProtectiveMarking.OFFICIAL_SENSITIVE)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_marking.report_of(policy, people, publish=False)
    a.monitoring_report_pass_qa(report=report, actor=people.coordinator, comments=report_marking.QA_COMMENTS)
    # The named Lead loses their role (and so their clearance for the group's material) before PCU publishes.
    role_removed(people, people.lead, Role.LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        a.monitoring_report_publish(report=report, actor=people.pcu)
    services.outbox_relay()
    told = told_of_publication(report)
    assert people.lead.username not in told
    assert people.coordinator.username in told
