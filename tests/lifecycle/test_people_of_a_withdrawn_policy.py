"""The people named on a withdrawn policy stay as they were when it was withdrawn (QA walk of 2026-12-06, LOW): a
leaver's handover leaves withdrawn policies alone, and someone named only on withdrawn policies may be deactivated,
yet the People tab still offered PCU and the co-ordinator to reassign each part of one, and the services took it.
Who held what on a withdrawn policy is its record (SOP, "Retain an audit trail ... for continuity purposes"); nothing
of it is chased or waits for anyone, so nothing is gained by changing it, and the tab says so instead of offering it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import AuditEvent, Role
from lifecycle.models import Policy
from lifecycle.services import people as people_services
from lifecycle.states import Status
from tests.factories import BusinessGroupFactory, UnitFactory, user_with_role

pytestmark = pytest.mark.django_db

REFUSED = "is withdrawn"


@pytest.fixture
def withdrawn(people, policy_in):
    return policy_in(Status.WITHDRAWN)


def test_the_services_refuse_to_change_who_holds_what(people, withdrawn):
    other_lead = user_with_role(Role.LEAD, people.group, username="lead.b")
    new_manager = user_with_role(Role.MANAGER, people.group, username="new.manager")
    new_developer = user_with_role(Role.DEVELOPER, people.group, username="new.developer")
    group = BusinessGroupFactory(name="Met Operations", code="mo")
    with pytest.raises(ApplicationError, match=REFUSED):
        people_services.policy_reassign(policy=withdrawn, actor=people.pcu, role="designated_lead",
                                        new_holder=other_lead, reason="Moved.")
    with pytest.raises(ApplicationError, match=REFUSED):
        people_services.policy_reassign(policy=withdrawn, actor=people.coordinator, role="policy_manager",
                                        new_holder=new_manager, reason="Moved.")
    with pytest.raises(ApplicationError, match=REFUSED):
        people_services.policy_replace_developer(policy=withdrawn, actor=people.pcu, old=people.developer,
                                                 new=new_developer, reason="Moved.")
    with pytest.raises(ApplicationError, match=REFUSED):
        people_services.policy_move_business_group(policy=withdrawn, actor=people.pcu, business_group=group,
                                                   owning_unit=UnitFactory(business_group=group), reason="Moved.",
                                                   holders={})
    kept = Policy.objects.get(pk=withdrawn.pk)
    assert (kept.designated_lead, kept.policy_manager, kept.business_group) == (people.lead, people.manager,
                                                                                people.group)
    assert list(kept.developers.all()) == [people.developer]
    assert not AuditEvent.objects.filter(action=AuditAction.POLICY_REASSIGNED).exists()


@pytest.mark.parametrize("who", ["pcu", "coordinator"])
def test_the_people_tab_says_so_and_offers_no_change(client, people, withdrawn, who):
    client.force_login(getattr(people, who))
    url = reverse("lifecycle:people", args=[withdrawn.reference])
    page = client.get(url).content.decode()
    assert str(people.lead) in page and str(people.developer) in page
    assert 'name="part"' not in page
    assert f"{withdrawn.reference} is withdrawn" in page
    assert "Reassigned by the Policy Co-ordination Unit" not in page  # nobody is, now (QA walk of 2026-12-06)
    new_manager = user_with_role(Role.MANAGER, people.group, username="new.manager")
    response = client.post(url, {"part": "policy_manager", "policy_manager-new_holder": "new.manager",
                                 "policy_manager-reason": "Moved.",
                                 "policy_manager-expected_holder": people.manager.pk}, follow=True)
    assert f"{withdrawn.reference} is withdrawn" in response.content.decode()
    assert Policy.objects.get(pk=withdrawn.pk).policy_manager == people.manager != new_manager
