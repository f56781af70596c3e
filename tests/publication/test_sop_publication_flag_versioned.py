"""Whether an SOP is published externally is frozen with each version, as its text is (found by a user walk: the flag
was the SOP's, not the version's, so turning it off while drafting a review took the SOP off the public Scheme page of
the version in force at once, though that version's stored PDF kept it; and turning it on was refused, as the only
way to keep the published version's page from changing under it).

The Scheme page and the public files of a published version show exactly the SOPs that version was published with; a
draft's change takes effect when its version is published. SOP, "Definitions": "Policy owners should consider
publishing their SOPs via the MPS Publication Scheme"; stage 5: PCU arranges publication "on the MPS Publication
Scheme"."""

from __future__ import annotations

import pytest

from lifecycle import services as s
from lifecycle.models import SOPVersion
from lifecycle.states import ProtectiveMarking, Status
from publication.models import Publication, PublishedFile
from publication.services import policy_publish, publication_store_current_files, publication_store_files
from publication.services.stored_files import _pack_contents
from tests.factories import advance_to, fill_development, refused, reload, take_step

pytestmark = pytest.mark.django_db

OFFICIAL = ProtectiveMarking.OFFICIAL
PUBLIC_TEXT = "PUBLIC PROCEDURE TEXT"


def _publish_on_the_scheme(policy, people):
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    return policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)


def _review_in_development(policy, people):
    s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
    return advance_to(reload(policy), Status.DEVELOPMENT, people)


def _set_flag(policy, sop, people, publish_externally: bool) -> None:
    policy = reload(policy)
    s.sop_update_draft(sop=sop, actor=people.developer, text=f"<p>{PUBLIC_TEXT}</p>", protective_marking=OFFICIAL,
                       publish_externally=publish_externally,
                       base_revision=policy.current_version.draft_revision)


def _publish_the_review(policy, people):
    policy = reload(policy)
    fill_development(policy, people, omit={"statement_written"})
    take_step(policy, people, Status.SUBMITTED_FOR_QA)
    return _publish_on_the_scheme(policy, people)


def _scheme_page(client, policy) -> str:
    response = client.get(f"/publication-scheme/{policy.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def _draft_flag(policy, sop) -> bool:
    return SOPVersion.objects.get(sop=sop, policy_version=reload(policy).current_version).publish_externally


@pytest.fixture
def published_with(people):
    """A policy published on the Scheme with one SOP, flagged for external publication or not."""

    def make(publish_externally: bool):
        policy = people.policy()
        sop = s.sop_create(policy=policy, actor=people.developer, title="Stop and search",
                           text=f"<p>{PUBLIC_TEXT}</p>", publish_externally=publish_externally)
        publication = _publish_on_the_scheme(policy, people)
        return reload(policy), sop, publication

    return make


def test_turning_the_flag_off_in_a_review_draft_leaves_the_published_versions_page_as_published(
        client, people, published_with):
    policy, sop, _ = published_with(True)
    assert PUBLIC_TEXT in _scheme_page(client, policy)
    policy = _review_in_development(policy, people)

    _set_flag(policy, sop, people, False)

    # Version 1.0 was published with the procedure on the Scheme: its page keeps it while 2.0 is drafted.
    assert PUBLIC_TEXT in _scheme_page(client, policy)
    assert _draft_flag(policy, sop) is False
    # Version 2.0, published without it, takes it off.
    _publish_the_review(policy, people)
    page = _scheme_page(client, policy)
    assert "version 2.0" in page and PUBLIC_TEXT not in page


def test_turning_the_flag_on_in_a_review_draft_is_allowed_and_takes_effect_with_its_version(
        client, people, published_with):
    policy, sop, _ = published_with(False)
    assert PUBLIC_TEXT not in _scheme_page(client, policy)
    policy = _review_in_development(policy, people)

    _set_flag(policy, sop, people, True)

    assert _draft_flag(policy, sop) is True
    assert PUBLIC_TEXT not in _scheme_page(client, policy)  # not before its version is published
    # PCU decides what to withhold from it before 2.0 is published: the procedure is on the page for that.
    awaiting = advance_to(reload(policy), Status.APPROVED, people)
    client.force_login(people.pcu)
    withheld_page = client.get(f"/policies/{awaiting.reference}/publication/withheld/").content.decode()
    assert "Stop and search" in withheld_page
    client.logout()
    advance_to(awaiting, Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=reload(policy), actor=people.pcu, on_publication_scheme=True)
    page = _scheme_page(client, policy)
    assert "version 2.0" in page and PUBLIC_TEXT in page


def test_the_statement_page_says_what_the_version_shown_publishes(client, people, published_with):
    policy, sop, _ = published_with(True)
    policy = _review_in_development(policy, people)
    _set_flag(policy, sop, people, False)
    client.force_login(people.developer)
    draft = client.get(f"/policies/{policy.reference}/statement/").content.decode()
    assert "(OFFICIAL)" in draft and "published externally" not in draft


def test_the_public_file_of_the_published_version_keeps_what_it_was_published_with(people, published_with):
    policy, sop, publication = published_with(True)
    publication_store_files(publication=publication)
    policy = _review_in_development(policy, people)

    _set_flag(policy, sop, people, False)

    publication = Publication.objects.get(pk=publication.pk)
    public = _pack_contents(publication)[PublishedFile.Audience.PUBLIC]
    assert [sop_version.sop_id for sop_version in public["sop_versions"]] == [sop.pk]
    # Rendered again (as a retrospective EIA's sign-off would), the public copy prints what it printed.
    assert publication_store_current_files(publication=publication, reason="Checked.") == []


def test_an_official_sensitive_sop_cannot_be_flagged_in_a_draft(people, published_with):
    policy = people.policy()
    sop = s.sop_create(policy=policy, actor=people.developer, title="Tactics", text="<p>Tactics.</p>",
                       protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    with refused("refused", "OFFICIAL-SENSITIVE SOP cannot be published externally"):
        s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Tactics.</p>", publish_externally=True,
                           base_revision=reload(policy).current_version.draft_revision)
    assert _draft_flag(policy, sop) is False

