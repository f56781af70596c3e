"""The dashboard's attention list offers a step only to those who may take it (seen failing first). A policy naming a
leaver said "A leaver is still named on it: reassign", a link to its People page, to every reader of the dashboard:
the Designated Leads and owners who read it may not reassign anyone (``lifecycle.reassign_people``: PCU and the
business group's co-ordinator), and the People page showed them no form. They are told who does instead; whether each
row's step is theirs is answered from the roles loaded with the person, no query a row (the dashboard's pin,
tests/oversight/test_dashboard.py)."""

from __future__ import annotations

import re

import pytest

from tests.oversight.scenario import TODAY, on

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return world.people


def orphan_row(client, user, world) -> str:
    client.force_login(user)
    with on(TODAY):
        body = client.get("/dashboard/").content.decode()
    attention = body.split('id="attention"')[1].split("</table>")[0]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", attention, re.S)
    return next(row for row in rows if world.ref("I") in row)


@pytest.mark.parametrize("username", ["coordinator", "pcu"])
def test_those_who_may_reassign_are_offered_it(client, world, people, username):
    row = orphan_row(client, getattr(people, username), world)
    assert f'href="/policies/{world.ref("I")}/people/">reassign</a>' in row, row


@pytest.mark.parametrize("username", ["lead", "owner"])
def test_others_are_told_who_reassigns_and_offered_no_link(client, world, people, username):
    user = getattr(people, username)
    assert not user.has_perm("lifecycle.reassign_people", world.policies["I"])
    row = orphan_row(client, user, world)
    assert "A leaver is still named on it" in row
    assert "/people/" not in row, row
    assert "the Policy Co-ordination Unit or the business group’s co-ordinator reassigns" in row, row
