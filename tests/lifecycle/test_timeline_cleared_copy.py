"""A publication's cleared copy (its OFFICIAL-SENSITIVE SOPs) on the timeline only for those cleared for it (review of
2026-12-05, finding 4): the "Published files stored" event records every copy's SHA-256 and size, and its cleared
copy's told a colleague given the draft, not cleared, that an OFFICIAL OFFICIAL-SENSITIVE SOP exists, though the
Publication page leaves that copy out for them (security probe F9)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from publication.models import PublishedFile
from publication.services import published_file_read
from publication.services.stored_files import StoredFileRefused
from tests.factories import advance_to, reload
from tests.library.helpers import published

pytestmark = pytest.mark.django_db

TAMPERED = "A stored published file failed its integrity check"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def with_sensitive_sop(people, django_capture_on_commit_callbacks):
    """An OFFICIAL policy published with an OFFICIAL-SENSITIVE SOP (so a cleared copy), its files stored, now under
    review, a colleague of another business group given access to the draft."""
    with django_capture_on_commit_callbacks(execute=True):
        policy = published(people, title="Firearms", sop_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                           sop_title="Armed deployment", sop_text="<p>wombatish</p>")
    policy = advance_to(reload(policy), Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Review.")
    s.policy_grant_access(policy=reload(policy), actor=people.coordinator, user=people.developer2,
                          permission="draft_policy")
    return reload(policy)


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_cleared_copy_s_hash_only_for_those_cleared_for_it(client, people, with_sensitive_sop):
    policy = with_sensitive_sop
    cleared = PublishedFile.objects.get(publication__policy=policy, audience=PublishedFile.Audience.CLEARED)
    staff_copy = PublishedFile.objects.get(publication__policy=policy, audience=PublishedFile.Audience.STAFF)
    timeline = f"/policies/{policy.reference}/timeline/"

    assert cleared.sha256 not in _page(client, people.developer2, f"/policies/{policy.reference}/publication/")
    html = _page(client, people.developer2, timeline)
    assert "Published files stored" in html and staff_copy.sha256 in html
    assert cleared.sha256 not in html and "Armed deployment" not in html

    html = _page(client, people.developer, timeline)
    assert cleared.sha256 in html and staff_copy.sha256 in html


def test_a_cleared_copy_failing_its_check_only_for_those_cleared_for_it(client, people, with_sensitive_sop):
    cleared = PublishedFile.objects.get(publication__policy=with_sensitive_sop,
                                        audience=PublishedFile.Audience.CLEARED)
    with open(default_storage.path(cleared.storage_name), "r+b") as handle:
        handle.seek(200)
        handle.write(b"TAMPERED")
    with pytest.raises(StoredFileRefused):
        published_file_read(published_file=cleared)
    timeline = f"/policies/{with_sensitive_sop.reference}/timeline/"

    assert TAMPERED not in _page(client, people.developer2, timeline)
    assert TAMPERED in _page(client, people.developer, timeline)


def test_the_audiences_are_the_publication_s():
    """lifecycle names the audiences without importing publication (STYLE rule 20): they must stay the same."""
    from lifecycle.selectors.events import CLEARED_COPY, OTHER_COPIES

    assert CLEARED_COPY == PublishedFile.Audience.CLEARED
    assert {CLEARED_COPY, *OTHER_COPIES} == set(PublishedFile.Audience.values)
