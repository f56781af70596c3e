"""What changed, on the timeline, in plain words (lifecycle.timeline_changes): no record ids, choices by their labels,
people by name, periods as ranges. The QA walk (2026-12-05, screenshot 33) expanded a review concluding no change and
the Lead's response to a monitoring report and read "No change review: 1", "Outcome: remedial", "Remedial owner:
developer" and "Period: 31 March 2025, 31 March 2026". The stored events are evidence and stay as they were written:
only their reading changes. Names of people, groups and units are looked up once for the page, however many events
name them."""

from __future__ import annotations

import ast
import datetime
import pathlib
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle import timeline_changes
from lifecycle.services import access
from lifecycle.states import Status
from tests.assessments import test_monitoring_response as monitoring
from tests.assessments.test_monitoring_response import QA_ON, on, respond
from tests.clock import travel
from tests.factories import monitoring_up_to_date
from tests.lifecycle import test_move_uncleared as moving
from tests.lifecycle import test_no_change_review as no_change
from tests.lifecycle.test_move_uncleared import move
from tests.lifecycle.test_no_change_review import errors, post

pytestmark = pytest.mark.django_db

# The fixtures of the tests whose steps these take.
published, reported, takers = no_change.published, monitoring.reported, moving.takers

REPO = pathlib.Path(__file__).resolve().parents[2]


def rows(client, user, policy) -> dict[str, list[str]]:
    """Every "What changed" row of the timeline, label -> the values shown (markup removed)."""
    client.force_login(user)
    page = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
    found: dict[str, list[str]] = {}
    for label, value in re.findall(r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*'
                                   r'<dd class="govuk-summary-list__value app-user-text">(.*?)</dd>', page, re.S):
        found.setdefault(unescape(re.sub(r"<[^>]+>", "", label)), []).append(
            " ".join(unescape(re.sub(r"<[^>]+>", " ", value)).split()))
    return found


def timeline_queries(client, user, policy) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/policies/{policy.reference}/timeline/").status_code == 200
    return len(queries)


@pytest.fixture
def reviewed_with_no_change(client, published, people):
    day = datetime.date(2026, 8, 3)
    with travel(day):
        monitoring_up_to_date(published, people)
        for user, slug, data in ((people.lead, "conclude-no-change", {"reason": "The law is unchanged."}),
                                 (people.dcfd, "confirm-eia", {"eia_outcome": "stands"}),
                                 (people.pcu, "republish", {"on_intranet": "on"})):
            response = post(client, user, published, slug, data)
            assert response.status_code == 302, errors(response)
    return published


def test_a_review_concluding_no_change_shows_no_record_id(client, reviewed_with_no_change, people):
    shown = rows(client, people.lead, reviewed_with_no_change)

    assert "No change review" not in shown
    # DCFD's answer and PCU's re-publication by the answer's label, not its code ("stands").
    assert shown["Equality Impact Assessment"] == ["The Equality Impact Assessment still stands"] * 2


def respond_remedial(client, policy, report, people):
    client.force_login(people.lead)
    response = respond(client, policy, report, outcome="remedial", reasons="Grounds are not recorded.",
                       remedial_action="Briefing for every response team.", remedial_owner=people.manager.pk,
                       remedial_due_on=QA_ON + datetime.timedelta(days=60))
    assert response.status_code == 302, response.content.decode()[:2000]


def test_a_monitoring_response_reads_its_outcome_owner_and_period_in_words(client, reported, people):
    policy, report = reported
    with on(QA_ON):
        respond_remedial(client, policy, report, people)

    shown = rows(client, people.lead, policy)

    assert shown["Outcome"] == ["Remedial action"]  # the answer's label, not "remedial"
    assert shown["Remedial action owner"] == [people.manager.get_full_name()]  # not the username
    assert shown["Period"] == ["10 January 2024 to 10 January 2025"]  # a range, not "10 January 2024, 10 January 2025"


def test_names_are_looked_up_once_for_the_page(client, reported, people):
    """More events naming more people (a part changing hands, and back): no more queries for the page."""
    policy, report = reported
    with on(QA_ON):
        respond_remedial(client, policy, report, people)
    before = timeline_queries(client, people.lead, policy)
    for user in (people.dcfd, people.doi, people.shrmt):
        access.policy_grant_access(policy=policy, actor=people.pcu, user=user, permission="consult_policy")

    assert timeline_queries(client, people.lead, policy) == before <= 12
    shown = rows(client, people.lead, policy)
    assert shown["Person"] == [people.shrmt.get_full_name(), people.doi.get_full_name(), people.dcfd.get_full_name()]
    assert shown["Permission"] == ["Read this policy's drafts as a consultee"] * 3  # not "consult_policy"


def test_a_move_names_the_business_groups_and_unit(client, people, policy_in, takers):
    policy = policy_in(Status.SCOPING)
    move(policy, people, takers)

    shown = rows(client, people.pcu, policy)

    assert shown["Business group"][0] == f"Before: {people.group} → After: {people.group2}"  # newest first
    assert shown["Owning unit"] == [str(people.unit2)]


# --- every key an audit event records is worded ------------------------------------------------------------------

AUDITING = ("audit_log(", "finish_step(", "_record(", "audit_unless_covered(")
# Keys of dicts in those modules that are no event's changes.
NOT_RECORDED = {"actor_id", "policy_id", "expected_holder"}


def _kind(node) -> str | None:
    """What a recorded value is: a record's id, or a person's username."""
    if isinstance(node, ast.Attribute) and (node.attr in ("pk", "id") or node.attr.endswith("_id")):
        return "id"
    if isinstance(node, ast.Name) and node.id.endswith("_id"):
        return "id"
    if isinstance(node, ast.Attribute) and node.attr == "username":
        return "username"
    if isinstance(node, ast.IfExp):
        return _kind(node.body) or _kind(node.orelse)
    if isinstance(node, ast.BoolOp | ast.List | ast.Tuple):
        return next(filter(None, map(_kind, getattr(node, "values", None) or node.elts)), None)
    return None


def recorded_keys() -> dict[tuple[str, str], str]:
    """(key, kind) -> where, for every dict key in an auditing module whose value is an id or a username."""
    found = {}
    for app in ("core", "lifecycle", "assessments", "publication", "acknowledgements", "guidance", "library"):
        for path in (REPO / app).rglob("*.py"):
            text = path.read_text()
            if "migrations" in path.parts or not any(call in text for call in AUDITING):
                continue
            for node in ast.walk(ast.parse(text)):
                pairs = []
                if isinstance(node, ast.Dict):
                    pairs = [(key.value, value) for key, value in zip(node.keys, node.values, strict=True)
                             if isinstance(key, ast.Constant) and isinstance(key.value, str)]
                elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "update":
                    pairs = [(keyword.arg, keyword.value) for keyword in node.keywords if keyword.arg]
                for key, value in pairs:
                    if key not in NOT_RECORDED and (kind := _kind(value)):
                        found[key, kind] = f"{path.relative_to(REPO)}:{node.lineno}"
    return found


def test_every_recorded_id_or_username_is_worded():
    """A record's id is left out (the sentence says what the record is) or named (a business group, a unit); a
    username is shown as the person's name. A new key recording one fails here until it is."""
    found = recorded_keys()
    assert ("no_change_review", "id") in found and ("remedial_owner", "username") in found  # the scan finds them
    unworded = {where: key for (key, kind), where in found.items()
                if (kind == "id" and key not in timeline_changes.HIDDEN_KEYS | set(timeline_changes.NAMED_RECORDS))
                or (kind == "username" and key not in timeline_changes.PERSON_KEYS | {"username"})}
    assert unworded == {}
