"""A withdrawal's "replaced by" (review 4): the reference was looked up among every policy, seen or not. An unknown
reference was answered "There is no policy POL-9999", and another group's OFFICIAL-SENSITIVE draft (a 404 to the
Lead) was accepted, recorded, and named as "Replaced by" on the withdrawn policy's Publication page: an oracle for
policies out of sight, and a leak of their references. The reference is now looked up among the policies the Lead
or owner may see, unknown and unseen answered alike (as ``_supported_policy``, probe F6), and the Publication page
names the replacement only to a reader who may see it (as the overview's ``withdrawal_shown``)."""

import pytest

from lifecycle import services as s
from lifecycle.models import WithdrawalDecision
from lifecycle.states import ProtectiveMarking, Status
from publication.services import policy_publish
from tests.core.test_append_only import append_only_lifted
from tests.factories import advance_to, refused, reload, what_was_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def hidden(people):
    """Specialist Crime & Operations' OFFICIAL-SENSITIVE draft: out of Territorial Policing's Lead's sight."""
    return people.policy(business_group=people.group2, owning_unit=people.unit2, designated_lead=people.lead2,
                         coordinator=people.coordinator2, owner=None, policy_manager=None,
                         developers=[people.developer2], actor=people.developer2,
                         protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                         suitable_for_publication_scheme=False)


@pytest.fixture
def in_force(people):
    return advance_to(people.policy(), Status.MONITORING, people)


def test_a_reference_out_of_sight_is_answered_as_one_that_does_not_exist(client, people, hidden, in_force):
    client.force_login(people.lead)
    assert client.get(f"/policies/{hidden.reference}/").status_code == 404
    with refused("invalid", "There is no policy POL-9999 you can see: enter the reference"):
        s.policy_decide_withdrawal(policy=reload(in_force), actor=people.lead, reason="Superseded.",
                                   replaced_by="POL-9999")
    with refused("invalid", f"There is no policy {hidden.reference} you can see: enter the reference"):
        s.policy_decide_withdrawal(policy=reload(in_force), actor=people.lead, reason="Superseded.",
                                   replaced_by=hidden.reference.lower())
    assert not WithdrawalDecision.objects.filter(policy=in_force).exists()
    # Through the form: the same answer for both, on the field, what was typed kept.
    for reference in ("POL-9999", hidden.reference):
        response = client.post(f"/policies/{in_force.reference}/actions/decide-withdrawal/",
                               {**what_was_read(in_force), "reason": "Superseded by another.",
                                "replaced_by": reference})
        body = response.content.decode()
        assert response.status_code == 400, reference
        assert f"There is no policy {reference} you can see" in body and "Superseded by another." in body
    assert not WithdrawalDecision.objects.filter(policy=in_force).exists()
    # One the Lead sees is recorded as before.
    seen = advance_to(people.policy(title="Its successor"), Status.MONITORING, people)
    decision = s.policy_decide_withdrawal(policy=reload(in_force), actor=people.lead, reason="Superseded.",
                                          replaced_by=seen.reference)
    assert decision.replaced_by == seen


def test_the_publication_page_names_the_replacement_only_to_who_may_see_it(client, people, hidden, in_force):
    policy = advance_to(people.policy(title="Old guidance"), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu)
    s.policy_decide_withdrawal(policy=reload(policy), actor=people.lead, reason="Superseded.",
                               replaced_by=in_force.reference)
    # A replacement recorded before the reference was looked up among the policies the decider may see.
    # (A decision is evidence, lifecycle 0031: such a record is set up with its append-only trigger switched off.)
    with append_only_lifted("lifecycle_withdrawaldecision"):
        WithdrawalDecision.objects.filter(policy=policy).update(replaced_by=hidden)
    s.policy_withdraw(policy=reload(policy), actor=people.pcu)
    url = f"/policies/{policy.reference}/publication/"
    client.force_login(people.lead)
    page = client.get(url)
    assert page.status_code == 200 and "Reason for withdrawal" in page.content.decode()
    assert "Replaced by" not in page.content.decode() and hidden.reference not in page.content.decode()
    # PCU sees every policy: named to them.
    client.force_login(people.pcu)
    assert f"Replaced by</dt><dd class=\"govuk-summary-list__value\"><a class=\"govuk-link\" href=\"/policies/" \
           f"{hidden.reference}/\">{hidden.reference}</a>" in client.get(url).content.decode()


def test_the_timeline_names_the_replacement_only_to_who_may_see_it(client, people, hidden, in_force):
    """The withdrawal's events record the replacement's reference ("replaced_by"); the timeline showed it to every
    reader of the withdrawn policy, though the replacement may be out of their sight (a decision recorded before the
    reference was looked up among the policies the decider may see). The stored event is unchanged; the reading
    leaves the reference out for those who may not see that policy."""
    policy = advance_to(people.policy(title="Old guidance"), Status.MONITORING, people)
    s.policy_decide_withdrawal(policy=reload(policy), actor=people.lead, reason="Superseded.",
                               replaced_by=in_force.reference)
    from core.models import AuditEvent

    event = AuditEvent.objects.get(policy_id=policy.pk, action="policy.withdrawal_decided")
    assert event.changes["replaced_by"] == in_force.reference
    url = f"/policies/{policy.reference}/timeline/"
    client.force_login(people.lead)
    assert in_force.reference in client.get(url).content.decode()
    # An event naming a policy out of the reader's sight, as one recorded before today's fix could (the trail is
    # append-only: a second decision's event, written as the service wrote it then).
    from core.audit import audit_log
    from core.events import AuditAction

    audit_log(actor=people.owner, action=AuditAction.POLICY_WITHDRAWAL_DECIDED, obj=reload(policy),
              changes={**event.changes, "replaced_by": hidden.reference, "reason": "Superseded again."})
    page = client.get(url).content.decode()
    assert "Superseded again." in page
    assert hidden.reference not in page
    client.force_login(people.pcu)
    assert hidden.reference in client.get(url).content.decode()
