"""Each page's cost is pinned: its query count is fixed, and does not grow with the number of policies,
versions or audit events."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle import services as lifecycle_services
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

# What each page costs at most (measured, for the busiest of the roles tested). Raise a pin only with a reason.
PINNED = {
    # Issue 16: every page signed in costs two queries fewer, the person's roles and unread count loaded with them
    # (workspace.backends). My work: +1 (issue 13) the remedial actions a Lead directed to the person; +1 for a
    # Lead, the monitoring reports awaiting their response.
    "/": 12,
    "/policies/": 5,
    "/policies/?stage=approval&sort=-review_due_on&q=policy": 4,
    "/notifications/": 3,
    # +2: the business groups and subjects that have policies on the Scheme, for its filters (issue 17); +1: the
    # date and frozen title of the page's rows (publication.scheme_index.scheme_page_details).
    "/publication-scheme/": 5,
    # The publications, the withdrawals and (+1, QA walk of 2026-12-06) the monitoring reports published, each one
    # statement compiled once per reader (publication.notices._staff_reads).
    "/notices/": 5,
    "/notices/feed/": 5,
    # Signed in: the publications, the withdrawals, which of theirs are on the Scheme now (not asked when there are
    # none, as here: 5) and (+1, QA walk of 2026-12-06) the monitoring reports on it (publication.notices
    # .public_notices; anonymous, two fewer: tests/publication/test_notices_reports.py).
    "/publication-scheme/feed/": 6,
    # The QA-return or rejection banner for those working on the draft; the checklist, the next step's declared
    # gates (lifecycle.workflow.SUBMIT_FOR_QA) with the draft's EIA and Workbook joined to its version; the approval
    # of the version shown (board, meeting, minute); the readiness of each page offered ("What to do next"); the
    # Lead joined to the policy and its developers in one query (issue 16's target: 12). Every policy page: -1, the
    # version shown and the version in force read in one query (lifecycle.selectors.read_versions), with the person's
    # part in it when a step they may take asks for separation of duties; the overview: -1, the local work
    # instructions listed only when the policy read says some supplement it. +1 (thirteenth session): the draft's SOPs,
    # whether each has its procedure written, for the checklist's new gate (lifecycle.gates.sops_written), read once
    # a page; issue 16's budget is 12.
    "detail": 12,
    # +1 for those who may edit a draft in development: whether it is held for the Lead's request for emergency
    # approval, so that no edit link is offered then (issue 13).
    "statement/": 7,
    "eia/": 7,
    "workbook/": 7,
    "consultation/": 7,
    "monitoring/": 6,
    # +1 (issue 12): the interim revisions inside every version, listed under it, in one query for all of them.
    "versions/": 7,
    "versions/compare/": 6,
    # +1: the people the changes name, for the page's sentences (lifecycle.timeline); the actors' roles come with
    # the events, in their query (so a page of system events costs what any other does).
    "timeline/": 8,
    # The invitations and their comments; +1 (security probe F2): the access given by name on the policy, to say who
    # of those named on its draft cannot open it (lifecycle.selectors.advice_page). An OFFICIAL-SENSITIVE draft that
    # names anyone: +1 more, their roles (pinned with its rows in tests/lifecycle/test_advice_uncleared.py).
    "advice/": 8,
}


def _count(client, path: str) -> int:
    # Cold: what a page costs before anything it caches (the register's filter form) is there, the most it costs.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def _grow(people, subject, how_many: int):
    """More policies, more versions of the subject, more audit events on it."""
    for _ in range(how_many):
        advance_to(people.policy(), "development", people)
    for index in range(how_many):
        lifecycle_services.draft_update(policy=subject, actor=people.developer,
                                        statement=f"<p>Revision {index} of the statement.</p>")
        lifecycle_services.consultation_record(
            policy=subject, actor=people.developer, consultee=f"Consultee {index}", organisation="Staff association",
            consultee_type="staff_association", date_sent=subject.created_at.date())


def _paths(subject) -> list[tuple[str, str]]:
    paths = [(key, key) for key in PINNED if key.startswith("/")]
    for key in PINNED:
        if not key.startswith("/"):
            suffix = "" if key == "detail" else key
            paths.append((key, f"/policies/{subject.reference}/{suffix}"))
    return paths


@pytest.mark.parametrize("username", ["developer", "coordinator", "pcu", "lead"])
def test_page_query_counts_are_pinned_and_flat(client, people, username):
    subject = advance_to(people.policy(), "development", people)
    user = getattr(people, username)
    client.force_login(user)
    small = {key: _count(client, path) for key, path in _paths(subject)}
    _grow(people, subject, 6)
    large = {key: _count(client, path) for key, path in _paths(subject)}
    assert large == small, f"query counts grew with the data for {username}: {small} -> {large}"
    over = {key: count for key, count in large.items() if count > PINNED[key]}
    assert not over, f"pages over their pinned query count for {username}: {over}"


def test_my_work_costs_the_same_however_many_roles_the_person_holds(client, people):
    """My work lists the person's roles by name: one query for all of them (it once loaded the user again for
    each role it sorted)."""
    from core.models import Role
    from tests.factories import BusinessGroupFactory, RoleAssignmentFactory

    client.force_login(people.developer)
    one_role = _count(client, "/")
    for _ in range(3):
        RoleAssignmentFactory(user=people.developer, role=Role.DEVELOPER, business_group=BusinessGroupFactory())
    client.force_login(people.developer)
    page = client.get("/").content.decode()
    assert page.count("Policy developer") + page.count("Developer") >= 4, "every role is listed"
    assert _count(client, "/") == one_role
