"""A draft saved from an editor after the policy had moved on answered a bare "Page not found" (its developer no longer
sees it once submitted), or sent a person who still sees it back to the statement page, and in both cases what they
had typed was lost (found by the twelfth session's Chromium walk: the Policy Statement and the Workbook open while
the manager submitted the draft for quality assurance).

The answer now says that nothing was saved and why, and shows back what was typed: the statement as formatted
(sanitised, as it would have been kept), the other texts as typed. For someone who no longer sees the policy it is
the same page whether such a policy exists or not."""

from __future__ import annotations

import pytest

from lifecycle.states import Status
from tests.factories import advance_to, fill_development

pytestmark = pytest.mark.django_db

STATEMENT = "<p>Footage is kept for <strong>31 days</strong> unless it is evidence.</p><script>alert(1)</script>"
NEED = "Officers keep footage for different periods across the force."


def statement_post(version) -> dict:
    return {"statement": STATEMENT, "summary_of_changes": "", "health_and_safety": "no",
            "health_and_safety_statement": "", "base_revision": version.draft_revision}


@pytest.fixture
def submitted_meanwhile(people):
    """A draft in development whose pages its developer opened, then submitted for QA by its manager."""
    policy = advance_to(people.policy(title="Body-worn video retention"), Status.DEVELOPMENT, people)
    fill_development(policy, people)
    opened = {"version": policy.current_version, "workbook": policy.current_version.workbook}
    policy = advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    return policy, opened


def test_the_statement_typed_by_a_developer_who_no_longer_sees_the_policy_is_shown_back(client, people,
                                                                                      submitted_meanwhile):
    policy, opened = submitted_meanwhile
    client.force_login(people.developer)
    assert client.get(f"/policies/{policy.reference}/").status_code == 404  # drafts only while drafted (issue 4)
    response = client.post(f"/policies/{policy.reference}/statement/edit/", statement_post(opened["version"]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "nothing was saved" in page.lower()
    assert "Footage is kept for <strong>31 days</strong> unless it is evidence." in page and "alert(1)" not in page
    unknown = client.post("/policies/POL-999999/statement/edit/", statement_post(opened["version"]))
    assert unknown.status_code == 404 and "Footage is kept for" in unknown.content.decode()
    assert policy.current_version.statement != STATEMENT


def test_the_workbook_typed_by_someone_who_still_sees_the_policy_is_shown_back(client, people, submitted_meanwhile):
    policy, opened = submitted_meanwhile
    client.force_login(people.manager)
    assert client.get(f"/policies/{policy.reference}/").status_code == 200
    response = client.post(f"/policies/{policy.reference}/workbook/", {
        "need": NEED, "base_revision": opened["workbook"].draft_revision})
    page = response.content.decode()
    assert response.status_code == 409
    assert "nothing was saved" in page.lower() and NEED in page
    response = client.post(f"/policies/{policy.reference}/statement/edit/", statement_post(opened["version"]))
    assert response.status_code == 409
    assert "Footage is kept for <strong>31 days</strong>" in response.content.decode()
