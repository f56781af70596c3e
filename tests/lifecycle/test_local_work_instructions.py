"""Issue 13, local work instructions, through HTTP. SOP, "Local Work Instructions": they "sit outside of the corporate
policy development process"; they "must not be produced to supplement, or as an alternative to Corporate Policy,
unless there is prior agreement with the corporate lead"; "Local work instructions are not the responsibility of the
Policy Co-ordination Unit"; those who write them "are still required to complete an Equality Impact Assessment".

The route: the unit head drafts; when it supplements a corporate policy, that policy's Designated Lead agrees first
(recorded, bound to the draft read); the Designated Lead of its own business group approves it, without PCU's quality
assurance or publication. It keeps an EIA, is linked to the corporate policy on both pages, is seen in the intranet
library by its business group, and never reaches the public Publication Scheme (its pages, search, feed or PDFs).

Here the corporate policy is Territorial Policing's (its Lead: ``lead``) and the local work instruction Specialist
Crime & Operations' (drafted by its unit head, approved by ``lead2``)."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from assessments.services import eia_update
from core.models import AuditEvent, Role
from core.submissions import POLICY_CREATE
from library.models import LibraryDocument
from lifecycle import services as lifecycle_services
from lifecycle.details import details_hash
from lifecycle.models import ApprovalDecision, LocalAgreement, Policy
from lifecycle.selectors import policy_count, policy_count_by_status
from lifecycle.states import PolicyKind, Status
from notifications.models import Notification
from notifications.services import outbox_relay
from publication.models import Publication
from publication.services import policy_approve_local, policy_publish
from tests.downloads import files_stored
from tests.factories import (
    ALL_IMPACTS,
    RoleAssignmentFactory,
    UserFactory,
    refused,
    reload,
    what_was_read,
)
from tests.submissions import sent_once

pytestmark = pytest.mark.django_db

COMPLETE_EIA = {"aims": "Local briefing for custody staff at one site.", "impacts": ALL_IMPACTS,
                "decision": "no_major_change", "decision_rationale": "No adverse impact identified."}


@pytest.fixture
def corporate(policy_in):
    return policy_in(Status.IMPLEMENTATION, title="Custody detention standards")


@pytest.fixture
def unit_head(people):
    head = UserFactory(username="unit_head2", unit=people.unit2)
    RoleAssignmentFactory(user=head, role=Role.MANAGER, business_group=people.group2, unit=people.unit2)
    return head


def start_instruction(client, people, unit_head, *, supports: str = "", title="Custody suite at Lambeth: booking in",
                      marking: str = "official"):
    client.force_login(unit_head)
    response = client.post("/policies/new/", {
        "title": title, "purpose": "How the Lambeth custody suite books detainees in.",
        "relevant_to": "Custody staff at Lambeth.", "business_group": people.group2.pk,
        "owning_unit": people.unit2.pk, "kind": PolicyKind.LOCAL, "supports": supports, "risk_tier": "low",
        "protective_marking": marking,
        **({"suitable_for_publication_scheme": "on"} if marking == "official" else {}),
        **sent_once(unit_head, POLICY_CREATE),
    })
    return response


@pytest.fixture
def instruction(client, people, unit_head, corporate):
    response = start_instruction(client, people, unit_head, supports=corporate.reference.lower())
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = Policy.objects.get(kind=PolicyKind.LOCAL)
    assert (policy.supports, policy.designated_lead, policy.policy_manager) == (corporate, people.lead2, unit_head)
    # Never on the Scheme, whatever the form said: the kind decides it.
    assert policy.suitable_for_publication_scheme is False
    lifecycle_services.draft_update(policy=policy, actor=unit_head,
                                    statement="<p>Book every detainee in within 20 minutes of arrival.</p>")
    eia_update(policy=policy, actor=unit_head, **COMPLETE_EIA)
    return reload(policy)


def post_step(client, user, policy, slug, **fields):
    client.force_login(user)
    return client.post(f"/policies/{policy.reference}/actions/{slug}/", {**what_was_read(policy), **fields})


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def unchanged(policy, events_before: int) -> bool:
    fresh = reload(policy)
    return (fresh.status == policy.status and AuditEvent.objects.filter(policy_id=policy.pk).count() == events_before
            and not ApprovalDecision.objects.filter(policy_version__policy=policy).exists()
            and not Publication.objects.filter(policy=policy).exists())


def test_approved_within_its_group_after_the_corporate_lead_agrees_and_never_on_the_scheme(
        client, people, corporate, instruction, unit_head):
    policy = instruction
    events = AuditEvent.objects.filter(policy_id=policy.pk).count()

    # The corporate process is not its route: no commissioning, no submission to PCU.
    response = post_step(client, unit_head, policy, "submit-for-qa")
    assert response.status_code == 302 and "it is a local work instruction" in messages_of(response)
    response = post_step(client, unit_head, policy, "request-commissioning")
    assert "not the responsibility of the Policy Co-ordination Unit" in messages_of(response)
    assert unchanged(policy, events)

    # Its Lead may not approve it before the corporate policy's Lead agrees; the page says what is missing.
    client.force_login(people.lead2)
    page = client.get(f"/policies/{policy.reference}/actions/approve-local-instruction/").content.decode()
    assert "Not ready" in page or "agreement of the corporate policy" in page
    response = post_step(client, people.lead2, policy, "approve-local-instruction")
    assert response.status_code == 400
    assert "prior agreement with the corporate lead" in response.content.decode()
    assert unchanged(policy, events)

    # The corporate policy's Lead, of another business group, is told, sees the draft and agrees to it, in their own
    # name.
    outbox_relay()
    assert Notification.objects.filter(recipient=people.lead, policy=policy,
                                       title__startswith="A local work instruction asks for your agreement").exists()
    assert not Notification.objects.filter(policy=policy, title__startswith="A local work instruction asks").exclude(
        recipient=people.lead).exists()
    client.force_login(people.lead)
    detail = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "Agree to the local work instruction" in detail and corporate.reference in detail
    response = post_step(client, people.lead, policy, "agree-local-instruction", comments="Consistent with ours.")
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = LocalAgreement.objects.get(policy=policy)
    assert (agreement.agreed_by, agreement.supported_policy) == (people.lead, corporate)
    assert AuditEvent.objects.filter(policy_id=policy.pk, action="policy.local_instruction_agreed").count() == 1
    # Agreeing is not approving: another group's Lead cannot approve it.
    events = AuditEvent.objects.filter(policy_id=policy.pk).count()
    response = post_step(client, people.lead, policy, "approve-local-instruction")
    assert "Only the Designated Lead of its business group" in messages_of(response)
    assert unchanged(policy, events)

    # PCU has no part in it: no quality assurance, no publication.
    for slug in ("quality-assurance", "publish", "agree-local-instruction", "approve-local-instruction"):
        client.force_login(people.pcu)
        assert client.get(f"/policies/{policy.reference}/actions/{slug}/").status_code == 302, slug
        response = post_step(client, people.pcu, policy, slug, discipline="pcu", outcome="passed",
                             on_intranet="on", on_publication_scheme="on")
        assert response.status_code in (302, 400), slug
        assert unchanged(policy, events), slug

    # Its business group's Lead approves it: in force, on the intranet only.
    response = post_step(client, people.lead2, policy, "approve-local-instruction", comments="Approved for Lambeth.")
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = reload(policy)
    assert policy.status == Status.IMPLEMENTATION and policy.current_version.is_frozen
    assert policy.first_published_on is not None and policy.review_due_on is not None
    decision = ApprovalDecision.objects.get(policy_version__policy=policy)
    assert (decision.decision, decision.decided_by) == ("approved", people.lead2)
    publication = Publication.objects.get(policy=policy)
    assert (publication.on_intranet, publication.in_notices, publication.on_publication_scheme) == (True, False, False)
    assert publication.published_by == people.lead2
    assert not AuditEvent.objects.filter(policy_id=policy.pk, actor=people.pcu).exists()
    # The dates its approval sets are recorded [before, after], as every change.
    approved = AuditEvent.objects.get(policy_id=policy.pk, action="policy.local_instruction_approved").changes
    assert approved["review_due_on"] == [None, policy.review_due_on.isoformat()]
    assert approved["monitoring_report_due_on"] == [None, policy.monitoring_report_due_on.isoformat()]

    # Linked on both pages.
    client.force_login(people.lead2)
    detail = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f"{corporate.reference} Custody detention standards" in detail and "agreed to this version" in detail
    client.force_login(people.coordinator)
    corporate_page = client.get(f"/policies/{corporate.reference}/").content.decode()
    assert "Local work instructions supporting it" in corporate_page and policy.reference in corporate_page

    # Never on the public Publication Scheme: its pages, its search, its feed, its PDFs.
    client.logout()
    assert policy.reference not in client.get("/publication-scheme/").content.decode()
    assert policy.reference not in client.get("/publication-scheme/?q=Lambeth").content.decode()
    assert policy.reference not in client.get("/publication-scheme/feed/").content.decode()
    assert client.get(f"/publication-scheme/{policy.reference}/").status_code == 404
    assert client.get(f"/publication-scheme/{policy.reference}/pdf/").status_code == 404
    # Nor can a PCU action put it there.
    with refused("forbidden", "local work instruction"):
        policy_publish(policy=reload(policy), actor=people.pcu, on_publication_scheme=True)
    client.force_login(people.pcu)
    response = client.post(f"/policies/{policy.reference}/actions/publish/",
                           {**what_was_read(policy), "on_intranet": "on", "on_publication_scheme": "on"})
    assert response.status_code == 302
    assert not Publication.objects.filter(policy=policy, on_publication_scheme=True).exists()


def test_seen_in_the_library_by_its_business_group_only(client, people, corporate, instruction, unit_head):
    policy = instruction
    lifecycle_services.policy_agree_local_supplement(policy=policy, actor=people.lead)
    post_step(client, people.lead2, reload(policy), "approve-local-instruction")
    assert reload(policy).status == Status.IMPLEMENTATION
    assert LibraryDocument.objects.filter(policy=policy, local_to_group=True).exists()
    in_group = UserFactory(username="custody_officer", unit=people.unit2)
    elsewhere = UserFactory(username="patrol_officer", unit=people.unit)
    client.force_login(in_group)
    assert client.get(f"/library/{policy.reference}/").status_code == 200
    assert policy.reference in client.get("/library/?q=detainee").content.decode()
    # Staff of another business group do not see it in the library; corporate policies stay force-wide.
    client.force_login(elsewhere)
    assert client.get(f"/library/{policy.reference}/").status_code == 404
    assert policy.reference not in client.get("/library/?q=detainee").content.decode()
    assert client.get(f"/library/{corporate.reference}/").status_code == 200
    client.force_login(people.pcu)
    assert client.get(f"/library/{policy.reference}/").status_code == 200


def test_a_changed_draft_needs_the_corporate_lead_to_agree_again(client, people, instruction, unit_head):
    policy = instruction
    lifecycle_services.policy_agree_local_supplement(policy=policy, actor=people.lead, **what_was_read(policy))
    lifecycle_services.draft_update(policy=policy, actor=unit_head,
                                    statement="<p>Book every detainee in within 10 minutes.</p>")
    events = AuditEvent.objects.filter(policy_id=policy.pk).count()
    response = post_step(client, people.lead2, reload(policy), "approve-local-instruction")
    assert response.status_code == 400 and "has not agreed to this draft" in response.content.decode()
    assert unchanged(policy, events)
    post_step(client, people.lead, reload(policy), "agree-local-instruction")
    assert LocalAgreement.objects.filter(policy=policy).count() == 2
    # Agreeing twice to the same draft is refused, saying why.
    with refused("gate", "already agreed"):
        lifecycle_services.policy_agree_local_supplement(policy=reload(policy), actor=people.lead)
    post_step(client, people.lead2, reload(policy), "approve-local-instruction")
    assert reload(policy).status == Status.IMPLEMENTATION


def test_an_sops_flag_changed_after_the_agreement_needs_the_corporate_lead_to_agree_again(
        client, people, instruction, unit_head):
    """The agreement is bound to the draft's content hash, which covers each SOP's "publish externally" flag
    (migration 0020): a flag changed after the corporate Lead agreed is a draft they did not agree to."""
    policy = instruction
    sop = lifecycle_services.sop_create(policy=policy, actor=unit_head, title="Booking in", text="<p>Book in.</p>")
    lifecycle_services.policy_agree_local_supplement(policy=reload(policy), actor=people.lead,
                                                     **what_was_read(policy))
    lifecycle_services.sop_update_draft(sop=sop, actor=unit_head, text="<p>Book in.</p>", publish_externally=True)
    events = AuditEvent.objects.filter(policy_id=policy.pk).count()
    response = post_step(client, people.lead2, reload(policy), "approve-local-instruction")
    assert response.status_code == 400 and "has not agreed to this draft" in response.content.decode()
    assert unchanged(policy, events)


def test_without_a_corporate_policy_no_agreement_is_asked_but_the_eia_is(client, people, unit_head):
    response = start_instruction(client, people, unit_head)
    assert response.status_code == 302
    policy = Policy.objects.get(kind=PolicyKind.LOCAL)
    lifecycle_services.draft_update(policy=policy, actor=unit_head, statement="<p>Sign the visitors' book.</p>")
    client.force_login(people.lead)
    assert client.get(f"/policies/{policy.reference}/actions/agree-local-instruction/").status_code == 404
    with refused("forbidden", "Only the Designated Lead of the corporate policy it supplements"):
        lifecycle_services.policy_agree_local_supplement(policy=policy, actor=people.lead2)
    # SOP: they "are still required to complete an Equality Impact Assessment".
    events = AuditEvent.objects.filter(policy_id=policy.pk).count()
    response = post_step(client, people.lead2, reload(policy), "approve-local-instruction")
    assert response.status_code == 400 and "still required to complete an Equality Impact Assessment" in (
        response.content.decode())
    assert unchanged(policy, events)
    eia_update(policy=policy, actor=unit_head, **COMPLETE_EIA)
    # The unit head drafts; only the Lead its business group names approves.
    with refused("forbidden", "Only the Designated Lead of its business group"):
        policy_approve_local(policy=reload(policy), actor=unit_head)
    post_step(client, people.lead2, reload(policy), "approve-local-instruction")
    assert reload(policy).status == Status.IMPLEMENTATION


def test_bad_links_to_a_corporate_policy_are_refused_and_nothing_is_created(client, people, unit_head, corporate):
    response = start_instruction(client, people, unit_head, supports="POL-9999")
    assert response.status_code == 400 and "There is no corporate policy POL-9999 in force" in (
        response.content.decode())
    client.force_login(people.developer)
    response = client.post("/policies/new/", {
        "title": "A corporate policy", "purpose": "Purpose.", "relevant_to": "All staff.",
        "business_group": people.group.pk, "owning_unit": people.unit.pk, "kind": PolicyKind.CORPORATE,
        "supports": corporate.reference, "risk_tier": "low", "protective_marking": "official",
        **sent_once(people.developer, POLICY_CREATE)})
    assert response.status_code == 400 and "Only a local work instruction supplements a corporate policy" in (
        response.content.decode())
    # A corporate policy not yet in force cannot be supplemented.
    draft = people.policy(title="A draft corporate policy")
    response = start_instruction(client, people, unit_head, supports=draft.reference)
    assert response.status_code == 400 and f"no corporate policy {draft.reference} in force" in (
        response.content.decode())
    assert not Policy.objects.filter(kind=PolicyKind.LOCAL).exists()


def test_its_details_cannot_make_it_suitable_for_the_scheme(people, instruction, unit_head):
    from lifecycle.services import policy_update_details

    policy = instruction
    details = policy.details_snapshot()
    events = AuditEvent.objects.filter(policy_id=policy.pk).count()
    with refused("invalid", "never goes on the Publication Scheme"):
        policy_update_details(policy=policy, actor=unit_head, expected_details=None, **{
            **details, "suitable_for_publication_scheme": True})
    assert reload(policy).suitable_for_publication_scheme is False
    assert AuditEvent.objects.filter(policy_id=policy.pk).count() == events


def test_its_overview_lists_what_its_approval_needs_not_a_withdrawal(client, people, unit_head, corporate):
    """A new local work instruction's checklist was "Before you carry out the withdrawal" (the first gated step out
    of scoping for its kind): it is what the Lead's approval needs."""
    assert start_instruction(client, people, unit_head, supports=corporate.reference).status_code == 302
    policy = Policy.objects.get(kind=PolicyKind.LOCAL)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "withdrawal" not in page.lower()
    assert "The agreement of the corporate policy" in page


