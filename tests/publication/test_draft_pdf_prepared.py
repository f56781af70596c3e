"""The PDF of a draft (/policies/<ref>/pdf/ for a version not published) is prepared by the worker, once for what it
prints, and served from its file: rendered in the request, one GET of a large draft held a web worker for 63 s
(integrity review of 2026-12-06, HIGH 1, F9; STYLE rule 19: one request must never be able to stall a worker). Until
it is ready the address answers with a page saying so (202), which asks again by itself (htmx) and, without script,
has a link to check again; a second request while it renders starts no second render."""

from __future__ import annotations

import datetime
import io
import time

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from publication.models import DraftPdf
from publication.services import draft_pdf_prepare, draft_pdf_request, draft_pdfs_delete_old
from publication.services.draft_pdfs import DRAFT_PDF_STALLED_MINUTES
from tests.factories import reload

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def url(policy) -> str:
    return f"/policies/{policy.reference}/pdf/"


@pytest.fixture
def draft(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    s.sop_create(policy=policy, actor=people.developer, title="Recording searches",
                 text="<p>Officers record every search.</p>")
    return reload(policy)


def test_draft_pdf_of_a_large_draft_is_bounded(client, people, policy_in):
    """The review's reproduction (F9): four SOPs of 490,000 characters each took 63 s in one GET."""
    policy = policy_in("development")
    paragraph = "<p>" + ("Officers must record the reason for each search in the custody record. " * 12) + "</p>"
    text = paragraph * (490_000 // len(paragraph))
    assert len(text) < 500_000
    for number in range(4):
        s.sop_create(policy=policy, actor=people.developer, title=f"Procedure {number}", text=text)
    client.force_login(people.developer)
    started = time.monotonic()
    response = client.get(f"/policies/{policy.reference}/pdf/")
    took = time.monotonic() - started
    assert took < 10, f"one GET of the draft's PDF held the worker for {took:.0f} s"
    assert response.status_code == 202


def test_the_first_request_queues_it_and_says_it_is_being_prepared(client, people, draft,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(people.developer)
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(url(draft))
    assert response.status_code == 202 and response["Retry-After"]
    page = response.content.decode()
    assert "being prepared" in page
    # Without script: a link to ask again. With it, htmx asks every few seconds for the status alone.
    assert f'<a class="govuk-link" href="{url(draft)}">Check again</a>' in page
    assert f'hx-get="{url(draft)}"' in page and 'hx-trigger="every 3s"' in page
    assert f'href="/policies/{draft.reference}/statement/"' in page  # the primary format meanwhile
    assert len(queued) == 1 and DraftPdf.objects.get().status == DraftPdf.Status.PENDING


def test_a_second_request_while_it_renders_starts_no_second_render(client, people, draft,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(people.developer)
    with django_capture_on_commit_callbacks() as queued:
        assert client.get(url(draft)).status_code == 202
        assert client.get(url(draft)).status_code == 202
        assert client.get(url(draft), HTTP_HX_REQUEST="true").status_code == 200
    assert len(queued) == 1
    assert DraftPdf.objects.count() == 1


def test_once_prepared_it_is_served_from_its_file_without_rendering(client, people, draft, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(people.developer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url(draft))
    assert DraftPdf.objects.get().status == DraftPdf.Status.READY
    status = client.get(url(draft), HTTP_HX_REQUEST="true")
    assert status.status_code == 200 and "The PDF is ready" in status.content.decode()
    assert f'href="{url(draft)}"' in status.content.decode() and "hx-trigger" not in status.content.decode()

    def no_render(**kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr("publication.pdf.render_policy_pdf", no_render)
    for _ in range(2):
        response = client.get(url(draft))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "no-store, private"
        assert f"{draft.reference}-v{draft.current_version.number}.pdf" in response["Content-Disposition"]
        assert "Officers record every search." in pdf_text(response.content)


def test_a_change_to_the_draft_prepares_it_again(client, people, draft, django_capture_on_commit_callbacks):
    client.force_login(people.developer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url(draft))
    first = DraftPdf.objects.get()
    sop = draft.sops.get()
    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Officers record every search at once.</p>")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url(draft)).status_code == 202  # the old file is not what the draft prints now
    response = client.get(url(draft))
    assert response.status_code == 200 and "at once." in pdf_text(response.content)
    # The superseded copy is deleted, its file with it.
    assert list(DraftPdf.objects.values_list("status", flat=True)) == [DraftPdf.Status.READY]
    assert not DraftPdf.objects.filter(pk=first.pk).exists()
    assert not default_storage.exists(first.storage_name)


def test_the_copy_for_readers_not_cleared_leaves_out_the_sensitive_sops(people, draft):
    s.sop_create(policy=draft, actor=people.developer, title="Covert tactics", text="<p>SENSITIVETACTIC</p>",
                 protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    draft = reload(draft)
    version = draft.current_version
    cleared = draft_pdf_request(policy=draft, version=version, cleared=True)
    uncleared = draft_pdf_request(policy=draft, version=version, cleared=False)
    assert cleared.pk != uncleared.pk  # never one file for both
    for draft_pdf in (cleared, uncleared):
        assert draft_pdf_prepare(draft_pdf_id=draft_pdf.pk) == "ready"
    texts = {row.cleared: pdf_text(default_storage.open(row.storage_name).read()) for row in DraftPdf.objects.all()}
    assert "SENSITIVETACTIC" in texts[True] and "SENSITIVETACTIC" not in texts[False]
    assert "Officers record every search." in texts[False]


def test_a_failed_render_says_so_and_is_tried_again_a_minute_later(client, people, draft, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr("publication.pdf.render_policy_pdf", broken)
    client.force_login(people.developer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url(draft))
    assert DraftPdf.objects.get().status == DraftPdf.Status.FAILED
    with django_capture_on_commit_callbacks() as queued:
        response = client.get(url(draft))
    assert response.status_code == 503 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert "could not be prepared" in page and "Nothing was lost" in page and "Try again" in page
    assert not queued  # not once for every request
    DraftPdf.objects.update(finished_at=timezone.now() - datetime.timedelta(minutes=2))
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert client.get(url(draft)).status_code == 202
    assert len(queued) == 1
    assert client.get(url(draft)).status_code == 200


def test_a_render_whose_task_was_lost_is_queued_again(client, people, draft, django_capture_on_commit_callbacks):
    client.force_login(people.developer)
    with django_capture_on_commit_callbacks() as queued:
        client.get(url(draft))
    assert len(queued) == 1
    DraftPdf.objects.update(requested_at=timezone.now() - datetime.timedelta(minutes=DRAFT_PDF_STALLED_MINUTES + 1))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert client.get(url(draft)).status_code == 202
    assert len(queued) == 1
    assert client.get(url(draft)).status_code == 200


def test_a_file_that_differs_from_its_hash_is_not_served_but_prepared_again(client, people, draft, tmp_path,
                                                                             settings,
                                                                             django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(people.developer)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url(draft))
    stored = DraftPdf.objects.get()
    with open(tmp_path / stored.storage_name, "r+b") as handle:
        handle.write(b"%PDF-tampered")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url(draft)).status_code == 202
    response = client.get(url(draft))
    assert response.status_code == 200 and b"%PDF-tampered" not in response.content[:20]


def test_a_task_for_a_version_changed_since_renders_nothing(people, draft, monkeypatch):
    draft_pdf = draft_pdf_request(policy=draft, version=draft.current_version, cleared=True)
    s.sop_update_draft(sop=draft.sops.get(), actor=people.developer, text="<p>Changed meanwhile.</p>")

    def no_render(**kwargs):
        raise AssertionError("rendered what the draft no longer prints")

    monkeypatch.setattr("publication.pdf.render_policy_pdf", no_render)
    assert draft_pdf_prepare(draft_pdf_id=draft_pdf.pk) == "changed"
    assert not DraftPdf.objects.exists()
    assert draft_pdf_prepare(draft_pdf_id=draft_pdf.pk) == "not pending"  # safe to run twice


def test_beat_deletes_prepared_pdfs_after_a_day(people, draft, django_capture_on_commit_callbacks):
    draft_pdf = draft_pdf_request(policy=draft, version=draft.current_version, cleared=True)
    draft_pdf_prepare(draft_pdf_id=draft_pdf.pk)
    name = DraftPdf.objects.get().storage_name
    assert draft_pdfs_delete_old() == 0
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the deletion commits
        assert draft_pdfs_delete_old(now=timezone.now() + datetime.timedelta(hours=25)) == 1
    assert not DraftPdf.objects.exists() and not default_storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_under_eager_celery_as_make_run_has_the_first_request_served_at_once(client, people, policy_in):
    """`make run` runs tasks at once in the web process: the render the first request queues has finished when the
    request's record commits. The page answered 202 "being prepared" all the same (it read the record it had created,
    not the one the task had finished), and htmx fetched the file a few seconds later."""
    policy = policy_in(Status.DEVELOPMENT)
    client.force_login(people.developer)
    response = client.get(url(policy))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert DraftPdf.objects.get().status == DraftPdf.Status.READY
