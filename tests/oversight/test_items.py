"""The dashboard's figures that are not policies (issue 15): remedial actions overdue (the Lead's response to a
monitoring report, issue 13) and acknowledgement rates (issue 14). Each role's scope against a hand-built history
(time-machine), each figure's drill-down list counting as many, the lists' exports compared cell by cell, bad input."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from acknowledgements.models import Acknowledgement, AcknowledgementAudience
from acknowledgements.selectors import outstanding_people, profiles_of
from acknowledgements.services import acknowledgement_confirm
from assessments import services as assessment_services
from core.models import User
from lifecycle.states import ProtectiveMarking, Status
from oversight.selectors import ITEM_FIGURES
from oversight.views import ACKNOWLEDGEMENT_HEADER, REMEDIAL_HEADER
from tests.factories import advance_to, reload
from tests.library.helpers import published, staff
from tests.module_data import module_data, part
from tests.oversight.scenario import cast_of_group2, on
from tests.oversight.tables import assert_same_table, csv_rows, html_table, xlsx_rows
from tests.page_cost import queries_compiled

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 10)
RESPONDED_ON = datetime.date(2025, 1, 20)
TODAY = datetime.date(2025, 4, 1)
SECTIONS = {"compliance": "Dip sample of 120 stops.", "benefits": "Complaints down 4%.",
            "diversity_impact": "Stops of young black men 2.1 times the rate."}
ITEM_KEYS = [figure.key for figure in ITEM_FIGURES]


def remedial(policy, cast, *, due: datetime.date, what: str, done_on: datetime.date | None = None):
    """A quality-assured monitoring report of ``policy`` and its Lead's response: a remedial action due on ``due``
    (recorded as done on ``done_on``)."""
    with on(RESPONDED_ON):
        report = assessment_services.monitoring_report_create(
            policy=policy, actor=cast.developer, period_start=PUBLISHED_ON, period_end=datetime.date(2025, 1, 9),
            **SECTIONS)
        assessment_services.monitoring_report_submit(report=report, actor=cast.developer)
        assessment_services.monitoring_report_pass_qa(report=report, actor=cast.coordinator, comments="Clear.")
        response = assessment_services.monitoring_report_respond(
            policy=reload(policy), actor=cast.lead, report=report, outcome="remedial", reasons="Grounds missing.",
            remedial_action=what, remedial_owner=cast.developer, remedial_due_on=due)
    if done_on is not None:
        with on(done_on):
            assessment_services.monitoring_remedial_action_complete(response=response, actor=cast.developer,
                                                                    outcome="Done.")
    return response


def build_remedial_world(people, cast2):
    """Territorial Policing: A's action overdue since 2025-03-01; B's due 2025-06-01 (not yet); C's was due
    2025-02-01 but done. Specialist Crime & Operations: J's overdue since 2025-03-15, S's (OFFICIAL-SENSITIVE)
    overdue since 2025-02-20."""
    made = {}
    with on(PUBLISHED_ON):
        for name in "ABC":
            made[name] = advance_to(people.policy(title=f"Policy {name}"), Status.MONITORING, people)
        made["J"] = advance_to(_policy_of(cast2, "Policy J"), Status.MONITORING, cast2)
        made["S"] = advance_to(_policy_of(cast2, "Policy S", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                                          suitable_for_publication_scheme=False), Status.MONITORING, cast2)
    remedial(made["A"], people, due=datetime.date(2025, 3, 1), what="Brief every response team.")
    remedial(made["B"], people, due=datetime.date(2025, 6, 1), what="Revise the form.")
    remedial(made["C"], people, due=datetime.date(2025, 2, 1), what="Retrain.", done_on=datetime.date(2025, 1, 30))
    remedial(made["J"], cast2, due=datetime.date(2025, 3, 15), what="Audit the custody records.")
    remedial(made["S"], cast2, due=datetime.date(2025, 2, 20), what="Re-vet the unit.")
    return made


def _policy_of(cast, title, **fields):
    return cast.policy(title=title, actor=cast.developer, business_group=cast.group, owning_unit=cast.unit,
                       designated_lead=cast.lead, coordinator=cast.coordinator, owner=cast.owner,
                       policy_manager=cast.manager, developers=[cast.developer], **fields)


def build_items(people):
    """Both kinds of items (``build_remedial_world``, then ``build_acknowledged``), built once for the module
    (tests/module_data.py); each test reads a fresh copy. (The test of a dashboard with neither, the lists' empty
    state, is in test_items_alone.py.)"""
    cast2 = cast_of_group2(people)
    return people, build_remedial_world(people, cast2), build_acknowledged(people, cast2)


built, built_copy = module_data(build_items)
people, remedial_world, acknowledged = part(0), part(1), part(2)


def item_cells(body: str) -> dict[str, list[tuple[float | None, str]]]:
    """{figure key: [(figure, link or ""), ...]} of the dashboard's rows of ITEM_FIGURES."""
    table = {}
    for key, row in re.findall(r'<tr class="govuk-table__row" data-figure="([a-z_]+)">(.*?)</tr>', body, re.S):
        if key not in ITEM_KEYS:
            continue
        cells = []
        for cell in re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(.*?)</td>', row, re.S):
            link = re.search(r'href="([^"]+)">([\d.]+|–)', cell)
            value, url = (link.group(2), unescape(link.group(1))) if link else (cell.strip(), "")
            cells.append((None if value == "–" else float(value), url))
        table[key] = cells
    return table