def test_in_force_it_is_seen_on_its_policy_pages_by_its_business_group_only(client, people, corporate, instruction,
                                                                            unit_head):
    """Issue 13: a local work instruction is "seen by their business group on the intranet". The library showed it to
    that group only, but the register, its overview, statement, timeline and staff PDF showed it to every member of
    staff as any policy in force (found by the tenth session's walk: ``officer`` opened another group's)."""
    policy = instruction
    lifecycle_services.policy_agree_local_supplement(policy=policy, actor=people.lead)
    post_step(client, people.lead2, reload(policy), "approve-local-instruction")
    policy = reload(policy)
    assert policy.status == Status.IMPLEMENTATION and policy.is_in_force
    files_stored(policy)
    pages = [f"/policies/{policy.reference}/{page}" for page in ("", "statement/", "timeline/", "versions/", "pdf/")]
    in_group = UserFactory(username="custody_officer", unit=people.unit2)
    elsewhere = UserFactory(username="patrol_officer", unit=people.unit)
    no_unit = UserFactory(username="visiting_officer")

    # Its group's staff and role holders, force-wide roles, and the Lead and co-ordinator of the corporate policy it
    # supplements (listed on that policy's page).
    for person in (in_group, people.lead2, people.dcfd, people.pcu, people.lead, people.coordinator):
        client.force_login(person)
        assert [client.get(page).status_code for page in pages] == [200] * len(pages), person.username
        assert policy.reference in client.get("/policies/?q=Lambeth").content.decode()
    # Staff of another business group (its developer too) or of none see neither it nor a count that includes it; the
    # corporate policy it supplements stays force-wide.
    for person in (elsewhere, no_unit, people.developer):
        client.force_login(person)
        assert [client.get(page).status_code for page in pages] == [404] * len(pages), person.username
        register = client.get("/policies/?q=Lambeth").content.decode()
        assert policy.reference not in register and "Booking in" not in register
        assert client.get(f"/policies/{corporate.reference}/").status_code == 200
        assert policy.reference not in client.get(f"/policies/{corporate.reference}/").content.decode()
    client.force_login(elsewhere)
    assert policy.reference not in client.get("/policies/").content.decode()
    assert policy.reference not in client.get("/").content.decode()
    # Counted as listed: the register's total is one fewer than for its group's staff.
    assert policy_count(user=in_group) == policy_count(user=elsewhere) + 1
    by_status = [sum(policy_count_by_status(user=person).values()) for person in (in_group, elsewhere)]
    assert by_status[0] == by_status[1] + 1


