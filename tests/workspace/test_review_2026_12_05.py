"""Findings of the review of 2026-12-05's commits (each test seen failing first):

2. My work told another business group's Designated Lead to watch, as risk owner, an emergency approval of a group
   they are not Lead of ("Emergency approvals awaiting sign-off"); the policy's overview rightly told them nothing.
4. My work asked, of each row, whether SHRMT had been consulted on it, for a reader holding SHRMT's role who is not
   shown a submitted review draft: its queries grew with its rows."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role, RoleAssignment
from lifecycle import services as s
from lifecycle.emergency import RISK_OWNER_WATCH
from lifecycle.states import Status
from tests.clock import travel
from tests.factories import advance_to, reload
from tests.workspace.test_emergency_signoffs import emergency_approved  # noqa: F401 (fixture)
from tests.workspace.test_next_agrees_on_emergency_parts import my_work_next, what_to_do_next
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db


def test_another_groups_lead_is_not_asked_to_watch_an_emergency_approval(client, people,
                                                                         emergency_approved):  # noqa: F811
    assert emergency_approved.business_group_id != people.group2.pk
    assert RISK_OWNER_WATCH not in what_to_do_next(client, people.lead2, emergency_approved)
    assert my_work_next(people.lead2, emergency_approved.reference) == set()
    # Its own group's Lead still is.
    assert RISK_OWNER_WATCH in what_to_do_next(client, people.lead, emergency_approved)
    assert RISK_OWNER_WATCH in my_work_next(people.lead, emergency_approved.reference)




def submitted_reviews(people, policy_in, count):
    for _ in range(count):
        with travel(datetime.date(2023, 1, 16)):
            published = policy_in(Status.MONITORING)
        with travel(datetime.date(2025, 12, 1)):
            s.policy_start_review(policy=published, actor=people.lead, reason="Three-year review.")
            advance_to(reload(published), Status.SUBMITTED_FOR_QA, people)


def my_work_queries(user) -> tuple[int, int]:
    user = type(user).objects.get(pk=user.pk)  # as a request loads them: nothing remembered
    with CaptureQueriesContext(connection) as captured, travel(datetime.date(2026, 2, 1)):
        queues = my_work(user=user)
    return len(captured), sum(len(queue["policies"] or ()) for queue in queues)


@pytest.mark.parametrize("shrmt", [True, False])
def test_my_work_costs_the_same_however_many_submitted_reviews_it_lists(people, policy_in, shrmt):
    if shrmt:
        RoleAssignment.objects.create(user=people.developer, role=Role.SHRMT, business_group=None)
    submitted_reviews(people, policy_in, 1)
    my_work_queries(people.developer)  # compiled once per person and day
    one, rows_one = my_work_queries(people.developer)
    submitted_reviews(people, policy_in, 2)
    three, rows_three = my_work_queries(people.developer)
    assert rows_three > rows_one
    assert three == one
