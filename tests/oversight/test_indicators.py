"""Corporate Health Indicators (issue 15): computed from the audit trail and the due dates; a past period gives the
figures as they stood then (checked against the live figures read on the day while the history was built)."""

from __future__ import annotations

import datetime

import pytest

from lifecycle.models import Policy
from oversight.indicators import Period, _local_date, corporate_health_indicators
from tests.module_data import module_data, part
from tests.oversight.history import build_history
from tests.oversight.scenario import on
from tests.oversight.tables import assert_same_table, csv_rows, html_table, xlsx_rows

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)


# Built once for the module (tests/module_data.py); each test reads a fresh copy. (The tests that need no history, or
# a history of their own, are in test_indicators_alone.py.)
built, built_copy = module_data(lambda people: (people, build_history(people)))
people, history = part(0), part(1)


def indicators(start, end):
    return corporate_health_indicators(policies=Policy.objects.all(), period=Period(start, end), today=TODAY)


def test_a_past_period_gives_the_figures_as_they_stood_then(history, people):
    assert history.live[datetime.date(2026, 1, 31)] == {people.group.pk: (2, 1)}
    assert history.live[datetime.date(2026, 2, 28)] == {people.group.pk: (1, 1), people.group2.pk: (1, 1)}
    for day, live in history.live.items():
        result = indicators(day.replace(day=1), day)
        replayed = {group: (tally.in_force, tally.in_force - tally.in_date)
                    for group, tally in result.by_group.items() if tally.in_force}
        assert replayed == live, day
        # The month's point of the trend is the same figure.
        month = result.trend[-1][1]
        assert (month.in_force, month.in_force - month.in_date) == tuple(map(sum, zip(*live.values(), strict=True)))


def test_monitoring_reports_on_time(history, people):
    result = indicators(datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))
    tp, sco = result.by_group[people.group.pk], result.by_group[people.group2.pk]
    assert (tp.monitoring_due, tp.monitoring_on_time, tp.on_time_percent) == (1, 1, 100.0)
    assert (sco.monitoring_due, sco.monitoring_on_time, sco.on_time_percent) == (1, 0, 0.0)
    assert result.force.on_time_percent == 50.0
    # January's due date was met, February's was not.
    by_month = dict(result.trend)
    assert by_month[datetime.date(2024, 1, 1)].on_time_percent == 100.0
    assert by_month[datetime.date(2024, 2, 1)].on_time_percent == 0.0
    assert by_month[datetime.date(2024, 3, 1)].on_time_percent is None


def test_a_report_never_submitted_is_not_on_time(history, people):
    """The submission that answered last year's report set this year's date, on the same day: it answers last
    year's report only. (QA crawl: a report never submitted was counted 100% on time, because the previous one's
    submission fell between the day its date was set and the date.) P1's and P2's second reports, due 10 January
    and 1 February 2025, were never submitted."""
    result = indicators(datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
    tp, sco = result.by_group[people.group.pk], result.by_group[people.group2.pk]
    assert (tp.monitoring_due, tp.monitoring_on_time, tp.on_time_percent) == (1, 0, 0.0)
    assert (sco.monitoring_due, sco.monitoring_on_time, sco.on_time_percent) == (1, 0, 0.0)
    by_month = dict(result.trend)
    assert (by_month[datetime.date(2025, 1, 1)].monitoring_due, by_month[datetime.date(2025, 1, 1)].on_time_percent) \
        == (1, 0.0)


def test_median_days_in_each_stage_and_the_counts(history, people):
    q2 = indicators(datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))
    tp = q2.by_group[people.group.pk]
    assert (tp.median("qa"), tp.median("lead"), tp.median("publication")) == (7.0, 3.0, 4.0)
    q3 = indicators(datetime.date(2025, 7, 1), datetime.date(2025, 9, 30))
    sco = q3.by_group[people.group2.pk]
    assert (sco.emergency_approvals, sco.withdrawals, sco.in_force) == (1, 1, 0)
    assert (q3.force.emergency_approvals, q3.force.withdrawals) == (1, 1)
    tp = q3.by_group[people.group.pk]
    assert (tp.in_force, tp.in_date_percent, tp.median("qa")) == (2, 100.0, None)


