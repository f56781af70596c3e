"""A new policy is not asked what only a review is asked (found by a user walk: version 1.0 of a policy never published
showed "Summary of changes – Required when this version revises a published policy" on the statement form, and
"Summarise the changes (reviewed policies): Done" on the overview's checklist).

SOP, stage 4: "The documents should then be sent (if a reviewed document, this should include a summary note of
changes) to the relevant Designated Business Group Policy Lead". The note belongs to a version that revises a
published policy (``PolicyVersion.revises_published``); for a review the form and the checklist ask for it as before."""

from __future__ import annotations

import re
from html import unescape

import pytest

from lifecycle import gates, next_steps, workflow
from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import advance_to, fill_development, reload

pytestmark = pytest.mark.django_db

SUMMARY_LABEL = "Summary of changes"
SUMMARY_HINT = "Required when this version revises a published policy."


@pytest.fixture
def review(policy_in, people):
    policy = policy_in(Status.IMPLEMENTATION)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Legislation changed.")
    policy = advance_to(policy, Status.DEVELOPMENT, people)
    fill_development(policy, people, omit={"summary_of_changes_for_review"})
    return reload(policy)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _labels(step, policy) -> list[str]:
    return [item.label for item in next_steps.checklist(step, policy)]


# --- the checklist ------------------------------------------------------------------------------------------------


def test_a_first_versions_checklists_do_not_list_the_summary_of_changes(ready_to_submit):
    assert not ready_to_submit.current_version.revises_published
    for step in (workflow.SUBMIT_FOR_QA, workflow.APPROVE):
        assert gates.summary_of_changes_for_review.label not in _labels(step, ready_to_submit)
    # Not asked is not refused: the gate holds.
    assert gates.summary_of_changes_for_review(ready_to_submit)


def test_a_reviews_checklists_list_the_summary_of_changes_until_it_is_written(review, people):
    assert review.current_version.revises_published
    submission = next_steps.checklist(workflow.SUBMIT_FOR_QA, review)
    item = next(item for item in submission if item.label == gates.summary_of_changes_for_review.label)
    assert not item.met
    assert gates.summary_of_changes_for_review.label in _labels(workflow.APPROVE, review)

    s.draft_update(policy=review, actor=people.developer, statement=review.current_version.statement,
                   summary_of_changes="Section 3 rewritten for the new Act.")

    submission = next_steps.checklist(workflow.SUBMIT_FOR_QA, reload(review))
    assert next(item for item in submission if item.label == gates.summary_of_changes_for_review.label).met


# --- over HTTP ----------------------------------------------------------------------------------------------------


def test_the_walk_a_first_versions_overview_and_statement_form_do_not_ask_for_a_summary_of_changes(
        client, ready_to_submit, people):
    client.force_login(people.developer)
    overview = _text(client.get(f"/policies/{ready_to_submit.reference}/").content.decode())
    assert "Write the Policy Statement Done" in overview  # the checklist is there
    assert "Summarise the changes" not in overview

    form = client.get(f"/policies/{ready_to_submit.reference}/statement/edit/").content.decode()
    assert SUMMARY_HINT not in form
    assert SUMMARY_LABEL not in _text(form)
    assert not re.search(r'<textarea[^>]*name="summary_of_changes"', form)


def test_saving_a_first_versions_statement_keeps_what_the_form_did_not_show(client, ready_to_submit, people):
    """The field is carried hidden, so that a note written before it was hidden is neither shown nor wiped."""
    s.draft_update(policy=ready_to_submit, actor=people.developer, statement=ready_to_submit.current_version.statement,
                   summary_of_changes="Written before the field was hidden.")
    version = reload(ready_to_submit).current_version
    client.force_login(people.developer)
    form = client.get(f"/policies/{ready_to_submit.reference}/statement/edit/").content.decode()
    hidden = re.search(r'<input type="hidden" name="summary_of_changes" value="([^"]*)"', form)
    assert hidden and unescape(hidden.group(1)) == "Written before the field was hidden."

    response = client.post(f"/policies/{ready_to_submit.reference}/statement/edit/", {
        "statement": "<p>Officers act lawfully and proportionately.</p>", "health_and_safety": "none",
        "health_and_safety_statement": "", "summary_of_changes": unescape(hidden.group(1)),
        "base_revision": str(version.draft_revision)})

    assert response.status_code == 302
    version = reload(ready_to_submit).current_version
    assert version.statement == "<p>Officers act lawfully and proportionately.</p>"
    assert version.summary_of_changes == "Written before the field was hidden."


def test_a_reviews_overview_and_statement_form_ask_for_it_as_before(client, review, people):
    client.force_login(people.developer)
    overview = _text(client.get(f"/policies/{review.reference}/").content.decode())
    assert "Summarise the changes (reviewed policies) To do" in overview

    form = client.get(f"/policies/{review.reference}/statement/edit/").content.decode()
    assert SUMMARY_HINT in form
    assert re.search(r'<label class="govuk-label[^"]*" for="id_summary_of_changes">\s*Summary of changes\s*</label>',
                     form)
    assert re.search(r'<textarea[^>]*name="summary_of_changes"', form)

    response = client.post(f"/policies/{review.reference}/statement/edit/", {
        "statement": review.current_version.statement, "health_and_safety": "none", "health_and_safety_statement": "",
        "summary_of_changes": "Section 3 rewritten for the new Act.",
        "base_revision": str(review.current_version.draft_revision)})
    assert response.status_code == 302
    assert reload(review).current_version.summary_of_changes == "Section 3 rewritten for the new Act."
    overview = _text(client.get(f"/policies/{review.reference}/").content.decode())
    assert "Summarise the changes (reviewed policies) Done" in overview
