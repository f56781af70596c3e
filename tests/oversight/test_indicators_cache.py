"""The Corporate Health Indicators kept in Redis under the audit chain's head (oversight.indicators_cache): the kept
figures are the computed ones; a new audit event (a policy moved) gives figures worked out afresh; one person's
figures are never read by someone who may see other policies; the page answers without Redis."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle.models import Policy
from lifecycle.services import people as people_services
from oversight.indicators import Period, Tally, corporate_health_indicators
from oversight.indicators_cache import audit_head, indicators_cached, indicators_forget_all
from tests.factories import advance_to, reload
from tests.oversight.history import build_history
from tests.oversight.scenario import build_world, on
from tests.oversight.tables import csv_rows, html_table

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)
PERIODS = [Period(datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)),
           Period(datetime.date(2025, 4, 1), datetime.date(2025, 6, 30)),
           Period(datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
           Period(datetime.date(2026, 1, 1), TODAY)]


def figure_statements(captured) -> list[str]:
    """The statements that read the policies or the audit trail's events for the figures: not the signed-in person's
    own statement (workspace.backends), whose unread count reads policies' markings for every page's header."""
    return [query["sql"] for query in captured.captured_queries
            if ('"core_auditevent"' in query["sql"] or 'FROM "lifecycle_policy"' in query["sql"])
            and not query["sql"].startswith('SELECT "core_user"."id", "core_user"."password"')]


def test_the_kept_figures_are_the_computed_ones(people):
    build_history(people)
    policies = Policy.objects.all()
    for period in PERIODS:
        computed = corporate_health_indicators(policies=policies, period=period, today=TODAY)
        worked_out = indicators_cached(policies=policies, period=period, today=TODAY)
        with CaptureQueriesContext(connection) as read_again:
            kept = indicators_cached(policies=policies, period=period, today=TODAY)
        assert kept == worked_out == computed, period
        # Read back from Redis: the audit chain's head, and nothing of the figures' statements.
        assert len(read_again.captured_queries) == 1 and not figure_statements(read_again), period
    # Stays, medians and counts all came back (Q2 2025: P3's 7 days in QA, 3 with the Lead, 4 awaiting publication).
    q2 = indicators_cached(policies=policies, period=PERIODS[1], today=TODAY).by_group[people.group.pk]
    assert (q2.median("qa"), q2.median("lead"), q2.median("publication")) == (7.0, 3.0, 4.0)


def test_the_page_and_its_exports_read_the_kept_figures(client, people):
    build_history(people)
    client.force_login(people.pcu)
    query = {"from": "2024-01-01", "to": "2024-03-31"}
    with on(TODAY):
        with CaptureQueriesContext(connection) as first:
            body = client.get("/dashboard/indicators/", query).content.decode()
        with CaptureQueriesContext(connection) as again:
            body_again = client.get("/dashboard/indicators/", query).content.decode()
        with CaptureQueriesContext(connection) as exported:
            csv = csv_rows(client.get("/dashboard/indicators/", {**query, "format": "csv"}))
    assert figure_statements(first) and not figure_statements(again) and not figure_statements(exported)
    assert html_table(body_again, "indicators") == html_table(body, "indicators")
    assert html_table(body_again, "trend-table") == html_table(body, "trend-table")
    assert csv == [[cell.replace("–", "") for cell in row] for row in html_table(body, "indicators")]


def test_a_new_audit_event_gives_figures_worked_out_afresh(client, people):
    """P3 (Territorial Policing, in force, in date) moves to Specialist Crime & Operations today: the figures of a
    period ending today count it there, the moment the move is committed, though the figures without it were kept."""
    history = build_history(people)
    cast2 = history.cast2
    period = Period(datetime.date(2026, 3, 1), TODAY)
    policies = Policy.objects.all()
    client.force_login(people.pcu)
    query = {"from": "2026-03-01", "to": TODAY.isoformat()}
    with on(TODAY):
        before = indicators_cached(policies=policies, period=period, today=TODAY)
        page_before = html_table(client.get("/dashboard/indicators/", query).content.decode(), "indicators")
        head_before = audit_head()
        people_services.policy_move_business_group(
            policy=reload(history.policies["P3"]), actor=people.pcu, business_group=people.group2,
            owning_unit=people.unit2, reason="SOP: PCU resolves boundary issues for ownership of policy.",
            holders={"designated_lead": cast2.lead, "coordinator": cast2.coordinator, "owner": cast2.owner,
                     "policy_manager": cast2.manager, "developer": cast2.developer})
        assert audit_head() != head_before
        after = indicators_cached(policies=policies, period=period, today=TODAY)
        page_after = html_table(client.get("/dashboard/indicators/", query).content.decode(), "indicators")
    assert after == corporate_health_indicators(policies=policies, period=period, today=TODAY) != before
    tp_before, sco_before = before.by_group[people.group.pk], before.by_group[people.group2.pk]
    tp_after, sco_after = after.by_group.get(people.group.pk, Tally()), after.by_group[people.group2.pk]
    assert (tp_before.in_force, sco_before.in_force) == (1, 1)  # P3; P1 (moved in February)
    assert (tp_after.in_force, sco_after.in_force) == (0, 2)
    assert after.force.in_force == before.force.in_force
    # The page: Specialist Crime & Operations first (by name), then Territorial Policing, then the force.
    assert [row[:2] for row in page_before[1:3]] == [["Specialist Crime & Operations", str(sco_before.in_force)],
                                                     ["Territorial Policing", str(tp_before.in_force)]]
    assert [row[:2] for row in page_after[1:3]] == [["Specialist Crime & Operations", str(sco_after.in_force)],
                                                    ["Territorial Policing", str(tp_after.in_force)]]


def test_one_persons_figures_are_never_read_by_another(client, people):
    """PCU see Specialist Crime & Operations' OFFICIAL-SENSITIVE policy S; Territorial Policing's Lead, who also sees
    the force, is not cleared for it. PCU's figures are kept first: the Lead's still leave S out. A second member of
    PCU, whose statement is PCU's, reads PCU's; each co-ordinator gets their own business group's."""
    build_world(people)
    query = {"from": "2026-01-01", "to": TODAY.isoformat()}

    def table(user, **extra):
        client.force_login(user)
        return html_table(client.get("/dashboard/indicators/", {**query, **extra}).content.decode(), "indicators")

    with on(TODAY):
        pcu = table(people.pcu)
        lead = table(people.lead)
        with CaptureQueriesContext(connection) as second_pcu:
            pcu_qa = table(people.pcu_qa)
        coordinator = table(people.coordinator)
        coordinator2 = table(people.coordinator2)
        coordinator_asks_for_sco = table(people.coordinator, business_group=people.group2.pk)
    sco = "Specialist Crime & Operations"
    # In force at the end: J and S for PCU (K withdrawn); J alone for the Lead.
    assert [row[:2] for row in pcu if row[0] == sco] == [[sco, "2"]]
    assert [row[:2] for row in lead if row[0] == sco] == [[sco, "1"]]
    assert pcu_qa == pcu and not figure_statements(second_pcu)
    assert [row[0] for row in coordinator] == ["Business group", "Territorial Policing"]
    assert [row[0] for row in coordinator2] == ["Business group", sco]
    assert coordinator2[1][1] == "2"  # J and S: Specialist Crime & Operations' co-ordinator is cleared for S
    assert coordinator_asks_for_sco == coordinator


