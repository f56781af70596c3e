"""A published version's PDF whose stored files are not written yet (its task, queued at publication, has not run, or
waits behind others) is not rendered in the download's request: the download view called publication_store_files
itself, a WeasyPrint render of the statement and up to 30 SOPs (seconds of CPU), and every download in that window
rendered again; the staff are told of a publication at once, so the first minutes are exactly when many ask (STYLE
rule 19: one request must never be able to stall a worker). Now the download answers 202 with a page saying the PDF
is being prepared (htmx asks again; without script, its "Check again" link), the task is queued at most once for
many downloads (publication.files_queued), and once it has run the stored file is served; 503 once its storing
failed after the task's last attempt. The draft's PDF does the same (test_draft_pdf_prepared)."""

from __future__ import annotations

import errno
import hashlib

import pytest
from kombu.exceptions import OperationalError

from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from publication import files_queued, scheme_files
from publication.models import PublishedFile
from publication.services import policy_publish, publication_files_not_stored
from publication.tasks import STORE_FILES_ATTEMPTS, STORING
from tests.factories import advance_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def published_not_stored(people):
    """Published on the Scheme, in the test's transaction: no commit, so its task has not run (nor been queued)."""
    policy = people.policy(title="Hate Crime")
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Public procedure",
                                  text="<p>PUBLIC SOP TEXT</p>", publish_externally=True)
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    assert not publication.files.exists()
    return policy, publication


def downloads(policy, people):
    """Each download address of the version in force, with who asks (None: a member of the public)."""
    return [(f"/publication-scheme/{policy.reference}/pdf/", None),
            (f"/policies/{policy.reference}/pdf/", people.developer),
            (f"/policies/{policy.reference}/pdf/in-force/", people.dcfd)]


def get(client, url, who, **extra):
    client.logout()
    if who is not None:
        client.force_login(who)
    return client.get(url, **extra)


def seconds_left(publication_id: int) -> int:
    """How long the mark that the publication's files are queued stands yet (publication.files_queued)."""
    cache = files_queued._cache()
    return scheme_files.redis_client(cache).ttl(cache.make_key(files_queued._key(publication_id)))


def run(queued):
    """The worker runs what the requests queued (the callbacks that queue it, under eager Celery: the task itself)."""
    for callback in queued:
        callback()


def test_a_download_of_files_not_stored_renders_nothing_and_says_it_is_being_prepared(
        client, people, django_capture_on_commit_callbacks):
    policy, publication = published_not_stored(people)
    for url, who in downloads(policy, people):
        with django_capture_on_commit_callbacks():
            response = get(client, url, who)
        assert PublishedFile.objects.count() == 0, f"{url} rendered and stored the files in the request"
        assert response.status_code == 202, url
        assert int(response["Retry-After"]) > 0 and "no-store" in response["Cache-Control"]
        page = response.content.decode()
        assert "being prepared" in page and "version 1.0" in page
        # Without script: a link to ask again. With it, htmx asks every few seconds for the status alone.
        assert f'<a class="govuk-link" href="{url}">Check again</a>' in page
        assert f'hx-get="{url}"' in page and 'hx-trigger="every 5s"' in page
    # The primary format meanwhile: the Scheme's entry for the public, the policy's pages for staff, the library's
    # entry for the library's link.
    pages = [f"/publication-scheme/{policy.reference}/", f"/policies/{policy.reference}/statement/",
             f"/library/{policy.reference}/"]
    for (url, who), page_url in zip(downloads(policy, people), pages, strict=True):
        assert f'href="{page_url}"' in get(client, url, who).content.decode(), url


def test_many_downloads_queue_the_task_once(client, people, django_capture_on_commit_callbacks):
    policy, publication = published_not_stored(people)
    with django_capture_on_commit_callbacks() as queued:
        for _ in range(3):
            for url, who in downloads(policy, people):
                assert get(client, url, who).status_code == 202, url
            assert get(client, downloads(policy, people)[0][0], None, HTTP_HX_REQUEST="true").status_code == 200
    assert len(queued) == 1
    assert PublishedFile.objects.count() == 0