def remedial_count(client, url: str) -> int:
    body = client.get(url).content.decode()
    return int(re.search(r'id="result-count" role="status">(\d+) remedial action', body).group(1))


def test_remedial_actions_overdue_for_each_role_and_every_drill_down_counts_as_many(client, remedial_world, people):
    expected = {  # (Specialist Crime & Operations, Territorial Policing, the force) or the one group
        people.coordinator: [1],
        people.coordinator2: [2],
        people.pcu: [2, 1, 3],
        people.owner: [1, 1, 2],  # a force viewer, not cleared for S
        people.lead: [1, 1, 2],
    }
    for user, counts in expected.items():
        client.force_login(user)
        with on(TODAY):
            cells = item_cells(client.get("/dashboard/").content.decode())["remedial_overdue"]
            assert [count for count, _ in cells] == counts, user.username
            for count, url in cells:
                assert url.startswith("/dashboard/remedial-actions/")
                assert remedial_count(client, url) == count, (user.username, url)
    # The list behind the coordinator's figure is A's action, and only it; S never shows to the Lead of TP.
    client.force_login(people.coordinator)
    with on(TODAY):
        body = client.get("/dashboard/remedial-actions/").content.decode()
    assert remedial_world["A"].reference in body and "Brief every response team." in body
    for name in "BCJS":
        assert remedial_world[name].reference not in body
    client.force_login(people.lead)
    with on(TODAY):
        assert remedial_world["S"].reference not in client.get("/dashboard/remedial-actions/").content.decode()
    # The day an action falls due it is not yet overdue; the day after, it is.
    client.force_login(people.coordinator)
    for day, count in ((datetime.date(2025, 3, 1), 0), (datetime.date(2025, 3, 2), 1),
                       (datetime.date(2025, 6, 2), 2)):
        with on(day):
            assert item_cells(client.get("/dashboard/").content.decode())["remedial_overdue"][0][0] == count, day


def test_the_remedial_actions_list_exports_as_the_page_shows_it(client, remedial_world, people):
    client.force_login(people.pcu)
    with on(TODAY):
        body = client.get("/dashboard/remedial-actions/").content.decode()
        page = html_table(body, "remedial-actions")
        exported = xlsx_rows(client.get("/dashboard/remedial-actions/", {"format": "xlsx"}))
        assert exported[0] == REMEDIAL_HEADER
        assert_same_table(page, exported)
        assert [row[0] for row in exported[1:]] == [remedial_world[name].reference for name in "SAJ"]
        assert exported[1][5] == datetime.datetime(2025, 2, 20) and exported[1][6] == 40
        as_csv = csv_rows(client.get("/dashboard/remedial-actions/", {"format": "csv"}))
        assert as_csv[0] == REMEDIAL_HEADER and [row[0] for row in as_csv[1:]] == [row[0] for row in page[1:]]
        assert as_csv[1][5] == "2025-02-20"


@pytest.mark.parametrize("asked", ["group2", "999999", "abc", "1 OR 1=1"])
def test_a_coordinator_asking_for_another_groups_list_gets_their_own(client, remedial_world, people, asked):
    value = str(people.group2.pk) if asked == "group2" else asked
    client.force_login(people.coordinator)
    with on(TODAY):
        for path in ("/dashboard/remedial-actions/", "/dashboard/acknowledgements/"):
            response = client.get(path, {"business_group": value})
            assert response.status_code == 200
            body = response.content.decode()
            assert "You can see the figures of Territorial Policing only, so those are shown." in body
            assert remedial_world["J"].reference not in body and remedial_world["S"].reference not in body
            exported = xlsx_rows(client.get(path, {"business_group": value, "format": "xlsx"}))
            assert all(row[2] == "Territorial Policing" for row in exported[1:])
        assert remedial_count(client, f"/dashboard/remedial-actions/?business_group={value}") == 1