def test_the_page_and_its_exports_agree_cell_by_cell(client, history, people):
    client.force_login(people.pcu)
    query = {"from": "2024-01-01", "to": "2024-03-31"}
    with on(TODAY):
        body = client.get("/dashboard/indicators/", query).content.decode()
        page = html_table(body, "indicators")
        assert page[0][:3] == ["Business group", "Policies in force at the end", "Policies in date (%)"]
        assert page[1] == ["Specialist Crime & Operations", "1", "100.0", "1", "0.0", "–", "–", "–", "0", "0"]
        assert page[2] == ["Territorial Policing", "1", "100.0", "1", "100.0", "–", "–", "–", "0", "0"]
        assert page[3][0] == "Force-wide" and page[3][4] == "50.0"
        exported = xlsx_rows(client.get("/dashboard/indicators/", {**query, "format": "xlsx"}))
        assert_same_table(page, exported)
        # Typed: counts are numbers, percentages numbers, an empty median an empty cell.
        assert exported[1][1] == 1 and exported[1][2] == 100.0 and exported[1][5] is None
        assert csv_rows(client.get("/dashboard/indicators/", {**query, "format": "csv"})) == [
            [cell.replace("–", "") for cell in row] for row in page]
        trend_page = html_table(body, "trend-table")
        trend = xlsx_rows(client.get("/dashboard/indicators/", {**query, "format": "xlsx", "table": "trend"}))
        assert isinstance(trend[1][0], datetime.datetime)
        assert_same_table(trend_page, trend, date_format="%B %Y")


def test_each_role_sees_its_own_scope(client, history, people):
    query = {"from": "2024-01-01", "to": "2024-03-31"}
    with on(TODAY):
        client.force_login(people.coordinator)
        body = client.get("/dashboard/indicators/", query).content.decode()
        assert [row[0] for row in html_table(body, "indicators")] == ["Business group", "Territorial Policing"]
        body = client.get("/dashboard/indicators/", {**query, "business_group": people.group2.pk}).content.decode()
        assert "You can see the figures of Territorial Policing only, so those are shown." in body
        assert [row[0] for row in html_table(body, "indicators")] == ["Business group", "Territorial Policing"]
        exported = xlsx_rows(client.get("/dashboard/indicators/", {**query, "business_group": people.group2.pk,
                                                                    "format": "xlsx"}))
        assert [row[0] for row in exported] == ["Business group", "Territorial Policing"]
        # January 2026, as it stood then: P1 was still Territorial Policing's (moved in February), overdue, and P3
        # in date (its review was brought forward in February).
        body = client.get("/dashboard/indicators/", {"from": "2026-01-01", "to": "2026-01-31"}).content.decode()
        assert html_table(body, "indicators")[1][:3] == ["Territorial Policing", "2", "50.0"]
        assert html_table(body, "trend-table")[-1][:4] == ["January 2026", "2", "1", "50.0"]
        client.force_login(people.developer)
        assert client.get("/dashboard/indicators/", query).status_code == 403


@pytest.mark.parametrize(("moment", "day"), [
    # British Summer Time: half past eleven at night UTC is the next morning in London.
    (datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC), datetime.date(2026, 7, 1)),
    # Greenwich Mean Time: the same day.
    (datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC), datetime.date(2026, 12, 31)),
    (datetime.datetime(2026, 3, 29, 0, 30, tzinfo=datetime.UTC), datetime.date(2026, 3, 29)),
])
def test_an_event_counts_on_the_day_it_happened_in_london(moment, day):
    """The indicators count each event on the force's own calendar day (settings.TIME_ZONE), as every page shows it."""
    assert _local_date(moment) == day
