"""A form posted for a policy out of the person's sight says where the policy is now only to its developers, by the
visibility's own rule for them (lifecycle.typed_back._developers_policy). Review 4: a developer whose role was taken
away stays named on the policy; posting the step's form, they were shown an OFFICIAL-SENSITIVE policy's title and
status, though it answered them 404."""

from __future__ import annotations

import re

import pytest

from core.models import Role, RoleAssignment
from core.services import role_assign, role_revoke
from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from tests.factories import fill_development, reload, what_was_read

pytestmark = pytest.mark.django_db
SECRET_TITLE = "Covert stop and search tactics"
TYPED = "My notes on the covert tactics, kept in case the step must be taken again."


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def without_tokens(page: str) -> str:
    return re.sub(r'(value|nonce)="[^"]*"', "", page)


def posted(client, reference: str, read: dict):
    return client.post(f"/policies/{reference}/actions/quality-assurance/",
                       {**read, "discipline": "pcu", "outcome": "returned", "comments": TYPED})


@pytest.mark.parametrize("marking", [ProtectiveMarking.OFFICIAL_SENSITIVE, ProtectiveMarking.OFFICIAL])
def test_a_developer_who_lost_their_role_is_not_told_where_the_policy_is(client, people, policy_in, marking):
    extra = {"suitable_for_publication_scheme": False} if marking != ProtectiveMarking.OFFICIAL else {}
    policy = policy_in(Status.DEVELOPMENT, title=SECRET_TITLE, protective_marking=marking, **extra)
    fill_development(policy, people)
    s.policy_submit_for_qa(policy=reload(policy), actor=people.developer)
    read = what_was_read(reload(policy))
    client.force_login(people.developer)
    # Still their draft: they are told where it is now.
    assert f"{policy.reference} {SECRET_TITLE} has moved on" in text_of(posted(client, policy.reference, read))

    role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=people.developer, role=Role.DEVELOPER))
    assert policy.developers.filter(pk=people.developer.pk).exists()
    client.force_login(people.developer)
    response = posted(client, policy.reference, read)
    page = text_of(response)
    assert response.status_code == 404
    assert SECRET_TITLE not in page and "submitted for quality assurance" not in page and "has moved on" not in page
    # What they typed is theirs: it is given back, on the page that does not tell whether such a policy exists.
    assert TYPED in page and "you cannot see it now" in page
    missing = posted(client, "POL-9999", read)
    assert without_tokens(missing.content.decode().replace("POL-9999", policy.reference)) == without_tokens(
        response.content.decode())


def test_a_developer_given_their_role_back_is_told_again(client, people, policy_in):
    """A developer of another business group only is not told (named, but not its developer by the rule); given the
    role in the policy's group again, they are."""
    policy = policy_in(Status.DEVELOPMENT, title=SECRET_TITLE, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                       suitable_for_publication_scheme=False)
    fill_development(policy, people)
    s.policy_submit_for_qa(policy=reload(policy), actor=people.developer)
    read = what_was_read(reload(policy))
    role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=people.developer, role=Role.DEVELOPER))
    role_assign(actor=people.pcu, user=people.developer, role=Role.DEVELOPER, business_group=people.group2)
    client.force_login(people.developer)
    assert SECRET_TITLE not in text_of(posted(client, policy.reference, read))
    role_assign(actor=people.pcu, user=people.developer, role=Role.DEVELOPER, business_group=people.group)
    client.force_login(people.developer)
    assert f"{policy.reference} {SECRET_TITLE} has moved on" in text_of(posted(client, policy.reference, read))
