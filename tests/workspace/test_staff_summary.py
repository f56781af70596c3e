"""My work for staff with no role (the user walk): they were told they "see the force's published policies", while the
register showed a policy in force under review at its review's stage, and My work counted it "in scoping,
commissioning or development". For staff such a policy is in force: the version they read stays in force until the
reviewed one replaces it (lifecycle.models.policy.IN_FORCE). So their summary counts the policies in force, says how
many of those are being reviewed, and counts apart the drafts they were given to read (a consultee's grant); the
sentence at the top says what they see, and why the register shows a review's stage. Counted in one statement, in
place of the count by status: My work costs staff the queries it did."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import UserFactory, advance_to, reload
from workspace.summary import home_summary

pytestmark = pytest.mark.django_db

# What My work costs a member of staff with no role, cold (the session, the person, the counts, their roles, the
# business group they work in, the acknowledgements asked of them, the remedial actions directed to them).
STAFF_MY_WORK_QUERIES = 7


@pytest.fixture
def reader(people):
    return UserFactory(username="reader", first_name="Rhian", last_name="Reader", unit=people.unit)


@pytest.fixture
def policies(people, reader):
    """Two policies in force (one of them under review), a draft nobody showed the reader, and a draft the reader was
    given to read as a consultee."""
    in_force = advance_to(people.policy(title="Body-worn video"), Status.MONITORING, people)
    reviewed = advance_to(people.policy(title="Stop and search"), Status.MONITORING, people)
    s.policy_start_review(policy=reload(reviewed), actor=people.coordinator, reason="Three-year review.")
    hidden = people.policy(title="Drones")
    shared = advance_to(people.policy(title="Custody"), Status.DEVELOPMENT, people)
    s.policy_grant_access(policy=shared, actor=people.coordinator, user=reader, permission="consult_policy")
    return {"in force": in_force, "reviewed": reload(reviewed), "hidden": hidden, "shared": shared}


def test_staff_count_a_policy_under_review_as_in_force(people, reader, policies):
    assert policies["reviewed"].status == Status.SCOPING and policies["reviewed"].first_published_on

    summary = home_summary(user=reader)

    assert (summary["visible_count"], summary["in_force"], summary["under_review"], summary["drafts_shared"]) == (
        3, 2, 1, 1)


def test_my_work_tells_staff_what_they_see_and_costs_what_it_did(client, reader, policies):
    client.force_login(reader)
    client.get("/")
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()

    assert "You hold no policy role, so you see the policies in force" in page
    assert "force's published policies" not in page
    # Why the register shows a stage for some of them.
    assert "stays in force until the reviewed version replaces it" in page
    assert "In force: <strong>2</strong>" in page
    assert "Of those, being reviewed: <strong>1</strong>" in page
    assert "Drafts you were given to read: <strong>1</strong>" in page
    assert "In scoping, commissioning or development" not in page and "In approval" not in page
    assert "3 policies in the register" in page
    assert len(queries) == STAFF_MY_WORK_QUERIES, [query["sql"][:120] for query in queries]


def test_staff_given_no_draft_are_not_told_of_drafts(client, people, reader):
    advance_to(people.policy(title="Body-worn video"), Status.MONITORING, people)
    client.force_login(reader)

    page = client.get("/").content.decode()

    assert "In force: <strong>1</strong>" in page and "Of those, being reviewed: <strong>0</strong>" in page
    assert "Drafts you were given to read" not in page


def test_those_with_a_role_keep_the_stages(client, people, policies):
    """A developer's summary is by stage, as before: their own drafts are work in those stages."""
    client.force_login(people.developer)
    page = client.get("/").content.decode()
    assert "In scoping, commissioning or development: <strong>" in page
    assert "In force: <strong>" not in page
