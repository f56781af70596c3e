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
