"""A withdrawn policy's register row showed its old review date ("Paper Pocket Notebooks · Withdrawn · 2 June 2025",
found by the QA crawl of the demo): a date in the past with no explanation reads as an overdue review nobody flagged.
A withdrawn policy is not reviewed (lifecycle.due: the review rule applies to policies not withdrawn), so its row
says "Not applicable", as the library's document control does; a policy never published still says "Not yet
published"."""

import datetime

import pytest

from lifecycle.models import Policy
from lifecycle.states import Status
from tests.factories import advance_to

pytestmark = pytest.mark.django_db


def _row(body: str, reference: str) -> str:
    start = body.index(f"{reference} · ")
    return body[start:body.index("</tr>", start)]


def test_a_withdrawn_policys_row_says_its_review_is_not_applicable(client, people):
    withdrawn = advance_to(people.policy(title="Paper pocket notebooks"), Status.WITHDRAWN, people)
    past = datetime.date(2025, 6, 2)
    Policy.objects.filter(pk=withdrawn.pk).update(review_due_on=past)
    draft = advance_to(people.policy(title="Draft"), Status.DEVELOPMENT, people)
    client.force_login(people.coordinator)
    body = client.get("/policies/").content.decode()
    row = _row(body, withdrawn.reference)
    assert "Not applicable" in row
    assert "2 June 2025" not in row
    assert "Not yet published" in _row(body, draft.reference)