# --- acknowledgement rates ----------------------------------------------------------------------------------------


def build_acknowledged(people, cast2):
    """Territorial Policing: "Asked of TP" asks the group's staff (its five role holders and three more in its unit,
    one of whom has left since), three have confirmed (and the leaver); "Asked of coordinators" asks every
    co-ordinator, one has confirmed. Specialist Crime & Operations: "Asked of SCO" (OFFICIAL-SENSITIVE) asks its staff
    cleared for it (its five role holders, not the detective who holds no role), of whom one confirmed."""
    with on(PUBLISHED_ON):
        for number in range(3):
            staff(f"constable{number}", people.unit)
        staff("detective", people.unit2)
        tp = published(people, title="Asked of TP", audience={"business_groups": [people.group]})
        coordinators = published(people, title="Asked of coordinators", audience={"roles": ["coordinator"]})
        sco = published(cast2, title="Asked of SCO", marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                        sop_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                        audience={"business_groups": [people.group2]})
        for user in (people.developer, User.objects.get(username="constable0"), people.lead):
            acknowledgement_confirm(user=user, version=tp.current_version, version_hash=tp.current_version.content_hash)
        # One who has left since confirmed too: no longer counted, asked or confirmed.
        acknowledgement_confirm(user=User.objects.get(username="constable1"), version=tp.current_version,
                                version_hash=tp.current_version.content_hash)
        User.objects.filter(username="constable1").update(is_active=False)
        acknowledgement_confirm(user=people.coordinator2, version=coordinators.current_version,
                                version_hash=coordinators.current_version.content_hash)
        acknowledgement_confirm(user=people.developer2, version=sco.current_version,
                                version_hash=sco.current_version.content_hash)
    return {"tp": tp, "coordinators": coordinators, "sco": sco}


def by_the_chase_rule() -> dict[str, tuple[int, int]]:
    """{title: (asked, confirmed)} by acknowledgements.selectors' per-person rule (the chase's), as an oracle."""
    profiles = profiles_of(User.objects.all())
    found = {}
    for audience in AcknowledgementAudience.objects.prefetch_related("criteria").select_related("policy"):
        criteria = list(audience.criteria.all())
        asked = [p for p in profiles.values() if p.included_by(criteria) and p.may_read(audience.policy)]
        found[audience.policy.title] = (len(asked), len(asked) - len(outstanding_people(audience, profiles)))
    return found


def test_acknowledgement_rates_for_each_role_agree_with_the_chase_rule_and_the_list(client, acknowledged, people):
    with on(TODAY):
        oracle = by_the_chase_rule()
    # TP: developer, manager, coordinator, lead, owner and two constables (one left); co-ordinators: both; SCO: its
    # role holders (lead2, developer2, coordinator2 and the cast's owner2 and manager2), not the uncleared detective.
    assert oracle == {"Asked of TP": (7, 3), "Asked of coordinators": (2, 1), "Asked of SCO": (5, 1)}
    sco, tp = (5, 1), (7 + 2, 3 + 1)
    expected = {  # [asked], [confirmed], [rate] by column: (SCO, TP, force) or the one group
        people.coordinator: ([tp[0]], [tp[1]], [44.4]),
        people.pcu: ([sco[0], tp[0], 14], [sco[1], tp[1], 5], [20.0, 44.4, 35.7]),
        people.lead: ([0, tp[0], 9], [0, tp[1], 4], [None, 44.4, 44.4]),  # not cleared for "Asked of SCO"
    }
    for user, (asked, confirmed, rate) in expected.items():
        client.force_login(user)
        with on(TODAY):
            cells = item_cells(client.get("/dashboard/").content.decode())
            assert [c for c, _ in cells["acknowledgements_asked"]] == asked, user.username
            assert [c for c, _ in cells["acknowledgements_confirmed"]] == confirmed, user.username
            assert [c for c, _ in cells["acknowledgement_rate"]] == rate, user.username
            for key in ("acknowledgements_asked", "acknowledgements_confirmed", "acknowledgement_rate"):
                # A figure links to its list; a dash (no rate: nothing asked) links nowhere.
                assert [url != "" for _, url in cells[key]] == [figure is not None for figure, _ in cells[key]]
                linked = [cell for cell in cells[key] if cell[1]]
                for (figure, url), shown in zip(linked, _list_totals(client, linked), strict=True):
                    assert shown[key] == figure, (user.username, key, url)


