"""A corporate policy's Designated Lead who stops being cleared for an OFFICIAL-SENSITIVE local work instruction that
supplements it (the role that cleared them for its business group taken away): the instruction's "prior agreement with
the corporate lead" (SOP, "Local Work Instructions") then waited on someone who cannot read it, and nobody was told.
Moving the policy, reassigning its Lead and a leaver's handover refuse such a Lead (``check_lead_cleared_for_
instructions``); a lost role now records, in its own transaction, an event on each corporate policy concerned, telling
PCU (who name the Lead) and its co-ordinator which policy and which instruction, by reference, need a cleared Lead. The
Lead is not changed."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.exceptions import ApplicationError
from core.models import AuditEvent, Role, RoleAssignment
from core.services import role_revoke
from lifecycle import permissions
from lifecycle.models import LocalAgreement, Policy
from lifecycle.services import draft_update, policy_agree_local_supplement
from lifecycle.states import PolicyKind, Status
from notifications.links import for_links, with_links
from notifications.models import Notification
from notifications.services import outbox_relay
from tests.factories import advance_to, reload, what_was_read

pytestmark = pytest.mark.django_db

FLAGGED = "policy.lead_not_cleared_for_instructions"
TITLE = "ZEBRA covert custody"


def cleared_for_group2(people, role: str = Role.OWNER) -> RoleAssignment:
    """``lead`` (Territorial Policing's Lead) also given a role in Specialist Crime & Operations, which clears them for
    its OFFICIAL-SENSITIVE material."""
    assignment = RoleAssignment.objects.create(user=people.lead, role=role, business_group=people.group2)
    permissions.forget_roles(people.lead)
    return assignment


def corporate_in_force(people, **overrides) -> Policy:
    return advance_to(people.policy(**overrides), Status.IMPLEMENTATION, people)


def instruction(people, corporate: Policy, *, marking: str = "official_sensitive", title: str = TITLE) -> Policy:
    """Specialist Crime & Operations' local work instruction supplementing ``corporate``, started through the service
    (which refuses it unless the corporate Lead is cleared for it)."""
    return people.policy(actor=people.developer2, kind=PolicyKind.LOCAL, business_group=people.group2,
                         owning_unit=people.unit2, designated_lead=people.lead2, coordinator=people.coordinator2,
                         owner=None, policy_manager=None, developers=[people.developer2], protective_marking=marking,
                         suitable_for_publication_scheme=False, supports=corporate.reference, title=title)


def revoke(people, assignment: RoleAssignment) -> None:
    role_revoke(actor=people.pcu, assignment=assignment)
    permissions.forget_roles(people.lead)


def test_the_role_that_cleared_the_corporate_lead_taken_away_tells_pcu_and_the_coordinator(people):
    corporate = corporate_in_force(people, title="Custody detention standards")
    clearing = cleared_for_group2(people)
    local = instruction(people, corporate)
    outbox_relay()

    revoke(people, clearing)

    event = AuditEvent.objects.get(action=FLAGGED)
    assert (event.policy_id, event.actor_id) == (corporate.pk, people.pcu.pk)
    assert event.changes["designated_lead"] == people.lead.username
    assert event.changes["instructions"] == {"Specialist Crime & Operations": [local.reference]}
    reason = event.changes["reason"]
    assert reason.startswith(f"{people.lead}, its Designated Lead, is no longer cleared for OFFICIAL-SENSITIVE "
                             "material of Specialist Crime & Operations (their role Management Board member (policy "
                             "owner) in Specialist Crime & Operations was taken away)")
    assert local.reference in reason and "prior agreement with the corporate lead" in reason
    assert TITLE not in reason
    # Not silently changed: the Lead stays until PCU names another.
    assert reload(corporate).designated_lead_id == people.lead.pk

    outbox_relay()
    told = Notification.objects.filter(source_event__audit_event=event)
    # PCU name the Lead; the co-ordinator is the business group's. Never the Lead, nor the actor (who changed it).
    assert set(told.values_list("recipient", flat=True)) == {people.pcu_qa.pk, people.coordinator.pk}
    for item in told:
        assert item.policy_id == corporate.pk
        assert item.title.startswith("Designated Lead not cleared for a local work instruction supplementing it: "
                                     f"{corporate.reference}")
        assert item.body.startswith(reason[:80]) and local.reference in item.body
        assert TITLE not in f"{item.title} {item.body}"
    # It leads to the policy's People page, where PCU names another Designated Lead.
    [shown] = with_links(for_links(told.filter(recipient=people.pcu_qa)), user=people.pcu_qa)
    assert shown.link == f"/policies/{corporate.reference}/people/"


def test_the_event_is_written_in_the_role_changes_transaction(people):
    corporate = corporate_in_force(people)
    clearing = cleared_for_group2(people)
    instruction(people, corporate)

    with pytest.raises(RuntimeError), transaction.atomic():
        role_revoke(actor=people.pcu, assignment=clearing)
        assert AuditEvent.objects.filter(action=FLAGGED, policy_id=corporate.pk).exists()
        raise RuntimeError("the role change fails after the receiver ran")

    assert RoleAssignment.objects.filter(pk=clearing.pk).exists()
    assert not AuditEvent.objects.filter(action=FLAGGED).exists()


def test_a_role_deleted_outside_the_services_is_answered_the_same_way(people):
    corporate = corporate_in_force(people)
    clearing = cleared_for_group2(people)
    local = instruction(people, corporate)

    RoleAssignment.objects.filter(pk=clearing.pk).delete()

    event = AuditEvent.objects.get(action=FLAGGED)
    assert event.policy_id == corporate.pk and event.actor_id is None
    assert event.changes["instructions"] == {"Specialist Crime & Operations": [local.reference]}


def test_nothing_is_said_while_the_lead_is_still_cleared_or_no_sensitive_instruction_asks(people):
    corporate = corporate_in_force(people)
    official = corporate_in_force(people)
    first = cleared_for_group2(people)
    second = cleared_for_group2(people, Role.DEVELOPER)
    instruction(people, corporate)
    instruction(people, official, marking="official")
    withdrawn = instruction(people, official)
    Policy.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN)

    # Still cleared by their other role there.
    revoke(people, first)
    assert not AuditEvent.objects.filter(action=FLAGGED).exists()

    # Their last role there: told once, of the policy an OFFICIAL-SENSITIVE instruction in use supplements.
    revoke(people, second)
    assert list(AuditEvent.objects.filter(action=FLAGGED).values_list("policy_id", flat=True)) == [corporate.pk]

    # A later change that cleared them for nothing of it does not tell it again.
    elsewhere = RoleAssignment.objects.create(user=people.lead, role=Role.OWNER, business_group=people.group)
    revoke(people, elsewhere)
    assert AuditEvent.objects.filter(action=FLAGGED).count() == 1


def test_one_statement_for_all_the_policies_concerned(people):
    counts = {}
    for size in (1, 4):
        clearing = cleared_for_group2(people, Role.DEVELOPER)
        for _ in range(size):
            instruction(people, corporate_in_force(people))
        before = AuditEvent.objects.filter(action=FLAGGED).count()
        with CaptureQueriesContext(connection) as queries:
            revoke(people, clearing)
        counts[size] = len(queries)
        assert AuditEvent.objects.filter(action=FLAGGED).count() == before + size
        # Policies already told of are told again only with a new loss, never per policy read.
        Policy.objects.filter(kind=PolicyKind.LOCAL).update(status=Status.WITHDRAWN)
    assert counts[1] == counts[4], counts


def test_a_corporate_lead_who_cannot_read_the_instruction_cannot_agree_to_it(client, people):
    """The agreement asks the corporate Lead to read the draft: one not cleared for it is refused, saying why, and
    their page of it answers as any policy out of their sight (404), never an agreement to what they cannot read."""
    corporate = corporate_in_force(people)
    clearing = cleared_for_group2(people)
    local = instruction(people, corporate)
    draft_update(policy=local, actor=people.developer2, statement="<p>Book every detainee in.</p>")
    revoke(people, clearing)
    local = reload(local)

    with pytest.raises(ApplicationError) as refusal:
        policy_agree_local_supplement(policy=local, actor=people.lead, comments="Fine.", **what_was_read(local))
    assert refusal.value.code == "not_cleared"
    assert ("not cleared for OFFICIAL-SENSITIVE material of Specialist Crime & Operations"
            in refusal.value.message)
    assert "prior agreement with the corporate lead" in refusal.value.message
    assert not LocalAgreement.objects.exists()

    client.force_login(people.lead)
    assert client.get(f"/policies/{local.reference}/actions/agree-local-instruction/").status_code == 404
    response = client.post(f"/policies/{local.reference}/actions/agree-local-instruction/",
                           {**what_was_read(local), "comments": "Fine."})
    assert response.status_code == 404
    assert not LocalAgreement.objects.exists()


def text_of(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_the_pages_say_why_the_agreement_waits_rather_than_leaving_it_out(client, people):
    """The corporate Lead's pages of the instruction answer 404 once they cannot read it (its inbox item is left out
    too, notifications.selectors): their own policy's page says, by reference, which instruction they can no longer
    agree to and what settles it; the instruction's page tells its authors why the agreement does not come."""
    corporate = corporate_in_force(people)
    clearing = cleared_for_group2(people)
    local = instruction(people, corporate)
    warning = ("You are the Designated Lead of this policy, but not cleared for OFFICIAL-SENSITIVE material of "
               f"Specialist Crime & Operations: you cannot read the local work instruction {local.reference}")
    waits = "Its Designated Lead is not cleared for OFFICIAL-SENSITIVE material of Specialist Crime & Operations"

    client.force_login(people.lead)
    page = text_of(client.get(f"/policies/{corporate.reference}/"))
    assert f"{local.reference} {TITLE}" in page and warning not in page
    client.force_login(people.developer2)
    assert waits not in text_of(client.get(f"/policies/{local.reference}/"))

    revoke(people, clearing)

    client.force_login(people.lead)
    page = text_of(client.get(f"/policies/{corporate.reference}/"))
    assert warning in page and "The Policy Co-ordination Unit was told" in page
    assert TITLE not in page
    assert client.get(f"/policies/{local.reference}/").status_code == 404
    # Nobody else is told of it on that page: the co-ordinator, not cleared for it either, sees no trace of it.
    client.force_login(people.coordinator)
    page = text_of(client.get(f"/policies/{corporate.reference}/"))
    assert local.reference not in page and "not cleared" not in page
    client.force_login(people.developer2)
    page = text_of(client.get(f"/policies/{local.reference}/"))
    assert waits in page and "The Policy Co-ordination Unit was told" in page
