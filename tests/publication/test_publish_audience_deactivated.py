"""The publish page's read-and-acknowledge choices (issue 14) when a unit or business group ticked is deactivated
while the page is open. Before, the post answered "Select a valid choice. 4 is not one of the available choices." and
the unit ticked vanished from the list, with nothing to say which it was. Now the page names it, says it is no longer
active, keeps every other choice ticked (units, business groups, roles, channels), and publishes nothing; a value
that is no unit at all is refused as not on the list. Never a 500."""

from __future__ import annotations

import re
from html import unescape

import pytest

from acknowledgements.models import AcknowledgementAudience
from core.models import Role
from lifecycle.states import Status
from tests.factories import BusinessGroupFactory, UnitFactory, reload

pytestmark = pytest.mark.django_db

GENERIC = "Select a valid choice"


def _url(policy) -> str:
    return f"/policies/{policy.reference}/actions/publish/"


def _binding(policy) -> dict:
    version = policy.current_version
    return {"expected_status": policy.status, "version": version.pk, "version_hash": version.content_hash}


def _ticked(page: str, name: str) -> set[str]:
    return set(re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"[^>]*checked', page))


def _error_summary(page: str) -> str:
    start = page.index("govuk-error-summary")
    return unescape(page[start:page.index("</div>", page.index("govuk-error-summary__list", start))])


def test_a_unit_deactivated_while_the_page_is_open_is_named_and_the_other_choices_are_kept(client, people, policy_in):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    traffic = UnitFactory(business_group=people.group, name="Traffic Unit")
    client.force_login(people.pcu)
    opened = client.get(_url(policy)).content.decode()
    assert f'value="{traffic.pk}"' in opened
    traffic.is_active = False
    traffic.save(update_fields=["is_active"])

    response = client.post(_url(policy), {
        **_binding(policy), "on_intranet": "on", "in_notices": "on",
        "audience_units": [traffic.pk, people.unit.pk], "audience_business_groups": [people.group2.pk],
        "audience_roles": [Role.COORDINATOR], "ask_again": "on"})
    page = response.content.decode()

    assert response.status_code == 400
    assert reload(policy).status == Status.AWAITING_PUBLICATION
    assert not AcknowledgementAudience.objects.filter(policy_version=policy.current_version).exists()
    assert GENERIC not in page
    summary = _error_summary(page)
    assert "Traffic Unit is no longer active" in summary
    assert 'href="#id_audience_units"' in summary
    # Shown again at the question, and every other choice is as it was ticked.
    assert unescape(page).count("Traffic Unit is no longer active") == 2
    assert _ticked(page, "audience_units") == {str(people.unit.pk)}
    assert _ticked(page, "audience_business_groups") == {str(people.group2.pk)}
    assert _ticked(page, "audience_roles") == {Role.COORDINATOR}
    checked = {name for name in ("on_intranet", "in_notices", "on_publication_scheme", "ask_again")
               if re.search(rf'<input[^>]*name="{name}"[^>]*checked', page)}
    assert checked == {"on_intranet", "in_notices", "ask_again"}

    # Posted again as the page now stands, it publishes and asks the units still chosen.
    again = client.post(_url(policy), {
        **_binding(policy), "on_intranet": "on", "in_notices": "on", "audience_units": [people.unit.pk]})
    assert again.status_code == 302 and reload(policy).status == Status.IMPLEMENTATION
    audience = AcknowledgementAudience.objects.get(policy_version=policy.current_version)
    assert list(audience.criteria.exclude(unit=None).values_list("unit_id", flat=True)) == [people.unit.pk]


def test_several_units_deactivated_are_each_named(client, people, policy_in):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    closed = [UnitFactory(business_group=people.group, name=name, is_active=False)
              for name in ("Traffic Unit", "Dog Unit")]
    client.force_login(people.pcu)

    response = client.post(_url(policy), {**_binding(policy), "on_intranet": "on",
                                          "audience_units": [unit.pk for unit in closed]})

    assert response.status_code == 400
    assert "Dog Unit and Traffic Unit are no longer active" in _error_summary(response.content.decode())


def test_a_business_group_deactivated_while_the_page_is_open_is_named(client, people, policy_in):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    aviation = BusinessGroupFactory(name="Aviation Policing", code="av")
    client.force_login(people.pcu)
    aviation.is_active = False
    aviation.save(update_fields=["is_active"])

    response = client.post(_url(policy), {**_binding(policy), "on_intranet": "on",
                                          "audience_business_groups": [aviation.pk, people.group.pk],
                                          "audience_units": [people.unit.pk]})
    page = response.content.decode()

    assert response.status_code == 400 and reload(policy).status == Status.AWAITING_PUBLICATION
    assert GENERIC not in page
    assert "Aviation Policing is no longer active" in _error_summary(page)
    assert _ticked(page, "audience_business_groups") == {str(people.group.pk)}
    assert _ticked(page, "audience_units") == {str(people.unit.pk)}


@pytest.mark.parametrize("value", ["abc", "999999", str(10**20), "-1", "4.5"])
def test_a_value_that_is_no_unit_is_refused_as_not_on_the_list(client, people, policy_in, value):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    client.force_login(people.pcu)

    response = client.post(_url(policy), {**_binding(policy), "on_intranet": "on",
                                          "audience_units": [value, people.unit.pk]})
    page = response.content.decode()

    assert response.status_code == 400 and reload(policy).status == Status.AWAITING_PUBLICATION
    assert GENERIC not in page
    assert "Choose the units from the list" in _error_summary(page)
    assert _ticked(page, "audience_units") == {str(people.unit.pk)}
