"""The timeline says truthfully what its reader is shown (found by a user walk: after publication the developer was
shown only "Published (version 1.0)" under "Everything recorded about this policy, newest first", while the Lead and
the co-ordinator were shown every event).

Who sees the drafts' history is ``lifecycle.selectors.user_may_see_drafts``; everyone else is shown the public
milestones of the policy (``PUBLIC_TIMELINE_ACTIONS``), and the page says so."""

from __future__ import annotations

import re
from html import unescape

import pytest

from lifecycle.states import Status
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

EVERYTHING = "Everything recorded about this policy, newest first."
MILESTONES = "What was recorded about the published versions of this policy, newest first"


def _intro(client, user, policy) -> str:
    client.force_login(user)
    html = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
    main = html.split('id="main-content"')[1]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def test_the_walk_after_publication_the_developer_is_told_they_see_the_published_versions_only(client, people,
                                                                                                 policy_in):
    policy = policy_in(Status.IMPLEMENTATION)

    page = _intro(client, people.developer, policy)

    assert EVERYTHING not in page
    assert MILESTONES in page
    assert "The drafts' history" in page and "is shown to the Policy Co-ordination Unit" in page
    assert "the policy's Management Board owner, Designated Lead, co-ordinator and manager" in page
    assert "Published (version 1.0)" in page
    assert "Approved" not in page  # the drafts' events are not listed, as the intro says
    assert "The record is kept for ever and cannot be changed." in page


@pytest.mark.parametrize("username", ["coordinator", "lead", "pcu"])
def test_those_shown_every_event_are_told_it_is_everything(client, people, policy_in, username):
    policy = policy_in(Status.IMPLEMENTATION)

    page = _intro(client, getattr(people, username), policy)

    assert EVERYTHING in page and MILESTONES not in page
    assert "Approved (version 1.0)" in page and "Published (version 1.0)" in page


def test_the_developer_of_a_draft_is_told_it_is_everything(client, people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)

    page = _intro(client, people.developer, policy)

    assert EVERYTHING in page and MILESTONES not in page
    assert "Policy started in scoping" in page


def test_staff_with_no_part_in_the_policy_are_told_what_they_see(client, people, policy_in):
    policy = advance_to(policy_in(Status.IMPLEMENTATION), Status.MONITORING, people)

    page = _intro(client, people.developer2, policy)

    assert MILESTONES in page and EVERYTHING not in page
