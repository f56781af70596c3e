"""A review draft in scoping or development, and a developer named on the policy whose developer role is held in
another business group (each test seen failing first).

Issue 4: developers "see and edit the drafts of policies they are assigned to, only while the policy is in scoping or
development": named on it, holding the developer role in its business group (``is_assigned_developer``; the
visibility's own rule, ``lifecycle.selectors.visibility._reach``). Named on a policy of Territorial Policing while
holding the role in Specialist Crime & Operations, ``developer2`` sees the policy in force, as all staff do, and not its
review draft: the overview says nothing of what comes next on it (``next_steps``: ``draft_unseen``). My work listed it
under "Drafts to finish" and named the draft's next step ("Request commissioning", "Submit for quality assurance") on
its review's row. The developer whose role is in the policy's group, and its co-ordinator, Lead and PCU, are told it
as before."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role
from lifecycle import services as s
from lifecycle.due import MONITORING
from lifecycle.permissions import role_index
from lifecycle.states import Status
from lifecycle.workflow import REQUEST_COMMISSIONING, SUBMIT_FOR_QA
from tests.clock import travel
from tests.factories import advance_to, reload
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2023, 1, 16)  # the review falls due on 16 January 2026
REVIEW_STARTED = datetime.date(2025, 12, 1)
DUE_SOON = datetime.date(2025, 12, 2)
OVERDUE = datetime.date(2026, 8, 1)
NEXT_STEP = {Status.SCOPING: REQUEST_COMMISSIONING, Status.DEVELOPMENT: SUBMIT_FOR_QA}


def review_draft(people, status: str):
    """A Territorial Policing policy in force naming both developers, its review's draft in ``status``."""
    with travel(PUBLISHED_ON):
        published = advance_to(people.policy(developers=[people.developer, people.developer2]), Status.MONITORING,
                               people)
    with travel(REVIEW_STARTED):
        s.policy_start_review(policy=published, actor=people.lead, reason="Three-year review.")
        return advance_to(reload(published), status, people)


def overview_next(client, user, policy) -> tuple[str, str] | None:
    """What the policy's overview says comes next, and by whom; None when it says nothing of it."""
    client.force_login(user)
    response = client.get(f"/policies/{policy.reference}/")
    assert response.status_code == 200
    work = response.context["next"].work
    return None if work is None else (work.title, work.by)


def policy_rows(user, reference) -> dict[str, tuple[str, str, str, object]]:
    """Each of ``user``'s My work queues listing the policy's own work (not its monitoring report): its title ->
    (next work, by whom, who has done their part, expected by); a queue saying it is shown above, -> "above"."""
    rows = {}
    for queue in my_work(user=user):
        if queue.get("due") == MONITORING.field:
            continue
        for policy in queue["policies"] or ():
            if policy.reference == reference:
                rows[queue["title"]] = (policy.next_label, policy.next_by, policy.next_done,
                                        getattr(policy, "expected_by", None))
        for policy, _title in queue["shown_above"]:
            if policy.reference == reference:
                rows[queue["title"]] = "above"
    return rows


@pytest.mark.parametrize("status", [Status.SCOPING, Status.DEVELOPMENT])
@pytest.mark.parametrize("today", [DUE_SOON, OVERDUE])
def test_my_work_names_nothing_of_the_review_draft_to_a_developer_of_another_group(client, people, status, today):
    policy = review_draft(people, status)
    step = NEXT_STEP[status]
    assert role_index(people.developer2) == {(Role.DEVELOPER, people.group2.pk)}
    assert policy.business_group_id != people.group2.pk
    with travel(today):
        assert overview_next(client, people.developer2, policy) is None
        rows = policy_rows(people.developer2, policy.reference)
        # Its review is due, as its overview says to everyone: the row stays, and says nothing of the draft.
        assert rows == {("Reviews overdue" if today == OVERDUE else "Reviews due within 6 months"):
                        ("", "", "", None)}
        client.force_login(people.developer2)
        page = client.get("/").content.decode()
    assert step.page.title not in page, page
    # Not theirs to finish: not listed there, nor counted.
    assert 'Drafts to finish <span class="govuk-tag govuk-tag--grey">0</span>' in page, page


@pytest.mark.parametrize("status", [Status.SCOPING, Status.DEVELOPMENT])
def test_the_developer_of_the_policys_group_is_still_told_its_next_step(client, people, status):
    policy = review_draft(people, status)
    step = NEXT_STEP[status]
    with travel(DUE_SOON):
        assert overview_next(client, people.developer, policy) == (step.page.title, step.taken_by)
        rows = policy_rows(people.developer, policy.reference)
        assert rows["Drafts to finish"][0] == step.page.title
        client.force_login(people.developer)
        page = client.get("/").content.decode()
    assert f"Next: <strong>{step.page.title}</strong>" in page, page


@pytest.mark.parametrize("username", ["coordinator", "lead", "pcu"])
@pytest.mark.parametrize("status", [Status.SCOPING, Status.DEVELOPMENT])
def test_the_policys_coordinator_lead_and_pcu_are_told_it_as_its_overview_does(client, people, status, username):
    policy = review_draft(people, status)
    step = NEXT_STEP[status]
    user = getattr(people, username)
    with travel(OVERDUE):
        overview = overview_next(client, user, policy)
        assert overview == (step.page.title, step.taken_by)
        rows = policy_rows(user, policy.reference)
    assert {title: row[:2] for title, row in rows.items()} == {"Reviews overdue": overview}


def my_work_queries(user) -> tuple[int, int]:
    user = type(user).objects.get(pk=user.pk)  # as a request loads them: nothing remembered
    with CaptureQueriesContext(connection) as captured, travel(DUE_SOON):
        queues = my_work(user=user)
    return len(captured), sum(len(queue["policies"] or ()) for queue in queues)


@pytest.mark.parametrize("username", ["developer", "developer2", "coordinator"])
def test_asking_which_review_drafts_are_kept_costs_my_work_no_query_a_row(people, username):
    user = getattr(people, username)
    review_draft(people, Status.SCOPING)
    my_work_queries(user)  # compiled once per person and day
    one, rows_one = my_work_queries(user)
    review_draft(people, Status.DEVELOPMENT)
    review_draft(people, Status.SCOPING)
    three, rows_three = my_work_queries(user)
    assert rows_three > rows_one
    assert three == one


@pytest.mark.parametrize("username", ["dcfd", "doi", "coordinator", "lead", "pcu"])
def test_those_whose_roles_answer_it_are_asked_no_query_for_it(people, username):
    """What ``user_may_see_drafts`` answers from the roles alone costs My work nothing: a group-wide role in the
    policy's group, PCU, and DCFD and DOI from its submission to its publication."""
    user = getattr(people, username)
    my_work_queries(user)
    none, no_rows = my_work_queries(user)
    for status in (Status.SCOPING, Status.SUBMITTED_FOR_QA):
        review_draft(people, status)
    some, rows = my_work_queries(user)
    assert rows > no_rows
    assert some == none
