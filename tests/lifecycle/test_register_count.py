"""The register's count (lifecycle.selectors.policy_count) adds up disjoint parts of the visibility, each
counted from its own index: it must count exactly the policies the register lists, for every role and filter."""

import pytest
from guardian.shortcuts import assign_perm

from core.models import Role
from lifecycle import services as lifecycle_services
from lifecycle.filters import PolicyRegisterFilter
from lifecycle.models import Policy
from lifecycle.register_views import register_page
from lifecycle.selectors import policy_count, policy_count_by_status, policy_list, policy_visibility_parts
from lifecycle.states import ProtectiveMarking
from tests.factories import RoleAssignmentFactory, UserFactory, advance_to
from tests.module_data import module_data

pytestmark = pytest.mark.django_db

SENSITIVE = {"protective_marking": ProtectiveMarking.OFFICIAL_SENSITIVE, "suitable_for_publication_scheme": False}
FILTERS = [
    {},
    {"stage": "development"},
    {"protective_marking": ProtectiveMarking.OFFICIAL_SENSITIVE},
    {"q": "operational", "sort": "-title"},
    {"review_status": "in_date"},
]


def build_register(people):
    """Policies on both sides of every line the count is split along: in force or not (a review in progress
    stays in force; withdrawn does not), OFFICIAL or OFFICIAL-SENSITIVE, this group or another, named, granted.
    Built once for the module (tests/module_data.py): every test here reads a fresh copy, ``register``. (A test
    that needs the register empty is in test_register_count_role_change.py.)"""
    # The co-ordinator sees this draft twice over: by its group and by a grant.
    assign_perm("lifecycle.consult_policy", people.coordinator, people.policy())
    people.policy(**SENSITIVE)
    advance_to(people.policy(**SENSITIVE), "with_lead", people)
    advance_to(people.policy(), "implementation", people)
    advance_to(people.policy(**SENSITIVE), "monitoring", people)
    under_review = advance_to(people.policy(**SENSITIVE), "implementation", people)
    lifecycle_services.policy_start_review(policy=under_review, actor=people.lead, reason="Three years on.")
    advance_to(advance_to(people.policy(), "implementation", people), "withdrawn", people)
    advance_to(people.policy(**SENSITIVE), "withdrawn", people)
    other_group = {"actor": people.developer2, "business_group": people.group2, "owning_unit": people.unit2,
                   "designated_lead": people.lead2, "coordinator": people.coordinator2, "owner": None,
                   "policy_manager": None, "developers": [people.developer2]}
    # A grant shows a draft of another group, but not an OFFICIAL-SENSITIVE one.
    for granted in (people.policy(**other_group), people.policy(**other_group, **SENSITIVE)):
        assign_perm("lifecycle.consult_policy", people.developer, granted)
    unit_manager = UserFactory(username="unit_manager")
    RoleAssignmentFactory(user=unit_manager, role=Role.MANAGER, business_group=people.group, unit=people.unit)
    staff = UserFactory(username="staff")
    return [people.developer, people.manager, people.coordinator, people.lead, people.owner, people.pcu,
            people.dcfd, people.doi, people.shrmt, people.lead2, people.developer2, people.coordinator2,
            unit_manager, staff]


built_register, register = module_data(build_register, name="built_register", copy="register")


def _fresh(user):
    # Roles and grants are cached on the user object.
    return type(user).objects.get(pk=user.pk)


def test_the_parts_are_disjoint_and_make_up_exactly_what_the_register_lists(register):
    assert Policy.objects.filter(first_published_on__isnull=False, status="scoping").exists()
    for user in register:
        listed = set(policy_list(user=_fresh(user)).values_list("pk", flat=True))
        parts = policy_visibility_parts(_fresh(user))
        if parts is None:  # PCU: everything
            assert listed == set(Policy.objects.values_list("pk", flat=True)), user.username
            continue
        counted = [set(Policy.objects.filter(part).values_list("pk", flat=True)) for part in parts]
        assert set().union(*counted) == listed, user.username
        assert sum(map(len, counted)) == len(listed), f"{user.username}: the parts overlap"


