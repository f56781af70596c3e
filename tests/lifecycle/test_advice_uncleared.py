"""Invitations to advise and grants on an OFFICIAL-SENSITIVE draft held by someone who cannot open it (security probe
F2, after the services began to refuse them): made before, or left behind when the person lost the role that cleared
them, or left. The Advice page says so on each, with the action that ends it, at a cost that does not grow with them."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from core.models import AuditEvent, Role, RoleAssignment, User
from lifecycle import permissions
from lifecycle import services as s
from lifecycle.models import AdviceInvitation, PolicyUserObjectPermission
from lifecycle.states import Status
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

NOT_CLEARED = "cannot open the draft: they are not cleared for OFFICIAL-SENSITIVE material of Territorial Policing"
CLOSED = "cannot open the draft: their account is closed"
# What the Advice page of an OFFICIAL-SENSITIVE draft costs, however many of those named on it cannot open it. It cost
# 8 before it said so; +2: the grants on the policy, and the roles of those named (lifecycle.selectors.advice_page).
ADVICE_PAGE_QUERIES = 10


def sensitive(policy_in, status=Status.SCOPING):
    return policy_in(status, protective_marking="official_sensitive", suitable_for_publication_scheme=False)


def person(username: str, name: str, role: str | None = None, group=None) -> User:
    first, last = name.split()
    if role is None:
        return UserFactory(username=username, first_name=first, last_name=last)
    return user_with_role(role, group, username=username, first_name=first, last_name=last)


def invited_before_the_fix(policy, invitee, *, by) -> AdviceInvitation:
    """What ``advice_invite`` made before it refused someone not cleared: the invitation, and the grant it gave."""
    assign_perm("lifecycle.consult_policy", invitee, policy)
    return AdviceInvitation.objects.create(policy=policy, cycle=policy.current_cycle, invitee=invitee,
                                           granted_access=True, invited_by=by)


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def withdraw_forms(page: str) -> set[str]:
    """The invitations the page offers to withdraw."""
    return set(re.findall(r'name="action" value="withdraw"><input type="hidden" name="invitation" value="(\d+)"',
                          page))


def take_back_forms(page: str) -> set[tuple[str, str]]:
    """The (user id, permission) grants the page offers to take back."""
    return set(re.findall(r'name="action" value="take_back"><input type="hidden" name="grantee" value="(\d+)">'
                          r'<input type="hidden" name="permission" value="(\w+)"', page))


def advice_page(client, policy) -> str:
    response = client.get(f"/policies/{policy.reference}/advice/")
    assert response.status_code == 200
    return response.content.decode()


# --- the Advice page ------------------------------------------------------------------------------------------------


def test_the_advice_page_says_who_cannot_open_the_draft_and_why_and_offers_to_end_it(client, people, policy_in):
    policy = sensitive(policy_in)
    # Invited before the fix: another group's developer.
    prefix = person("prefix", "Priya Prefix", Role.DEVELOPER, people.group2)
    before = invited_before_the_fix(policy, prefix, by=people.developer)
    # Invited while cleared; their role in Territorial Policing since removed (from a shell: nothing withdrew it).
    mover = person("mover", "Morgan Mover", Role.DEVELOPER, people.group)
    moved = s.advice_invite(policy=policy, actor=people.developer, invitee=mover)
    RoleAssignment.objects.filter(user=mover).delete()
    # Invited while cleared; has left since (their account closed from a shell).
    leaver = person("leaver", "Lee Leaver", Role.DEVELOPER, people.group)
    left = s.advice_invite(policy=policy, actor=people.developer, invitee=leaver)
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    # Cleared, and still cleared.
    cleared = person("cleared", "Carys Cleared", Role.MANAGER, people.group)
    kept = s.advice_invite(policy=policy, actor=people.developer, invitee=cleared)
    # Given access by name before the fix, not through an invitation.
    grantee = person("grantee", "Gwen Grantee")
    assign_perm("lifecycle.draft_policy", grantee, policy)

    client.force_login(people.developer)
    page = advice_page(client, policy)
    said = text_of(page)
    assert f"Priya Prefix {NOT_CLEARED}" in said
    assert f"Morgan Mover {NOT_CLEARED}" in said
    assert f"Lee Leaver {CLOSED}" in said
    assert "Carys Cleared cannot open" not in said
    assert f"Gwen Grantee may draft this policy, but {NOT_CLEARED}" in said
    # Each is offered the action that ends it; the invitation that gave a grant takes it back, so it is not offered
    # twice.
    assert withdraw_forms(page) == {str(before.pk), str(moved.pk), str(left.pk), str(kept.pk)}
    assert take_back_forms(page) == {(str(grantee.pk), "draft_policy")}

    response = client.post(f"/policies/{policy.reference}/advice/",
                           {"action": "withdraw", "invitation": before.pk, "reason": "Not cleared."})
    assert response.status_code == 302
    response = client.post(f"/policies/{policy.reference}/advice/",
                           {"action": "take_back", "grantee": grantee.pk, "permission": "draft_policy"})
    assert response.status_code == 302
    events = list(AuditEvent.objects.filter(policy_id=policy.pk, action__in=["policy.advice_withdrawn",
                                                                             "policy.access_revoked"])
                  .order_by("sequence").values_list("action", "changes__user", "changes__invitee"))
    assert events == [("policy.advice_withdrawn", None, "prefix"), ("policy.access_revoked", "grantee", None)]
    for user in (prefix, grantee):
        permissions.forget_roles(user)
        assert not permissions.object_grants(user, policy)
    said = text_of(advice_page(client, policy))
    assert "Priya Prefix cannot open" not in said and "Gwen Grantee may" not in said
    assert "Priya Prefix: invited by" in said  # among the withdrawn invitations
    # Not said to be told: the invitee is not cleared, so the relay tells them nothing of it.
    assert "The invitation to Priya Prefix is withdrawn. " in said
    assert "Gwen Grantee can no longer draft this policy." in said


def test_a_leavers_access_can_be_taken_back(people, policy_in):
    """``policy_revoke_access`` read the grants through ``object_grants``, which is empty for a closed account:
    a leaver's access could not be taken back ("does not have that access")."""
    policy = sensitive(policy_in)
    leaver = person("leaver", "Lee Leaver", Role.DEVELOPER, people.group)
    s.policy_grant_access(policy=policy, actor=people.coordinator, user=leaver, permission="consult_policy")
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    leaver.refresh_from_db()
    s.policy_revoke_access(policy=policy, actor=people.coordinator, user=leaver, permission="consult_policy")
    assert not PolicyUserObjectPermission.objects.filter(content_object=policy, user=leaver).exists()


