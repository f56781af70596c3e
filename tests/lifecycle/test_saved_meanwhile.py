"""A save refused because the draft was saved since the page was opened said "Someone else saved this draft while you
were editing it", also when it was the person themselves, in a second tab (found by the thirteenth session's
Chromium walk). The refusal now says who saved it and when: "by you ..., in another tab or window", or by name."""

from __future__ import annotations

import pytest

from assessments import services as assessments
from core.exceptions import ApplicationError
from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import reload

pytestmark = pytest.mark.django_db


def refusal(call) -> str:
    with pytest.raises(ApplicationError) as refused:
        call()
    assert refused.value.code == "conflict"
    return refused.value.message


def test_a_stale_save_says_who_saved_the_draft_meanwhile(people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    opened = reload(policy).current_version.draft_revision
    s.draft_update(policy=reload(policy), actor=people.developer, statement="<p>First tab.</p>",
                   base_revision=opened)
    mine = refusal(lambda: s.draft_update(policy=reload(policy), actor=people.developer,
                                          statement="<p>Second tab.</p>", base_revision=opened))
    assert mine.startswith("This draft was saved by you at ") and ", in another tab or window, while you were " \
        "editing it" in mine
    theirs = refusal(lambda: s.draft_update(policy=reload(policy), actor=people.manager,
                                            statement="<p>Manager's tab.</p>", base_revision=opened))
    assert theirs.startswith(f"This draft was saved by {people.developer.get_full_name()} at ")
    assert "Someone else" not in mine + theirs


def test_a_stale_save_of_the_eia_says_who_saved_it_meanwhile(people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    opened = reload(policy).current_version.eia.draft_revision
    assessments.eia_update(policy=reload(policy), actor=people.developer, aims="Fair treatment.",
                           base_revision=opened)
    mine = refusal(lambda: assessments.eia_update(policy=reload(policy), actor=people.developer,
                                                  aims="Second tab.", base_revision=opened))
    assert mine.startswith("This Equality Impact Assessment was saved by you at ")
