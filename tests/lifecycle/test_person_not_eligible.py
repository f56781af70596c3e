"""A person typed by name who exists but may not take the part (issue 12's people pages, the user walk): the form
says why they cannot be named (their account is not active, they do not hold the part's role where the policies
are, they are the person whose work is handed over), instead of "Nobody who can be named ... is called ...", which
read as if the name were misspelt.

It reveals no more than the pages already do: a username typed already gets the service's reason with the person's
name ("Nia Pryce cannot be named as policy developer of POL-0001: they do not hold the Policy Developer role in
Territorial Policing"). So one person of that name is named with the reason; several are counted; neither their
usernames, job titles, nor where they do hold a role (another business group) are shown. The person is still
found in one bounded query."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Role, User
from lifecycle.models import Policy
from lifecycle.people_selectors import find_person, policy_eligibility
from tests.factories import RoleAssignmentFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def error_of(response) -> str:
    """The field's error message, as read."""
    match = re.search(r'<p class="govuk-error-message"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    assert match, response.content.decode()
    return " ".join(unescape(re.sub(r"<[^>]+>", "", match.group(1))).split()).removeprefix("Error: ")


@pytest.fixture
def leaver(people):
    """A developer of Territorial Policing named on two of its policies, who has left."""
    leaver = user_with_role(Role.DEVELOPER, people.group, username="leaver", first_name="Owain",
                            last_name="Bracegirdle")
    for _ in range(2):
        people.policy(actor=leaver, developers=[leaver])
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    return leaver


@pytest.fixture
def elsewhere(people):
    """Nia Pryce, a policy developer of Specialist Crime & Operations only, Inspector."""
    return user_with_role(Role.DEVELOPER, people.group2, username="nia.pryce.sco", first_name="Nia",
                          last_name="Pryce", job_title="Detective Inspector")


def post_handover(client, leaver, developer: str):
    url = reverse("people:handover", args=[leaver.username])
    expected = client.get(url).context["plan"].fingerprint
    return client.post(url, {"developer": developer, "reason": "Left the force.", "expected": expected})


@pytest.mark.parametrize("who", ["pcu", "coordinator"])
def test_someone_of_another_business_group_is_told_why_not_nobody(client, people, leaver, elsewhere, who):
    client.force_login(getattr(people, who))

    response = post_handover(client, leaver, "nia pryce")

    assert response.status_code == 400
    message = error_of(response)
    assert message == ("Nia Pryce cannot be named as policy developer: they do not hold the Policy Developer role in "
                       "Territorial Policing")
    # Nothing the page does not already show: not their username, job title or the group they do work in.
    assert "nia.pryce.sco" not in response.content.decode()
    assert "Inspector" not in message and "Specialist Crime" not in message
    assert 'value="nia pryce"' in response.content.decode()  # what was typed is kept
    assert Policy.objects.filter(developers=leaver).count() == 2


def test_a_name_shared_by_someone_who_may_and_someone_who_may_not_takes_the_one_who_may(client, people, leaver,
                                                                                        elsewhere):
    here = user_with_role(Role.DEVELOPER, people.group, username="nia.pryce.tp", first_name="Nia", last_name="Pryce")
    client.force_login(people.pcu)

    assert post_handover(client, leaver, "Pryce").status_code == 302
    assert Policy.objects.filter(developers=here).count() == 2


def test_someone_without_the_role_anywhere_is_told_so(client, people, leaver):
    UserFactory(username="bo.pryce", first_name="Bo", last_name="Pryce")
    client.force_login(people.coordinator)

    message = error_of(post_handover(client, leaver, "Bo Pryce"))

    assert message == ("Bo Pryce cannot be named as policy developer: they do not hold the Policy Developer role in "
                       "Territorial Policing")


def test_an_account_no_longer_active_is_told_so(client, people, leaver):
    gone = user_with_role(Role.DEVELOPER, people.group, username="gone", first_name="Gwen", last_name="Gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    client.force_login(people.pcu)

    assert error_of(post_handover(client, leaver, "gwen gone")) == (
        "Gwen Gone cannot be named as policy developer: their account is not active")


def test_the_leaver_by_name_is_told_they_are_the_one_handing_over(client, people, leaver):
    # Still active (about to leave): their role would do, but their work is what is being handed over.
    User.objects.filter(pk=leaver.pk).update(is_active=True)
    client.force_login(people.pcu)

    assert error_of(post_handover(client, leaver, "Bracegirdle")) == (
        "Owain Bracegirdle cannot be named as policy developer: they are the person whose work is handed over")


def test_several_who_may_not_are_counted_not_named(client, people, leaver, elsewhere):
    user_with_role(Role.DEVELOPER, people.group2, username="sam.pryce", first_name="Sam", last_name="Pryce")
    gone = user_with_role(Role.DEVELOPER, people.group, username="tam.pryce", first_name="Tam", last_name="Pryce")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    client.force_login(people.coordinator)

    response = post_handover(client, leaver, "Pryce")

    message = error_of(response)
    assert message == ("3 people called 'Pryce' cannot be named as policy developer: 2 do not hold the Policy "
                       "Developer role in Territorial Policing, and 1 has an account that is not active. Type the "
                       "name or username of someone who can")
    page = response.content.decode()
    assert not {"Nia", "Sam", "Tam", "nia.pryce.sco", "sam.pryce", "tam.pryce"} & set(re.findall(r"[\w.]+", message))
    assert "sam.pryce" not in page and "tam.pryce" not in page


def test_nobody_of_that_name_is_still_a_spelling_question(client, people, leaver):
    client.force_login(people.pcu)

    assert error_of(post_handover(client, leaver, "Zebedee")) == (
        "Nobody who can be named as policy developer is called 'Zebedee': check the spelling, or type their "
        "username")


def test_on_a_policys_people_page_a_manager_of_another_unit_is_told_where_the_role_is_needed(client, people):
    from tests.factories import UnitFactory

    policy = people.policy()
    roads = UnitFactory(business_group=people.group, name="Roads Policing")
    robin = UserFactory(username="roads.head", first_name="Robin", last_name="Roads")
    RoleAssignmentFactory(user=robin, role=Role.MANAGER, business_group=people.group, unit=roads)
    client.force_login(people.coordinator)

    response = client.post(reverse("lifecycle:people", args=[policy.reference]), {
        "part": "policy_manager", "policy_manager-new_holder": "Robin", "policy_manager-reason": "Moved",
        "policy_manager-expected_holder": people.manager.pk})

    assert response.status_code == 400
    assert error_of(response) == (
        "Robin Roads cannot be named as policy manager: they do not hold the Policy Manager / Unit Head role in "
        "Response and Patrol (or for all of Territorial Policing)")


def test_still_one_bounded_query(people, elsewhere):
    policy = people.policy()
    with CaptureQueriesContext(connection) as queries:
        found = find_person(text="Pryce", eligibility=policy_eligibility(policy=policy, part="developer"))
    assert len(queries) == 1 and "LIMIT 12" in queries[0]["sql"]
    assert found.eligible == [] and found.ineligible == [elsewhere]
