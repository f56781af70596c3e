"""What to do next (lifecycle.next_steps) says nothing of a draft to staff who are not shown it (security probe F7).

Staff with no part in a policy's drafting (``user_may_see_drafts`` False) read the version in force while its review
is drafted (issue 4: staff "see the published policies"). Its overview told them the draft's next step and who takes
it ("Next: Publish, by PCU"), the day its stage's work is expected by, and the day PCU scheduled the unpublished
version's publication for ("Scheduled for publication on ..."). They may know a review is under way, as the register
says; nothing of the draft's progress or dates."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from publication.services import policy_publish
from tests.factories import UserFactory, advance_to, reload, what_was_read

pytestmark = pytest.mark.django_db

REVIEW_STATUSES = (Status.SCOPING, Status.COMMISSIONING, Status.DEVELOPMENT, Status.SUBMITTED_FOR_QA,
                   Status.QA_PASSED, Status.WITH_LEAD, Status.APPROVED, Status.AWAITING_PUBLICATION)


def _in_force_under_review(people):
    policy = advance_to(people.policy(title="Body-worn video"), Status.MONITORING, people)
    lifecycle_services.policy_start_review(policy=reload(policy), actor=people.coordinator,
                                           reason="Three-year review.")
    return reload(policy)


def _what_to_do_next(client, policy) -> str:
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    start = page.index("What to do next")
    return page[start:page.index("</div>\n</div>", start)]


def test_staff_are_told_nothing_of_the_reviewed_versions_scheduled_publication(client, people):
    policy = advance_to(_in_force_under_review(people), Status.AWAITING_PUBLICATION, people)
    day = timezone.localdate() + datetime.timedelta(days=10)
    policy_publish(policy=policy, actor=people.pcu, publish_on=day, **what_was_read(policy))
    said = f"{day:%-d %B %Y}"

    for staff in (UserFactory(), people.developer2):
        client.force_login(staff)
        for path in ("", "versions/", "timeline/", "publication/"):
            page = client.get(f"/policies/{policy.reference}/{path}").content.decode()
            assert said not in page, (staff.username, path)
            assert "Scheduled for publication" not in page and "Next:" not in page, (staff.username, path)
        next_part = _what_to_do_next(client, policy)
        assert "Nothing is waiting for you on this policy." in next_part
        assert "It is under review: version 1.0 stays in force" in next_part

    # Those who see the draft are still told when it is due out, and who publishes it.
    client.force_login(people.coordinator)
    next_part = _what_to_do_next(client, policy)
    assert f"Scheduled for publication on {said}" in next_part and "Next: <strong>Publish</strong>" in next_part


def test_staff_are_told_no_next_step_nor_date_of_the_draft_at_any_stage_of_the_review(client, people):
    policy = _in_force_under_review(people)
    staff = UserFactory()
    for status in REVIEW_STATUSES:
        policy = advance_to(policy, status, people)
        client.force_login(staff)
        next_part = _what_to_do_next(client, policy)
        assert "Next:" not in next_part and "Next on the policy" not in next_part, status
        assert "Expected by" not in next_part and "expected by" not in next_part, status
        assert not re.search(r"\d{4}", next_part), (status, next_part)
        assert "It is under review: version 1.0 stays in force" in next_part, status
        # Those drafting it are offered their step, or told who takes the next one.
        client.force_login(people.coordinator)
        drafting = _what_to_do_next(client, policy)
        assert "Next:" in drafting or 'class="govuk-button' in drafting, status


def test_staff_reading_a_policy_in_force_with_no_review_under_way_are_still_told_its_next_step(client, people):
    """No draft: the next step is of the version in force itself (a review to start), not of anything unpublished."""
    policy = advance_to(people.policy(title="Body-worn video"), Status.MONITORING, people)
    client.force_login(UserFactory())
    next_part = _what_to_do_next(client, policy)
    # The annual monitoring report falls due a year after publication, before the review (three years): it is next
    # (lifecycle.next_steps.next_work; QA walk, it was "Start a review").
    assert "Next: <strong>Write the annual monitoring report</strong>" in next_part and "under review" not in next_part
