"""PCU's publication of a monitoring report says where it goes (QA walk qa9). SOP, stage 6: PCU arranges for the report
"to be published on the MPS Publication Scheme", and only material suitable for the Scheme goes on it: a report of an
OFFICIAL-SENSITIVE policy never does (publication.selectors.scheme_entry). Its button read "Publish on the Publication
Scheme" all the same, and the confirmation said it was published there, while the public got 404. The words now follow
the rule the Scheme itself applies (assessments.selectors.report_kept_off_scheme)."""

from __future__ import annotations

import datetime
import re

import pytest

from assessments.models import MonitoringReport
from core.events import AuditAction
from core.models import AuditEvent
from lifecycle.states import ProtectiveMarking, Status
from tests.assessments.test_monitoring_response import SECTIONS, quality_assured_report
from tests.factories import advance_to, take_step

pytestmark = pytest.mark.django_db

ON_SCHEME_BUTTON = "Publish on the Publication Scheme"
INTERNAL_BUTTON = "Publish internally"


def _report(people, *, on_publication_scheme: bool = False, **details):
    policy = advance_to(people.policy(**details), Status.AWAITING_PUBLICATION, people)
    take_step(policy, people, Status.IMPLEMENTATION, on_publication_scheme=on_publication_scheme)
    policy = advance_to(policy, Status.MONITORING, people)
    report = quality_assured_report(policy, people, start=policy.first_published_on,
                                    end=policy.first_published_on + datetime.timedelta(days=30))
    return policy, report


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _publish(client, people, policy, report):
    client.force_login(people.pcu)
    url = f"/policies/{policy.reference}/monitoring/{report.pk}/"
    before = client.get(url)
    posted = client.post(url, {"step": "publish", "report_read": report.pk, "report_hash": report.content_hash},
                         follow=True)
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.PUBLISHED
    return _text(before), _text(posted)


def test_an_official_sensitive_report_is_published_internally_and_said_so(client, people):
    policy, report = _report(people, title="Covert tasking", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                             suitable_for_publication_scheme=False)
    before, after = _publish(client, people, policy, report)
    assert INTERNAL_BUTTON in before and ON_SCHEME_BUTTON not in before
    said = "published to staff (not on the Publication Scheme: OFFICIAL-SENSITIVE)"
    assert f"Monitoring report {said}." in after
    assert "Published to staff (not on the Publication Scheme: OFFICIAL-SENSITIVE)" in after
    assert "on the Publication Scheme." not in after.replace("not on the Publication Scheme", "")
    event = AuditEvent.objects.get(action=AuditAction.MONITORING_REPORT_PUBLISHED, object_id=str(report.pk))
    assert event.changes["on_publication_scheme"] is False
    client.logout()
    assert client.get(f"/publication-scheme/{policy.reference}/").status_code == 404


def test_an_official_report_of_a_policy_on_the_scheme_goes_on_it(client, people):
    policy, report = _report(people, title="Stop and search", on_publication_scheme=True)
    before, after = _publish(client, people, policy, report)
    assert ON_SCHEME_BUTTON in before and INTERNAL_BUTTON not in before
    assert "Monitoring report published on the Publication Scheme." in after
    client.logout()
    scheme = client.get(f"/publication-scheme/{policy.reference}/")
    assert scheme.status_code == 200 and SECTIONS["compliance"] in scheme.content.decode()


def test_an_official_report_of_a_policy_not_put_on_the_scheme_is_published_internally(client, people):
    # OFFICIAL and suitable, but PCU published the version in force on the intranet only: the Scheme has no page for
    # the policy, so none for its report.
    policy, report = _report(people, title="Vehicle checks")
    before, after = _publish(client, people, policy, report)
    assert INTERNAL_BUTTON in before and ON_SCHEME_BUTTON not in before
    assert "Monitoring report published to staff (not on the Publication Scheme: its policy is not published " \
           "there)." in after
    client.logout()
    assert client.get(f"/publication-scheme/{policy.reference}/").status_code == 404
