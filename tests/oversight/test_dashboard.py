"""/dashboard/ (issue 15): each role's scope against a hand-built history, every figure's drill-down, bad input,
the query count."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from core.models import Role
from lifecycle.due import RAG_RULES
from oversight.scope import oversight_scope
from oversight.selectors import FIGURES, ITEM_FIGURES, dashboard_figures, scoped_policies
from tests.factories import user_with_role
from tests.oversight.scenario import (
    SCO_FIGURES_LEAD,
    SCO_FIGURES_PCU,
    TODAY,
    TP_FIGURES,
    TP_POLICIES,
    on,
)

pytestmark = pytest.mark.django_db
ITEM_KEYS = {figure.key for figure in ITEM_FIGURES}




@pytest.fixture
def people(world):
    return world.people


def figure_table(body: str) -> dict[str, list[tuple[int, str]]]:
    """{figure key: [(count, link or ""), ...]} from the page's table of figures."""
    table = {}
    for key, row in re.findall(r'<tr class="govuk-table__row" data-figure="([a-z_]+)">(.*?)</tr>', body, re.S):
        if key in ITEM_KEYS:  # not policies: tests/oversight/test_items.py
            continue
        cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(.*?)</td>', row, re.S)
        parsed = []
        for cell in cells:
            link = re.search(r'href="([^"]+)">(\d+)', cell)
            parsed.append((int(link.group(2)), unescape(link.group(1))) if link
                          else (int(re.sub(r"<.*", "", cell)), ""))
        table[key] = parsed
    return table


def register_count(client, url: str) -> int:
    body = client.get(url).content.decode()
    return int(re.search(r'id="result-count" role="status">(\d+) polic', body).group(1))


def assert_drill_downs_match(client, table):
    for key, cells in table.items():
        for count, url in cells:
            assert url, f"{key}: no link"
            assert register_count(client, url) == count, (key, url)


def test_the_coordinator_sees_their_group_and_every_figure_lists_as_many(client, world, people):
    client.force_login(people.coordinator)
    with on(TODAY):
        body = client.get("/dashboard/").content.decode()
        assert "Policies of Territorial Policing" in body
        table = figure_table(body)
        assert set(table) == {figure.key for figure in FIGURES}
        assert {key: cells[0][0] for key, cells in table.items()} == TP_FIGURES
        assert all(len(cells) == 1 for cells in table.values())
        counted = body.split("Policies counted</th>")[1].split("</tr>")[0]
        assert re.findall(r">(\d+)</td>", counted) == [str(TP_POLICIES)]
        assert_drill_downs_match(client, table)
        # The drill-down of the overdue reviews is A, and only A.
        overdue = client.get(table["review_overdue"][0][1]).content.decode()
        assert world.ref("A") in overdue and world.ref("B") not in overdue
        # Specialist Crime & Operations' policies are nowhere on the page.
        for name in ("J", "S", "K"):
            assert world.ref(name) not in body


def test_pcu_sees_the_force_broken_down_by_group(client, world, people):
    client.force_login(people.pcu)
    with on(TODAY):
        body = client.get("/dashboard/").content.decode()
        assert "Policies of the force" in body
        table = figure_table(body)
        # Columns: Specialist Crime & Operations, Territorial Policing (by name), the force.
        assert {key: [c[0] for c in cells] for key, cells in table.items()} == {
            key: [SCO_FIGURES_PCU[key], TP_FIGURES[key], SCO_FIGURES_PCU[key] + TP_FIGURES[key]] for key in TP_FIGURES}
        assert_drill_downs_match(client, table)
        # The force's total links to the register without a business group.
        assert "business_group" not in table["review_overdue"][2][1]


def test_a_lead_sees_the_force_but_not_what_they_are_not_cleared_for(client, world, people):
    client.force_login(people.lead)
    with on(TODAY):
        body = client.get("/dashboard/").content.decode()
        table = figure_table(body)
        sco, tp = SCO_FIGURES_LEAD, TP_FIGURES
        assert {key: [c[0] for c in cells] for key, cells in table.items()} == {
            key: [sco[key], tp[key], sco[key] + tp[key]] for key in TP_FIGURES}
        assert world.ref("S") not in body
        assert_drill_downs_match(client, table)


def test_an_owner_sees_the_force_and_may_focus_on_one_group(client, world, people):
    client.force_login(people.owner)
    with on(TODAY):
        body = client.get(f"/dashboard/?business_group={people.group2.pk}").content.decode()
        assert "Policies of Specialist Crime &amp; Operations" in body
        table = figure_table(body)
        assert {key: cells[0][0] for key, cells in table.items()} == SCO_FIGURES_LEAD
        assert all(len(cells) == 1 for cells in table.values())
        assert_drill_downs_match(client, table)