def test_a_second_request_compiles_none_of_the_rates_statements_yet_counts_what_changed(client, acknowledged, people,
                                                                                        monkeypatch):
    """make bench, 100,000 policies and 200 audiences: the rates took 25-40 ms of Python a request for the
    co-ordinator, Django compiling the audiences in force (with the visibility), the classes of staff and their
    confirmations anew each time, and building three model instances of each audience. Each statement is compiled
    once (per Viewer and scope, per process, per set of policies: core.compiled): a second request of the dashboard
    and of the list compiles none of them, yet counts a confirmation made since."""
    client.force_login(people.coordinator)
    with on(TODAY):
        client.get("/dashboard/")
        client.get("/dashboard/acknowledgements/")
        tp = acknowledged["tp"].current_version
        acknowledgement_confirm(user=User.objects.get(username="constable2"), version=tp, version_hash=tp.content_hash)
    queries = queries_compiled(monkeypatch)
    with on(TODAY):
        cells = item_cells(client.get("/dashboard/").content.decode())
        listed = html_table(client.get("/dashboard/acknowledgements/").content.decode(), "acknowledgement-rates")
    assert [c for c, _ in cells["acknowledgements_confirmed"]] == [3 + 1 + 1]
    assert {row[1]: row[4:] for row in listed[1:]} == {"Asked of TP": ["7", "4", "3", "57.1"],
                                                       "Asked of coordinators": ["2", "1", "1", "50.0"]}
    # The audiences, the confirmations and the classes of staff (people grouped by the roles they hold).
    compiled = [(query.model, *query.annotations) for query in queries]
    assert not [statement for statement in compiled if statement[0] in {AcknowledgementAudience, Acknowledgement}
                or "held" in statement[1:]], compiled


def _list_totals(client, cells) -> list[dict]:
    totals = []
    for _figure, url in cells:
        body = client.get(url).content.decode()
        asked = int(re.search(r'id="total-asked">(\d+)<', body).group(1))
        confirmed = int(re.search(r'id="total-confirmed">(\d+)<', body).group(1))
        rate = re.search(r'id="total-rate">([\d.]+%|–)<', body).group(1)
        rows = html_table(body, "acknowledgement-rates")[1:] if asked else []
        # The list's rows add up to its totals.
        assert sum(int(row[4]) for row in rows) == asked and sum(int(row[5]) for row in rows) == confirmed
        totals.append({"acknowledgements_asked": asked, "acknowledgements_confirmed": confirmed,
                       "acknowledgement_rate": None if rate == "–" else float(rate[:-1])})
    return totals


def test_the_acknowledgement_list_exports_as_the_page_shows_it(client, acknowledged, people):
    client.force_login(people.pcu)
    with on(TODAY):
        body = client.get("/dashboard/acknowledgements/").content.decode()
        page = html_table(body, "acknowledgement-rates")
        exported = xlsx_rows(client.get("/dashboard/acknowledgements/", {"format": "xlsx"}))
        assert exported[0] == ACKNOWLEDGEMENT_HEADER
        assert_same_table(page, exported)
        assert {row[1]: row[4:] for row in exported[1:]} == {
            "Asked of SCO": [5, 1, 4, 20.0], "Asked of TP": [7, 3, 4, 42.9], "Asked of coordinators": [2, 1, 1, 50.0]}
        as_csv = csv_rows(client.get("/dashboard/acknowledgements/", {"format": "csv"}))
        assert as_csv[0] == ACKNOWLEDGEMENT_HEADER and [row[1] for row in as_csv[1:]] == [row[1] for row in page[1:]]
    client.force_login(people.coordinator)
    with on(TODAY):
        exported = xlsx_rows(client.get("/dashboard/acknowledgements/", {"format": "xlsx"}))
    assert "Asked of SCO" not in {row[1] for row in exported[1:]}


def test_the_dashboard_stays_within_its_queries_with_both_kinds_of_items(client, acknowledged, remedial_world, people,
                                                                          django_assert_max_num_queries):
    for user in (people.coordinator, people.pcu, people.lead):
        client.force_login(user)
        with on(TODAY), django_assert_max_num_queries(12):
            assert client.get("/dashboard/").status_code == 200
