"""Invitations to advise and grants on an OFFICIAL-SENSITIVE draft held by someone who cannot open it (security probe
F2, after the services began to refuse them): made before, or left behind when the person lost the role that cleared
them, or left. The Advice page says so on each, with the action that ends it, at a cost that does not grow with them;
and taking away a role, or closing an account, withdraws them in the same transaction, each with its audit event,
telling the policy's developers (lifecycle.services.clearance)."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from core.holdings import user_deactivate
from core.models import AuditEvent, Role, RoleAssignment, User
from core.services import role_revoke
from lifecycle import permissions
from lifecycle import services as s
from lifecycle.models import AdviceInvitation, PolicyUserObjectPermission
from lifecycle.states import Status
from notifications import services as notifications
from notifications.models import Notification
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


def delete_roles_in_plain_sql(user) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_roleassignment WHERE user_id = %s", [user.pk])
    permissions.forget_roles(user)


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
    # Invited while cleared; their role in Territorial Policing since removed in plain SQL, below what Django sees (a
    # delete through Django withdraws it: core.receivers.role_revoked), so nothing withdrew it.
    mover = person("mover", "Morgan Mover", Role.DEVELOPER, people.group)
    moved = s.advice_invite(policy=policy, actor=people.developer, invitee=mover)
    delete_roles_in_plain_sql(mover)
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


# --- losing clearance withdraws what it gave --------------------------------------------------------------------------


def told(event) -> set[str]:
    notifications.outbox_relay()
    return set(Notification.objects.filter(source_event__audit_event=event)
               .values_list("recipient__username", flat=True))


def test_taking_away_the_role_that_cleared_someone_withdraws_their_invitations_and_grants(client, people, policy_in):
    mover = person("mover", "Morgan Mover", Role.DEVELOPER, people.group)
    RoleAssignment.objects.create(user=mover, role=Role.DEVELOPER, business_group=people.group2)
    invited_to = sensitive(policy_in)
    invitation = s.advice_invite(policy=invited_to, actor=people.coordinator, invitee=mover)
    granted_on = sensitive(policy_in)
    s.policy_grant_access(policy=granted_on, actor=people.coordinator, user=mover, permission="draft_policy")
    official = policy_in(Status.SCOPING)
    kept = s.advice_invite(policy=official, actor=people.developer, invitee=mover)
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()

    role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=mover, business_group=people.group))

    invitation.refresh_from_db()
    assert invitation.withdrawn_by == people.pcu
    assert invitation.withdrawal_reason == (
        "Morgan Mover is no longer cleared for OFFICIAL-SENSITIVE material of Territorial Policing: their role "
        "Policy Developer in Territorial Policing was taken away.")
    permissions.forget_roles(mover)
    assert not permissions.object_grants(mover, invited_to) and not permissions.object_grants(mover, granted_on)
    # OFFICIAL material needs no clearance: that invitation stands, with the grant it gave.
    kept.refresh_from_db()
    assert kept.is_open and permissions.object_grants(mover, official) == {"consult_policy"}

    events = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence"))
    assert [(event.action, event.policy_id) for event in events] == [
        ("role.revoked", None),
        ("policy.advice_withdrawn_not_cleared", invited_to.pk),
        ("policy.access_revoked_not_cleared", granted_on.pk),
    ]
    withdrawn, revoked = events[1:]
    assert withdrawn.actor == people.pcu and withdrawn.changes["access_revoked"] is True
    assert withdrawn.changes["reason"] == invitation.withdrawal_reason
    assert revoked.changes["user"] == "mover" and revoked.changes["permission"] == "draft_policy"
    # The policy's developers and manager are told, and whoever invited them; never the person, who may not be told
    # the title any more.
    assert told(withdrawn) == {"developer", "manager", "coordinator"}
    assert told(revoked) == {"developer", "manager"}
    item = Notification.objects.get(source_event__audit_event=withdrawn, recipient=people.developer)
    assert item.title.startswith("An adviser is no longer cleared for it: invitation withdrawn")
    assert item.body.startswith(f"{invitation.withdrawal_reason} By ")

    client.force_login(people.developer)
    said = text_of(advice_page(client, invited_to))
    assert "Morgan Mover: invited by" in said and "is no longer cleared" in said
    assert "Morgan Mover cannot open" not in said


def test_a_role_taken_away_that_leaves_the_person_cleared_withdraws_nothing(people, policy_in):
    twice = person("twice", "Tamsin Twice", Role.DEVELOPER, people.group)
    RoleAssignment.objects.create(user=twice, role=Role.MANAGER, business_group=people.group)
    invitation = s.advice_invite(policy=sensitive(policy_in), actor=people.developer, invitee=twice)
    role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=twice, role=Role.DEVELOPER))
    invitation.refresh_from_db()
    assert invitation.is_open
    assert not AuditEvent.objects.filter(action__endswith="_not_cleared").exists()


def test_closing_an_account_withdraws_its_invitations_and_grants_on_sensitive_drafts(people, policy_in):
    leaver = person("leaver", "Lee Leaver", Role.DEVELOPER, people.group)
    policy = sensitive(policy_in)
    invitation = s.advice_invite(policy=policy, actor=people.developer, invitee=leaver)
    s.policy_grant_access(policy=policy, actor=people.coordinator, user=leaver, permission="draft_policy")

    user_deactivate(actor=people.pcu, user=leaver)

    invitation.refresh_from_db()
    assert invitation.withdrawn_by == people.pcu
    assert invitation.withdrawal_reason == ("Lee Leaver is no longer cleared for OFFICIAL-SENSITIVE material of "
                                            "Territorial Policing: their account was closed.")
    assert not PolicyUserObjectPermission.objects.filter(content_object=policy, user=leaver).exists()
    assert list(AuditEvent.objects.filter(policy_id=policy.pk, action__endswith="_not_cleared")
                .order_by("sequence").values_list("action", "changes__permission")) == [
        ("policy.advice_withdrawn_not_cleared", None), ("policy.access_revoked_not_cleared", "draft_policy")]


def test_a_role_deleted_outside_the_services_withdraws_what_it_cleared_as_taking_it_away_does(client, people,
                                                                                             policy_in):
    """A role assignment deleted from a shell, a script or a data fix (``RoleAssignment.objects...delete()``, one row
    or many) never passes through ``role_revoke``: core's receiver records it and sends ``clearance_reduced`` in the
    delete's own transaction, so what the role cleared is withdrawn as when it is taken away, with nobody as the
    actor ("PolicyHub" where a name is shown)."""
    mover = person("mover", "Morgan Mover", Role.DEVELOPER, people.group)
    RoleAssignment.objects.create(user=mover, role=Role.MANAGER, business_group=people.group)
    invited_to = sensitive(policy_in)
    invitation = s.advice_invite(policy=invited_to, actor=people.coordinator, invitee=mover)
    granted_on = sensitive(policy_in)
    s.policy_grant_access(policy=granted_on, actor=people.coordinator, user=mover, permission="draft_policy")
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()

    # One of two roles in the group: still cleared, nothing withdrawn.
    RoleAssignment.objects.get(user=mover, role=Role.MANAGER).delete()
    invitation.refresh_from_db()
    assert invitation.is_open
    # The last one, by queryset, as from a shell.
    assert RoleAssignment.objects.filter(user=mover).delete()[0] == 1

    invitation.refresh_from_db()
    assert invitation.withdrawn_by is None and invitation.withdrawn_at is not None
    assert invitation.withdrawal_reason == (
        "Morgan Mover is no longer cleared for OFFICIAL-SENSITIVE material of Territorial Policing: their role "
        "Policy Developer in Territorial Policing was removed outside PolicyHub's services.")
    permissions.forget_roles(mover)
    assert not PolicyUserObjectPermission.objects.filter(user=mover).exists()
    events = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence"))
    # Each deletion recorded in its own transaction, before what follows from it.
    assert [(event.action, event.object_type, event.policy_id) for event in events] == [
        ("role.revoked_outside_services", "core.user", None),
        ("role.revoked_outside_services", "core.user", None),
        ("policy.advice_withdrawn_not_cleared", "lifecycle.policy", invited_to.pk),
        ("policy.access_revoked_not_cleared", "lifecycle.policy", granted_on.pk),
    ]
    assert [event.changes["role"] for event in events[:2]] == ["manager", "developer"]
    assert all(event.actor is None for event in events)
    assert told(events[2]) == {"developer", "manager", "coordinator"}
    assert Notification.objects.get(source_event__audit_event=events[2], recipient=people.developer).body.startswith(
        f"{invitation.withdrawal_reason} By PolicyHub on ")

    client.force_login(people.developer)
    said = text_of(advice_page(client, invited_to))
    assert "withdrawn by PolicyHub on" in said and "withdrawn by None" not in said


def test_a_role_changed_in_place_outside_the_services_withdraws_what_the_old_role_cleared(people, policy_in):
    """A role assignment changed in place from a shell or a data fix (its business group or role edited, then
    ``save()``): the role it was is gone as surely as if it were deleted, so core's receiver sends ``clearance_reduced``
    for it in the save's own transaction, and what it cleared is withdrawn, with nobody as the actor. (It was recorded
    as "assigned" only, and the invitation stayed open for someone who can no longer open the draft.)"""
    mover = person("mover", "Morgan Mover", Role.DEVELOPER, people.group)
    invitation = s.advice_invite(policy=sensitive(policy_in), actor=people.coordinator, invitee=mover)
    assignment = RoleAssignment.objects.get(user=mover)
    # Saved unchanged: nothing was taken away.
    assignment.save()
    invitation.refresh_from_db()
    assert invitation.is_open

    assignment.business_group = people.group2
    assignment.save()
    invitation.refresh_from_db()
    assert invitation.withdrawn_by is None and invitation.withdrawn_at is not None
    assert invitation.withdrawal_reason == (
        "Morgan Mover is no longer cleared for OFFICIAL-SENSITIVE material of Territorial Policing: their role "
        "Policy Developer in Territorial Policing was changed outside PolicyHub's services.")


@pytest.mark.django_db(transaction=True)
def test_a_role_changed_in_place_is_kept_only_with_what_its_answer_withdraws(people, policy_in):
    """Review of 2026-12-05 (second, finding 2): Django sends post_save after the save, outside any transaction of its
    own, so a role changed in place from a shell was committed before ``clearance_reduced`` was answered; an answer
    that failed left the role moved and the invitation open. The change and its answer are now one transaction, as a
    deletion's are: either both hold or neither."""
    from core.signals import clearance_reduced

    def failing(**kwargs):
        raise RuntimeError("the withdrawal failed")

    mover = person("mover", "Morgan Mover", Role.DEVELOPER, people.group)
    invitation = s.advice_invite(policy=sensitive(policy_in), actor=people.coordinator, invitee=mover)
    assignment = RoleAssignment.objects.get(user=mover)
    clearance_reduced.connect(failing, dispatch_uid="test-failing-answer")
    try:
        assignment.business_group = people.group2
        with pytest.raises(RuntimeError):
            assignment.save()
    finally:
        clearance_reduced.disconnect(dispatch_uid="test-failing-answer")
    assert RoleAssignment.objects.get(pk=assignment.pk).business_group_id == people.group.pk
    invitation.refresh_from_db()
    assert invitation.is_open
