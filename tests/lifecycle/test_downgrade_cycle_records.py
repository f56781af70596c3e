"""What a review cycle wrote while its policy was OFFICIAL-SENSITIVE stays OFFICIAL-SENSITIVE once that review's
version is published OFFICIAL (security review of 2026-12-06).

A review that re-marks a policy OFFICIAL is drafted while the version in force, and so the policy, is
OFFICIAL-SENSITIVE: the downgrade takes effect only when the reviewed version is published (lifecycle.services.details).
Its version is frozen OFFICIAL, and what was read by that version's frozen marking alone reached staff not cleared once
it was published:

- HIGH: its interim revisions, the first of them the starting point carried forward from version 1.0, and every save
  before the OFFICIAL-SENSITIVE words were taken out. A colleague given a later review's draft read 1.0's statement and
  SOP in the redline between two of them, and one allowed to draft could restore them into the OFFICIAL draft;
- MEDIUM: its consultation log and the advice asked on its draft (``cycle_frozen_sensitive`` asked only whether a
  version of the cycle was frozen OFFICIAL-SENSITIVE): consultees' responses given on OFFICIAL-SENSITIVE material.

A version is now "written while OFFICIAL-SENSITIVE" (``lifecycle.selectors.WRITTEN_SENSITIVE``) when it is frozen so, or
when the version in force as it was drafted (the last published before it) was; a cycle's records with it. The cleared
read all of it, as before."""

from __future__ import annotations

import datetime

import pytest

from core.exceptions import ApplicationError
from lifecycle import services as s
from lifecycle.models import DraftRevision
from lifecycle.selectors import user_may_see_sensitive
from lifecycle.states import ProtectiveMarking, Status
from tests.factories import advance_to, reload
from tests.library.helpers import staff
from tests.lifecycle.test_details_downgrade import (  # noqa: F401 (media_root: a fixture)
    IN_SOP,
    IN_STATEMENT,
    downgraded,
    media_root,
    publish_reviewed,
)

pytestmark = pytest.mark.django_db

OFFICIAL = ProtectiveMarking.OFFICIAL
# A consultee's response and DCFD's advice given on the downgrading draft, while the policy was OFFICIAL-SENSITIVE.
DOWNGRADING_RESPONSE, DOWNGRADING_ADVICE = "Pangolinsecret", "Narwhalsecret"
# A consultee's response on the next review's draft, the policy OFFICIAL by then.
LATER_RESPONSE = "Kookaburraopen"


def consulted(policy, people, response: str) -> None:
    s.consultation_record(policy=reload(policy), actor=people.developer, consultee=f"{response} consultee",
                          organisation="Covert unit", consultee_type="internal", date_sent=datetime.date.today(),
                          response=f"{response}: keep the handler rota out.")


def advised(policy, people, words: str) -> None:
    invitation = s.advice_invite(policy=reload(policy), actor=people.developer, team="dcfd", note="Please read.")
    s.advice_comment(invitation=invitation, actor=people.dcfd, text=f"{words} tactic must not be published.")


@pytest.fixture
def next_review(downgraded, people, django_capture_on_commit_callbacks):  # noqa: F811 (a fixture)
    """1.0 published OFFICIAL-SENSITIVE; its review 2.0 consulted and advised on while the policy was so, its
    OFFICIAL-SENSITIVE words taken out and published OFFICIAL; review 3.0 open and consulted on, with ``reader`` given
    the draft to draft, not cleared. Returns the policy, the reader and a member of staff with no part in it."""
    policy = advance_to(downgraded, Status.DEVELOPMENT, people)
    assert policy.protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE
    consulted(policy, people, DOWNGRADING_RESPONSE)
    advised(policy, people, DOWNGRADING_ADVICE)
    policy, _ = publish_reviewed(reload(policy), people, django_capture_on_commit_callbacks)
    assert policy.protective_marking == OFFICIAL
    policy = advance_to(policy, Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Next review.")
    reader = staff("reader", people.unit)
    s.policy_grant_access(policy=reload(policy), actor=people.coordinator, user=reader, permission="draft_policy")
    consulted(advance_to(reload(policy), Status.DEVELOPMENT, people), people, LATER_RESPONSE)
    policy = reload(policy)
    assert not user_may_see_sensitive(user=reader, policy=policy)
    return policy, reader, staff("plain", people.unit)


def page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def comparisons(policy) -> list[str]:
    """The redline of every pair of 2.0's revisions of one document."""
    revisions = list(DraftRevision.objects.filter(policy_version__policy=policy, policy_version__major=2)
                     .values_list("sequence", "document", "sop_id"))
    return [f"/policies/{policy.reference}/versions/2.0/revisions/?from={first}&to={then}"
            for first, document, sop in revisions for then, other, other_sop in revisions
            if (document, sop) == (other, other_sop) and then > first]


def test_the_downgrading_versions_revisions_are_not_shown_to_those_not_cleared(client, next_review):
    policy, reader, _ = next_review
    assert comparisons(policy)
    for url in (f"/policies/{policy.reference}/versions/2.0/revisions/", f"/policies/{policy.reference}/versions/",
                *comparisons(policy)):
        shown = page(client, reader, url)
        assert IN_STATEMENT not in shown and IN_SOP not in shown, url
    listed = page(client, reader, f"/policies/{policy.reference}/versions/2.0/revisions/")
    assert "saved while the policy was OFFICIAL-SENSITIVE" in listed


def test_those_cleared_read_the_downgrading_versions_revisions(client, next_review, people):
    policy, _, _ = next_review
    redlines = "".join(page(client, people.developer, url) for url in comparisons(policy))
    assert IN_STATEMENT in redlines and IN_SOP in redlines


def test_a_revision_saved_while_official_sensitive_cannot_be_restored_by_those_not_cleared(client, next_review):
    policy, reader, _ = next_review
    starting_point = DraftRevision.objects.get(policy_version__policy=policy, policy_version__major=2,
                                               document="statement", starting_point=True)
    client.force_login(reader)
    response = client.post(f"/policies/{policy.reference}/versions/2.0/revisions/",
                           {"revision": starting_point.sequence})
    assert response.status_code == 404
    # Nor by the service, asked directly.
    with pytest.raises(ApplicationError, match="not of this policy"):
        s.draft_revision_restore(policy=reload(policy), actor=reader, revision=starting_point)
    assert IN_STATEMENT not in reload(policy).current_version.statement


def test_the_downgrading_cycles_consultation_and_advice_are_not_shown_to_those_not_cleared(client, next_review):
    policy, reader, plain = next_review
    for user in (reader, plain):
        log = page(client, user, f"/policies/{policy.reference}/consultation/")
        assert DOWNGRADING_RESPONSE not in log
    assert LATER_RESPONSE in page(client, reader, f"/policies/{policy.reference}/consultation/")
    assert DOWNGRADING_ADVICE not in page(client, reader, f"/policies/{policy.reference}/advice/")
    timeline = page(client, reader, f"/policies/{policy.reference}/timeline/")
    assert DOWNGRADING_RESPONSE not in timeline and LATER_RESPONSE in timeline


def test_those_cleared_read_the_downgrading_cycles_records(client, next_review, people):
    policy, _, _ = next_review
    log = page(client, people.developer, f"/policies/{policy.reference}/consultation/")
    assert DOWNGRADING_RESPONSE in log and LATER_RESPONSE in log
    assert DOWNGRADING_ADVICE in page(client, people.developer, f"/policies/{policy.reference}/advice/")
    assert DOWNGRADING_RESPONSE in page(client, people.developer, f"/policies/{policy.reference}/timeline/")