def test_the_page_answers_when_the_cache_is_unavailable(client, people, settings, caplog):
    build_history(people)
    client.force_login(people.pcu)
    query = {"from": "2024-01-01", "to": "2024-03-31"}
    with on(TODAY):
        expected = html_table(client.get("/dashboard/indicators/", query).content.decode(), "indicators")
        # Nothing listens on port 1: every read and write of the cache fails.
        settings.CACHES = {**settings.CACHES, "indicators": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
        with caplog.at_level(logging.WARNING, logger="oversight.indicators_cache"):
            response = client.get("/dashboard/indicators/", query)
    assert response.status_code == 200
    assert html_table(response.content.decode(), "indicators") == expected
    assert "not read from the cache" in caplog.text and "not kept in the cache" in caplog.text


# The session, the person (with their roles), their business groups, the audit chain's head; cold, also the policies
# without a history counted and the two streams of those with one (a co-ordinator's moved policies are read inside
# those statements). Measured, for PCU and a co-ordinator.
COLD_QUERIES = 7
WARM_QUERIES = 4


def test_the_page_s_queries_are_pinned_and_do_not_grow(client, people):
    def count(user) -> tuple[int, int]:
        client.force_login(user)
        indicators_forget_all()
        with CaptureQueriesContext(connection) as cold:
            assert client.get("/dashboard/indicators/", {"from": "2024-01-01", "to": "2026-03-01"}).status_code == 200
        with CaptureQueriesContext(connection) as warm:
            client.get("/dashboard/indicators/", {"from": "2024-01-01", "to": "2026-03-01"})
        return len(cold.captured_queries), len(warm.captured_queries)

    with on(datetime.date(2023, 1, 10)):
        advance_to(people.policy(title="The only one"), "implementation", people)
    with on(TODAY):
        one = {user.username: count(user) for user in (people.pcu, people.coordinator)}
    build_history(people)
    with on(TODAY):
        more = {user.username: count(user) for user in (people.pcu, people.coordinator)}
    assert one == {"pcu": (COLD_QUERIES, WARM_QUERIES), "coordinator": (COLD_QUERIES, WARM_QUERIES)}
    # One more for the co-ordinator, once, whatever the numbers: P1, moved out of their group in February, is counted
    # under its new group on the days after, whose name is read for the table (oversight.views.indicators_tables).
    assert more == {"pcu": (COLD_QUERIES, WARM_QUERIES), "coordinator": (COLD_QUERIES + 1, WARM_QUERIES + 1)}
