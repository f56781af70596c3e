"""Corporate Health Indicators (issue 15) on a database holding no history, or a history of the test's own (apart from
test_indicators.py, whose history is built once for its module)."""

from __future__ import annotations

import datetime

import pytest

from assessments.services import monitoring_report_create, monitoring_report_return, monitoring_report_submit
from lifecycle.models import Policy
from oversight.indicators import Period, corporate_health_indicators
from tests.factories import advance_to, reload
from tests.oversight.history import SECTIONS
from tests.oversight.scenario import on

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


def indicators(start, end):
    return corporate_health_indicators(policies=Policy.objects.all(), period=Period(start, end), today=TODAY)


def test_a_report_returned_after_its_date_is_late_and_counted_once(people):
    """Submitted a week early, returned by the co-ordinator a week after its date (which makes the date due again,
    assessments.services.monitoring_report_return) and submitted again a fortnight late: one report due, late."""
    with on(datetime.date(2023, 1, 10)):
        policy = advance_to(people.policy(title="Returned report"), "implementation", people)
    due = reload(policy).monitoring_report_due_on
    with on(due - datetime.timedelta(days=7)):
        report = monitoring_report_create(policy=reload(policy), actor=people.developer,
                                          period_start=due - datetime.timedelta(days=365),
                                          period_end=due - datetime.timedelta(days=8), **SECTIONS)
        monitoring_report_submit(report=report, actor=people.developer)
    with on(due + datetime.timedelta(days=7)):
        monitoring_report_return(report=report, actor=people.coordinator, comments="Add the equality data.")
    with on(due + datetime.timedelta(days=14)):
        monitoring_report_submit(report=report, actor=people.developer)
    month = indicators(due.replace(day=1), due.replace(day=28)).force
    assert (month.monitoring_due, month.monitoring_on_time) == (1, 0)


@pytest.mark.parametrize(("query", "message"), [
    ({"from": "yesterday", "to": "2024-03-31"}, "“<span class=\"app-user-text\">yesterday</span>” is not a date: "
                                                "choose the start of the period in the From box"),
    ({"from": "2024-03-31", "to": "2024-01-01"}, "The start of the period must be the same as or before its end"),
    ({"from": "2026-01-01", "to": "2027-01-01"}, "The period must end today or earlier"),
    # Five years to 1 January 2026 start on 2 January 2021 (366 x 5 days reached back to 28 December 2020, a period
    # longer than the five years it said: found by the twelfth session's Chromium walk).
    ({"from": "1900-01-01", "to": "2026-01-01"}, "A period can be at most five years, so it starts on 2 January 2021."),
    ({"from": "2024-13-45"}, "is not a date"),
    ({"to": "<script>alert(1)</script>"}, "“<span class=\"app-user-text\">&lt;script&gt;alert(1)&lt;/script&gt;"
                                          "</span>” is not a date"),
])
def test_bad_periods_get_a_clear_message_never_an_error(client, people, query, message):
    client.force_login(people.pcu)
    with on(TODAY):
        for path in ("/dashboard/indicators/", "/dashboard/report/"):
            response = client.get(path, query)
            assert response.status_code == 200
            assert message in response.content.decode()
        assert client.get("/dashboard/indicators/", {**query, "format": "csv"}).status_code == 200


def test_an_empty_period_shows_an_empty_state(client, people):
    client.force_login(people.pcu)
    with on(TODAY):
        body = client.get("/dashboard/indicators/", {"from": "2010-01-01", "to": "2010-03-31"}).content.decode()
        assert 'id="indicators-empty"' in body and 'id="indicators"' not in body
        body = client.get("/dashboard/report/", {"from": "2010-01-01", "to": "2010-03-31"}).content.decode()
        assert 'id="report-empty"' in body
