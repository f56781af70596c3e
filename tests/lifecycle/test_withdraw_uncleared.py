"""``manage.py withdraw_uncleared``: invitations to advise and grants held on OFFICIAL-SENSITIVE drafts by people who
cannot open them (named before the services refused it, or left behind where Django never saw the clearance go) are
listed by a dry run, changing nothing, and withdrawn with ``--apply`` through ``policy_uncleared_withdraw``: an audit
event each, the policy's developers, manager and inviter told, never the person; a second run finds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from guardian.shortcuts import assign_perm

from core.models import AuditEvent, Role, User
from lifecycle import permissions
from lifecycle import services as s
from lifecycle.models import AdviceInvitation, PolicyUserObjectPermission
from lifecycle.states import Status
from notifications import services as notifications
from notifications.models import Notification
from tests.lifecycle.test_advice_uncleared import invited_before_the_fix, person, sensitive

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("withdraw_uncleared", *args, stdout=out)
    return out.getvalue()


def last_sequence() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()


@pytest.fixture
def stranded(people, policy_in):
    """An OFFICIAL-SENSITIVE draft of Territorial Policing naming: another group's developer invited before the fix;
    someone with no role given access by name before it; a colleague whose role went in plain SQL; one still cleared.
    And an OFFICIAL draft naming the other group's developer (no clearance needed)."""
    policy = sensitive(policy_in)
    prefix = person("prefix", "Priya Prefix", Role.DEVELOPER, people.group2)
    invitation = invited_before_the_fix(policy, prefix, by=people.coordinator)
    grantee = person("grantee", "Gwen Grantee")
    assign_perm("lifecycle.draft_policy", grantee, policy)
    mover = person("mover", "Morgan Mover", Role.DEVELOPER, people.group)
    moved = s.advice_invite(policy=policy, actor=people.developer, invitee=mover)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_roleassignment WHERE user_id = %s", [mover.pk])
    cleared = person("cleared", "Carys Cleared", Role.MANAGER, people.group)
    kept = s.advice_invite(policy=policy, actor=people.developer, invitee=cleared)
    official = policy_in(Status.SCOPING)
    official_invitation = invited_before_the_fix(official, prefix, by=people.developer)
    return {"policy": policy, "prefix": prefix, "invitation": invitation, "grantee": grantee, "mover": mover,
            "moved": moved, "cleared": cleared, "kept": kept, "official": official,
            "official_invitation": official_invitation}


def test_the_dry_run_lists_who_cannot_open_the_draft_and_what_they_hold_and_changes_nothing(people, stranded):
    last = last_sequence()
    said = run()
    reference = stranded["policy"].reference
    not_cleared = "not cleared for OFFICIAL-SENSITIVE material of Territorial Policing"
    assert said.splitlines()[:4] == [
        f"{reference} (Territorial Policing):",
        f"  Gwen Grantee (grantee): access draft_policy; cannot open the draft: they are {not_cleared} (no role in "
        "Territorial Policing and no force-wide role)",
        f"  Morgan Mover (mover): 1 open invitation to advise, access consult_policy; cannot open the draft: they are "
        f"{not_cleared} (no role in Territorial Policing and no force-wide role)",
        f"  Priya Prefix (prefix): 1 open invitation to advise, access consult_policy; cannot open the draft: they "
        f"are {not_cleared} (no role in Territorial Policing and no force-wide role)",
    ]
    assert "Carys Cleared" not in said and stranded["official"].reference not in said
    assert said.splitlines()[-1].startswith("Dry run: 2 invitation(s) and 3 grant(s) on 1 policy would be withdrawn. "
                                            "Nothing was changed")
    assert last_sequence() == last
    assert AdviceInvitation.objects.filter(withdrawn_at__isnull=False).count() == 0
    assert PolicyUserObjectPermission.objects.filter(content_object_id=stranded["policy"].pk).count() == 4


def test_apply_withdraws_each_through_the_service_and_a_second_run_finds_nothing(people, stranded):
    policy = stranded["policy"]
    last = last_sequence()

    said = run("--apply", "--actor", "pcu")

    # Each invitation takes back the access it gave: two invitations and one grant end.
    assert said.splitlines()[-1] == ("Found 2 invitation(s) and 3 grant(s) on 1 policy; 3 ended (an invitation's "
                                     "access goes with it), each recorded, by pcu.")
    for key in ("invitation", "moved"):
        stranded[key].refresh_from_db()
        assert stranded[key].withdrawn_by == people.pcu
    assert stranded["invitation"].withdrawal_reason == (
        "Priya Prefix cannot open the draft: they are not cleared for OFFICIAL-SENSITIVE material of Territorial "
        "Policing (no role in Territorial Policing and no force-wide role).")
    for key in ("kept", "official_invitation"):
        stranded[key].refresh_from_db()
        assert stranded[key].is_open
    for key in ("prefix", "grantee", "mover"):
        permissions.forget_roles(stranded[key])
        assert not permissions.object_grants(stranded[key], policy)
    permissions.forget_roles(stranded["cleared"])
    assert permissions.object_grants(stranded["cleared"], policy) == {"consult_policy"}

    events = list(AuditEvent.objects.filter(sequence__gt=last).order_by("sequence"))
    assert [(event.action, event.policy_id, event.actor) for event in events] == [
        ("policy.advice_withdrawn_not_cleared", policy.pk, people.pcu),
        ("policy.advice_withdrawn_not_cleared", policy.pk, people.pcu),
        ("policy.access_revoked_not_cleared", policy.pk, people.pcu),
    ]
    assert [event.changes.get("invitee") or event.changes.get("user") for event in events] == [
        "prefix", "mover", "grantee"]
    notifications.outbox_relay()
    told = set(Notification.objects.filter(source_event__audit_event__in=events)
               .values_list("recipient__username", flat=True))
    # The developers and manager, and those who invited them (the co-ordinator; the developer); never those who lost
    # it, who may not be told the title.
    assert told == {"developer", "manager", "coordinator"}

    again = last_sequence()
    assert run("--apply", "--actor", "pcu").strip() == (
        "Nobody named on an OFFICIAL-SENSITIVE draft is unable to open it: nothing to withdraw.")
    assert last_sequence() == again


def test_a_closed_account_on_a_sensitive_draft_is_withdrawn_too(people, policy_in):
    """Closed from a shell (``user_deactivate`` would have withdrawn it): cleared for nothing."""
    policy = sensitive(policy_in)
    leaver = person("leaver", "Lee Leaver", Role.DEVELOPER, people.group)
    invitation = s.advice_invite(policy=policy, actor=people.developer, invitee=leaver)
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    assert "Lee Leaver (leaver): 1 open invitation to advise, access consult_policy; cannot open the draft: their " \
           "account is closed" in run()
    run("--apply", "--actor", "pcu")
    invitation.refresh_from_db()
    assert invitation.withdrawal_reason == "Lee Leaver cannot open the draft: their account is closed."


@pytest.mark.parametrize(("args", "refusal"), [
    (["--apply"], "--apply needs --actor=<username>"),
    (["--apply", "--actor", "nobody"], "No active account is called 'nobody'."),
    (["--apply", "--actor", "developer"], "does not hold the Policy Co-ordination Unit role"),
])
def test_apply_needs_an_actor_from_pcu(people, stranded, args, refusal):
    last = last_sequence()
    with pytest.raises(CommandError, match=refusal.replace("(", r"\(").replace(")", r"\)")):
        run(*args)
    assert last_sequence() == last
    stranded["invitation"].refresh_from_db()
    assert stranded["invitation"].is_open
