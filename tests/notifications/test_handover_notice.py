"""A leaver's handover told the leaver and those taking over only "Work handed over: <leaver>. By <PCU> on <date>.":
not which policies, nor what each person now holds (found by the twelfth session's Chromium walk). The item now says
which policies moved, by reference, and who took over each part, by name."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Role, RoleAssignment, User
from lifecycle.services import people as people_services
from lifecycle.states import ProtectiveMarking
from notifications import services
from notifications.models import Notification
from tests.factories import RoleAssignmentFactory, user_with_role
from tests.lifecycle.test_reassignment import portfolio

pytestmark = pytest.mark.django_db


def test_a_handover_says_which_policies_moved_and_who_took_each_part_over(people):
    leaver = portfolio(people, 3)
    references = sorted(leaver.developed_policies.values_list("reference", flat=True))
    successor = user_with_role(Role.DEVELOPER, people.group, username="successor", first_name="Priya",
                               last_name="Shah")
    people_services.person_handover(actor=User.objects.get(pk=people.pcu.pk), leaver=leaver, reason="Left the force",
                                    replacements={"developer": successor, "policy_manager": people.manager})
    services.outbox_relay()
    item = Notification.objects.get(recipient=successor, title__startswith="Work handed over")
    assert f"3 policies handed over from {leaver.get_full_name()}: {', '.join(references)}." in item.body
    assert f"Policy manager: {people.manager.get_full_name()}. Policy developer: Priya Shah." in item.body
    assert item.body.endswith(f"By {people.pcu.get_full_name()} on " + item.body.rsplit(" on ", 1)[1])


# --- the affected business groups are told too, each of its own policies, and every policy is a link ----------------


def notice(user) -> Notification:
    return Notification.objects.get(recipient=user, title__startswith="Work handed over")


def inbox(client, user) -> str:
    client.force_login(user)
    return client.get("/notifications/").content.decode()


def overview(policy) -> str:
    return f'href="{reverse("lifecycle:detail", args=[policy.reference])}"'


def two_groups_portfolio(people, *, territorial: int = 2):
    """A developer and manager of Territorial Policing, also a developer of Specialist Crime & Operations, named on
    ``territorial`` OFFICIAL Territorial Policing policies, one OFFICIAL-SENSITIVE one, and one of the other group;
    and who takes over their developer part in both groups."""
    leaver = user_with_role(Role.DEVELOPER, people.group, username=f"mover{territorial}", first_name="Sam",
                            last_name="Lee")
    RoleAssignmentFactory(user=leaver, role=Role.MANAGER, business_group=people.group)
    RoleAssignmentFactory(user=leaver, role=Role.DEVELOPER, business_group=people.group2)
    ours = [people.policy(actor=leaver, title=f"Territorial {number}", developers=[leaver], policy_manager=leaver)
            for number in range(territorial)]
    covert = people.policy(actor=leaver, title="Covert sources", developers=[leaver], policy_manager=leaver,
                           protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                           suitable_for_publication_scheme=False)
    theirs = people.policy(actor=people.developer2, title="Serious crime", business_group=people.group2,
                           owning_unit=people.unit2, designated_lead=people.lead2, coordinator=people.coordinator2,
                           owner=people.lead2, policy_manager=people.developer2, developers=[leaver])
    successor = user_with_role(Role.DEVELOPER, people.group, username=f"successor{territorial}", first_name="Priya",
                               last_name="Shah")
    RoleAssignmentFactory(user=successor, role=Role.DEVELOPER, business_group=people.group2)
    return leaver, ours, covert, theirs, successor


def hand_over(people, leaver, successor):
    services.outbox_relay()  # what the set-up wrote is told first
    people_services.person_handover(actor=User.objects.get(pk=people.pcu.pk), leaver=leaver,
                                    reason="Moved to Specialist Crime & Operations",
                                    replacements={"developer": successor, "policy_manager": people.manager})


def test_each_affected_groups_coordinator_and_lead_are_told_of_their_groups_policies_only(people):
    """Issue 12: a handover concerns the governance of every business group whose policies move (SOP, the co-ordinator
    "Ensure good governance so that policies within the BG are reviewed, monitored and published"). It told only the
    leaver and those taking over; each affected group's co-ordinator and Designated Lead are now told too, of their
    own group's policies, once each."""
    leaver, ours, covert, theirs, successor = two_groups_portfolio(people)
    hand_over(people, leaver, successor)
    services.outbox_relay()
    territorial = sorted(policy.reference for policy in (*ours, covert))
    for person in (people.coordinator, people.lead):
        body = notice(person).body
        assert f"3 policies handed over from Sam Lee: {', '.join(territorial)}." in body
        assert theirs.reference not in body
    for person in (people.coordinator2, people.lead2):
        body = notice(person).body
        assert f"1 policy handed over from Sam Lee: {theirs.reference}." in body
        assert not any(reference in body for reference in territorial)
    everything = sorted([*territorial, theirs.reference])
    for person in (successor, people.manager):
        assert f"4 policies handed over from Sam Lee: {', '.join(everything)}." in notice(person).body
    # Nobody else, and nobody twice (the actor is not told what they did).
    told = Notification.objects.filter(title__startswith="Work handed over")
    assert sorted(told.values_list("recipient__username", flat=True)) == sorted(
        user.username for user in (leaver, successor, people.manager, people.coordinator, people.lead,
                                   people.coordinator2, people.lead2))


