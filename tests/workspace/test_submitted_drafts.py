"""A developer lost sight of their policy the moment they submitted it: issue 4's rule keeps the draft from them
while others check and approve it, so it left their My work with nothing in its place, and a draft returned to them
looked like any other (found by the twelfth session's Chromium walk). My work now lists what they submitted and where
it stands, without a link to a page they may not open, and marks a draft that came back to them."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import advance_to, reload
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

SUBMITTED = "Your submitted drafts"


def queue(user, title):
    return next((queue for queue in my_work(user=user) if queue["title"] == title), None)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def test_a_submitted_draft_stays_in_its_developers_my_work_with_where_it_stands(client, people):
    policy = advance_to(people.policy(title="Body-worn video"), Status.DEVELOPMENT, people)
    assert queue(people.developer, SUBMITTED) is None
    submitted = timezone.make_aware(datetime.datetime(2026, 11, 3, 10, 0))
    with time_machine.travel(submitted, tick=False):
        advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    listed = queue(people.developer, SUBMITTED)
    assert [(entry["label"], entry["url"]) for entry in listed["entries"]] == [
        (f"{policy.reference} Body-worn video: submitted for quality assurance, since 3 November 2026", "")]
    # Not a link: the draft is not theirs to open while it is checked (issue 4), and the page says why.
    client.force_login(people.developer)
    page = client.get("/")
    assert f'href="/policies/{policy.reference}/"' not in page.content.decode()
    assert f"{policy.reference} Body-worn video: submitted for quality assurance, since 3 November 2026" in text(page)
    assert "You see a draft again if it is returned to you" in text(page)
    # Others named on it see it in their own queues, not here; another group's developer sees nothing of it.
    assert queue(people.developer2, SUBMITTED) is None
    assert queue(people.manager, SUBMITTED) is None

    advance_to(policy, Status.WITH_LEAD, people)
    assert queue(people.developer, SUBMITTED)["entries"][0]["label"].startswith(
        f"{policy.reference} Body-worn video: with the Designated Lead for approval, since ")
    advance_to(policy, Status.IMPLEMENTATION, people)
    assert queue(people.developer, SUBMITTED) is None


def test_a_draft_returned_to_its_developer_is_marked_returned(client, people):
    policy = advance_to(people.policy(title="Body-worn video"), Status.SUBMITTED_FOR_QA, people)
    other = advance_to(people.policy(title="Stop and search"), Status.DEVELOPMENT, people)
    s.policy_return_from_qa(policy=reload(policy), actor=people.pcu_qa, discipline="pcu",
                            comments="Name the retention period.")
    drafts = queue(people.developer, "Drafts to finish")["policies"]
    returned = {item.reference: item.returned for item in drafts}
    assert returned == {policy.reference: True, other.reference: False}
    assert queue(people.developer, SUBMITTED) is None
    client.force_login(people.developer)
    page = text(client.get("/"))
    assert f"{policy.reference} Body-worn video Returned for changes" in page
    assert f"{other.reference} Stop and search Returned" not in page
    # Their manager's drafts show it too, in words true for anyone who reads them.
    client.force_login(people.manager)
    assert f"{policy.reference} Body-worn video Returned for changes" in text(client.get("/"))
