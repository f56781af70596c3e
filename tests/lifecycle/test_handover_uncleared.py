"""A leaver's handover (``person_handover``) could hand the Designated Lead part of many corporate policies to someone
not cleared for the OFFICIAL-SENSITIVE local work instructions that supplement them: the new Lead would then be asked
for the "prior agreement with the corporate lead" (SOP, "Local Work Instructions") on instructions they cannot open.
Moving the policy or reassigning its Lead one at a time refuses it (``check_lead_cleared_for_instructions``); the
handover now refuses it too, for all its policies in one statement, and the whole handover with it."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.exceptions import ApplicationError
from core.models import AuditEvent, Role, RoleAssignment, User
from lifecycle import permissions
from lifecycle.models import Policy
from lifecycle.services import people as people_services
from lifecycle.states import PolicyKind, Status
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def instruction(people, corporate: Policy, *, marking: str = "official_sensitive") -> Policy:
    """A local work instruction of Specialist Crime & Operations supplementing ``corporate``. ``supports`` is set
    after it is started, as an instruction started then re-pointed would stand: the handover must not rely on how it
    came to supplement the policy."""
    local = people.policy(actor=people.developer2, kind=PolicyKind.LOCAL, business_group=people.group2,
                          owning_unit=people.unit2, designated_lead=people.lead2, coordinator=people.coordinator2,
                          owner=None, policy_manager=None, developers=[people.developer2],
                          protective_marking=marking,
                          suitable_for_publication_scheme=marking == "official")
    Policy.objects.filter(pk=local.pk).update(supports=corporate)
    return local


def lead_portfolio(people, corporate_count: int, *, sensitive: int | None = None):
    """A Lead of Territorial Policing (also cleared for Specialist Crime & Operations) leaving, Designated Lead of
    ``corporate_count`` corporate policies; the first ``sensitive`` of them (all by default) supplemented by an
    OFFICIAL-SENSITIVE instruction of Specialist Crime & Operations, the others by an OFFICIAL one."""
    leaver = user_with_role(Role.LEAD, people.group, username=f"lead.leaving{corporate_count}")
    RoleAssignment.objects.create(user=leaver, role=Role.DEVELOPER, business_group=people.group2)
    sensitive = corporate_count if sensitive is None else sensitive
    policies, instructions = [], []
    for index in range(corporate_count):
        corporate = people.policy(designated_lead=leaver)
        policies.append(corporate)
        instructions.append(instruction(people, corporate,
                                        marking="official_sensitive" if index < sensitive else "official"))
    return leaver, policies, instructions


@pytest.fixture
def new_lead(people):
    """Another Lead of Territorial Policing, with no role in Specialist Crime & Operations."""
    return user_with_role(Role.LEAD, people.group, username="lead.b", first_name="Lou", last_name="Lead")


def hand_over(people, leaver, new_lead):
    return people_services.person_handover(actor=User.objects.get(pk=people.pcu.pk), leaver=leaver,
                                           reason="Left the force", replacements={"designated_lead": new_lead})


def last_sequence() -> int:
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()


def test_the_handover_is_refused_whole_when_the_new_lead_is_not_cleared_for_the_instructions(people, new_lead):
    leaver, policies, instructions = lead_portfolio(people, 3, sensitive=2)
    # A withdrawn OFFICIAL-SENSITIVE instruction asks for no agreement again: not named.
    withdrawn = instruction(people, policies[2])
    Policy.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN)
    last = last_sequence()

    with pytest.raises(ApplicationError) as refusal:
        hand_over(people, leaver, new_lead)

    assert (refusal.value.code, refusal.value.field) == ("not_cleared", "designated_lead")
    message = refusal.value.message
    assert message.startswith("Lou Lead cannot take over as Designated Lead: they are not cleared for "
                              "OFFICIAL-SENSITIVE material of Specialist Crime & Operations")
    for corporate, local in zip(policies[:2], instructions[:2], strict=True):
        assert f"{corporate.reference} (supplemented by {local.reference})" in message
    assert policies[2].reference not in message and instructions[2].reference not in message
    assert withdrawn.reference not in message
    assert "give them a role in Specialist Crime & Operations" in message and "Nothing was handed over" in message
    # Nothing moved, nothing audited.
    assert set(Policy.objects.filter(pk__in=[p.pk for p in policies]).values_list("designated_lead", flat=True)) == {
        leaver.pk}
    assert last_sequence() == last

    RoleAssignment.objects.create(user=new_lead, role=Role.DEVELOPER, business_group=people.group2)
    permissions.forget_roles(new_lead)
    assert hand_over(people, leaver, new_lead).policies == 3
    assert set(Policy.objects.filter(pk__in=[p.pk for p in policies]).values_list("designated_lead", flat=True)) == {
        new_lead.pk}


def test_a_force_wide_role_clears_the_new_lead(people, new_lead):
    leaver, policies, _ = lead_portfolio(people, 2)
    RoleAssignment.objects.create(user=new_lead, role=Role.PCU, business_group=None)
    assert hand_over(people, leaver, new_lead).policies == 2


def test_the_check_costs_one_statement_however_many_policies_move(people):
    counts = {}
    for size in (2, 6):
        leaver, _, _ = lead_portfolio(people, size)
        successor = user_with_role(Role.LEAD, people.group, username=f"lead.heir{size}")
        RoleAssignment.objects.create(user=successor, role=Role.DEVELOPER, business_group=people.group2)
        with CaptureQueriesContext(connection) as queries:
            assert hand_over(people, leaver, successor).policies == size
        counts[size] = len(queries)
        statements = [q["sql"] for q in queries if '"supports_id" IN' in q["sql"]]
        assert len(statements) == 1, statements
    assert counts[2] == counts[6], counts


def test_the_form_keeps_what_was_typed_and_the_preview_warns(client, people, new_lead):
    leaver, policies, instructions = lead_portfolio(people, 2)
    url = reverse("people:handover", args=[leaver.username])
    client.force_login(people.pcu)
    page = client.get(url)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.content.decode())).split())
    assert 'id="handover-lead-clearance"' in page.content.decode()
    assert ("The new Designated Lead must be cleared for OFFICIAL-SENSITIVE material of Specialist Crime & "
            "Operations") in text
    for corporate in policies:
        assert corporate.reference in text

    response = client.post(url, {"designated_lead": "lead.b", "reason": "Retired in March, typed",
                                 "expected": page.context["plan"].fingerprint})
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    error = re.search(r'id="id_designated_lead-error">(.*?)</p>', body, re.S)
    assert error and "Lou Lead cannot take over as Designated Lead" in error.group(1)
    assert "Retired in March, typed" in body and 'value="lead.b"' in body
    assert set(Policy.objects.filter(pk__in=[p.pk for p in policies]).values_list("designated_lead", flat=True)) == {
        leaver.pk}


def test_no_warning_when_no_official_sensitive_instruction_supplements_what_moves(client, people):
    leaver, _, _ = lead_portfolio(people, 1, sensitive=0)
    client.force_login(people.pcu)
    page = client.get(reverse("people:handover", args=[leaver.username])).content.decode()
    assert 'id="handover-lead-clearance"' not in page
