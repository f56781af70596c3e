"""Moving an OFFICIAL-SENSITIVE policy to another business group (``policy_move_business_group``) leaves those named on
its draft, cleared for the old group's material only, unable to open it (security probe F2). The move withdraws their
invitations to advise and takes back their grants in its own transaction, as losing a role does
(``lifecycle.services.clearance``): each with its audit event, the policy's developers and manager told, never the
person. An OFFICIAL policy's move, and anyone cleared for the new group, are left alone."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import ApplicationError
from core.models import AuditEvent, Role, RoleAssignment, User
from lifecycle import permissions
from lifecycle import services as s
from lifecycle.models import AdviceInvitation, Policy, PolicyUserObjectPermission
from lifecycle.services import people as people_services
from lifecycle.states import PolicyKind, Status
from notifications import services as notifications
from notifications.models import Notification
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def sensitive(policy_in):
    return policy_in(Status.SCOPING, protective_marking="official_sensitive", suitable_for_publication_scheme=False)


def person(username: str, name: str, role: str, group) -> User:
    first, last = name.split()
    return user_with_role(role, group, username=username, first_name=first, last_name=last)


@pytest.fixture
def takers(people):
    """Who takes each part over in Specialist Crime & Operations."""
    return {"designated_lead": people.lead2, "coordinator": people.coordinator2,
            "owner": user_with_role(Role.OWNER, people.group2, username="owner.b"),
            "policy_manager": user_with_role(Role.MANAGER, people.group2, username="manager.b"),
            "developer": people.developer2}


def move(policy, people, takers):
    return people_services.policy_move_business_group(
        policy=policy, actor=people.pcu, business_group=people.group2, owning_unit=people.unit2,
        reason="SOP: PCU resolves boundary issues for ownership of policy.", holders=takers)


def last_sequence() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()


def told(event) -> set[str]:
    notifications.outbox_relay()
    return set(Notification.objects.filter(source_event__audit_event=event)
               .values_list("recipient__username", flat=True))


def test_the_move_withdraws_what_those_cleared_only_for_the_old_group_held(client, people, policy_in, takers):
    policy = sensitive(policy_in)
    adviser = person("adviser", "Ada Adviser", Role.DEVELOPER, people.group)
    invitation = s.advice_invite(policy=policy, actor=people.developer, invitee=adviser)
    grantee = person("grantee", "Gwen Grantee", Role.MANAGER, people.group)
    s.policy_grant_access(policy=policy, actor=people.coordinator, user=grantee, permission="draft_policy")
    # A role in both groups: cleared for the new one as for the old, they keep both.
    both = person("both", "Bo Both", Role.DEVELOPER, people.group)
    RoleAssignment.objects.create(user=both, role=Role.DEVELOPER, business_group=people.group2)
    kept = s.advice_invite(policy=policy, actor=people.developer, invitee=both)
    s.policy_grant_access(policy=policy, actor=people.coordinator, user=both, permission="draft_policy")
    last = last_sequence()

    move(policy, people, takers)

    invitation.refresh_from_db()
    assert invitation.withdrawn_by == people.pcu
    assert invitation.withdrawal_reason == (
        "Ada Adviser is not cleared for OFFICIAL-SENSITIVE material of Specialist Crime & Operations (no role in "
        "Specialist Crime & Operations and no force-wide role): "
        f"{policy.reference} moved there from Territorial Policing.")
    for user in (adviser, grantee):
        assert not PolicyUserObjectPermission.objects.filter(content_object_id=policy.pk, user=user).exists()
    kept.refresh_from_db()
    permissions.forget_roles(both)
    assert kept.is_open and permissions.object_grants(both, policy) == {"consult_policy", "draft_policy"}

    events = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence"))
    assert [(event.action, event.policy_id) for event in events] == [
        ("policy.moved_business_group", policy.pk),
        ("policy.advice_withdrawn_not_cleared", policy.pk),
        ("policy.access_revoked_not_cleared", policy.pk),
    ]
    withdrawn, revoked = events[1:]
    assert withdrawn.actor == people.pcu and withdrawn.changes["invitee"] == "adviser"
    assert withdrawn.changes["access_revoked"] is True
    assert revoked.changes["user"] == "grantee" and revoked.changes["permission"] == "draft_policy"
    # Its developers and manager now (of the new group) are told; whoever invited the adviser is not cleared for it
    # any more either, and neither is anyone who lost it: none of them is told its title.
    assert told(withdrawn) == {"developer2", "manager.b"}
    assert told(revoked) == {"developer2", "manager.b"}
    after_the_move = Notification.objects.filter(source_event__audit_event__sequence__gt=last)
    assert not after_the_move.filter(recipient__in=[adviser, grantee, people.developer]).exists()
    item = Notification.objects.get(source_event__audit_event=withdrawn, recipient=people.developer2)
    assert item.body.startswith(f"{invitation.withdrawal_reason} By ")

    client.force_login(people.developer2)
    said = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", client.get(
        f"/policies/{policy.reference}/advice/").content.decode())).split())
    assert "Ada Adviser: invited by" in said and "cannot open the draft" not in said


def test_an_official_policys_move_leaves_them_alone(people, policy_in, takers):
    policy = policy_in(Status.SCOPING)
    adviser = person("adviser", "Ada Adviser", Role.DEVELOPER, people.group)
    invitation = s.advice_invite(policy=policy, actor=people.developer, invitee=adviser)
    s.policy_grant_access(policy=policy, actor=people.coordinator, user=adviser, permission="draft_policy")

    move(policy, people, takers)

    invitation.refresh_from_db()
    permissions.forget_roles(adviser)
    assert invitation.is_open and permissions.object_grants(adviser, policy) == {"consult_policy", "draft_policy"}
    assert not AuditEvent.objects.filter(action__endswith="_not_cleared").exists()


def test_those_not_cleared_before_the_move_are_not_the_moves_to_withdraw(people, policy_in, takers):
    """Someone who has left, or was named before the services refused it, was not cleared for the old group either:
    the move did not change what they may open, and the Advice page offers to end what they hold."""
    policy = sensitive(policy_in)
    leaver = person("leaver", "Lee Leaver", Role.DEVELOPER, people.group)
    invitation = s.advice_invite(policy=policy, actor=people.developer, invitee=leaver)
    User.objects.filter(pk=leaver.pk).update(is_active=False)

    move(policy, people, takers)

    invitation.refresh_from_db()
    assert invitation.is_open
    assert not AuditEvent.objects.filter(action__endswith="_not_cleared").exists()


def _move_queries(people, policy_in, takers, uncleared: int) -> int:
    policy = sensitive(policy_in)
    for index in range(uncleared):
        adviser = person(f"adviser{uncleared}.{index}", f"Ada Adviser{uncleared}x{index}", Role.DEVELOPER,
                         people.group)
        s.advice_invite(policy=policy, actor=people.developer, invitee=adviser)
        s.policy_grant_access(policy=policy, actor=people.coordinator, user=adviser, permission="draft_policy")
    with CaptureQueriesContext(connection) as queries:
        move(policy, people, takers)
    assert AdviceInvitation.objects.filter(policy=policy, withdrawn_at__isnull=False).count() == uncleared
    return len(queries)


def test_the_move_reads_who_is_named_at_once_and_then_costs_only_what_each_withdrawal_writes(people, policy_in,
                                                                                              takers):
    """Whom to withdraw is read in a fixed number of queries; each person's invitation and grant then cost what
    their withdrawal writes (the invitation, the grants, two audit events), the same for each."""
    move(policy_in(Status.SCOPING), people, takers)  # the actor's roles read once, and remembered
    official = policy_in(Status.SCOPING)
    with CaptureQueriesContext(connection) as queries:
        move(official, people, takers)
    moved_official = len(queries)
    nobody, one, two, three = (_move_queries(people, policy_in, takers, uncleared) for uncleared in range(4))
    per_person = two - one
    assert three - two == per_person
    # Nobody named on it: one query finds that out. Someone: their roles, the old group's name, and the invitations
    # and grants of all of them, once.
    assert nobody == moved_official + 1
    assert one - per_person == nobody + 4


def test_an_instruction_does_not_move_where_the_lead_whose_agreement_it_needs_is_not_cleared(people, policy_in,
                                                                                            takers):
    """An OFFICIAL-SENSITIVE local work instruction needs the "prior agreement with the corporate lead" (SOP, "Local
    Work Instructions"), who must be cleared for it to read it (``check_corporate_lead_cleared``, as when it is started
    or re-marked). Their agreement cannot be withdrawn: the move is refused, saying so, until they are cleared there."""
    corporate = policy_in(Status.IMPLEMENTATION, title="Custody detention standards")
    instruction = people.policy(kind=PolicyKind.LOCAL, supports=corporate, protective_marking="official_sensitive",
                                suitable_for_publication_scheme=False)
    with pytest.raises(ApplicationError) as refusal:
        move(instruction, people, takers)
    assert (refusal.value.code, refusal.value.field) == ("not_cleared", "business_group")
    assert (f"{people.lead}, the Designated Lead of {corporate.reference}, is not cleared for OFFICIAL-SENSITIVE "
            "material of Specialist Crime & Operations") in refusal.value.message
    assert Policy.objects.get(pk=instruction.pk).business_group == people.group
    RoleAssignment.objects.create(user=people.lead, role=Role.OWNER, business_group=people.group2)
    permissions.forget_roles(people.lead)
    move(instruction, people, takers)
    assert Policy.objects.get(pk=instruction.pk).business_group == people.group2


def test_the_move_form_says_so_before_pcu_moves_an_official_sensitive_policy(client, people, policy_in, takers):
    policy = sensitive(policy_in)
    adviser = person("adviser", "Ada Adviser", Role.DEVELOPER, people.group)
    invitation = s.advice_invite(policy=policy, actor=people.developer, invitee=adviser)
    client.force_login(people.pcu)
    page = client.get(f"/policies/{policy.reference}/people/").content.decode()
    assert 'id="move-withdraws"' in page and "withdraws their invitations and takes back their access" in page
    assert 'id="move-withdraws"' not in client.get(
        f"/policies/{policy_in(Status.SCOPING).reference}/people/").content.decode()
    response = client.post(f"/policies/{policy.reference}/people/", {
        "part": "move", "move-business_group": people.group2.pk, "move-owning_unit": people.unit2.pk,
        **{f"move-{key}": user.username for key, user in takers.items()}, "move-reason": "Boundary"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.withdrawn_by == people.pcu


def test_a_corporate_policy_does_not_move_where_its_lead_is_not_cleared_for_the_instructions_it_supports(
        people, policy_in, takers):
    """The other side of the same agreement: an OFFICIAL-SENSITIVE local work instruction of Territorial Policing
    supplements a corporate policy moved to Specialist Crime & Operations, whose Lead there (``lead2``) holds no role
    in Territorial Policing. They could not read the instruction to give the "prior agreement with the corporate lead"
    it needs (SOP, "Local Work Instructions"): the move is refused on the Designated Lead, naming the instruction by
    reference only (PCU moves, cleared for every group), until someone cleared is named or the Lead is cleared."""
    corporate = policy_in(Status.IMPLEMENTATION, title="Custody detention standards")
    instruction = people.policy(kind=PolicyKind.LOCAL, supports=corporate, protective_marking="official_sensitive",
                                suitable_for_publication_scheme=False, title="Cell search routine")
    # An OFFICIAL one, and a withdrawn OFFICIAL-SENSITIVE one, need no clearance of anyone: not named.
    official = people.policy(kind=PolicyKind.LOCAL, supports=corporate)
    withdrawn = people.policy(kind=PolicyKind.LOCAL, supports=corporate, protective_marking="official_sensitive",
                              suitable_for_publication_scheme=False)
    Policy.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN)
    last = last_sequence()

    with pytest.raises(ApplicationError) as refusal:
        move(corporate, people, takers)

    assert (refusal.value.code, refusal.value.field) == ("not_cleared", "designated_lead")
    message = refusal.value.message
    assert message.startswith(
        f"{people.lead2}, who would be the Designated Lead of {corporate.reference} in Specialist Crime & Operations, "
        f"is not cleared for OFFICIAL-SENSITIVE material of Territorial Policing: the OFFICIAL-SENSITIVE local work "
        f"instruction {instruction.reference} supplements it")
    assert "give them a role in Territorial Policing" in message and "name as Designated Lead" in message
    assert "Cell search routine" not in message
    assert official.reference not in message and withdrawn.reference not in message
    moved = Policy.objects.get(pk=corporate.pk)
    assert (moved.business_group, moved.designated_lead) == (people.group, people.lead)
    assert last_sequence() == last

    RoleAssignment.objects.create(user=people.lead2, role=Role.DEVELOPER, business_group=people.group)
    permissions.forget_roles(people.lead2)
    move(corporate, people, takers)
    moved = Policy.objects.get(pk=corporate.pk)
    assert (moved.business_group, moved.designated_lead) == (people.group2, people.lead2)


def test_the_move_form_keeps_what_was_typed_when_the_lead_is_not_cleared_for_an_instruction(client, people, policy_in,
                                                                                             takers):
    corporate = policy_in(Status.IMPLEMENTATION)
    instruction = people.policy(kind=PolicyKind.LOCAL, supports=corporate, protective_marking="official_sensitive",
                                suitable_for_publication_scheme=False)
    client.force_login(people.pcu)
    response = client.post(f"/policies/{corporate.reference}/people/", {
        "part": "move", "move-business_group": people.group2.pk, "move-owning_unit": people.unit2.pk,
        **{f"move-{key}": user.username for key, user in takers.items()}, "move-reason": "Boundary issue typed"})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert f"instruction {instruction.reference} supplements it" in page
    assert 'id="id_move-designated_lead-error"' in page
    assert "Boundary issue typed" in page and 'value="lead2"' in page
    assert Policy.objects.get(pk=corporate.pk).business_group == people.group


def test_the_designated_lead_of_a_corporate_policy_is_not_handed_to_someone_not_cleared_for_its_instructions(
        people, policy_in):
    """The same agreement without a move: a Territorial Policing policy supplemented by an OFFICIAL-SENSITIVE
    instruction of Specialist Crime & Operations (its lead cleared there when the instruction was started). Naming as
    Designated Lead another Lead of Territorial Policing, who holds no role in Specialist Crime & Operations, is
    refused on the new holder (PCU's alone to name), until they hold one."""
    RoleAssignment.objects.create(user=people.lead, role=Role.OWNER, business_group=people.group2)
    permissions.forget_roles(people.lead)
    corporate = policy_in(Status.IMPLEMENTATION)
    instruction = people.policy(actor=people.developer2, kind=PolicyKind.LOCAL, supports=corporate,
                                business_group=people.group2, owning_unit=people.unit2, designated_lead=people.lead2,
                                coordinator=people.coordinator2, owner=None, policy_manager=None,
                                developers=[people.developer2], protective_marking="official_sensitive",
                                suitable_for_publication_scheme=False)
    other_lead = person("lead.b", "Lou Lead", Role.LEAD, people.group)

    def reassign():
        return people_services.policy_reassign(policy=corporate, actor=people.pcu, role="designated_lead",
                                               new_holder=other_lead, reason="Portfolio change")

    with pytest.raises(ApplicationError) as refusal:
        reassign()
    assert (refusal.value.code, refusal.value.field) == ("not_cleared", "new_holder")
    assert refusal.value.message.startswith(
        "Lou Lead, who would be the Designated Lead of "
        f"{corporate.reference} in Territorial Policing, is not cleared for OFFICIAL-SENSITIVE material of Specialist "
        f"Crime & Operations: the OFFICIAL-SENSITIVE local work instruction {instruction.reference} supplements it")
    assert Policy.objects.get(pk=corporate.pk).designated_lead == people.lead

    RoleAssignment.objects.create(user=other_lead, role=Role.DEVELOPER, business_group=people.group2)
    permissions.forget_roles(other_lead)
    reassign()
    assert Policy.objects.get(pk=corporate.pk).designated_lead == other_lead