@pytest.mark.parametrize("params", FILTERS, ids=lambda params: "&".join(params) or "unfiltered")
def test_the_count_is_the_number_of_policies_listed(register, params):
    for user in register:
        filterset = PolicyRegisterFilter(params or None, queryset=policy_list(user=_fresh(user)))
        narrow = filterset.filter_queryset if filterset.is_bound and filterset.is_valid() else None
        listed = filterset.qs.count() if narrow else filterset.queryset.count()
        assert policy_count(user=_fresh(user), narrow=narrow) == listed, (user.username, params)
        page = register_page(user=_fresh(user), narrow=narrow)
        assert page.paginator.count == listed, (user.username, params)


def test_signed_out_visitors_count_nothing(register):
    from django.contrib.auth.models import AnonymousUser

    assert policy_count(user=AnonymousUser()) == 0


def test_the_compiled_rows_are_the_querysets_rows(register):
    """PolicyRows (the unfiltered register, its statement compiled once per Viewer) gives exactly the rows of
    policy_list's values, in the same order, converted alike, for every role and any slice."""
    from lifecycle.register_views import REGISTER_ROW_FIELDS
    from lifecycle.selectors import PolicyRows

    for user in register:
        expected = list(policy_list(user=_fresh(user)).values_list(*REGISTER_ROW_FIELDS, named=True))
        rows = PolicyRows(user=_fresh(user), fields=REGISTER_ROW_FIELDS)
        assert rows[0:len(expected) + 5] == expected, user.username
        assert rows[2:4] == expected[2:4], user.username
        assert rows[len(expected):len(expected) + 5] == [], user.username
        assert rows[0:1][0]._fields == REGISTER_ROW_FIELDS


@pytest.mark.parametrize("number", [None, 1, "2", 3, 99, 0, -1, "x", "2.5", "99999999999999999999"])
def test_a_page_and_its_count_in_one_statement_are_the_paginators(register, monkeypatch, number,
                                                                   django_assert_num_queries,
                                                                   django_assert_max_num_queries):
    """register_page without filters reads the page asked for and the count in one statement: whatever the page
    number (out of range, not a number), the page shown and the count are those of Django's Paginator over the
    register; a page in range costs that one statement, any other at most the count and the page shown as well."""
    from django.core.paginator import Paginator

    from lifecycle import register_views as views
    from lifecycle.permissions import managed_scope, role_index

    monkeypatch.setattr(views, "REGISTER_PAGE_SIZE", 3)
    try:
        asked = int(number)
    except (TypeError, ValueError):
        asked = 1
    for user in register:
        expected = Paginator(policy_list(user=_fresh(user)).values_list(*views.REGISTER_ROW_FIELDS, named=True),
                             3).get_page(number)
        fresh = _fresh(user)
        role_index(fresh), managed_scope(fresh)  # as loaded with the person (workspace.backends)
        in_range = 1 <= asked <= expected.paginator.num_pages and len(expected.object_list) > 0
        with django_assert_num_queries(1) if in_range else django_assert_max_num_queries(3):
            page = views.register_page(user=fresh, number=number)
            shown = (list(page.object_list), page.paginator.count, page.number)
        assert shown == (list(expected.object_list), expected.paginator.count, expected.number), (user.username, number)


def test_the_count_by_status_is_the_register_by_status(register):
    """My work's figures (policy_count_by_status: each part counted by status from its index, the parts added up)
    are the register's, status by status, for every role: none of another group's OFFICIAL-SENSITIVE policies, and
    a policy seen on two counts (group and grant) counted once."""
    for user in register:
        listed = {}
        for status in policy_list(user=_fresh(user)).values_list("status", flat=True):
            listed[status] = listed.get(status, 0) + 1
        assert listed, user.username
        assert policy_count_by_status(user=_fresh(user)) == listed, user.username
