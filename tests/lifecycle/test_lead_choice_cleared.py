"""Choosing a Designated Lead of a corporate policy supplemented by an OFFICIAL-SENSITIVE local work instruction: the
Lead gives it the "prior agreement with the corporate lead" (SOP, "Local Work Instructions") and must be cleared to read
it. The services refuse an uncleared Lead (``check_lead_cleared_for_instructions``, and for a leaver's handover
``check_new_lead_cleared_for_instructions``); the forms that name one (a leaver's handover, the policy's people page
reassignment and its move) found an uncleared Lead by name all the same, so that the user learnt it only from the
service's refusal, and a name shared by a cleared and an uncleared Lead was "2 people match". They now find by name
only Leads cleared for every such instruction's business group (``Eligibility.cleared_for``, the groups read by
``sensitive_instructions_by_group``, the rule ``roles_cleared_for``'s), say why one typed is not, and say before
anything is typed when no Lead is cleared at all, and how to put it right."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Role, RoleAssignment, User
from lifecycle import permissions
from lifecycle.models import Policy
from lifecycle.people_selectors import find_person, handover_eligibility
from lifecycle.selectors import roles_cleared_for
from lifecycle.services import people as people_services
from lifecycle.states import PolicyKind, Status
from tests.factories import user_with_role
from tests.lifecycle.test_handover_uncleared import instruction, lead_portfolio

pytestmark = pytest.mark.django_db


def lead(people, username: str, first_name: str, *, group=None, cleared_in=None) -> User:
    """A Lead (of Territorial Policing unless ``group``) surnamed Lindqvist; cleared for ``cleared_in``'s material by
    a developer's role there (or by a force-wide role when ``cleared_in`` is "force")."""
    user = user_with_role(Role.LEAD, group or people.group, username=username, first_name=first_name,
                          last_name="Lindqvist")
    if cleared_in == "force":
        RoleAssignment.objects.create(user=user, role=Role.DOI, business_group=None)
    elif cleared_in is not None:
        RoleAssignment.objects.create(user=user, role=Role.DEVELOPER, business_group=cleared_in)
    return user


def said(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def field_error(response, field: str) -> str:
    match = re.search(rf'id="id_{field}-error">(.*?)</p>', response.content.decode(), re.S)
    assert match, said(response)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split()).removeprefix("Error: ")


