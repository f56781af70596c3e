"""A review concluding no change has three checks, each its own person's (lifecycle.duties): the Designated Lead
concludes it, DCFD confirms the Equality Impact Assessment (or reopens it and signs the update off), PCU re-publishes.
Found by the integrity review of 2026-12-06 (MEDIUM 4): one person holding the Lead, DCFD and PCU roles took all three.
The SOP gives each to its own role: the Lead will "Approve new and reviewed policy and SOPs"; DCFD will "Quality assure
Policy, SOPs, and Equality Impact Assessments"; PCU is sent the documents "to arrange publication"."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from core.exceptions import ApplicationError
from core.models import Role
from core.services import role_assign
from lifecycle import services as s
from lifecycle.models import NoChangeReview
from lifecycle.services import people as people_services
from lifecycle.states import Status
from publication import services as publication_services
from publication.models import Publication
from tests.clock import travel
from tests.factories import monitoring_up_to_date, reload, user_with_role, what_was_read

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review is due on 15 January 2027
REVIEWED_ON = datetime.date(2026, 8, 3)  # within 6 months of it


@pytest.fixture
def multi(people):
    """One person holding the Lead role in the policy's group, DCFD and PCU."""
    person = user_with_role(Role.LEAD, people.group, username="multi")
    role_assign(actor=people.pcu, user=person, role=Role.DCFD)
    role_assign(actor=people.pcu, user=person, role=Role.PCU)
    return person


@pytest.fixture
def due(policy_in, people, multi):
    """A policy in force whose review is due, its monitoring in, with ``multi`` named its Designated Lead."""
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    with travel(REVIEWED_ON):
        monitoring_up_to_date(policy, people)
        people_services.policy_reassign(policy=reload(policy), actor=people.pcu, role="designated_lead",
                                        new_holder=multi, reason="The Lead moved on.")
    return reload(policy)


def overview(client, user, policy) -> str:
    client.force_login(user)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_no_change_review_three_checks_need_three_people(due, multi):
    """The review's reproduction: the Lead who concluded may not confirm the EIA, nor re-publish."""
    with travel(REVIEWED_ON):
        s.policy_conclude_no_change(policy=reload(due), actor=multi, reason="Monitoring shows it works.")
        with pytest.raises(ApplicationError) as refused:
            s.policy_confirm_eia(policy=reload(due), actor=multi, eia_outcome="stands")
        assert refused.value.code == "forbidden"
        assert "concluded its review with no change" in refused.value.message
        assert "separation of duties" in refused.value.message
        assert NoChangeReview.objects.get(policy=due).eia_confirmed_by is None


def test_the_lead_who_concluded_is_told_on_the_overview_why_the_eia_is_not_theirs(client, due, multi, people):
    with travel(REVIEWED_ON):
        s.policy_conclude_no_change(policy=reload(due), actor=multi, reason="Monitoring shows it works.")
        said = overview(client, multi, due)
        assert ("Someone else must confirm the Equality Impact Assessment of it: you concluded its review with no "
                "change needed (the Designated Lead's part)") in said, said
        client.force_login(multi)
        # The page is not offered to them, and says why.
        response = client.get(f"/policies/{due.reference}/actions/confirm-eia/", follow=True)
        assert "concluded its review with no change" in unescape(response.content.decode())
        # Posted anyway: refused, nothing recorded.
        client.post(f"/policies/{due.reference}/actions/confirm-eia/",
                    {**what_was_read(reload(due)), "eia_outcome": "stands"})
        assert NoChangeReview.objects.get(policy=due).eia_confirmed_by is None
        # Another member of DCFD confirms it.
        s.policy_confirm_eia(policy=reload(due), actor=people.dcfd, eia_outcome="stands")


def test_the_eia_confirmer_may_not_re_publish(client, due, multi, people):
    """The Lead is someone else; ``multi`` (DCFD and PCU) confirms the EIA, and is then barred from re-publishing."""
    with travel(REVIEWED_ON):
        people_services.policy_reassign(policy=reload(due), actor=people.pcu, role="designated_lead",
                                        new_holder=people.lead, reason="Back from leave.")
        s.policy_conclude_no_change(policy=reload(due), actor=people.lead, reason="Monitoring shows it works.")
        s.policy_confirm_eia(policy=reload(due), actor=multi, eia_outcome="stands")
        with pytest.raises(ApplicationError) as refused:
            publication_services.policy_republish_no_change(policy=reload(due), actor=multi)
        assert "checked its Equality Impact Assessment for the review" in refused.value.message
        assert "Someone else must re-publish it" in overview(client, multi, due)
        assert not Publication.objects.filter(no_change_review__isnull=False).exists()
        # PCU, who took no part in the review, re-publishes it.
        publication_services.policy_republish_no_change(policy=reload(due), actor=people.pcu)
        assert NoChangeReview.objects.get(policy=due).republished_by == people.pcu


def test_the_dcfd_member_who_signed_the_eia_off_may_confirm_it_still_stands(due, people):
    """DCFD's check at the review is that assessment's quality assurance given again: the member who signed the
    version's EIA off is not barred by it (lifecycle.duties.MAY_BE_HELD_WITH)."""
    assert due.current_version.qa_signoffs.filter(signed_by=people.dcfd).exists()
    with travel(REVIEWED_ON):
        people_services.policy_reassign(policy=reload(due), actor=people.pcu, role="designated_lead",
                                        new_holder=people.lead, reason="Back from leave.")
        s.policy_conclude_no_change(policy=reload(due), actor=people.lead, reason="Monitoring shows it works.")
        review = s.policy_confirm_eia(policy=reload(due), actor=people.dcfd, eia_outcome="stands")
        assert review.eia_confirmed_by == people.dcfd
