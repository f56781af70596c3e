"""Free text recorded as evidence (a reason, a comment) refuses the characters that change how it reads without being
seen (QA walk of 2026-12-06, LOW): a reason for replacing a developer, "Returned to unit \u202eHQ ot devom\u202c.
Approved by Ruth.", was accepted, and the timeline rendered the stored "HQ ot devom" as "moved to QH", so the record
read otherwise than it is. Names refused them already (core.validators, issue 11, finding 9); reasons and comments now
refuse the direction controls among them (overrides, embeddings and isolates: the "Trojan Source" characters), saying
why, the form keeping what was typed. Zero-width characters, which text pasted from a word processor carries, and which
change nothing's order, are left to names."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from lifecycle.services.base import optional_text, require_text
from lifecycle.states import Status
from tests.clock import travel
from tests.factories import advance_to, reload, what_was_read
from tests.lifecycle.test_withdraw_review_draft import URL, WINDOW_OPEN, published, under_review  # noqa: F401

pytestmark = pytest.mark.django_db

DECEPTIVE = "Returned to unit \u202eHQ ot devom\u202c. Approved by Ruth."


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
@pytest.mark.parametrize("read", [require_text, optional_text])
def test_reasons_and_comments_refuse_direction_controls(read, control):
    with pytest.raises(ApplicationError, match="right-to-left or left-to-right control character") as refused:
        read(f"Moved {control}to HQ", "the reason", field="reason")
    assert refused.value.field == "reason"


@pytest.mark.parametrize("read", [require_text, optional_text])
def test_other_text_is_kept_as_typed(read):
    typed = "Déjà vu: the Ōtautahi team\u200b agreed (نعم)."
    assert read(typed, "the reason", field="reason") == typed


def test_the_page_says_why_and_keeps_what_was_typed(client, published, people):  # noqa: F811
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        client.force_login(people.lead)
        response = client.post(URL.format(policy.reference), {**what_was_read(policy), "reason": DECEPTIVE})
        assert response.status_code == 400
        body = response.content.decode()
        assert "must not contain a right-to-left or left-to-right control character" in body
        assert DECEPTIVE in body
        assert reload(policy).status == Status.DEVELOPMENT


# Review of 2026-12-06 (LOW): the reasons and comments recorded by services of their own were not covered (a scheduled
# publication's cancellation, the co-ordinator's quality assurance of a monitoring report, a discarded draft's reason,
# the emergency route's retrospective sign-offs): each refuses them too.


def test_a_cancellation_reason_refuses_them(people):
    import datetime

    from publication.services import policy_publish, publication_cancel

    ready = advance_to(people.policy(title="Missing persons"), Status.AWAITING_PUBLICATION, people)
    later = timezone.localdate() + datetime.timedelta(days=3)
    publication = policy_publish(policy=ready, actor=people.pcu, publish_on=later)
    with pytest.raises(ApplicationError, match="control character") as refused:
        publication_cancel(publication=publication, actor=people.pcu, reason=DECEPTIVE)
    assert refused.value.field == "reason"
    publication.refresh_from_db()
    assert publication.status == publication.Status.SCHEDULED
