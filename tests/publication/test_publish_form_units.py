"""The publish page's "Ask the staff of these units" (issue 14's read and acknowledge): the units under a heading for
each business group (a fieldset with its legend), the groups and the units within each alphabetical, so that PCU
finds a unit where it belongs among a force's hundreds (walk B: one long list, in no order a reader could see). The
one field ``audience_units`` and its values (the units' ids) are as before: the service is given the same choice.
Plain HTML: nothing needs JavaScript."""

from __future__ import annotations

import re
from html import unescape

import pytest

from acknowledgements.models import AcknowledgementAudience
from lifecycle.states import Status
from tests.factories import BusinessGroupFactory, UnitFactory, reload

pytestmark = pytest.mark.django_db

ITEM = re.compile(r'<legend[^>]*>(?P<legend>.*?)</legend>|<input[^>]*name="audience_units"[^>]*value="(?P<value>\d+)"'
                  r'[^>]*>\s*<label[^>]*>(?P<label>.*?)</label>', re.S)


def units_question(page: str) -> str:
    """The part of the page that asks which units' staff to ask."""
    start = page.index("Ask the staff of these units")
    return page[start:page.index("Ask everyone holding these roles", start)]


def headings_and_units(page: str) -> list[tuple[str, list[tuple[str, int]]]]:
    """[(business group heading, [(unit, id), ...]), ...] in the order the page shows them."""
    shown: list[tuple[str, list[tuple[str, int]]]] = []
    for match in ITEM.finditer(units_question(page)):
        if match["legend"] is not None:
            shown.append((unescape(match["legend"].strip()), []))
        else:
            shown[-1][1].append((unescape(match["label"].strip()), int(match["value"])))
    return shown


@pytest.fixture
def units(people):
    """Units of three business groups, made in no particular order, and one unit no longer active."""
    aviation = BusinessGroupFactory(name="Aviation Policing", code="av")
    made = {
        "custody": UnitFactory(business_group=people.group, name="custody and Criminal Justice"),
        "zeta": UnitFactory(business_group=aviation, name="Zeta Hangar"),
        "airport": UnitFactory(business_group=people.group, name="Airport Policing"),
        "armed": UnitFactory(business_group=people.group2, name="Armed Policing"),
        "heathrow": UnitFactory(business_group=aviation, name="Heathrow Unit"),
    }
    UnitFactory(business_group=people.group, name="Closed Unit", is_active=False)
    return made


def test_the_units_are_grouped_under_their_business_group_alphabetically(client, people, policy_in, units):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    client.force_login(people.pcu)

    page = client.get(f"/policies/{policy.reference}/actions/publish/").content.decode()

    assert headings_and_units(page) == [
        ("Aviation Policing", [("Heathrow Unit", units["heathrow"].pk), ("Zeta Hangar", units["zeta"].pk)]),
        ("Specialist Crime & Operations", [("Armed Policing", units["armed"].pk),
                                           ("Serious Crime", people.unit2.pk)]),
        ("Territorial Policing", [("Airport Policing", units["airport"].pk),
                                  ("custody and Criminal Justice", units["custody"].pk),
                                  ("Response and Patrol", people.unit.pk)]),
    ]
    question = units_question(page)
    # The question is a fieldset whose legend it is (templates/includes/field.html); within it each group is a
    # fieldset whose legend is the group's name; every box is a checkbox of the one field.
    assert question.startswith("Ask the staff of these units</legend>")
    assert question.count("</fieldset>") == question.count("</legend>") == 1 + 3
    assert "Closed Unit" not in question
    assert "<script" not in question


def test_the_units_chosen_are_asked_and_kept_when_the_page_is_shown_again(client, people, policy_in, units):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    version = policy.current_version
    client.force_login(people.pcu)
    url = f"/policies/{policy.reference}/actions/publish/"
    chosen = [units["zeta"].pk, people.unit.pk]
    binding = {"expected_status": policy.status, "version": version.pk, "version_hash": version.content_hash}

    # No channel: refused, and the units ticked are still ticked.
    again = client.post(url, {**binding, "audience_units": chosen}).content.decode()
    assert "Choose at least one channel" in again
    ticked = set(map(int, re.findall(r'name="audience_units"[^>]*value="(\d+)"[^>]*checked', units_question(again))))
    assert ticked == set(chosen)

    response = client.post(url, {**binding, "on_intranet": "on", "audience_units": chosen})

    assert response.status_code == 302 and reload(policy).status == Status.IMPLEMENTATION
    audience = AcknowledgementAudience.objects.get(policy_version=version)
    assert set(audience.criteria.values_list("unit_id", flat=True)) == set(chosen)


def test_a_unit_no_longer_active_is_refused(client, people, policy_in):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    version = policy.current_version
    closed = UnitFactory(business_group=people.group, name="Closed Unit", is_active=False)
    client.force_login(people.pcu)

    response = client.post(f"/policies/{policy.reference}/actions/publish/", {
        "expected_status": policy.status, "version": version.pk, "version_hash": version.content_hash,
        "on_intranet": "on", "audience_units": [closed.pk]})

    assert response.status_code == 400 and reload(policy).status == Status.AWAITING_PUBLICATION
