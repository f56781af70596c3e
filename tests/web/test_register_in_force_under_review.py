"""The register's status of a policy in force whose review is under way (walk, 2026-12-05): staff read "Development"
or "With the Policy Co-ordination Unit for publication" beside a policy they read in the library, in force, as if it
were a draft. The row says the published version stays in force while it is reviewed; a policy never published and
one in force without a review say nothing of it."""

import pytest

from lifecycle import services as lifecycle_services
from tests.factories import UserFactory, advance_to

pytestmark = pytest.mark.django_db

IN_FORCE_MEANWHILE = "Under review: the published version stays in force."


def _row(body: str, reference: str) -> str:
    start = body.index(f"{reference} · ")
    return body[start:body.index("</tr>", start)]


def test_a_policy_in_force_under_review_says_so_in_the_register(client, people):
    reviewed = advance_to(people.policy(title="Reviewed"), "implementation", people)
    lifecycle_services.policy_start_review(policy=reviewed, actor=people.coordinator, reason="Legislation changed.")
    in_force = advance_to(people.policy(title="In force"), "implementation", people)
    draft = advance_to(people.policy(title="Draft"), "development", people)
    for reader in (UserFactory(), people.coordinator, people.pcu):
        client.force_login(reader)
        body = client.get("/policies/").content.decode()
        assert IN_FORCE_MEANWHILE in _row(body, reviewed.reference)
        assert IN_FORCE_MEANWHILE not in _row(body, in_force.reference)
        if draft.reference in body:
            assert IN_FORCE_MEANWHILE not in _row(body, draft.reference)