@pytest.mark.parametrize("asked", ["group2", "999999", "abc", "1 OR 1=1", ""])
def test_a_coordinator_asking_for_another_group_gets_their_own(client, world, people, asked):
    value = str(people.group2.pk) if asked == "group2" else asked
    client.force_login(people.coordinator)
    with on(TODAY):
        response = client.get("/dashboard/", {"business_group": value})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Policies of Territorial Policing" in body
        assert {key: cells[0][0] for key, cells in figure_table(body).items()} == TP_FIGURES
        if value:
            assert "You can see the figures of Territorial Policing only, so those are shown." in body
        else:
            assert 'id="scope-message"' not in body
        for export in ("csv", "xlsx"):
            exported = client.get("/dashboard/", {"business_group": value, "format": export})
            assert exported.status_code == 200
            content = b"".join(exported.streaming_content) if exported.streaming else exported.getvalue()
            assert b"Specialist Crime" not in content


def test_force_viewers_get_the_force_for_an_unknown_group(client, world, people):
    client.force_login(people.pcu)
    with on(TODAY):
        body = client.get("/dashboard/?business_group=nonsense").content.decode()
        assert "That business group was not found, so the whole force is shown." in body
        assert "Policies of the force" in body


def test_no_dashboard_for_staff_without_an_oversight_role(client, world, people):
    for user in (people.developer, people.manager, people.dcfd, people.shrmt):
        client.force_login(user)
        response = client.get("/dashboard/")
        assert response.status_code == 403
        assert "The oversight dashboard is for business group policy co-ordinators" in response.content.decode()
        assert 'id="dashboard-link"' not in client.get("/").content.decode()
    for user in (people.coordinator, people.lead, people.owner, people.pcu):
        client.force_login(user)
        assert 'href="/dashboard/" id="dashboard-link"' in client.get("/").content.decode()


def test_the_attention_list_shows_each_colour_and_why(client, world, people):
    client.force_login(people.coordinator)
    with on(TODAY):
        body = client.get("/dashboard/").content.decode()
    attention = body.split('id="attention"')[1].split("<tbody")[1].split("</table>")[0]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", attention, re.S)
    colours = [re.search(r"govuk-tag--(red|orange)", row).group(1) for row in rows]
    assert colours == ["red"] * 2 + ["orange"] * 6
    assert world.ref("A") in rows[0] and "Overdue by 51 days" in rows[0]
    assert world.ref("G") not in attention
    orphan = next(row for row in rows if world.ref("I") in row)
    assert "A leaver is still named on it" in orphan
    rules = body.split('id="rag-rules"')[1].split("</dl>")[0]
    for colour, rule in RAG_RULES.items():
        assert f'app-rag-tag">{colour.label}</strong></dt>' in rules
        assert escape(rule) in rules


def test_the_dashboard_costs_the_same_whatever_the_data(client, world, people, django_assert_max_num_queries):
    def load(user):
        client.force_login(user)
        with on(TODAY), django_assert_max_num_queries(12):
            assert client.get("/dashboard/").status_code == 200

    for user in (people.coordinator, people.pcu, people.lead):
        load(user)
    # Twice the policies, a new business group with its co-ordinator: still at most 12.
    from tests.factories import BusinessGroupFactory, UnitFactory
    group3 = BusinessGroupFactory(name="Met Operations", code="mo")
    UnitFactory(business_group=group3, name="Aviation")
    user_with_role(Role.COORDINATOR, group3, username="coordinator3")
    build_more = [people.policy(title=f"More {n}") for n in range(10)]
    assert len(build_more) == 10
    for user in (people.coordinator, people.pcu, people.lead):
        load(user)


def test_the_figures_and_the_pipeline_ask_each_rule_once_per_policy(client, world, people):
    """make bench, PCU's 100,000 policies: the figures took ~360 ms, a FILTER per figure asking its rules again (the
    leavers' five hashed probes for the orphaned, amber and green figures: fifteen a policy; the scheduled
    publications for each stage's figure and the colours), and the pipeline read the policies again. One statement
    groups the policies by business group, status and their answer to each of lifecycle.due's conditions, each asked
    once; the figures and the pipeline are read from its rows."""
    client.force_login(people.pcu)
    with on(TODAY), CaptureQueriesContext(connection) as captured:
        assert client.get("/dashboard/").status_code == 200
    grouped = [query["sql"] for query in captured.captured_queries if 'COUNT("lifecycle_policy"."id")' in query["sql"]]
    assert len(grouped) == 1, grouped
    assert grouped[0].count('"lifecycle_policy_developers"') == 1
    assert grouped[0].count('"publication_publication"') == 1


@pytest.mark.parametrize("viewer", ["pcu", "lead", "coordinator"])
def test_each_figure_counts_the_policies_its_own_rule_selects(world, people, viewer):
    """The figures are read from each policy's answers to lifecycle.due's conditions (RAG_PARTS) and its status: the
    same policies as each figure's rule, the register's filter, selects."""
    user = getattr(people, viewer)
    with on(TODAY):
        today = timezone.localdate()
        scope = oversight_scope(user, None)
        totals = dashboard_figures(user=user, scope=scope, today=today)["totals"]
        policies = scoped_policies(user=user, scope=scope)
        assert {figure.key: totals[figure.key] for figure in FIGURES} == {
            figure.key: policies.filter(figure.condition(today)).count() for figure in FIGURES}
        assert totals["policies"] == policies.count()