def test_once_the_task_has_run_the_download_serves_the_stored_file(client, people,
                                                                    django_capture_on_commit_callbacks):
    policy, publication = published_not_stored(people)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    with django_capture_on_commit_callbacks() as queued:
        pending = client.get(url, HTTP_HX_REQUEST="true")
    assert pending.status_code == 200 and "being prepared" in pending.content.decode()
    assert 'hx-trigger="every 5s"' in pending.content.decode() and "Vary" in pending
    assert "HX-Request" in pending["Vary"] and "no-store" in pending["Cache-Control"]
    run(queued)
    public = publication.files.get(audience=PublishedFile.Audience.PUBLIC)

    ready = client.get(url, HTTP_HX_REQUEST="true")  # the page's own question: the link to the file, not the file
    assert ready.status_code == 200 and ready["Content-Type"].startswith("text/html")
    assert "The PDF is ready" in ready.content.decode() and f'href="{url}"' in ready.content.decode()
    assert "hx-trigger" not in ready.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["ETag"] == f'"sha256-{public.sha256}"' == public.etag
    assert hashlib.sha256(response.content).hexdigest() == public.sha256
    client.force_login(people.developer)
    staff = client.get(f"/policies/{policy.reference}/pdf/")
    assert staff.status_code == 200 and staff["ETag"] == publication.files.get(audience="staff").etag
    # Remembered now, an anonymous download is answered early; the page's question is still the view's.
    client.logout()
    assert client.get(url).status_code == 200
    again = client.get(url, HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and "The PDF is ready" in again.content.decode()


def test_a_storing_that_failed_after_the_last_attempt_is_a_503_and_queues_nothing(
        client, people, django_capture_on_commit_callbacks):
    policy, publication = published_not_stored(people)
    publication_files_not_stored(publication=publication, error=OSError(errno.ENOSPC, "No space left on device"),
                                 attempts=5)
    with django_capture_on_commit_callbacks() as queued:
        for url, who in downloads(policy, people):
            response = get(client, url, who)
            assert response.status_code == 503 and int(response["Retry-After"]) > 0, url
            assert "The PDF of this document is not available just now" in response.content.decode()
            polled = get(client, url, who, HTTP_HX_REQUEST="true")
            assert polled.status_code == 200 and "hx-trigger" not in polled.content.decode()
            assert "not available just now" in polled.content.decode()
    assert not queued


def test_with_the_broker_down_the_page_says_it_is_being_prepared_and_a_later_download_queues_it_again(
        client, people, monkeypatch, django_capture_on_commit_callbacks):
    policy, publication = published_not_stored(people)
    sent = []

    def broker_down(*args, **kwargs):
        sent.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("celery.canvas.Signature.delay", broker_down)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.status_code == 202 and "being prepared" in response.content.decode()
    assert len(sent) == 1
    # Not queued: tried again by a download a minute later, not by each download meanwhile.
    assert 0 < seconds_left(publication.pk) <= files_queued.RETRY_SECONDS
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 202
    assert len(sent) == 1
    files_queued.forget(publication.pk)  # the minute gone by
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 202
    response = client.get(url)
    assert response.status_code == 200 and response["ETag"] == publication.files.get(audience="public").etag


def test_when_redis_cannot_say_whether_it_was_queued_the_download_queues_nothing(
        client, people, monkeypatch, django_capture_on_commit_callbacks):
    """Each download would queue it again: the publication's own task and beat's safety net store it."""
    policy, _ = published_not_stored(people)

    class Unreachable:
        def add(self, *args, **kwargs):
            raise ConnectionError("Redis is unavailable")

    monkeypatch.setattr(files_queued, "_cache", Unreachable)
    with django_capture_on_commit_callbacks() as queued:
        for url, who in downloads(policy, people):
            assert get(client, url, who).status_code == 202, url
    assert not queued


def test_the_task_queued_at_publication_is_not_queued_again_by_the_first_downloads(
        client, people, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("celery.canvas.Signature.delay", lambda signature: sent.append(signature.args))
    policy = advance_to(people.policy(title="Hate Crime"), Status.AWAITING_PUBLICATION, people)
    with django_capture_on_commit_callbacks(execute=True):  # queued; the worker busy: it has not run yet
        publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    assert sent == [(publication.pk,)]
    with django_capture_on_commit_callbacks(execute=True):
        for url, who in downloads(policy, people):
            assert get(client, url, who).status_code == 202, url
    assert sent == [(publication.pk,)]


def test_a_download_does_not_queue_again_while_the_tasks_attempts_may_still_be_running():
    """A second run of attempts beside the first would record the same failure, and tell PCU, twice."""
    waits = [min(STORING["retry_backoff"] * 2 ** attempt, STORING["retry_backoff_max"])
             for attempt in range(STORE_FILES_ATTEMPTS - 1)]
    assert sum(waits) + 60 < files_queued.QUEUED_SECONDS


@pytest.mark.django_db(transaction=True)
def test_under_eager_celery_as_make_run_has_the_first_download_just_works(client, people, monkeypatch):
    """`make run` runs tasks at once in the web process, and a request's work commits as it goes: the task the
    download queues has stored the files by the time the view looks again, and the file is served."""
    monkeypatch.setattr("publication.services.publishing.queue_file_rendering", lambda publication_id: None)
    policy, publication = published_not_stored(people)  # committed; its task lost with the broker
    response = client.get(f"/publication-scheme/{policy.reference}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["ETag"] == publication.files.get(audience="public").etag
