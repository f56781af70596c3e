"""The public Publication Scheme showed a red "Overdue by 249 days" beside a policy's next review, while the staff
library's document control showed only "Review date 31 March 2026" (QA crawl of the demo, POL-0003): the public was
told something staff were not. Both now read the one rule (lifecycle.due): the library's document control tags an
overdue (or soon due) review as the Scheme does, for the version in force; a superseded version's review date is
still "Not applicable"."""

import datetime
import re

import pytest
from django.utils import timezone

from lifecycle.models import Policy
from lifecycle.states import Status
from publication.services import policy_publish
from tests.factories import advance_to, what_was_read
from tests.library.helpers import staff

pytestmark = pytest.mark.django_db


def published(people) -> Policy:
    """A Territorial Policing policy in force, on the intranet's library and on the public Scheme."""
    policy = advance_to(people.policy(title="Domestic abuse"), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True, **what_was_read(policy))
    return Policy.objects.get(pk=policy.pk)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _review_row(text: str) -> str:
    return text.split("Review date", 1)[1].split("Content hash", 1)[0]


def test_staff_are_told_an_overdue_review_as_the_public_is(client, people):
    policy = published(people)
    due = timezone.localdate() - datetime.timedelta(days=249)
    Policy.objects.filter(pk=policy.pk).update(review_due_on=due)
    overdue = f"Overdue by 249 days {due:%-d %B %Y}"
    assert overdue in _text(client.get(f"/publication-scheme/{policy.reference}/"))
    client.force_login(staff("officer", people.unit))
    assert overdue in _review_row(_text(client.get(f"/library/{policy.reference}/")))


def test_a_review_in_date_is_said_to_be(client, people):
    policy = published(people)
    due = timezone.localdate() + datetime.timedelta(days=800)
    Policy.objects.filter(pk=policy.pk).update(review_due_on=due)
    client.force_login(staff("officer", people.unit))
    row = _review_row(_text(client.get(f"/library/{policy.reference}/")))
    assert f"{due:%-d %B %Y} (in date)" in row and "Overdue" not in row
