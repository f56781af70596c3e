"""Brackets inside brackets on the policy pages (QA crawl of the demo): "Next: Record quality assurance, by Diversity
and Citizen Focus Directorate (DCFD) and Directorate of Information (DOI) (Policy Co-ordination Unit (PCU) has signed
off)" on the overview; "Version 1.0 was returned by Diversity and Citizen Focus Directorate (EIA) (Adaeze
Nwankwo-Hale)" on the returned draft's; "By Jonah Whitcombe (Policy Co-ordination Unit (PCU))" on the timeline. An
abbreviation is spelled out on its first use on a page, in brackets of its own, so a name in brackets nests them.
Who has signed off is now a sentence of its own, the person who returned a version is named before their
discipline, and a role spelled out on the timeline follows the name between commas."""

from __future__ import annotations

import pytest

from lifecycle import services
from lifecycle.models import Policy
from lifecycle.states import Status
from tests.factories import advance_to, what_was_read
from tests.web.page_text import read
from tests.web.test_decision_page import _short, pass_qa_through_the_page

pytestmark = pytest.mark.django_db


def nested_brackets(text: str) -> list[str]:
    """Each bracket opened inside another, with the words around it."""
    found, depth = [], 0
    for index, character in enumerate(text):
        if character == "(":
            if depth:
                found.append(text[max(0, index - 80):index + 60])
            depth += 1
        elif character == ")":
            depth = max(0, depth - 1)
    return found


def _page(client, user, path: str) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return read(response.content.decode()).text


def _named(people):
    for user, first, last in ((people.pcu_qa, "Jonah", "Whitcombe"), (people.dcfd, "Adaeze", "Nwankwo-Hale"),
                              (people.doi, "Priya", "Raman")):
        user.first_name, user.last_name = first, last
        user.save(update_fields=["first_name", "last_name"])


def test_who_is_left_to_sign_off_is_said_without_brackets_in_brackets(client, people):
    _named(people)
    policy = advance_to(people.policy(), Status.SUBMITTED_FOR_QA, people)
    services.policy_record_qa_signoff(policy=policy, actor=people.pcu_qa, discipline="pcu")
    overview = _page(client, people.coordinator, f"/policies/{policy.reference}/")
    assert nested_brackets(overview) == []
    assert "Next: Record quality assurance, by DCFD and DOI. PCU has signed off." in _short(overview)
    # The confirmation of the next sign-off, and the overview after it.
    confirmation = pass_qa_through_the_page(client, policy, people.dcfd, "dcfd")
    assert nested_brackets(confirmation) == []
    assert "Next: Record quality assurance, by DOI. PCU and DCFD have signed off." in _short(confirmation)
    overview = _page(client, people.coordinator, f"/policies/{policy.reference}/")
    assert nested_brackets(overview) == []
    assert "Next: Record quality assurance, by DOI. PCU and DCFD have signed off." in _short(overview)
    timeline = _page(client, people.coordinator, f"/policies/{policy.reference}/timeline/")
    assert nested_brackets(timeline) == []
    assert "By Jonah Whitcombe" in timeline and "By Adaeze Nwankwo-Hale" in timeline


def test_the_returned_draft_names_who_returned_it_without_brackets_in_brackets(client, people):
    _named(people)
    policy = advance_to(people.policy(), Status.SUBMITTED_FOR_QA, people)
    services.policy_record_qa_signoff(policy=policy, actor=people.pcu_qa, discipline="pcu")
    services.policy_return_from_qa(policy=Policy.objects.get(pk=policy.pk), actor=people.dcfd, discipline="dcfd",
                                   comments="The EIA misses the consultation.", **what_was_read(policy))
    for path in (f"/policies/{policy.reference}/", f"/policies/{policy.reference}/timeline/"):
        page = _page(client, people.developer, path)
        assert nested_brackets(page) == [], path
    overview = _short(_page(client, people.developer, f"/policies/{policy.reference}/"))
    assert "Version 1.0 was returned by Adaeze Nwankwo-Hale for DCFD on " in overview
