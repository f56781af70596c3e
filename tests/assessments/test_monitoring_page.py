"""The monitoring page offers a new report only when one can be started. One report is worked on at a time
(assessments.services.monitoring_report_create refuses a second while one is in progress), so while a report is
drafted, with the co-ordinator or waiting for publication, the page says which and links to it, instead of a form
that would be refused once filled in. And the next report's date reads as the rest of the service reads a date:
overdue once it has passed."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

from assessments.models import MonitoringReport
from core.submissions import MONITORING_REPORT_CREATE
from lifecycle.states import Status
from tests.assessments.test_monitoring_dates import FIRST_DUE, PUBLISHED_ON, on, write_and_submit
from tests.submissions import sent_once

pytestmark = pytest.mark.django_db

START_FORM = "Start a monitoring report"


@pytest.fixture
def published(policy_in):
    """Published on 10 January 2024: its first monitoring report due on 10 January 2025."""
    with on(PUBLISHED_ON):
        return policy_in(Status.IMPLEMENTATION)


def page(client, policy, user):
    client.force_login(user)
    response = client.get(f"/policies/{policy.reference}/monitoring/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_report_in_progress_is_named_and_linked_instead_of_a_form_that_would_be_refused(client, published, people):
    with on(FIRST_DUE + datetime.timedelta(days=20)):
        assert START_FORM in page(client, published, people.developer)
        report = write_and_submit(client, published, people, start=datetime.date(2024, 1, 10),
                                  end=datetime.date(2025, 1, 9))
        html = page(client, published, people.developer)
    assert START_FORM not in html and 'id="main-form"' not in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "The report for 10 January 2024 to 9 January 2025 is with the co-ordinator for quality assurance" in text
    assert f'href="/policies/{published.reference}/monitoring/{report.pk}/"' in html
    assert "A new report can be started once it is published." in text


def test_a_stale_form_is_still_refused_with_what_was_typed_kept(client, published, people):
    """QA walk: a second tab's "Start a monitoring report", posted after a report was started, was refused with no
    link to the report in progress, and the form offered again. The refusal links to that report, offers no form,
    and shows what was typed."""
    with on(FIRST_DUE + datetime.timedelta(days=20)):
        report = write_and_submit(client, published, people, start=datetime.date(2024, 1, 10),
                                  end=datetime.date(2025, 1, 9))
        response = client.post(f"/policies/{published.reference}/monitoring/", {
            "period_start-day": 10, "period_start-month": 1, "period_start-year": 2025,
            "period_end-day": 9, "period_end-month": 1, "period_end-year": 2026, "compliance": "Typed before.",
            **sent_once(people.developer, MONITORING_REPORT_CREATE)})
    html = response.content.decode()
    assert response.status_code == 409
    summary = html.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert "This policy already has a monitoring report in progress" in summary
    assert f'href="/policies/{published.reference}/monitoring/{report.pk}/"' in summary
    assert START_FORM not in html and 'id="main-form"' not in html
    assert "Typed before." in html
    assert MonitoringReport.objects.filter(policy=published).count() == 1


def test_the_next_report_date_says_when_it_is_overdue(client, published, people):
    with on(FIRST_DUE - datetime.timedelta(days=60)):
        assert "Next report due: <strong>10 January 2025</strong>." in page(client, published, people.developer)
    with time_machine.travel(datetime.datetime(2025, 1, 15, 11, 0, tzinfo=datetime.UTC), tick=False):
        html = page(client, published, people.developer)
    assert "Next report due: <strong>10 January 2025</strong>, overdue by 5 days." in html
