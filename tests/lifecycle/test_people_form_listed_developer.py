"""Integrity review of 2026-12-06, MEDIUM 2: the People page's "Developer to replace or remove" select
(lifecycle.people_forms.CurrentPersonField) took any text and looked it up as a username, so a NUL byte in it
(developer-old=x%00) was a 500 on PostgreSQL. The select now takes only one of the people it lists (the policy's
developers), with a clear error on the form and the rest of what was typed kept; nothing is looked up."""

from __future__ import annotations

import pytest

from core.models import AuditEvent
from lifecycle.models import Policy
from tests.factories import reload

pytestmark = pytest.mark.django_db

REASON = "Moved to another unit."


def _post(client, policy, old, new=""):
    return client.post(f"/policies/{policy.reference}/people/", {
        "part": "developer", "developer-old": old, "developer-new": new, "developer-reason": REASON})


@pytest.mark.parametrize("old", ["x\x00", "\x00", "nobody-of-that-name"])
def test_a_developer_not_listed_is_refused_on_the_form(client, people, policy_in, old):
    policy = policy_in("development")
    client.force_login(people.pcu)
    events = AuditEvent.objects.count()
    response = _post(client, policy, old, new=people.developer2.username)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the developer to replace or remove from the list" in page
    assert REASON in page and people.developer2.username in page  # what was typed is kept
    assert AuditEvent.objects.count() == events
    assert list(reload(policy).developers.all()) == [people.developer]


def test_someone_who_is_not_a_developer_of_the_policy_is_refused_on_the_form(client, people, policy_in):
    """An existing account that is not listed (the Lead's, say) is refused as any other unlisted value."""
    policy = policy_in("development")
    client.force_login(people.pcu)
    response = _post(client, policy, people.lead.username)
    assert response.status_code == 400
    assert "Choose the developer to replace or remove from the list" in response.content.decode()


@pytest.mark.parametrize("part", ["owner", "designated_lead", "policy_manager", "coordinator", "move"])
def test_a_nul_in_any_part_of_the_people_page_is_not_a_500(client, people, policy_in, part):
    policy = policy_in("development")
    client.force_login(people.pcu)
    response = client.post(f"/policies/{policy.reference}/people/", {
        "part": part, f"{part}-new_holder": "z\x00", f"{part}-reason": "Moved on.", f"{part}-expected_holder": "\x00",
        f"{part}-business_group": "1\x00", f"{part}-owning_unit": "\x00", f"{part}-owner": "\x00"})
    assert response.status_code < 500
    assert "Moved on." in response.content.decode() or response.status_code == 302


def test_a_listed_developer_is_still_replaced(client, people, policy_in):
    policy = policy_in("development")
    client.force_login(people.pcu)
    response = _post(client, policy, people.developer.username, new=_spare(people).username)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert people.developer not in Policy.objects.get(pk=policy.pk).developers.all()


def _spare(people):
    from core.models import Role
    from tests.factories import user_with_role
    return user_with_role(Role.DEVELOPER, people.group, username="spare.developer")