def test_the_corporate_lead_does_not_see_its_official_sensitive_sops_on_its_timeline(client, people, instruction,
                                                                                     unit_head):
    """Probe (F1): the corporate policy's Lead, of another business group, sees the draft to agree to it, but is not
    cleared for its OFFICIAL-SENSITIVE SOPs: their events are left out of its timeline, as the SOPs are of its pages."""
    from lifecycle.services.sops import sop_create

    sop_create(policy=instruction, actor=unit_head, title="ZEBRAOSSOP covert deployment",
               protective_marking="official_sensitive")
    client.force_login(people.lead)
    response = client.get(f"/policies/{instruction.reference}/timeline/")
    assert response.status_code == 200 and "Policy started in scoping" in response.content.decode()
    assert "ZEBRAOSSOP" not in response.content.decode()
    client.force_login(people.lead2)
    assert "ZEBRAOSSOP covert deployment" in client.get(f"/policies/{instruction.reference}/timeline/").content.decode()


def test_its_withdrawal_is_in_notices_for_its_business_group_only(client, people, instruction, unit_head):
    """Probe (F3): the withdrawal of a local work instruction was in every member of staff's Notices and feed, with
    its business group and the reason, though its pages and the library's archive are its business group's only."""
    policy = instruction
    lifecycle_services.policy_agree_local_supplement(policy=policy, actor=people.lead)
    post_step(client, people.lead2, reload(policy), "approve-local-instruction")
    lifecycle_services.policy_decide_withdrawal(policy=reload(policy), actor=people.lead2,
                                                reason="Lambeth custody suite closed for refurbishment.")
    lifecycle_services.policy_withdraw(policy=reload(policy), actor=people.pcu)
    assert reload(policy).status == Status.WITHDRAWN
    elsewhere = UserFactory(username="patrol_officer", unit=people.unit)
    in_group = UserFactory(username="custody_officer", unit=people.unit2)
    for reader, shown in ((elsewhere, False), (people.developer, False), (in_group, True), (people.pcu, True)):
        reading = Client()  # without the messages the steps above left in the session
        reading.force_login(reader)
        for url in ("/notices/", "/notices/feed/"):
            page = reading.get(url).content.decode()
            assert (policy.reference in page) is shown, (reader.username, url)
            assert ("refurbishment" in page) is shown, (reader.username, url)


