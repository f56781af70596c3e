"""The retrospective EIA reaches the stored files (issue 14). SOP, stage 3: a policy approved by the emergency route
is published without an EIA, which must be "completed as soon as reasonably practicable"; and "the completed EIAs
for each policy will be published on the MPS Publication Scheme". The files stored at publication hold no EIA (the
public copy) or the unfinished one (staff): once DCFD signs the EIA off, and again once nothing the route skipped is
outstanding (the "not impact assessed" warning goes), the current publication's files are rendered again, each
stored with its own SHA-256; the earlier files are kept, as the record of what was published before."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from pypdf import PdfReader

from assessments.services import eia_complete_retrospective, eia_update, retrospective_qa_signoff, workbook_update
from core.models import AuditEvent
from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from publication.models import PublishedFile
from publication.services import policy_publish, publication_store_current_files, publication_store_missing_files
from tests.factories import ALL_IMPACTS, advance_to, emergency_approve, reload

pytestmark = pytest.mark.django_db

AIMS = "RETROSPECTIVEAIMS: lawful, fair searches at short notice."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def published_without_eia(people, django_capture_on_commit_callbacks):
    policy = people.policy(title="Protest policing at short notice")
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Public procedure",
                                  text="<p>PUBLIC SOP TEXT</p>", publish_externally=True)
    policy = advance_to(policy, Status.DEVELOPMENT, people)
    lifecycle_services.draft_update(policy=policy, actor=people.developer,
                                    statement="<p>Officers facilitate peaceful protest.</p>")
    emergency_approve(reload(policy), people)
    lifecycle_services.policy_forward_for_publication(policy=reload(policy), actor=people.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        publication = policy_publish(policy=reload(policy), actor=people.pcu, on_publication_scheme=True)
    return reload(policy), publication


def served(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response["ETag"] == f'"sha256-{hashlib.sha256(body).hexdigest()}"'
    return body


def complete_the_eia(policy, people, django_capture_on_commit_callbacks):
    eia_update(policy=policy, actor=people.developer, aims=AIMS, impacts=ALL_IMPACTS, decision="no_major_change")
    with django_capture_on_commit_callbacks(execute=True):
        eia_complete_retrospective(policy=reload(policy), actor=people.dcfd, comments="Satisfactory.")


def test_the_signed_off_eia_is_rendered_into_new_stored_files_and_the_old_ones_are_kept(
        client, people, published_without_eia, django_capture_on_commit_callbacks):
    policy, publication = published_without_eia
    first = {file.audience: file for file in publication.files.all()}
    assert set(first) == {"public", "staff"}
    before = served(client, f"/publication-scheme/{policy.reference}/pdf/")
    assert "Equality impact assessment" not in pdf_text(before) and "Not impact assessed" in pdf_text(before)

    complete_the_eia(policy, people, django_capture_on_commit_callbacks)

    files = list(PublishedFile.objects.filter(publication=publication).order_by("audience", "rendition"))
    assert [(file.audience, file.rendition) for file in files] == [
        ("public", 1), ("public", 2), ("staff", 1), ("staff", 2)]
    for file in files:  # the earlier files are kept, each still matching its hash
        with default_storage.open(file.storage_name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == file.sha256
    latest = {file.audience: file for file in files if file.rendition == 2}

    after = served(client, f"/publication-scheme/{policy.reference}/pdf/")
    assert hashlib.sha256(after).hexdigest() == latest["public"].sha256 != first["public"].sha256
    assert "Equality impact assessment" in pdf_text(after) and "RETROSPECTIVEAIMS" in pdf_text(after)
    # The Scheme's page shows it too (it reads the signed-off EIA).
    assert "RETROSPECTIVEAIMS" in client.get(f"/publication-scheme/{policy.reference}/").content.decode()

    client.force_login(people.developer2)
    staff = served(client, f"/policies/{policy.reference}/pdf/")
    assert hashlib.sha256(staff).hexdigest() == latest["staff"].sha256
    assert "RETROSPECTIVEAIMS" in pdf_text(staff)

    event = AuditEvent.objects.filter(policy_id=policy.pk, action="publication.files_stored").latest("sequence")
    assert event.changes["rendition"] == 2 and "retrospective" in event.changes["reason"].lower()
    assert event.changes["files"]["public"]["sha256"] == latest["public"].sha256
    assert event.changes["replaces"]["public"] == first["public"].sha256

    # PCU's publication page lists every file, the earlier ones too, each with its hash.
    client.force_login(people.pcu)
    page = client.get(f"/policies/{policy.reference}/publication/").content.decode()
    assert page.count("rendered again") == 2 and "The retrospective Equality Impact Assessment was signed off." in page
    assert all(file.sha256 in page for file in files)


def test_the_warning_goes_from_the_files_when_nothing_the_route_skipped_is_outstanding(
        client, people, published_without_eia, django_capture_on_commit_callbacks):
    policy, publication = published_without_eia
    complete_the_eia(policy, people, django_capture_on_commit_callbacks)
    assert "Not impact assessed" in pdf_text(served(client, f"/publication-scheme/{policy.reference}/pdf/"))

    workbook_update(policy=reload(policy), actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Consulted after the event.", health_and_safety_impact="none",
                    health_and_safety_statement="No health and safety impact.")
    with django_capture_on_commit_callbacks(execute=True):
        retrospective_qa_signoff(policy=reload(policy), actor=people.pcu_qa, discipline="pcu")
    # Still outstanding (DOI): nothing the files print has changed, so nothing is rendered.
    assert publication.files.filter(rendition=3).count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        retrospective_qa_signoff(policy=reload(policy), actor=people.doi, discipline="doi")

    assert reload(policy).not_impact_assessed is False
    assert publication.files.filter(rendition=3).count() == 2
    text = pdf_text(served(client, f"/publication-scheme/{policy.reference}/pdf/"))
    assert "Not impact assessed" not in text and "RETROSPECTIVEAIMS" in text


def test_rendering_again_is_safe_to_repeat(people, published_without_eia, django_capture_on_commit_callbacks):
    policy, publication = published_without_eia
    complete_the_eia(policy, people, django_capture_on_commit_callbacks)
    count = publication.files.count()
    stored = AuditEvent.objects.filter(action="publication.files_stored").count()

    # The task run again (a retry, or two workers): what the files print has not changed, so nothing is stored.
    assert publication_store_current_files(publication=publication, reason="A retry.") == []
    assert publication.files.count() == count
    assert AuditEvent.objects.filter(action="publication.files_stored").count() == stored



def test_beat_renders_what_a_lost_task_did_not(people, published_without_eia):
    """The broker lost the task queued by the sign-off (here: the commit's callbacks never run): beat's safety net
    finds the current publication whose EIA was signed off after its newest file, and renders it, once."""
    policy, publication = published_without_eia
    eia_update(policy=policy, actor=people.developer, aims=AIMS, impacts=ALL_IMPACTS, decision="no_major_change")
    eia_complete_retrospective(policy=reload(policy), actor=people.dcfd)
    assert publication.files.filter(rendition=2).count() == 0

    assert publication_store_missing_files() == [publication.pk]
    assert publication.files.filter(rendition=2).count() == 2
    assert publication_store_missing_files() == []
