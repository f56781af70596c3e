"""Read and acknowledge (issue 14) after a review concluding no change whose Equality Impact Assessment DCFD said must
be updated: PCU re-publishes version 1.1, the policy unchanged but for its updated EIA (issue 13).

QA walk in Chromium (SQLite demo), MEDIUM: once 1.1 was re-published, the staff who had been asked to confirm they had
read 1.0 stopped being asked (Territorial Policing's dashboard count of staff asked went from 14 to 6). The audience
asking is the one of the version in force (``acknowledgements.selectors.in_force``), and the re-publication chose none
for 1.1 (its form asks no audience). The policy itself did not change, so the re-published version asks whom the
version it replaces in force asked, as a minor version PCU does not ask again for: those who confirmed 1.0 need not
confirm again, and those asked and not yet confirmed are still asked, now of 1.1, the version in force."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from acknowledgements.models import AcknowledgementAudience
from acknowledgements.selectors import AudienceAsking, acknowledgement_rates, audiences_asking, outstanding_for
from acknowledgements.services import acknowledgement_confirm
from assessments.services import eia_sign_off_update, eia_update
from core.events import AuditAction
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.models import Policy
from publication.services import policy_republish_no_change
from tests.clock import travel
from tests.factories import monitoring_up_to_date, reload, what_was_read
from tests.library.helpers import published, staff

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review falls due on 15 January 2027
IN_THE_WINDOW = datetime.date(2026, 8, 3)  # within 6 months of it: the Lead may conclude "no change"


def rates(policy) -> list[tuple[str, int, int]]:
    """The oversight dashboard's rates of ``policy``: (version asking, staff asked, of whom confirmed)."""
    return [(rate.audience.number, rate.asked, rate.confirmed) for rate in acknowledgement_rates(
        [AudienceAsking(*row) for row in audiences_asking(policies=Policy.objects.filter(pk=policy.pk))])]


def asked_of(user) -> list[str]:
    return [f"{audience.policy.reference} {audience.policy_version.number}" for audience in outstanding_for(user=user)]


def republish_with_updated_eia(people, policy) -> Policy:
    """The review concludes no change; DCFD reopens the EIA (1.1), the developer revises it, DCFD signs it off and PCU
    re-publishes 1.1, through the real services."""
    monitoring_up_to_date(policy, people)
    s.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="Still fit; the law is unchanged.",
                                **what_was_read(reload(policy)))
    s.policy_confirm_eia(policy=reload(policy), actor=people.dcfd, eia_outcome="updated",
                         eia_comments="Add the 2025 stop data by ethnicity.", **what_was_read(reload(policy)))
    eia_update(policy=reload(policy), actor=people.developer, evidence_and_data="The 2025 figures, by ethnicity.")
    eia_sign_off_update(policy=reload(policy), actor=people.dcfd, comments="Sound.", **what_was_read(reload(policy)))
    policy_republish_no_change(policy=reload(policy), actor=people.pcu, on_intranet=True,
                               **what_was_read(reload(policy)))
    policy = reload(policy)
    assert policy.current_version.number == "1.1"
    return policy


def test_staff_asked_of_the_version_replaced_are_asked_of_the_republished_one(client, people):
    with travel(PUBLISHED_ON):
        policy = published(people, title="Stop and search", audience={"business_groups": [people.group]})
        reader, waiting = staff("reader", people.unit), staff("waiting", people.unit)
        first = reload(policy).current_version
        acknowledgement_confirm(user=reader, version=first.pk, version_hash=first.content_hash)
        before = rates(policy)
        assert [(number, confirmed) for number, _, confirmed in before] == [("1.0", 1)]
        assert asked_of(waiting) == [f"{policy.reference} 1.0"] and asked_of(reader) == []

    with travel(IN_THE_WINDOW):
        policy = republish_with_updated_eia(people, policy)
        # Those who confirmed 1.0 need not confirm again; those who had not are asked still, of 1.1, in force.
        assert asked_of(reader) == []
        assert asked_of(waiting) == [f"{policy.reference} 1.1"]
        # The dashboard counts the same staff asked, and the same confirmed.
        assert rates(policy) == [("1.1", before[0][1], 1)]
        audience = AcknowledgementAudience.objects.get(policy_version=policy.current_version)
        assert not audience.ask_again and audience.counts_from_minor == 0
        assert [str(criterion) for criterion in audience.criteria.all()] == ["Staff of Territorial Policing"]
        # Recorded, as PCU's choice at a publication is, in the re-publication's transaction.
        chosen = AuditEvent.objects.filter(action=AuditAction.POLICY_ACKNOWLEDGEMENT_AUDIENCE_CHOSEN,
                                           policy_id=policy.pk).order_by("sequence").last()
        assert chosen.changes["version"] == "1.1" and chosen.changes["asks_again"] is False

        # The re-publication's row on the Publication page says whom it asks, as a publication's does.
        client.force_login(people.pcu)
        page = " ".join(unescape(re.sub(r"<[^>]+>", " ", client.get(
            f"/policies/{policy.reference}/publication/").content.decode())).split())
        assert page.count("Asked to confirm they have read it The staff of Territorial Policing") == 2, page
        assert "Staff who confirmed an earlier 1.x version are not asked again." in page
        # The staff still asked read 1.1 and confirm it.
        client.force_login(waiting)
        assert "I have read version 1.1" in client.get(f"/library/{policy.reference}/").content.decode()
        version = policy.current_version
        acknowledgement_confirm(user=waiting, version=version.pk, version_hash=version.content_hash)
        assert asked_of(waiting) == [] and rates(policy) == [("1.1", before[0][1], 2)]


def test_a_policy_that_asked_nobody_asks_nobody_when_republished(people):
    with travel(PUBLISHED_ON):
        policy = published(people, title="Nobody asked")
    with travel(IN_THE_WINDOW):
        policy = republish_with_updated_eia(people, policy)
    assert not AcknowledgementAudience.objects.filter(policy=policy).exists() and rates(policy) == []
