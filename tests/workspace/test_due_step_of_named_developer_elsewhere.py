"""A developer named on a policy of another business group is not told, on My work's "Monitoring reports overdue" (or
"Reviews overdue") row, a step they cannot take (each test seen failing first).

``developer2`` holds the developer role in Specialist Crime & Operations and is named on a Territorial Policing policy.
The rule (``lifecycle.permissions.can_draft``: ``is_assigned_developer``, named on it and holding the developer role
in its group, or granted ``draft_policy`` on it; or its manager) does not let them write its monitoring report: its
Monitoring page offers them no "Start the report" and ``monitoring_report_create`` refuses them. Nor may they start its
review (``lifecycle.start_review``). My work listed the policy under "Monitoring reports overdue" all the same, with
"Next: Write the annual monitoring report, by the policy's developers or manager": one of "the policy's developers",
they read it as theirs. The row stays (the report is overdue, as the policy's overview says to everyone) and names no
step, as for a review draft kept from them (tests/workspace/test_review_draft_kept_from_named_developer.py). Those the
rule lets write it are told it as before, and whether a row is the reader's to act on is read with the queue's own
statement: no query a row."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from core.models import Role, User
from lifecycle import services as s
from lifecycle.models import Policy
from lifecycle.permissions import can_draft
from lifecycle.workflow_monitoring import MONITORING_REPORT
from tests.clock import travel
from tests.factories import RoleAssignmentFactory, reload
from tests.workspace.test_next_whose_step import published
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

REPORT = (MONITORING_REPORT.title, MONITORING_REPORT.taken_by)


def fresh(user) -> User:
    """The person as a request loads them: their roles read anew."""
    return User.objects.get(pk=user.pk)


def in_monitoring(people, title="Named elsewhere") -> Policy:
    policy = published(people, title)
    s.policy_complete_implementation(policy=policy, actor=people.coordinator)
    policy.developers.add(people.developer2)
    return reload(policy)


def late(policy) -> datetime.date:
    return policy.monitoring_report_due_on + datetime.timedelta(days=3)


def due_rows(user, reference) -> dict[str, tuple[str, str]]:
    """Each due queue of ``user``'s My work listing ``reference``: its title -> (next step, by whom)."""
    return {queue["title"]: (policy.next_label, policy.next_by) for queue in my_work(user=fresh(user))
            if queue.get("due") for policy in queue["policies"] or () if policy.reference == reference}


def test_a_developer_named_on_another_groups_policy_is_told_no_step_they_cannot_take(client, people):
    policy = in_monitoring(people)
    assert policy.business_group_id != people.group2.pk
    assert not can_draft(fresh(people.developer2), policy)
    assert not fresh(people.developer2).has_perm("lifecycle.start_review", policy)
    with travel(late(policy)):
        assert due_rows(people.developer2, policy.reference) == {"Monitoring reports overdue": ("", "")}
        client.force_login(people.developer2)
        home = client.get("/").content.decode()
        monitoring = client.get(f"/policies/{policy.reference}/monitoring/")
    assert "Monitoring reports overdue" in home and policy.reference in home
    assert MONITORING_REPORT.title not in home, home
    # The step is indeed not theirs: the report's page offers no way to start it.
    assert monitoring.status_code == 200 and "Start the report" not in monitoring.content.decode()


def test_nor_the_start_of_its_review_overdue(people):
    policy = in_monitoring(people)
    Policy.objects.filter(pk=policy.pk).update(review_due_on=datetime.date(2020, 1, 1))
    with travel(late(policy)):
        rows = due_rows(people.developer2, policy.reference)
    assert rows["Reviews overdue"] == ("", ""), rows


def test_the_developer_of_the_policys_group_is_told_as_before(client, people):
    policy = in_monitoring(people)
    assert can_draft(fresh(people.developer), policy)
    with travel(late(policy)):
        assert due_rows(people.developer, policy.reference) == {"Monitoring reports overdue": REPORT}
        client.force_login(people.developer)
        home = client.get("/").content.decode()
    assert f"Next: <strong>{MONITORING_REPORT.title}</strong>" in home


@pytest.mark.parametrize("made_developer", ["role in its group", "draft_policy grant"])
def test_once_the_rule_lets_them_write_it_they_are_told_it(people, made_developer):
    policy = in_monitoring(people)
    if made_developer == "role in its group":
        RoleAssignmentFactory(user=people.developer2, role=Role.DEVELOPER, business_group=people.group)
    else:
        assign_perm("lifecycle.draft_policy", people.developer2, policy)
    assert can_draft(fresh(people.developer2), policy)
    with travel(late(policy)):
        assert due_rows(people.developer2, policy.reference) == {"Monitoring reports overdue": REPORT}


@pytest.mark.parametrize("username", ["pcu", "coordinator"])
def test_others_who_answer_for_it_are_still_told_who_writes_it(people, username):
    policy = in_monitoring(people)
    with travel(late(policy)):
        assert due_rows(getattr(people, username), policy.reference) == {"Monitoring reports overdue": REPORT}


def my_work_queries(user, day) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured, travel(day):
        queues = my_work(user=fresh(user))
    return len(captured), sum(len(queue["policies"] or ()) for queue in queues if queue.get("due"))


@pytest.mark.parametrize("username", ["developer2", "developer"])
def test_asking_whose_step_it_is_costs_no_query_a_row(people, username):
    user = getattr(people, username)
    first = in_monitoring(people, "One")
    day = late(first)
    my_work_queries(user, day)  # compiled once per person and day
    one, rows_one = my_work_queries(user, day)
    for title in ("Two", "Three"):
        in_monitoring(people, title)
    three, rows_three = my_work_queries(user, day)
    assert rows_three > rows_one
    assert three == one
