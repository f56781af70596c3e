"""Advice during development (issue 12; SOP, roles: DCFD, DOI and SHRMT advise those developing policy): a
co-ordinator or developer invites a team or a named colleague to see and comment on a draft, from the advice page;
invitations are audited, withdrawn, and the invited person is told."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from core.models import AuditEvent
from core.submissions import ADVICE_COMMENT, ADVICE_INVITE
from lifecycle import permissions
from lifecycle import services as s
from lifecycle.details import details_hash
from lifecycle.models import AdviceComment, AdviceInvitation
from lifecycle.states import Status
from notifications import services as notifications
from notifications.models import Notification
from tests.factories import advance_to, refused, reload, user_with_role
from tests.submissions import sent_once

pytestmark = pytest.mark.django_db


def told(action: str, policy) -> set[str]:
    notifications.outbox_relay()
    event = AuditEvent.objects.filter(action=action, policy_id=policy.pk).latest("sequence")
    return set(Notification.objects.filter(source_event__audit_event=event)
               .values_list("recipient__username", flat=True))


def sees_draft(client, user, policy) -> bool:
    for cached in ("_policyhub_roles", "_policyhub_grants"):
        user.__dict__.pop(cached, None)
    client.force_login(user)
    register = client.get("/policies/").content.decode()
    page = client.get(f"/policies/{policy.reference}/statement/")
    return policy.reference in register and page.status_code == 200


def test_coordinator_invites_dcfd_who_sees_comments_and_is_told_then_it_is_withdrawn(client, people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    dcfd2 = user_with_role("dcfd", None, username="dcfd2")
    assert not sees_draft(client, people.dcfd, policy)

    client.force_login(people.coordinator)
    response = client.post(f"/policies/{policy.reference}/advice/",
                           {"action": "invite", "who": "dcfd", "note": "Is the EIA's race section right?",
                            **sent_once(people.coordinator, ADVICE_INVITE)})
    assert response.status_code == 302
    invitation = AdviceInvitation.objects.get(policy=policy)
    assert (invitation.team, invitation.invited_by, invitation.cycle) == ("dcfd", people.coordinator, 1)
    # Every member of the team is told; the team sees the draft, another team does not.
    assert told("policy.advice_invited", policy) == {"dcfd", "dcfd2"}
    assert sees_draft(client, people.dcfd, policy) and sees_draft(client, dcfd2, policy)
    assert not sees_draft(client, people.doi, policy)

    client.force_login(people.dcfd)
    page = client.get(f"/policies/{policy.reference}/advice/").content.decode()
    assert "Is the EIA&#x27;s race section right?" in page and "Give your advice" in page
    response = client.post(f"/policies/{policy.reference}/advice/", {"action": "comment", "invitation": invitation.pk,
                                                                     "text": "Add the impact on Gypsy and Traveller "
                                                                             "communities.",
                                                                     **sent_once(people.dcfd, ADVICE_COMMENT)})
    assert response.status_code == 302
    comment = AdviceComment.objects.get(invitation=invitation)
    assert comment.author == people.dcfd and comment.policy_version == reload(policy).current_version
    assert told("policy.advice_given", policy) == {"developer", "manager", "coordinator"}

    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/advice/",
                           {"action": "withdraw", "invitation": invitation.pk, "reason": "Answered."})
    assert response.status_code == 302
    assert AdviceInvitation.objects.get(pk=invitation.pk).withdrawn_by == people.developer
    assert told("policy.advice_withdrawn", policy) == {"dcfd", "dcfd2"}
    assert not sees_draft(client, people.dcfd, policy)
    # The advice given is kept, and shown with the withdrawn invitation.
    client.force_login(people.developer)
    assert "1 comment kept" in client.get(f"/policies/{policy.reference}/advice/").content.decode()


def test_developer_invites_a_named_colleague_through_the_grant_taken_back_on_withdrawal(client, people, policy_in):
    policy = policy_in(Status.SCOPING)
    colleague = people.developer2  # of another business group: sees nothing of this draft until invited
    assert not sees_draft(client, colleague, policy)
    invitation = s.advice_invite(policy=policy, actor=people.developer, invitee=colleague, note="Cross-border?")
    assert invitation.granted_access
    assert "consult_policy" in permissions.object_grants(colleague, policy)
    assert told("policy.advice_invited", policy) == {"developer2"}
    assert sees_draft(client, colleague, policy)
    s.advice_comment(invitation=invitation, actor=colleague, text="SCO runs the cross-border desk: consult us.")

    s.advice_withdraw(invitation=invitation, actor=people.coordinator, reason="Done.")
    permissions.forget_roles(colleague)
    assert "consult_policy" not in permissions.object_grants(colleague, policy)
    assert not sees_draft(client, colleague, policy)
    assert told("policy.advice_withdrawn", policy) == {"developer2"}
    event = AuditEvent.objects.filter(action="policy.advice_withdrawn", policy_id=policy.pk).get()
    assert event.changes["access_revoked"] is True and event.changes["reason"] == "Done."


def test_a_colleague_with_a_grant_already_keeps_it_when_the_invitation_is_withdrawn(people, policy_in):
    policy = policy_in(Status.SCOPING)
    s.policy_grant_access(policy=policy, actor=people.coordinator, user=people.developer2, permission="consult_policy")
    invitation = s.advice_invite(policy=policy, actor=people.developer, invitee=people.developer2)
    assert not invitation.granted_access
    s.advice_withdraw(invitation=invitation, actor=people.developer)
    permissions.forget_roles(people.developer2)
    assert "consult_policy" in permissions.object_grants(people.developer2, policy)


def test_invitation_refusals_change_nothing(client, people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    with refused("forbidden", "Only the developers, manager and co-ordinator"):
        s.advice_invite(policy=policy, actor=people.lead, team="doi")
    with refused("forbidden"):
        s.advice_invite(policy=policy, actor=people.dcfd, team="dcfd")
    s.advice_invite(policy=policy, actor=people.developer, team="shrmt")
    with refused("invalid", "already invited"):
        s.advice_invite(policy=policy, actor=people.coordinator, team="shrmt")
    leaver = user_with_role("developer", people.group2, username="leaver", is_active=False)
    with refused("invalid", "active colleague"):
        s.advice_invite(policy=policy, actor=people.developer, invitee=leaver)
    with refused("invalid", "Choose DCFD, DOI or SHRMT, or name one colleague"):
        s.advice_invite(policy=policy, actor=people.developer)
    # The page: an unknown username is refused on the form, what was typed kept.
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/advice/",
                           {"action": "invite", "who": "colleague", "username": "nobody.here",
                            "note": "Keep this note", **sent_once(people.developer, ADVICE_INVITE)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "No active colleague has that username" in body and "Keep this note" in body
    # Someone not invited cannot comment; once submitted, nobody can invite.
    invitation = AdviceInvitation.objects.get(policy=policy, team="shrmt")
    with refused("forbidden", "You cannot comment"):
        s.advice_comment(invitation=invitation, actor=people.dcfd, text="Not asked.")
    policy = advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    with refused("forbidden", "You cannot comment"):
        s.advice_comment(invitation=invitation, actor=people.shrmt, text="Too late.")
    with refused("frozen", "while it is drafted"):
        s.advice_invite(policy=policy, actor=people.developer, team="doi")
    assert AdviceInvitation.objects.filter(policy=policy).count() == 1
    assert not AdviceComment.objects.exists()


def test_a_team_invitation_lapses_with_its_cycle(client, people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    s.advice_invite(policy=policy, actor=people.developer, team="doi")
    assert sees_draft(client, people.doi, policy)
    policy = advance_to(policy, Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    client.force_login(people.doi)
    # The policy is in force (everyone sees v1.0), but the review's draft is not shown: invite DOI afresh.
    page = client.get(f"/policies/{policy.reference}/advice/").content.decode()
    assert "only the people working on this policy see" in page


def test_the_database_refuses_to_change_advice_given_or_a_withdrawn_invitation(people, policy_in):
    policy = policy_in(Status.SCOPING)
    invitation = s.advice_invite(policy=policy, actor=people.developer, team="dcfd")
    comment = s.advice_comment(invitation=invitation, actor=people.dcfd, text="Kept for ever.")
    s.advice_withdraw(invitation=invitation, actor=people.developer)
    refuses = (IntegrityError, InternalError)
    for statement, row in (("UPDATE lifecycle_advicecomment SET text = 'forged' WHERE id = %s", comment.pk),
                           ("DELETE FROM lifecycle_advicecomment WHERE id = %s", comment.pk),
                           ("UPDATE lifecycle_adviceinvitation SET withdrawn_at = NULL WHERE id = %s", invitation.pk),
                           ("DELETE FROM lifecycle_adviceinvitation WHERE id = %s", invitation.pk)):
        with pytest.raises(refuses, match="refused|never deleted"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [row])


# --- OFFICIAL-SENSITIVE drafts (security probe F2) ------------------------------------------------------------------


def sensitive(policy_in, status=Status.SCOPING):
    return policy_in(status, protective_marking="official_sensitive", suitable_for_publication_scheme=False)


def test_a_colleague_not_cleared_is_not_invited_to_advise_on_an_official_sensitive_draft(people, policy_in):
    """An invitation by name told another group's developer the policy's title, and the link answered 404: they hold
    no role on its business group and no force-wide role (``user_may_see_sensitive``). Refused, saying what to do."""
    policy = sensitive(policy_in)
    events = AuditEvent.objects.filter(policy_id=policy.pk).count()
    with refused("not_cleared", f"{people.developer2} is not cleared for OFFICIAL-SENSITIVE material of "
                                "Territorial Policing", "invite the DCFD, DOI or SHRMT team instead") as refusal:
        s.advice_invite(policy=policy, actor=people.developer, invitee=people.developer2)
    assert refusal.error.field == "invitee"
    permissions.forget_roles(people.developer2)
    assert not AdviceInvitation.objects.filter(policy=policy).exists()
    assert not permissions.object_grants(people.developer2, policy)
    assert AuditEvent.objects.filter(policy_id=policy.pk).count() == events
    # Those cleared for it are invited by name as before: a force-wide role, or a role on its business group.
    s.advice_invite(policy=policy, actor=people.developer, invitee=people.doi)
    s.advice_invite(policy=policy, actor=people.developer, invitee=people.owner)
    assert told("policy.advice_invited", policy) == {"owner"}


def test_the_advice_page_says_why_on_the_username_and_keeps_what_was_typed(client, people, policy_in):
    policy = sensitive(policy_in)
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/advice/",
                           {"action": "invite", "who": "colleague", "username": "developer2",
                            "note": "Keep this note", **sent_once(people.developer, ADVICE_INVITE)})
    assert response.status_code == 400
    body = response.content.decode()
    # On the username field, as its own error.
    on_field = re.search(r'id="id_username-error">(.*?)</p>', body, re.S)
    assert on_field and "is not cleared for OFFICIAL-SENSITIVE material of Territorial Policing" in re.sub(
        r"<[^>]+>", "", on_field.group(1))
    assert "Keep this note" in body and 'value="developer2"' in body
    assert not AdviceInvitation.objects.filter(policy=policy).exists()


def test_a_draft_is_not_re_marked_official_sensitive_while_an_adviser_not_cleared_is_invited(people, policy_in):
    """Re-marking is refused, naming who must be withdrawn first: nobody's invitation ends without the person who
    invited them choosing it (and telling them, while the title may still be told), and what was typed is kept."""
    policy = policy_in(Status.SCOPING)
    invitation = s.advice_invite(policy=policy, actor=people.developer, invitee=people.developer2)
    details = reload(policy).details_snapshot()
    remark = {**details, "protective_marking": "official_sensitive", "suitable_for_publication_scheme": False}
    with refused("not_cleared", str(people.developer2), "withdraw") as refusal:
        s.policy_update_details(policy=policy, actor=people.developer, expected_details=details_hash(details),
                                **remark)
    assert refusal.error.field == "protective_marking"
    assert reload(policy).protective_marking == "official"
    s.advice_withdraw(invitation=invitation, actor=people.developer, reason="Marked OFFICIAL-SENSITIVE.")
    s.policy_update_details(policy=policy, actor=people.developer, expected_details=details_hash(details), **remark)
    assert reload(policy).protective_marking == "official_sensitive"
