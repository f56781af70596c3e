"""A step posted from a page whose policy has since left the person's sight answered a bare "Page not found", and
what they had typed was lost (found by the tenth session's role walk): DCFD writing their quality assurance comments
while PCU returned the submission to its developers (DCFD see a policy only from its submission until it is published).

Out-of-scope objects stay 404, and the answer must not tell whether such a policy exists: the same page comes back
for a reference that does not exist. It says that nothing was recorded and why that may be, and shows back what was
typed."""

from __future__ import annotations

import re

import pytest

from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import reload, what_was_read

pytestmark = pytest.mark.django_db

COMMENTS = "The EIA does not consider the impact on young people stopped at night."


def without_tokens(page: str) -> str:
    """The page without its per-response values (the CSRF token, the CSP nonce)."""
    return re.sub(r'(value|nonce)="[^"]*"', "", page)


def post_qa(client, reference, read):
    return client.post(f"/policies/{reference}/actions/quality-assurance/",
                       {**read, "discipline": "dcfd", "outcome": "returned", "comments": COMMENTS})


def test_comments_typed_for_a_policy_returned_meanwhile_are_shown_back(client, people, policy_in):
    policy = policy_in(Status.SUBMITTED_FOR_QA)
    read = what_was_read(policy)
    client.force_login(people.dcfd)
    assert client.get(f"/policies/{policy.reference}/actions/quality-assurance/").status_code == 200
    # Meanwhile PCU return it: it is back in development, which DCFD do not see.
    s.policy_return_from_qa(policy=reload(policy), actor=people.pcu_qa, discipline="pcu",
                            comments="The SOP is missing.")
    assert reload(policy).status == Status.DEVELOPMENT
    response = post_qa(client, policy.reference, read)
    page = response.content.decode()
    assert response.status_code == 404
    assert "nothing was recorded" in page and COMMENTS in page
    assert "no longer" in page or "moved on" in page
    # The same page, word for word but for the reference, for a policy that does not exist.
    missing = post_qa(client, "POL-9999", read)
    assert missing.status_code == 404
    assert without_tokens(missing.content.decode().replace("POL-9999", policy.reference)) == without_tokens(page)


def test_nothing_typed_is_the_plain_not_found_page(client, people, policy_in):
    policy = policy_in(Status.SUBMITTED_FOR_QA)
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/actions/quality-assurance/", what_was_read(policy))
    assert response.status_code == 404 and "nothing was recorded" in response.content.decode()


def test_a_developer_submitting_twice_is_told_where_the_policy_is_now(client, people, policy_in):
    """The second tab's "Submit for quality assurance" answered "you cannot see it now" as if nothing had been
    submitted, though the first had been (found by the thirteenth session's Chromium walk). Its developers know the
    policy: they are told where it is now (they may not open it while it is checked: issue 4)."""
    from tests.factories import fill_development

    policy = policy_in(Status.DEVELOPMENT, title="Drones")
    fill_development(policy, people)
    read = what_was_read(reload(policy))
    client.force_login(people.developer)
    first = client.post(f"/policies/{policy.reference}/actions/submit-for-qa/", read)
    assert first.status_code == 302 and reload(policy).status == Status.SUBMITTED_FOR_QA
    again = client.post(f"/policies/{policy.reference}/actions/submit-for-qa/", read)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", again.content.decode()))
    assert again.status_code == 404
    assert (f"{policy.reference} Drones has moved on: it is now submitted for quality assurance, a stage its "
            "developers do not see.") in page
    assert "Nothing more was recorded" in page and "you cannot see it now" not in page
    # Someone not named on it still gets the page that does not tell whether the policy exists.
    client.force_login(people.developer2)
    other = client.post(f"/policies/{policy.reference}/actions/submit-for-qa/", read).content.decode()
    assert "Drones" not in other and "you cannot see it now" in other
