"""The monitoring pages refuse a period already reported, or longer than a report covers, with the reason at the
field and what was typed kept (never a 500); offer the year due; and let a draft started by mistake have its period
corrected or be discarded (assessments.services.monitoring_periods and monitoring_drafts; the rules in
test_monitoring_periods and test_monitoring_drafts)."""

from __future__ import annotations

import datetime
import html

import pytest

from assessments.models import MonitoringReport
from core.models import AuditEvent
from core.submissions import MONITORING_REPORT_CREATE
from lifecycle.states import Status
from tests.assessments.test_monitoring_dates import FIRST_DUE, PUBLISHED_ON, on
from tests.assessments.test_monitoring_periods import SECOND_DUE, fresh, publish_the_first_year, start
from tests.factories import reload, what_was_read_of_report
from tests.submissions import sent_once

pytestmark = pytest.mark.django_db

LATE = SECOND_DUE + datetime.timedelta(days=30)


@pytest.fixture
def policy(policy_in, people):
    with on(PUBLISHED_ON):
        policy = policy_in(Status.IMPLEMENTATION)
    return publish_the_first_year(policy, people)


def period(prefix: str, first: datetime.date, last: datetime.date) -> dict:
    return {f"{prefix}period_start-day": first.day, f"{prefix}period_start-month": first.month,
            f"{prefix}period_start-year": first.year, f"{prefix}period_end-day": last.day,
            f"{prefix}period_end-month": last.month, f"{prefix}period_end-year": last.year}


def test_a_period_already_reported_is_refused_at_the_field_with_what_was_typed_kept(client, policy, people):
    client.force_login(people.developer)
    with on(LATE):
        response = client.post(f"/policies/{policy.reference}/monitoring/",
                               {**period("", PUBLISHED_ON, FIRST_DUE), "compliance": "Dip samples typed here.",
                                **sent_once(people.developer, MONITORING_REPORT_CREATE)})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "overlaps the monitoring report for 10 January 2024 to 10 January 2025 (published)" in page
    assert 'name="period_start-year" type="text" value="2024"' in page.replace("\n", " ") or 'value="2024"' in page
    assert "Dip samples typed here." in page
    assert not policy.monitoring_reports.filter(status=MonitoringReport.Status.DRAFT).exists()
    assert reload(policy).monitoring_report_due_on == SECOND_DUE


def test_a_period_of_26_years_is_refused_not_a_500(client, policy, people):
    client.force_login(people.developer)
    with on(LATE):
        response = client.post(f"/policies/{policy.reference}/monitoring/",
                               {**period("", datetime.date(2000, 1, 1), datetime.date(2026, 2, 1)),
                                **sent_once(people.developer, MONITORING_REPORT_CREATE)})
    assert response.status_code == 400
    assert "longer than 13 months" in html.unescape(response.content.decode())


def test_the_form_offers_the_year_due(client, policy, people):
    client.force_login(people.developer)
    with on(LATE):
        page = client.get(f"/policies/{policy.reference}/monitoring/").content.decode()
    assert "The report due on 10 January 2026 covers 10 January 2025 to 10 January 2026." in page
    # QA walk (04): "6 September 2024 to 6 September 2025", then "6 September 2025 to 6 September 2026", under "Each
    # day is reported once": the date a period ends is the next one's first day, and the page says so.
    assert ("Each day is reported once, from the policy's first publication: a report covers the days up to the "
            "date its period ends, and the next report starts on that date.") in html.unescape(page)
    assert 'name="period_start-year" value="2025"' in page or 'value="2025"' in page


def test_the_author_corrects_the_period_of_a_draft_on_its_page(client, policy, people):
    with on(LATE):
        draft = start(policy, people, datetime.date(2025, 3, 1), datetime.date(2025, 9, 1))
        client.force_login(people.developer)
        url = f"/policies/{policy.reference}/monitoring/{draft.pk}/"
        refused = client.post(url, {"step": "period", **period("period-", PUBLISHED_ON, FIRST_DUE)})
        assert refused.status_code == 400
        page = html.unescape(refused.content.decode())
        assert "overlaps the monitoring report for 10 January 2024 to 10 January 2025" in page
        assert fresh(draft).period_start == datetime.date(2025, 3, 1)
        response = client.post(url, {"step": "period", **period("period-", FIRST_DUE, SECOND_DUE)})
    assert response.status_code == 302
    assert (fresh(draft).period_start, fresh(draft).period_end) == (FIRST_DUE, SECOND_DUE)


def test_the_author_discards_a_draft_on_its_page_and_may_start_again(client, policy, people):
    with on(LATE):
        draft = start(policy, people, datetime.date(2025, 3, 1), datetime.date(2025, 9, 1))
        client.force_login(people.coordinator)
        url = f"/policies/{policy.reference}/monitoring/{draft.pk}/"
        assert "Discard this draft" not in client.get(url).content.decode()
        client.force_login(people.developer)
        assert "Discard this draft" in client.get(url).content.decode()
        no_reason = client.post(url, {"step": "discard", "reason": "", **what_was_read_of_report(draft)})
        assert no_reason.status_code == 400
        assert "Say why you are discarding this report" in html.unescape(no_reason.content.decode())
        response = client.post(url, {"step": "discard", "reason": "Wrong period.", **what_was_read_of_report(draft)})
        assert response.status_code == 302
        assert fresh(draft).status == MonitoringReport.Status.DISCARDED
        listing = client.get(f"/policies/{policy.reference}/monitoring/").content.decode()
    assert "1 March 2025 to 1 September 2025" not in listing
    assert "Start a monitoring report" in listing
    assert AuditEvent.objects.filter(action="monitoring_report.discarded", object_id=str(draft.pk)).exists()
