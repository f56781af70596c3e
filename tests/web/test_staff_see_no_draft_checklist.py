"""A member of staff reading a policy in force whose review has started was shown the review draft's checklist ("Before
you request commissioning ... To do"), though the draft itself is not theirs to see (issue 4: staff "see the published
policies"); and My work offered them "Reviews due" and "Monitoring reports due" queues, work that is never theirs
(found by the thirteenth session's Chromium walk)."""

from __future__ import annotations

import pytest

from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import UserFactory, advance_to, reload

pytestmark = pytest.mark.django_db


def test_staff_see_the_version_in_force_without_the_review_drafts_checklist(client, people):
    policy = advance_to(people.policy(title="Body-worn video"), Status.MONITORING, people)
    s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
    client.force_login(UserFactory())
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "Body-worn video" in page
    assert 'id="checklist"' not in page and "Before you" not in page
    # Those who draft it still see what the draft needs.
    client.force_login(people.developer)
    assert 'id="checklist"' in client.get(f"/policies/{policy.reference}/").content.decode()


def test_staff_with_no_role_are_offered_no_due_work(client, people):
    advance_to(people.policy(title="Body-worn video"), Status.MONITORING, people)
    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert "Reviews due" not in page and "Monitoring reports due" not in page
    assert "Reviews overdue" not in page
