"""The health and safety statement (issue 13), over HTTP: a required section of the Policy Statement, explicit or an
explicit "none identified" (SOP: "all MPS policies will contain an explicit health and safety impact statement ...
Where there is no health and safety impact, a statement to this effect must be included"), published with it."""

from __future__ import annotations

import re
from html import unescape

import pytest

from core.models import AuditEvent
from lifecycle.states import Status
from publication.services import policy_publish
from tests.factories import advance_to, fill_development, reload, take_step, what_was_read


def errors(response) -> str:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", summary.group(1))) if summary else ""


@pytest.fixture
def drafting(people):
    policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
    fill_development(policy, people, omit=("health_and_safety_statement",))
    return reload(policy)


def edit(client, people, policy, **fields):
    client.force_login(people.developer)
    version = reload(policy).current_version
    return client.post(f"/policies/{policy.reference}/statement/edit/", {
        "statement": version.statement, "summary_of_changes": "", "base_revision": version.draft_revision, **fields})


def test_submission_waits_for_an_explicit_statement_then_it_is_published_with_the_policy(client, people, drafting):
    client.force_login(people.developer)
    before = AuditEvent.objects.filter(policy_id=drafting.pk).count()
    response = client.post(f"/policies/{drafting.reference}/actions/submit-for-qa/", what_was_read(drafting))
    assert response.status_code == 400
    assert "no health and safety statement" in errors(response)
    assert reload(drafting).status == Status.DEVELOPMENT
    assert AuditEvent.objects.filter(policy_id=drafting.pk).count() == before

    # "Identified" needs the statement; what was typed is kept.
    response = edit(client, people, drafting, health_and_safety="identified", health_and_safety_statement="")
    assert response.status_code == 400 and "State the health and safety implications" in errors(response)
    assert reload(drafting).current_version.health_and_safety == ""
    response = edit(client, people, drafting, health_and_safety="identified",
                    health_and_safety_statement="Officers wear protective gloves when handling exhibits.")
    assert response.status_code == 302, errors(response)
    version = reload(drafting).current_version
    assert (version.health_and_safety, version.has_health_and_safety_statement) == ("identified", True)

    take_step(reload(drafting), people, Status.SUBMITTED_FOR_QA)
    version = reload(drafting).current_version
    # Frozen with the statement: part of what the decisions bind to.
    assert version.content_hash == version.compute_content_hash()
    policy = advance_to(reload(drafting), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    client.logout()
    page = unescape(client.get(f"/publication-scheme/{policy.reference}/").content.decode())
    assert "Health and safety" in page and "Officers wear protective gloves when handling exhibits." in page


def test_none_identified_is_explicit_and_shown(client, people, drafting):
    response = edit(client, people, drafting, health_and_safety="none", health_and_safety_statement="")
    assert response.status_code == 302, errors(response)
    assert reload(drafting).current_version.has_health_and_safety_statement
    client.force_login(people.developer)
    page = client.get(f"/policies/{drafting.reference}/statement/").content.decode()
    assert "Health and safety" in page and "None identified." in page
