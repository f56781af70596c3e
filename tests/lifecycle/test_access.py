"""``access_policy`` (lifecycle.selectors): its statement is compiled once for each person and the roles their
visibility is built from, and stays the visibility filter of every list: a role taken away, a grant revoked or a
marking raised is obeyed on the next request, and what the filter hides is a 404."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.utils.html import escape

from core.models import Role, RoleAssignment, User
from core.services import role_assign, role_revoke
from lifecycle import services
from lifecycle.models import Policy
from lifecycle.selectors import access_policy, policy_list
from lifecycle.states import ProtectiveMarking, Status
from tests.factories import UserFactory
from tests.page_cost import queries_compiled

pytestmark = pytest.mark.django_db


def next_request(user) -> User:
    """The person as the next request loads them: their roles and grants read again."""
    return User.objects.get(pk=user.pk)


def sees(user, policy) -> bool:
    try:
        access_policy(user=next_request(user), reference=policy.reference)
    except Http404:
        return False
    return True


def test_a_role_taken_away_hides_the_draft_on_the_next_request(people):
    draft = people.policy()
    newcomer = UserFactory(username="newcomer")
    assert not sees(newcomer, draft)
    role_assign(actor=people.pcu, user=newcomer, role=Role.COORDINATOR, business_group=people.group)
    assert sees(newcomer, draft)
    role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=newcomer))
    assert not sees(newcomer, draft)


def test_a_grant_revoked_hides_the_draft_though_the_roles_are_the_same(people):
    """The roles, and so the compiled statement, do not change: the grant is read when the statement runs."""
    draft = people.policy()
    consultee = UserFactory(username="consultee")
    services.policy_grant_access(policy=draft, actor=people.coordinator, user=consultee, permission="consult_policy")
    assert sees(consultee, draft)
    services.policy_revoke_access(policy=draft, actor=people.coordinator, user=consultee, permission="consult_policy")
    assert not sees(consultee, draft)


def test_a_sensitive_policy_is_seen_only_with_a_role_on_its_group_as_in_every_list(people, policy_in):
    sensitive = policy_in("monitoring", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                          suitable_for_publication_scheme=False)
    official = policy_in("monitoring")
    staff = UserFactory(username="staff")
    assert (sees(staff, official), sees(staff, sensitive)) == (True, False)
    assert not sees(people.developer2, sensitive)
    assert sees(people.developer, sensitive)
    for user in (staff, people.developer2, people.developer, people.pcu):
        listed = set(policy_list(user=next_request(user)).values_list("pk", flat=True))
        assert {policy.pk for policy in (official, sensitive) if sees(user, policy)} == listed & {official.pk,
                                                                                               sensitive.pk}


def test_a_reference_that_does_not_exist_or_is_hostile_is_a_404(people):
    people.policy()
    for reference in ("POL-9999", "POL-0001' OR '1'='1", ""):
        with pytest.raises(Http404):
            access_policy(user=next_request(people.pcu), reference=reference)
    assert Policy.objects.count() == 1


def test_the_overview_names_the_developers_in_the_order_of_their_names_and_knows_who_is_one(client, people):
    """The developers come with the policy's read (``access_policy(with_people=True)``), where the document-control
    block and ``Policy.is_developer`` read them, as ``prefetch_related`` left them."""
    policy = people.policy()
    first = UserFactory(username="aaron", first_name="Aaron", last_name="Abbott")
    Policy.developers.through.objects.create(policy=policy, user=first)
    named = [str(user) for user in Policy.objects.get(pk=policy.pk).developers.order_by("last_name", "first_name",
                                                                                          "username")]
    read = access_policy(user=next_request(people.developer), reference=policy.reference, with_people=True)
    assert [str(user) for user in read.developers.all()] == named and len(named) >= 2
    assert read.is_developer(people.developer) and not read.is_developer(people.developer2)
    client.force_login(people.coordinator)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f'Authors</dt><dd class="govuk-summary-list__value">{", ".join(map(escape, named))}</dd>' in page


def test_whether_a_person_is_a_named_developer_is_compiled_once_per_process(people, policy_in, monkeypatch):
    """Issue 16: the timeline and versions pages ask ``Policy.is_developer`` of a policy read without its developers;
    Django compiled the ``exists()`` anew on each request. It is compiled once per process, and answers as before."""
    policy = policy_in(Status.DEVELOPMENT)
    assert Policy.objects.get(pk=policy.pk).is_developer(people.developer)
    compiled = queries_compiled(monkeypatch)
    fresh = Policy.objects.get(pk=policy.pk)
    compiled.clear()
    assert fresh.is_developer(people.developer) and not fresh.is_developer(people.developer2)
    assert not fresh.is_developer(people.coordinator)
    assert compiled == []
