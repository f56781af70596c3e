"""A monitoring report before PCU publishes it is a working document: its author, the co-ordinator who
quality-assures it, the Lead who responds and PCU read it; staff read published reports only (SOP, stage 6: the
report is quality-assured by the co-ordinator, then published; its Performance section is never published)."""

import datetime

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import MonitoringReport
from lifecycle.states import Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECTIONS = {"compliance": "Dip sample: 94% compliant.", "benefits": "Fewer complaints.",
            "diversity_impact": "None found.", "performance": "Charge rate ZEBRA24%."}


def test_staff_do_not_read_a_report_still_in_quality_assurance(client, people, policy_in):
    policy = policy_in(Status.MONITORING)
    report = services.monitoring_report_create(policy=policy, actor=people.developer,
                                               period_start=policy.first_published_on,
                                               period_end=policy.first_published_on + datetime.timedelta(days=30),
                                               **SECTIONS)
    services.monitoring_report_submit(report=report, actor=people.developer)
    assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.SUBMITTED
    page = reverse("assessments:monitoring_report", args=[policy.reference, report.pk])
    listing = reverse("assessments:monitoring", args=[policy.reference])

    client.force_login(UserFactory())
    assert client.get(reverse("lifecycle:detail", args=[policy.reference])).status_code == 200
    assert client.get(page).status_code == 404
    assert page not in client.get(listing).content.decode()

    for reader in (people.developer, people.coordinator, people.lead, people.pcu):
        client.force_login(reader)
        response = client.get(page)
        assert response.status_code == 200 and "ZEBRA24%" in response.content.decode(), reader
        assert page in client.get(listing).content.decode()

    services.monitoring_report_pass_qa(report=report, actor=people.coordinator)
    services.monitoring_report_publish(report=report, actor=people.pcu)
    client.force_login(UserFactory())
    assert client.get(page).status_code == 200
