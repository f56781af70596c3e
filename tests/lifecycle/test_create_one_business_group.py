"""'Start a new policy' offered a developer of Territorial Policing only that business group, yet showed
"---------" until it was chosen, and "Choose the business group" when it was not (QA crawl of the demo). A person
who may start policies in one business group only now has it chosen for them (and the owning unit, when that group
has one); whoever may choose among several is still asked to choose."""

import re

import pytest

from core.models import Role
from core.submissions import POLICY_CREATE
from tests.factories import RoleAssignmentFactory, UnitFactory, user_with_role
from tests.submissions import sent_once

pytestmark = pytest.mark.django_db


def _select(body: str, name: str) -> str:
    return re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', body, re.S).group(1)


def _options(body: str, name: str) -> list[tuple[str, bool]]:
    return [(value, bool(selected)) for value, selected in
            re.findall(r'<option value="([^"]*)"( selected)?>', _select(body, name))]


def _started(client, people, user=None, **fields):
    data = {"title": "Body-worn video", "purpose": "Consistent use of body-worn video.", "relevant_to": "Officers.",
            "kind": "corporate", "risk_tier": "medium", "protective_marking": "official",
            **sent_once(user or people.developer, POLICY_CREATE), **fields}
    return client.post("/policies/new/", data)


def test_the_only_business_group_and_unit_are_chosen_for_a_developer_of_one_group(client, people):
    client.force_login(people.developer)
    body = client.get("/policies/new/").content.decode()
    assert _options(body, "business_group") == [(str(people.group.pk), True)]
    assert _options(body, "owning_unit") == [(str(people.unit.pk), True)]
    # Sent as shown, the policy starts in that group.
    response = _started(client, people, business_group=people.group.pk, owning_unit=people.unit.pk)
    assert response.status_code == 302
    assert response.url.startswith("/policies/POL-")


def test_whoever_may_choose_among_groups_or_units_is_asked_to(client, people):
    UnitFactory(business_group=people.group, name="Roads Policing")
    client.force_login(people.developer)
    body = client.get("/policies/new/").content.decode()
    assert _options(body, "business_group") == [(str(people.group.pk), True)]
    units = _options(body, "owning_unit")
    assert units[0] == ("", True) and len(units) == 3 and not any(selected for _, selected in units[1:])
    # PCU may start a policy in any group: none is chosen for them.
    client.force_login(people.pcu)
    groups = _options(client.get("/policies/new/").content.decode(), "business_group")
    assert groups[0] == ("", True) and len(groups) == 3 and not any(selected for _, selected in groups[1:])
    # A developer of two groups chooses between them.
    both = user_with_role(Role.DEVELOPER, people.group, username="both")
    RoleAssignmentFactory(user=both, role=Role.DEVELOPER, business_group=people.group2)
    client.force_login(both)
    groups = _options(client.get("/policies/new/").content.decode(), "business_group")
    assert groups[0] == ("", True) and len(groups) == 3 and not any(selected for _, selected in groups[1:])
    response = _started(client, people, user=both)
    assert response.status_code == 400
    assert "Choose the business group" in response.content.decode()
