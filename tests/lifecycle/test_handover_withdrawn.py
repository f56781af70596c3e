"""QA walk (LOW): a Lead's handover (/people/lead/handover/) listed, and would have moved, the withdrawn POL-0001 and
POL-0003, rewriting the Designated Lead named on archived records. A withdrawn policy is evidence kept in the archive
("Retain an audit trail of all versions of policy statements and SOPs"): nobody acts on it again, so a handover moves
none of its parts, for every part, and a person named only on withdrawn policies holds nothing live and may be
deactivated."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.holdings import user_deactivate, user_holdings
from core.models import Role, User
from lifecycle.models import Policy
from lifecycle.services import people as people_services
from lifecycle.states import Status
from tests.factories import reload, take_step, user_with_role

pytestmark = pytest.mark.django_db

PARTS = ("designated_lead", "coordinator", "owner", "policy_manager", "developer")


@pytest.fixture
def live_and_withdrawn(people):
    live = people.policy(title="Roads policing")
    withdrawn = people.policy(title="Paper pocket notebooks")
    take_step(withdrawn, people, Status.WITHDRAWN)
    assert reload(withdrawn).status == Status.WITHDRAWN
    return live, withdrawn


@pytest.mark.parametrize("part", PARTS)
def test_the_preview_and_the_holdings_leave_withdrawn_policies_out(client, people, live_and_withdrawn, part):
    live, withdrawn = live_and_withdrawn
    holder = {"designated_lead": people.lead, "coordinator": people.coordinator, "owner": people.owner,
              "policy_manager": people.manager, "developer": people.developer}[part]
    plan = people_services.handover_preview(actor=people.pcu, leaver=holder)
    assert [holding.policy.pk for holding in plan.holdings] == [live.pk]
    assert all(withdrawn.reference not in held for held in user_holdings(holder))
    client.force_login(people.pcu)
    page = client.get(reverse("people:handover", args=[holder.username]))
    assert page.status_code == 200
    html = page.content.decode()
    assert live.reference in html and withdrawn.reference not in html


def test_a_leads_handover_moves_the_live_policy_and_leaves_the_archived_record_as_it_was(people, live_and_withdrawn):
    live, withdrawn = live_and_withdrawn
    successor = user_with_role(Role.LEAD, people.group, username="lead.successor")
    result = people_services.person_handover(actor=people.pcu, leaver=people.lead, reason="Promoted",
                                             replacements={"designated_lead": successor})
    assert result.policies == 1
    assert reload(live).designated_lead == successor
    assert reload(withdrawn).designated_lead == people.lead  # the archived record names the Lead who decided it


def test_a_leaver_named_only_on_withdrawn_policies_may_be_deactivated(people, live_and_withdrawn):
    live, withdrawn = live_and_withdrawn
    successor = user_with_role(Role.DEVELOPER, people.group, username="developer.successor")
    people_services.person_handover(actor=people.pcu, leaver=people.developer, reason="Left the force",
                                    replacements={"developer": successor})
    assert user_holdings(people.developer) == []
    user_deactivate(actor=people.pcu, user=people.developer)
    assert not User.objects.get(pk=people.developer.pk).is_active
    assert Policy.objects.filter(pk=withdrawn.pk, developers=people.developer).exists()
