"""A person's handover page lists what stays with them as well as what moves; what stays may be on policies the
viewer may not see (another business group's drafts). Those are counted, never named: out-of-scope policies are
not shown, on any page."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_what_stays_names_only_the_policies_the_viewer_may_see(client, people):
    # The developer holds a Territorial Policing policy (the co-ordinator's to move) and a Specialist Crime draft
    # that the Territorial Policing co-ordinator may not see.
    ours = people.policy(title="Roads policing")
    theirs = people.policy(actor=people.developer2, title="Kidnap and extortion", business_group=people.group2,
                           owning_unit=people.unit2, designated_lead=people.lead2, coordinator=people.coordinator2,
                           developers=[people.developer2, people.developer])
    client.force_login(people.coordinator)
    assert client.get(reverse("lifecycle:detail", args=[theirs.reference])).status_code == 404
    response = client.get(reverse("people:handover", args=[people.developer.username]))
    assert response.status_code == 200
    html = response.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert ours.reference in html
    assert theirs.reference not in html and "Kidnap and extortion" not in html
    assert "1 policy in a business group you do not cover" in text
    # PCU see every policy: it is named for them.
    client.force_login(people.pcu)
    assert theirs.reference in client.get(reverse("people:handover", args=[people.developer.username])).content.decode()


def test_a_coordinator_may_not_open_the_handover_page_of_someone_outside_their_group(client, people):
    # Out-of-scope objects are 404: a Territorial Policing co-ordinator typing the username of Specialist Crime's
    # developer (no part in any of their group's policies, no role in their group) learnt that the person existed
    # and how many policies they held elsewhere.
    people.policy(actor=people.developer2, title="Kidnap and extortion", business_group=people.group2,
                  owning_unit=people.unit2, designated_lead=people.lead2, coordinator=people.coordinator2,
                  developers=[people.developer2])
    client.force_login(people.coordinator)
    url = reverse("people:handover", args=[people.developer2.username])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Left the force"}).status_code == 404
    # Their own group's people, and anyone named on their group's policies, stay theirs to hand over.
    assert client.get(reverse("people:handover", args=[people.developer.username])).status_code == 200
    # Specialist Crime's co-ordinator and PCU may open it.
    client.force_login(people.coordinator2)
    assert client.get(url).status_code == 200
    client.force_login(people.pcu)
    assert client.get(url).status_code == 200


def test_a_coordinator_may_open_the_page_of_a_person_with_a_role_in_their_group_and_nothing_to_hand_over(
        client, people):
    from core.models import Role
    from tests.factories import user_with_role

    newcomer = user_with_role(Role.DEVELOPER, people.group)
    client.force_login(people.coordinator)
    assert client.get(reverse("people:handover", args=[newcomer.username])).status_code == 200


def test_after_handing_over_everything_a_coordinator_is_not_sent_to_a_page_they_may_no_longer_open(client, people):
    # Specialist Crime's developer, named on one Territorial Policing policy: the TP co-ordinator's to move. Once
    # moved, nothing ties them to TP, and the success message is shown on the co-ordinator's My work, not on a 404.
    from lifecycle.services import people as people_services

    policy = people.policy(title="Roads policing", developers=[people.developer, people.developer2])
    client.force_login(people.coordinator)
    url = reverse("people:handover", args=[people.developer2.username])
    page = client.get(url)
    assert page.status_code == 200
    plan = people_services.handover_preview(actor=people.coordinator, leaver=people.developer2)
    response = client.post(url, {"reason": "Moved to Specialist Crime", "expected": plan.fingerprint,
                                 "developer": people.developer.username}, follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "has been handed over" in response.content.decode()
    assert people.developer2 not in policy.developers.all()
    assert client.get(url).status_code == 404


def test_a_person_page_not_found_talks_of_people_not_policies(client, people):
    """QA walk: a co-ordinator opening /people/<username>/handover/ of someone outside their groups got the generic
    404, "The policy may not exist, or you may not have access to it": about a policy, on a person's page. It speaks
    of the person, in the same words whether the username exists or not."""
    people.policy(actor=people.developer2, title="Kidnap and extortion", business_group=people.group2,
                  owning_unit=people.unit2, designated_lead=people.lead2, coordinator=people.coordinator2,
                  developers=[people.developer2])
    client.force_login(people.coordinator)
    pages = []
    for username in (people.developer2.username, "no-such-person"):
        response = client.get(reverse("people:handover", args=[username]))
        page = response.content.decode()
        assert response.status_code == 404
        assert "policy may not exist" not in page and "quality-assured or approved" not in page
        assert "The person may not exist, or their work is not yours to hand over" in page
        pages.append(page.replace(username, ""))
    assert pages[0].count("may not exist") == pages[1].count("may not exist")
