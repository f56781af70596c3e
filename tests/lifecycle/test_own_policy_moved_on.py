"""A developer opening their own policy (a bookmark, Back after submitting it, a link in an e-mail) once it has moved
on to a stage they do not see (commissioning, quality assurance, approval) was told "Page not found ... The policy may
not exist, or you may not have access to it" (QA walk of 2026-12-06: Back after "Request commissioning" on POL-0018).
Their drafts are theirs only while they draft them (issue 4), but the policy is theirs: the page now says where it
is, since when, and when they see it again, as a form posted then already did (lifecycle.typed_back.gone). Anyone
else still gets the page that does not say whether such a policy exists."""

from __future__ import annotations

import pytest

from lifecycle.states import Status
from tests.factories import advance_to, fill_development
from tests.library.helpers import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(people):
    policy = advance_to(people.policy(title="Body-worn video retention"), Status.DEVELOPMENT, people)
    fill_development(policy, people)
    return advance_to(policy, Status.SUBMITTED_FOR_QA, people)


@pytest.mark.parametrize("page", ["", "timeline/", "actions/submit-for-qa/"])
def test_its_developer_is_told_where_their_policy_is(client, people, submitted, page):
    client.force_login(people.developer)
    response = client.get(f"/policies/{submitted.reference}/{page}")
    html = response.content.decode()
    assert response.status_code == 404
    assert f"{submitted.reference} Body-worn video retention has moved on" in html
    assert "Submitted for quality assurance" in html.replace("submitted for quality assurance",
                                                             "Submitted for quality assurance")
    assert "Your submitted drafts" in html


def test_anyone_else_is_not_told_that_it_exists(client, people, submitted):
    client.force_login(staff("passer-by", people.unit))
    html = client.get(f"/policies/{submitted.reference}/").content.decode()
    assert "Page not found" in html
    assert "Body-worn video retention" not in html and "has moved on" not in html
