"""The rules oversight adds to lifecycle.due and lifecycle.deadlines (issue 15): the stuck threshold in working days,
as the chase counts them, and the register's new filters refusing nonsense politely."""

from __future__ import annotations

import datetime

import pytest

from lifecycle import deadlines
from lifecycle.deadlines import stuck_cutoff, working_days_after

pytestmark = pytest.mark.django_db


def test_the_stuck_cutoff_is_the_stage_deadline_in_working_days():
    monday = datetime.date(2026, 3, 2)
    # Ten working days after Friday 13 February, or the weekend after it, is Friday 27 February; after Monday
    # 16 February it is Monday 2 March: on that Monday, work waiting since the 16th or before is stuck.
    assert working_days_after(datetime.date(2026, 2, 13), 10) == datetime.date(2026, 2, 27)
    assert working_days_after(datetime.date(2026, 2, 15), 10) == datetime.date(2026, 2, 27)
    assert working_days_after(datetime.date(2026, 2, 16), 10) == datetime.date(2026, 3, 2)
    assert stuck_cutoff(monday, 10) == datetime.date(2026, 2, 16)
    assert working_days_after(stuck_cutoff(monday, 10) + datetime.timedelta(days=1), 10) > monday
    # One working day: what started waiting on the Friday or over the weekend is stuck on the Monday.
    assert stuck_cutoff(datetime.date(2026, 3, 2), 1) == datetime.date(2026, 3, 1)
    # The dashboard's stages are the declared deadlines (which the chase reads: tests/lifecycle/test_stage_deadlines):
    # each status's, and a withdrawal decided, which is waited on whatever the status (tests/lifecycle/
    # test_withdrawal_deadline).
    assert (*deadlines.STAGE_DEADLINES, deadlines.WITHDRAWAL) == deadlines.STUCK_STAGES
    assert all(deadlines.STUCK_BY_KEY[stage.key] is deadlines.DEADLINE_OF_STATUS[stage.status]
               for stage in deadlines.STAGE_DEADLINES)


@pytest.mark.parametrize("query", [
    {"rag": "purple"}, {"stuck": "forever"}, {"monitoring_status": "'; DROP TABLE"}, {"orphaned": "maybe"},
    {"emergency_eia": "x" * 500}, {"review_status": "overdue", "rag": "red", "stuck": "qa", "format": "pdf"},
])
def test_nonsense_in_the_register_filters_is_left_out_not_an_error(client, people, query):
    client.force_login(people.coordinator)
    response = client.get("/policies/", query)
    assert response.status_code == 200
    for export in ("csv", "xlsx"):
        assert client.get("/policies/", {**query, "format": export}).status_code == 200
