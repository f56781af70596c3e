"""The register's search covers only the versions the user may read (issue 11, finding 5: it covered every
version's statement, so a member of staff who may see only v1.0 could confirm, and by bisection extract, the
words of a v2.0 draft under review). Tested with canary words found nowhere else."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from guardian.shortcuts import assign_perm

from core.models import Role
from lifecycle import services as lifecycle_services
from lifecycle.filters import PolicyRegisterFilter
from lifecycle.models import Policy
from lifecycle.register_views import register_page
from lifecycle.selectors import policy_drafts_visibility_filter, user_may_see_drafts
from lifecycle.states import ProtectiveMarking, Status
from publication.services import policy_publish
from tests.factories import (
    RoleAssignmentFactory,
    UserFactory,
    advance_to,
    fill_development,
    reload,
    take_step,
    user_with_role,
)

pytestmark = pytest.mark.django_db

PUBLISHED_WORD = "proportionately"  # in v1.0, published (tests.factories._statement)
DRAFT_CANARY = "quokkazanzibar"  # only in the v2.0 draft under review
SOP_CANARY = "marmosetkilimanjaro"  # only in an OFFICIAL-SENSITIVE SOP


def _fresh(user):
    # Roles, grants and the managed scope are cached on the user object, as on request.user.
    return type(user).objects.get(pk=user.pk)


def search(user, text: str) -> tuple[set[str], int]:
    """The register as the view builds it for GET /policies/?q=text: the filter given the request, the page
    and its count from ``register_page``. (References found, count.)"""
    request = RequestFactory().get("/policies/", {"q": text})
    request.user = _fresh(user)
    filterset = PolicyRegisterFilter(request.GET, queryset=Policy.objects.none(), request=request)
    filterset.is_valid()
    page = register_page(user=request.user, narrow=filterset.filter_queryset)
    return {policy.reference for policy in page.object_list}, page.paginator.count


def _write_draft(policy, people, text: str) -> Policy:
    lifecycle_services.draft_update(policy=reload(policy), actor=people.developer,
                                    statement=f"<p>Officers will act lawfully and {text} at all times.</p>")
    return reload(policy)


def _published(people, **overrides) -> Policy:
    """A policy published by a PCU member who took no other part in it (separation of duties)."""
    policy = advance_to(people.policy(**overrides), "awaiting_publication", people)
    publisher = people.extra.get("publisher") or people.extra.setdefault(
        "publisher", user_with_role(Role.PCU, username="publisher"))
    policy_publish(policy=policy, actor=publisher, on_publication_scheme=False)
    return reload(policy)


@pytest.fixture
def under_review(people):
    """A published policy (v1.0 in force) whose review has opened draft v2.0, in scoping, with the canary."""
    policy = _published(people, title="Stop and search")
    lifecycle_services.policy_start_review(policy=policy, actor=people.lead, reason="Three years on.")
    return _write_draft(policy, people, DRAFT_CANARY)


@pytest.fixture
def staff(people):
    return UserFactory(username="staff")


def test_the_published_version_is_found_by_every_member_of_staff(people, staff, under_review):
    for user in (staff, people.developer2, people.lead2, people.dcfd, people.developer, people.pcu):
        found, count = search(user, PUBLISHED_WORD)
        assert under_review.reference in found and count == len(found), user.username


@pytest.mark.parametrize("who", ["staff", "developer2", "lead2", "coordinator2", "dcfd", "doi"])
def test_a_draft_under_review_is_not_found_by_those_who_see_only_the_version_in_force(people, staff, under_review,
                                                                                       who):
    # DCFD and DOI see drafts only while the policy is submitted to them (approval); this one is in scoping.
    user = staff if who == "staff" else getattr(people, who)
    assert not user_may_see_drafts(user=_fresh(user), policy=under_review)

    found, count = search(user, DRAFT_CANARY)

    assert found == set() and count == 0
    # Nor by a prefix or a fragment, which is how the finding's bisection worked.
    assert search(user, DRAFT_CANARY[:7]) == (set(), 0)


@pytest.mark.parametrize("who", ["developer", "coordinator", "lead", "owner", "manager", "pcu"])
def test_a_draft_under_review_is_found_by_those_working_on_it(people, under_review, who):
    user = getattr(people, who)
    assert user_may_see_drafts(user=_fresh(user), policy=under_review)

    assert search(user, DRAFT_CANARY) == ({under_review.reference}, 1)


def test_dcfd_and_doi_find_the_draft_only_while_it_is_submitted_to_them(people, under_review):
    policy = advance_to(under_review, "development", people)
    fill_development(policy, people, omit={"statement_written"})
    take_step(policy, people, Status.SUBMITTED_FOR_QA)
    policy = reload(policy)
    assert DRAFT_CANARY in policy.current_version.statement

    for user in (people.dcfd, people.doi):
        assert search(user, DRAFT_CANARY) == ({policy.reference}, 1), user.username
    # The developer's part ends with the submission ("only while the policy is in scoping or development").
    assert not user_may_see_drafts(user=_fresh(people.developer), policy=policy)
    assert search(people.developer, DRAFT_CANARY) == (set(), 0)


def test_the_view_does_not_reveal_the_draft_to_staff(client, staff, under_review):
    client.force_login(staff)

    page = client.get("/policies/", {"q": DRAFT_CANARY}).content.decode()
    htmx = client.get("/policies/", {"q": DRAFT_CANARY}, HTTP_HX_REQUEST="true").content.decode()

    assert under_review.reference not in page and under_review.reference not in htmx
    assert "Stop and search" not in page
    assert under_review.reference in client.get("/policies/", {"q": PUBLISHED_WORD}).content.decode()


def test_the_view_finds_the_draft_for_its_developer(client, people, under_review):
    client.force_login(people.developer)

    assert under_review.reference in client.get("/policies/", {"q": DRAFT_CANARY}).content.decode()


def test_without_a_request_the_filter_searches_published_versions_only(people, under_review):
    filterset = PolicyRegisterFilter({"q": DRAFT_CANARY}, queryset=Policy.objects.all())

    assert list(filterset.qs) == []
    assert list(PolicyRegisterFilter({"q": PUBLISHED_WORD}, queryset=Policy.objects.all()).qs) == [under_review]


def test_an_official_sensitive_sop_is_not_searched(people, staff, under_review):
    lifecycle_services.sop_create(policy=reload(under_review), actor=people.developer, title="Search records",
                                  text=f"<p>Record the {SOP_CANARY}.</p>",
                                  protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)

    # SOPs are not in the register's search at all: not for staff without clearance, nor for the team.
    assert search(staff, SOP_CANARY) == (set(), 0)
    assert search(people.developer2, SOP_CANARY) == (set(), 0)


def test_the_search_rule_is_the_rule_of_the_policy_pages(people, staff, under_review):
    """policy_drafts_visibility_filter is user_may_see_drafts for a queryset: for every pair of a user and a
    policy below, the two agree."""
    other_group = {"actor": people.developer2, "business_group": people.group2, "owning_unit": people.unit2,
                   "designated_lead": people.lead2, "coordinator": people.coordinator2, "owner": None,
                   "policy_manager": None, "developers": [people.developer2]}
    granted = people.policy(**other_group)
    assign_perm("lifecycle.consult_policy", people.developer, granted)
    sensitive_granted = people.policy(**other_group, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                                      suitable_for_publication_scheme=False)
    assign_perm("lifecycle.draft_policy", people.developer, sensitive_granted)
    submitted = advance_to(people.policy(), "submitted_for_qa", people)
    withdrawn = advance_to(_published(people), "withdrawn", people)
    unit_manager = UserFactory(username="unit_manager")
    RoleAssignmentFactory(user=unit_manager, role=Role.MANAGER, business_group=people.group, unit=people.unit)
    users = [staff, unit_manager, *(getattr(people, name) for name in (
        "developer", "manager", "coordinator", "lead", "owner", "pcu", "dcfd", "doi", "shrmt", "lead2",
        "developer2", "coordinator2"))]

    for user in users:
        condition = policy_drafts_visibility_filter(_fresh(user))
        matching = Policy.objects.all() if condition is None else Policy.objects.filter(condition)
        for policy in (under_review, granted, sensitive_granted, submitted, withdrawn):
            expected = user_may_see_drafts(user=_fresh(user), policy=reload(policy))
            assert matching.filter(pk=policy.pk).exists() == expected, (user.username, policy.title, policy.status)