def hint_of(response, field: str) -> str:
    match = re.search(rf'id="id_{field}-hint"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    assert match, said(response)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def usernames(users) -> set[str]:
    return {user.username for user in users}


# --- a leaver's handover -------------------------------------------------------------------------------------


def test_the_handover_finds_as_designated_lead_only_leads_cleared_for_the_instructions(people):
    leaver, _, _ = lead_portfolio(people, 2)
    uncleared = lead(people, "lou.l", "Lou")
    cleared = lead(people, "cleo.l", "Cleo", cleared_in=people.group2)
    force_wide = lead(people, "fay.l", "Fay", cleared_in="force")
    plan = people_services.handover_preview(actor=people.pcu, leaver=leaver)

    with CaptureQueriesContext(connection) as queries:
        eligibility = handover_eligibility(plan=plan)["designated_lead"]
        found = find_person(text="Lindqvist", eligibility=eligibility)

    assert usernames(found.eligible) == {cleared.username, force_wide.username}
    assert usernames(found.ineligible) == {uncleared.username}
    # Still one bounded statement: the groups were read with the preview, the clearance is an EXISTS per group.
    assert len(queries) == 1 and "LIMIT 12" in queries[0]["sql"]


def test_no_clearance_asked_when_no_official_sensitive_instruction_supplements_what_moves(people):
    leaver, _, _ = lead_portfolio(people, 1, sensitive=0)
    uncleared = lead(people, "lou.l", "Lou")
    plan = people_services.handover_preview(actor=people.pcu, leaver=leaver)
    eligibility = handover_eligibility(plan=plan)["designated_lead"]
    assert eligibility.cleared_for == ()
    assert usernames(find_person(text="Lindqvist", eligibility=eligibility).eligible) == {uncleared.username}


def handover(client, leaver, typed: str, *, reason="Retired in March, typed"):
    url = reverse("people:handover", args=[leaver.username])
    expected = client.get(url).context["plan"].fingerprint
    return client.post(url, {"designated_lead": typed, "reason": reason, "expected": expected})


def test_a_name_shared_by_a_cleared_and_an_uncleared_lead_takes_the_cleared_one(client, people):
    leaver, policies, _ = lead_portfolio(people, 2)
    lead(people, "lou.l", "Lou")
    cleared = lead(people, "cleo.l", "Cleo", cleared_in=people.group2)
    client.force_login(people.pcu)

    response = handover(client, leaver, "Lindqvist")

    assert response.status_code == 302, said(response)
    assert set(Policy.objects.filter(pk__in=[p.pk for p in policies]).values_list("designated_lead", flat=True)) == {
        cleared.pk}


def test_an_uncleared_lead_typed_by_name_is_told_why_and_how_to_put_it_right(client, people):
    leaver, policies, _ = lead_portfolio(people, 2)
    lead(people, "lou.l", "Lou")
    lead(people, "cleo.l", "Cleo", cleared_in=people.group2)
    client.force_login(people.pcu)

    response = handover(client, leaver, "Lou Lindqvist")

    assert response.status_code == 400
    assert field_error(response, "designated_lead") == (
        "Lou Lindqvist cannot be named as Designated Lead: they are not cleared for OFFICIAL-SENSITIVE material of "
        "Specialist Crime & Operations (no role in Specialist Crime & Operations and no force-wide role), whose "
        "OFFICIAL-SENSITIVE local work instructions the Designated Lead must read to give their \"prior agreement\". "
        "Ask an administrator to give them a role in Specialist Crime & Operations, or name a Lead who holds one")
    page = response.content.decode()
    assert 'value="Lou Lindqvist"' in page and "Retired in March, typed" in page
    assert set(Policy.objects.filter(pk__in=[p.pk for p in policies]).values_list("designated_lead", flat=True)) == {
        leaver.pk}


def test_several_uncleared_leads_of_one_name_are_counted(client, people):
    leaver, _, _ = lead_portfolio(people, 1)
    lead(people, "lou.l", "Lou")
    lead(people, "lev.l", "Lev")
    client.force_login(people.pcu)
    assert field_error(handover(client, leaver, "Lindqvist"), "designated_lead") == (
        "2 people called 'Lindqvist' cannot be named as Designated Lead: 2 are not cleared for OFFICIAL-SENSITIVE "
        "material of Specialist Crime & Operations. Type the name or username of someone who can")


def test_when_no_lead_is_cleared_the_form_says_so_and_how_to_put_it_right(client, people):
    leaver, policies, _ = lead_portfolio(people, 2)
    lead(people, "lou.l", "Lou")  # people.lead, a Lead of Territorial Policing, is not cleared there either
    client.force_login(people.pcu)
    url = reverse("people:handover", args=[leaver.username])

    page = client.get(url)

    assert page.status_code == 200
    assert hint_of(page, "designated_lead") == (
        "No Lead who could be named is cleared for OFFICIAL-SENSITIVE material of Specialist Crime & Operations. "
        "Ask an administrator to give a role in Specialist Crime & Operations to someone who holds the Designated "
        "Business Group Policy Lead role in Territorial Policing, or reassign the Designated Lead of these policies "
        "one by one on each policy's People page first.")
    response = handover(client, leaver, "Lou Lindqvist", reason="Kept reason")
    assert response.status_code == 400
    assert "Lou Lindqvist cannot be named as Designated Lead: they are not cleared" in field_error(
        response, "designated_lead")
    assert "No Lead who could be named is cleared" in said(response)
    assert 'value="Lou Lindqvist"' in response.content.decode() and "Kept reason" in response.content.decode()
    assert set(Policy.objects.filter(pk__in=[p.pk for p in policies]).values_list("designated_lead", flat=True)) == {
        leaver.pk}


def test_a_cleared_lead_is_named_in_the_hint_not_the_warning_of_nobody(client, people):
    leaver, _, _ = lead_portfolio(people, 1)
    lead(people, "cleo.l", "Cleo", cleared_in=people.group2)
    client.force_login(people.pcu)
    page = client.get(reverse("people:handover", args=[leaver.username]))
    assert "No Lead who could be named is cleared" not in said(page)
    assert ("Their name or username. Only a Lead cleared for OFFICIAL-SENSITIVE material of Specialist Crime & "
            "Operations can be named") in said(page)


# (page, its form posted with a name several cleared Leads share). The handover page: the preview's statement of the
# instructions' groups (there before), and one EXISTS for whether any Lead is cleared; the name's search is one
# statement (find_person). The people page, for PCU on a corporate policy: the same two, the groups read once for
# the reassignment and the move.
PINNED_HANDOVER_PAGE = (7, 8)
PINNED_PEOPLE_PAGE = (11, 13)


def test_the_handover_pages_queries_do_not_grow_with_the_policies_or_the_leads(client, people):
    client.force_login(people.pcu)
    counts = {}
    for size, leads in ((2, 4), (6, 8)):
        leaver, _, _ = lead_portfolio(people, size)
        for number in range(leads):
            lead(people, f"lead{size}.{number}", f"Lee{size}x{number}",
                 cleared_in=people.group2 if number % 2 else None)
        url = reverse("people:handover", args=[leaver.username])
        with CaptureQueriesContext(connection) as page:
            expected = client.get(url).context["plan"].fingerprint
        with CaptureQueriesContext(connection) as posted:
            response = client.post(url, {"designated_lead": "Lindqvist", "reason": "Left",
                                         "expected": expected})
        assert response.status_code == 400  # several cleared Leads of that name: type the username
        counts[size] = (len(page), len(posted))
    assert counts[2] == counts[6] == PINNED_HANDOVER_PAGE, counts


# --- the rule: the SQL that finds them agrees with roles_cleared_for -------------------------------------------


def test_the_search_agrees_with_roles_cleared_for(people):
    """``people_cleared_for`` is ``roles_cleared_for`` in SQL: a role on each group, or a force-wide role; a closed
    account is cleared for nothing."""
    from lifecycle.selectors.clearance import people_cleared_for

    cases = {
        "none": [], "here": [("developer", people.group2)], "other": [("developer", people.group)],
        "force": [(Role.DOI, None)], "both": [("developer", people.group), ("owner", people.group2)],
        "closed": [("developer", people.group2)],
    }
    users = {}
    for key, roles in cases.items():
        users[key] = User.objects.create(username=f"case.{key}", first_name=key, last_name="Case")
        for role, group in roles:
            RoleAssignment.objects.create(user=users[key], role=role, business_group=group)
    User.objects.filter(pk=users["closed"].pk).update(is_active=False)
    for groups in ([people.group2.pk], [people.group.pk, people.group2.pk]):
        found = set(User.objects.filter(last_name="Case").filter(people_cleared_for(groups))
                    .values_list("username", flat=True))
        expected = {user.username for user in User.objects.filter(last_name="Case")
                    if all(roles_cleared_for(permissions.role_index(user), group) for group in groups)}
        assert found == expected
    assert found == {"case.force", "case.both"}


# --- a policy's people page: the Lead's reassignment and the move ---------------------------------------------


@pytest.fixture
def supplemented(people, policy_in):
    """A corporate policy of Territorial Policing in force, supplemented by an OFFICIAL-SENSITIVE local work
    instruction of Specialist Crime & Operations (``supports`` set afterwards: its Lead, ``people.lead``, is not
    cleared there, and no other Lead of Territorial Policing is)."""
    corporate = policy_in(Status.IMPLEMENTATION)
    instruction(people, corporate)
    return corporate


def reassign_lead(client, policy, typed: str, reason="Portfolio change, typed"):
    return client.post(reverse("lifecycle:people", args=[policy.reference]), {
        "part": "designated_lead", "designated_lead-new_holder": typed, "designated_lead-reason": reason,
        "designated_lead-expected_holder": Policy.objects.get(pk=policy.pk).designated_lead_id})


def test_the_lead_reassignment_finds_only_a_cleared_lead(client, people, supplemented):
    lead(people, "lou.l", "Lou")
    cleared = lead(people, "cleo.l", "Cleo", cleared_in=people.group2)
    client.force_login(people.pcu)

    response = reassign_lead(client, supplemented, "Lindqvist")

    assert response.status_code == 302, said(response)
    assert Policy.objects.get(pk=supplemented.pk).designated_lead == cleared


def test_the_lead_reassignment_says_why_and_when_nobody_is_cleared(client, people, supplemented):
    lead(people, "lou.l", "Lou")
    client.force_login(people.pcu)
    url = reverse("lifecycle:people", args=[supplemented.reference])
    assert hint_of(client.get(url), "designated_lead-new_holder") == (
        "No Lead who could be named is cleared for OFFICIAL-SENSITIVE material of Specialist Crime & Operations. "
        "Ask an administrator to give a role in Specialist Crime & Operations to someone who holds the Designated "
        "Business Group Policy Lead role in Territorial Policing.")

    response = reassign_lead(client, supplemented, "Lou Lindqvist")

    assert response.status_code == 400
    assert field_error(response, "designated_lead-new_holder").startswith(
        "Lou Lindqvist cannot be named as Designated Lead: they are not cleared for OFFICIAL-SENSITIVE material of "
        "Specialist Crime & Operations")
    assert 'value="Lou Lindqvist"' in response.content.decode() and "Portfolio change, typed" in said(response)
    assert Policy.objects.get(pk=supplemented.pk).designated_lead == people.lead


def test_the_move_hints_it_and_other_parts_ask_no_clearance(client, people, supplemented):
    client.force_login(people.pcu)
    page = client.get(reverse("lifecycle:people", args=[supplemented.reference]))
    assert hint_of(page, "move-designated_lead").endswith(
        "Only a Lead cleared for OFFICIAL-SENSITIVE material of Specialist Crime & Operations can be named (a role "
        "there, or a force-wide role): they must read the OFFICIAL-SENSITIVE local work instructions there to give "
        "their \"prior agreement\".")
    assert hint_of(page, "policy_manager-new_holder") == "Their name or username"
    assert hint_of(page, "move-policy_manager").startswith("Their name or username. Leave it empty")
    assert "OFFICIAL-SENSITIVE" not in hint_of(page, "move-policy_manager")


def move(client, policy, people, typed_lead: str):
    return client.post(reverse("lifecycle:people", args=[policy.reference]), {
        "part": "move", "move-business_group": people.group2.pk, "move-owning_unit": people.unit2.pk,
        "move-owner": user_with_role(Role.OWNER, people.group2, username=f"owner.{typed_lead[:3]}").username,
        "move-designated_lead": typed_lead, "move-policy_manager": user_with_role(
            Role.MANAGER, people.group2, username=f"manager.{typed_lead[:3]}").username,
        "move-coordinator": people.coordinator2.username, "move-developer": people.developer2.username,
        "move-reason": "Boundary, typed"})


def test_the_move_finds_as_designated_lead_only_a_lead_cleared_for_the_instructions(client, people, policy_in):
    """A corporate policy of Territorial Policing, supplemented by an OFFICIAL-SENSITIVE instruction of its own
    group, moves to Specialist Crime & Operations: its Lead there must be cleared for Territorial Policing."""
    corporate = policy_in(Status.IMPLEMENTATION)
    people.policy(kind=PolicyKind.LOCAL, supports=corporate, protective_marking="official_sensitive",
                  suitable_for_publication_scheme=False)
    lead(people, "una.l", "Una", group=people.group2)
    cleared = lead(people, "cleo.l", "Cleo", group=people.group2, cleared_in=people.group)
    client.force_login(people.pcu)

    response = move(client, corporate, people, "Una Lindqvist")
    assert response.status_code == 400
    assert field_error(response, "move-designated_lead").startswith(
        "Una Lindqvist cannot be named as Designated Lead: they are not cleared for OFFICIAL-SENSITIVE material of "
        "Territorial Policing")
    assert 'value="Una Lindqvist"' in response.content.decode() and "Boundary, typed" in said(response)

    response = move(client, corporate, people, "Lindqvist")
    assert response.status_code == 302, said(response)
    moved = Policy.objects.get(pk=corporate.pk)
    assert (moved.business_group, moved.designated_lead) == (people.group2, cleared)


def test_the_people_pages_queries_do_not_grow_with_the_instructions_or_the_leads(client, people, supplemented):
    client.force_login(people.pcu)
    url = reverse("lifecycle:people", args=[supplemented.reference])
    counts = []
    for instructions, leads in ((0, 4), (3, 8)):
        for _ in range(instructions):
            instruction(people, supplemented)
        for number in range(leads):
            lead(people, f"lead{leads}.{number}", f"Lee{leads}x{number}",
                 cleared_in=people.group2 if number % 2 else None)
        with CaptureQueriesContext(connection) as page:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as posted:
            assert reassign_lead(client, supplemented, "Lindqvist").status_code in {302, 400}
        counts.append((len(page), len(posted)))
    assert counts[0] == counts[1] == PINNED_PEOPLE_PAGE, counts
