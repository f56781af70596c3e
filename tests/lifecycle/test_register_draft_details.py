"""The register reads a policy's document details as its overview shows them (security probe F5): during a review the
draft's details live on the policy's own columns (lifecycle.details), and the version in force keeps those it was
published with (PolicyVersion.details). Staff who do not see the drafts (``user_may_see_drafts``) are shown the
version in force (``version_shown``) on the overview, and so in the register's search and risk tier filter and its
CSV/XLSX export: a word only in the draft, or the draft's new risk tier, must not find the policy for them. Those who
see the drafts find it by the draft's details, as they read them."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.models import ApprovalRoute
from lifecycle import services as lifecycle_services
from lifecycle.filters import PolicyRegisterFilter
from lifecycle.models import Policy
from lifecycle.register_views import register_page
from lifecycle.selectors import user_may_see_drafts
from lifecycle.states import Status
from publication.services import policy_publish
from tests.factories import UserFactory, advance_to, reload, what_was_read
from tests.lifecycle.test_details import published_under_review, update
from tests.module_data import module_data, part
from tests.oversight.tables import csv_rows

pytestmark = pytest.mark.django_db

IN_FORCE_WORD = "proportionality"  # in the purpose published with v1.0 only
DRAFT_CANARY = "wombatkalahari"  # only in the v2.0 draft's purpose
AUDIENCE_CANARY = "capybaratimbuktu"  # only in the v2.0 draft's "relevant to" (the register does not read it)
PROPOSED_TITLE = "Searches of okapis in public places"  # only the draft's proposed title

DRAFT_SEERS = ("developer", "coordinator", "lead", "owner", "manager", "pcu")
OTHERS = ("staff", "developer2", "lead2", "coordinator2", "dcfd", "doi")


def _fresh(user):
    # Roles, grants and the managed scope are cached on the user object, as on request.user.
    return type(user).objects.get(pk=user.pk)


def _who(people, name: str):
    return people.extra["staff"] if name == "staff" else getattr(people, name)


def register(user, **query) -> tuple[set[str], int]:
    """The register as the view builds it for GET /policies/?<query>: (references listed, count)."""
    request = RequestFactory().get("/policies/", query)
    request.user = _fresh(user)
    filterset = PolicyRegisterFilter(request.GET, queryset=Policy.objects.none(), request=request)
    filterset.is_valid()
    page = register_page(user=request.user, narrow=filterset.filter_queryset)
    return {row.reference for row in page.object_list}, page.paginator.count


def build_under_review(people):
    """v1.0 (medium risk) in force with the in-force word in its purpose; its review's draft v2.0, in development,
    re-tiered high risk, with the canaries in its purpose and "relevant to" and a new title proposed."""
    people.extra["staff"] = UserFactory(username="staff", unit=people.unit)
    for tier in ("high", "low"):
        ApprovalRoute.objects.create(risk_tier=tier, business_group=people.group, board=people.board)
    policy = published_under_review(people, title="Stop and search",
                                    purpose=f"To apply stop and search with {IN_FORCE_WORD}.")
    policy = advance_to(policy, Status.DEVELOPMENT, people)
    update(policy, people.developer, purpose=f"To record every {DRAFT_CANARY} encounter.",
           relevant_to=f"Officers of the {AUDIENCE_CANARY} team.", risk_tier="high", title=PROPOSED_TITLE)
    policy = reload(policy)
    assert (policy.risk_tier, policy.title) == ("high", "Stop and search")
    return policy


# Built once for the module (tests/module_data.py); each test reads a fresh copy.
built, built_copy = module_data(lambda people: (people, build_under_review(people)))
people, under_review = part(0), part(1)


@pytest.mark.parametrize("who", OTHERS)
def test_those_who_see_the_version_in_force_search_its_purpose_not_the_drafts(people, under_review, who):
    user = _who(people, who)
    assert not user_may_see_drafts(user=_fresh(user), policy=under_review)

    assert register(user, q=DRAFT_CANARY) == (set(), 0)
    assert register(user, q=DRAFT_CANARY[:7]) == (set(), 0)
    assert register(user, q=IN_FORCE_WORD) == ({under_review.reference}, 1)
    # The title in force is the policy's own; the proposed one is the draft's.
    assert register(user, q="Stop and search") == ({under_review.reference}, 1)
    assert register(user, q="okapis") == (set(), 0)


@pytest.mark.parametrize("who", DRAFT_SEERS)
def test_those_who_see_the_draft_search_its_purpose(people, under_review, who):
    user = _who(people, who)
    assert user_may_see_drafts(user=_fresh(user), policy=under_review)

    assert register(user, q=DRAFT_CANARY) == ({under_review.reference}, 1)


@pytest.mark.parametrize("who", OTHERS)
def test_the_risk_tier_filter_reads_the_version_in_force_for_those_who_see_it(people, under_review, who):
    user = _who(people, who)

    assert register(user, risk_tier="high") == (set(), 0)
    assert register(user, risk_tier="medium") == ({under_review.reference}, 1)


@pytest.mark.parametrize("who", DRAFT_SEERS)
def test_the_risk_tier_filter_reads_the_draft_for_those_who_see_it(people, under_review, who):
    user = _who(people, who)

    assert register(user, risk_tier="high") == ({under_review.reference}, 1)
    assert register(user, risk_tier="medium") == (set(), 0)


def test_once_the_reviewed_version_is_published_its_details_are_read_by_everyone(people, under_review):
    policy = advance_to(under_review, Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True, **what_was_read(policy))
    for user in (people.extra["staff"], people.developer2, people.coordinator, people.pcu):
        assert register(user, q=DRAFT_CANARY) == ({policy.reference}, 1), user.username
        assert register(user, risk_tier="high") == ({policy.reference}, 1), user.username
        assert register(user, q=IN_FORCE_WORD) == (set(), 0), user.username


def test_a_policy_in_force_without_a_review_is_read_from_its_own_columns(people, under_review):
    in_force = advance_to(people.policy(title="Custody care", purpose=f"Custody {IN_FORCE_WORD}.", risk_tier="low"),
                          Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=in_force, actor=people.pcu, on_publication_scheme=True, **what_was_read(in_force))
    staff = people.extra["staff"]

    assert register(staff, risk_tier="low") == ({in_force.reference}, 1)
    assert register(staff, q=IN_FORCE_WORD) == ({in_force.reference, under_review.reference}, 2)


@pytest.mark.parametrize("query", [{"q": DRAFT_CANARY}, {"risk_tier": "high"}])
def test_the_export_lists_what_the_register_lists(client, people, under_review, query):
    for user, listed in ((people.extra["staff"], False), (people.developer2, False), (people.coordinator, True),
                         (people.pcu, True)):
        client.force_login(user)
        page = client.get("/policies/", query).content.decode()
        rows = csv_rows(client.get("/policies/", {**query, "format": "csv"}))
        references = {row[0] for row in rows[1:]}
        assert (under_review.reference in page) is listed, user.username
        assert references == ({under_review.reference} if listed else set()), user.username


def test_the_overview_shows_the_risk_tier_of_the_version_it_shows(client, people, under_review):
    client.force_login(people.extra["staff"])
    page = client.get(f"/policies/{under_review.reference}/").content.decode()
    assert "medium risk" in page and "high risk" not in page
    assert DRAFT_CANARY not in page and AUDIENCE_CANARY not in page

    client.force_login(people.coordinator)
    page = client.get(f"/policies/{under_review.reference}/").content.decode()
    assert "high risk" in page and DRAFT_CANARY in page


def test_the_search_keeps_its_query_count(client, people, under_review, django_assert_num_queries):
    """The filtered fragment's pinned count (tests/web/test_register_htmx.py: the session, the user, the count and
    the page's rows), for a member of staff shown the version in force of a policy under review: its details are read
    within the register's own statements, not by a query of their own or one per row."""
    from tests.web.test_register_htmx import HTMX, PINNED_FRAGMENT_QUERIES

    client.force_login(people.extra["staff"])
    listed = [under_review.reference]
    for _ in range(3):
        with django_assert_num_queries(PINNED_FRAGMENT_QUERIES):
            page = client.get("/policies/", {"q": IN_FORCE_WORD, "risk_tier": "medium"}, headers=HTMX).content.decode()
        assert all(reference in page for reference in listed)
        another = advance_to(people.policy(purpose=f"Also {IN_FORCE_WORD}."), Status.IMPLEMENTATION, people)
        lifecycle_services.policy_start_review(policy=another, actor=people.coordinator, reason="Three years on.")
        listed.append(another.reference)