def test_an_official_sensitive_policy_is_named_only_to_those_cleared_for_it(people):
    """The leaver changes role: no longer in Territorial Policing, they are not cleared for its OFFICIAL-SENSITIVE
    policy, and their notice neither names nor links it (it counts it)."""
    leaver, ours, covert, theirs, successor = two_groups_portfolio(people)
    RoleAssignment.objects.filter(user=leaver, business_group=people.group).delete()
    hand_over(people, leaver, successor)
    services.outbox_relay()
    item = notice(leaver)
    shown = sorted(policy.reference for policy in (*ours, theirs))
    assert f"4 policies handed over from Sam Lee: {', '.join(shown)} and 1 more." in item.body
    assert covert.reference not in item.body
    assert covert.pk not in set(item.listed_policies.values_list("pk", flat=True))
    # Those cleared for it see it named.
    assert covert.reference in notice(people.coordinator).body and covert.reference in notice(successor).body


def test_the_notice_links_each_moved_policy_its_reader_may_open(client, people):
    """The notice named the policies but linked none. In the inbox and the daily e-mail each policy listed is now a
    link to its overview where its reader may open it (notifications.links), and otherwise says why."""
    leaver, ours, covert, theirs, successor = two_groups_portfolio(people)
    RoleAssignment.objects.filter(user=leaver, business_group=people.group).delete()
    hand_over(people, leaver, successor)
    services.outbox_relay()

    page = inbox(client, people.coordinator)
    for policy in (*ours, covert):
        assert overview(policy) in page and f"{policy.reference} {policy.title}" in page
    assert theirs.reference not in page
    page = inbox(client, people.coordinator2)
    assert overview(theirs) in page and not any(overview(policy) in page for policy in (*ours, covert))
    # The leaver, no longer named on these drafts, may open none of them: each is named, not linked, and says why.
    page = inbox(client, leaver)
    for policy in (*ours, theirs):
        assert policy.reference in page and overview(policy) not in page
        assert client.get(reverse("lifecycle:detail", args=[policy.reference])).status_code == 404
    assert "You cannot open this policy now" in page
    assert covert.reference not in page and "Covert sources" not in page

    # The daily e-mail links them too.
    people.coordinator.email = "coordinator@example.org"
    people.coordinator.save(update_fields=["email"])
    digest_ids = services.digests_prepare(today=timezone.localdate())
    mail.outbox.clear()
    for digest_id in digest_ids:
        services.digest_send(digest_id=digest_id)
    [message] = [message for message in mail.outbox if message.to == ["coordinator@example.org"]]
    for policy in (*ours, covert):
        assert f"{settings.POLICYHUB_BASE_URL}/policies/{policy.reference}/" in message.body
    assert theirs.reference not in message.body


def relay_queries(people, territorial: int) -> int:
    leaver, ours, covert, theirs, successor = two_groups_portfolio(people, territorial=territorial)
    hand_over(people, leaver, successor)
    with CaptureQueriesContext(connection) as queries:
        services.outbox_relay()
    return len(queries)


def inbox_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/notifications/").status_code == 200
    return len(queries)


def test_telling_a_handover_costs_the_same_however_many_policies_move(client, people):
    few = relay_queries(people, 2)
    few_shown = inbox_queries(client, people.coordinator)
    many = relay_queries(people, 12)
    assert many == few
    # The inbox lists 3 policies, then also 13: the same cost.
    assert Notification.objects.filter(recipient=people.coordinator, title__startswith="Work handed over"
                                       ).count() == 2
    assert inbox_queries(client, people.coordinator) == few_shown