def test_an_official_draft_names_only_those_who_have_left(client, people, policy_in):
    policy = policy_in(Status.SCOPING)
    outsider = person("outsider", "Priya Prefix", Role.DEVELOPER, people.group2)
    s.advice_invite(policy=policy, actor=people.developer, invitee=outsider)
    leaver = person("leaver", "Lee Leaver", Role.DEVELOPER, people.group)
    s.advice_invite(policy=policy, actor=people.developer, invitee=leaver)
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    client.force_login(people.developer)
    said = text_of(advice_page(client, policy))
    assert f"Lee Leaver {CLOSED}" in said and "Priya Prefix cannot open" not in said


def _advice_queries(client, policy) -> int:
    with CaptureQueriesContext(connection) as queries:
        advice_page(client, policy)
    return len(queries)


@pytest.mark.parametrize("username", ["developer", "coordinator", "pcu"])
def test_the_advice_page_costs_the_same_however_many_cannot_open_the_draft(client, people, policy_in, username):
    policy = sensitive(policy_in)
    s.advice_invite(policy=policy, actor=people.developer, team="doi")
    s.advice_invite(policy=policy, actor=people.developer,
                    invitee=person("cleared", "Carys Cleared", Role.MANAGER, people.group))
    invited_before_the_fix(policy, person("prefix0", "Priya Prefix", Role.DEVELOPER, people.group2),
                           by=people.developer)
    assign_perm("lifecycle.consult_policy", person("grantee0", "Gwen Grantee"), policy)
    client.force_login(getattr(people, username))
    few = _advice_queries(client, policy)
    for index in range(1, 4):
        invited_before_the_fix(policy, person(f"prefix{index}", f"Priya Prefix{index}", Role.DEVELOPER,
                                              people.group2), by=people.developer)
        assign_perm("lifecycle.draft_policy", person(f"grantee{index}", f"Gwen Grantee{index}"), policy)
        leaver = person(f"leaver{index}", f"Lee Leaver{index}", Role.DEVELOPER, people.group)
        s.advice_invite(policy=policy, actor=people.developer, invitee=leaver)
        User.objects.filter(pk=leaver.pk).update(is_active=False)
    page = advice_page(client, policy)
    # Four invited before the fix, four given access, three who have left.
    assert text_of(page).count("cannot open the draft:") == 4 + 4 + 3
    many = _advice_queries(client, policy)
    assert many == few <= ADVICE_PAGE_QUERIES