# --- OFFICIAL-SENSITIVE local work instructions, and what the "supports" field looks up (security probe F2, F6) ----


def field_error(response, name: str) -> str:
    """The text of the error shown on the field ``name`` of the page, "" if none."""
    shown = re.search(rf'id="id_{name}-error">(.*?)</p>', response.content.decode(), re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", shown.group(1)))) if shown else ""


def test_an_official_sensitive_instruction_cannot_ask_a_corporate_lead_not_cleared_for_it(client, people, unit_head,
                                                                                        corporate):
    """Probe (F2): the corporate policy's Lead (Territorial Policing) was told the title of Specialist Crime &
    Operations' OFFICIAL-SENSITIVE local work instruction and asked to agree to it, but was not cleared for it: the
    link answered 404, and the agreement the SOP requires could never be given. Refused on the field, saying why."""
    response = start_instruction(client, people, unit_head, supports=corporate.reference, marking="official_sensitive",
                                 title="ZEBRA covert custody")
    assert response.status_code == 400
    said = field_error(response, "supports")
    assert f"{people.lead}, the Designated Lead of {corporate.reference}, is not cleared for OFFICIAL-SENSITIVE " \
           "material of Specialist Crime & Operations" in said, said
    assert "prior agreement" in said
    assert "ZEBRA covert custody" in response.content.decode()  # what was typed is kept
    assert not Policy.objects.filter(kind=PolicyKind.LOCAL).exists()
    outbox_relay()
    assert not Notification.objects.filter(title__contains="ZEBRA").exists()
    # Once the Lead holds a role in that business group, they are cleared: it is started and they are told.
    RoleAssignmentFactory(user=people.lead, role=Role.OWNER, business_group=people.group2)
    response = start_instruction(client, people, unit_head, supports=corporate.reference, marking="official_sensitive",
                                 title="ZEBRA covert custody")
    assert response.status_code == 302, field_error(response, "supports")
    outbox_relay()
    assert set(Notification.objects.filter(title__contains="ZEBRA").values_list("recipient", flat=True)) == {
        people.lead.pk}


def test_an_instruction_is_not_re_marked_official_sensitive_while_its_corporate_lead_is_not_cleared(
        people, instruction, unit_head):
    details = instruction.details_snapshot()
    with refused("not_cleared", str(people.lead), instruction.supports.reference) as refusal:
        lifecycle_services.policy_update_details(
            policy=instruction, actor=unit_head, expected_details=details_hash(details),
            **{**details, "protective_marking": "official_sensitive"})
    assert refusal.error.field == "protective_marking"
    assert reload(instruction).protective_marking == "official"


def _local_in_force(people, *, title: str) -> Policy:
    """A local work instruction of Territorial Policing in force, seen by its business group only."""
    policy = people.policy(kind=PolicyKind.LOCAL, title=title)
    lifecycle_services.draft_update(policy=policy, actor=people.developer, statement="<p>Local.</p>")
    eia_update(policy=policy, actor=people.developer, **COMPLETE_EIA)
    policy_approve_local(policy=reload(policy), actor=people.lead)
    return reload(policy)


def test_supports_looks_only_among_the_policies_its_author_may_see(client, people, unit_head, policy_in):
    """Probe (F6): the reference was looked up among all policies: its messages confirmed that a policy out of the
    author's sight exists ("is itself a local work instruction"), and another group's OFFICIAL-SENSITIVE corporate
    policy in force, which the author cannot open, was accepted. Now such a policy is answered exactly as one that
    does not exist."""
    hidden_corporate = policy_in(Status.IMPLEMENTATION, title="Covert corporate",
                                 protective_marking="official_sensitive", suitable_for_publication_scheme=False)
    hidden_local = _local_in_force(people, title="Territorial local instruction")
    said = {}
    for reference in ("POL-9999", hidden_corporate.reference, hidden_local.reference):
        response = start_instruction(client, people, unit_head, supports=reference)
        assert response.status_code == 400, reference
        said[reference] = field_error(response, "supports").replace(reference, "<reference>")
    assert len(set(said.values())) == 1, said
    assert "There is no corporate policy <reference> in force" in said["POL-9999"]
    assert not Policy.objects.filter(business_group=people.group2).exists()
    # Those who see it are still told what is wrong with it.
    client.force_login(people.developer)
    response = client.post("/policies/new/", {
        "title": "Another", "purpose": "Purpose.", "relevant_to": "All staff.", "business_group": people.group.pk,
        "owning_unit": people.unit.pk, "kind": PolicyKind.LOCAL, "supports": hidden_local.reference,
        "risk_tier": "low", "protective_marking": "official", **sent_once(people.developer, POLICY_CREATE)})
    assert "is itself a local work instruction" in field_error(response, "supports")
