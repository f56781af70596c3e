"""QA: a publication's files that could not be stored (the file store unwritable, full, or the PDF not produced) were
only logged: PCU was never told, the Publication page did not say so, and every download then failed with a 500.
The task now tries again with backoff, and after its last attempt records the failure (an audit event, PCU told);
the Publication page says which files are not stored and why, and PCU can store them again; the downloads answer a
handled 503 with Retry-After. The failure is real: MEDIA_ROOT names a file, so nothing can be stored under it."""

from __future__ import annotations

import os

import pytest
from django.core.files.storage import default_storage

from core.models import AuditEvent
from lifecycle.states import Status
from notifications.models import Notification
from notifications.services import outbox_relay
from policyhub.celery import app as celery_app
from publication.services import policy_publish, publication_store_missing_files
from publication.tasks import STORE_FILES_ATTEMPTS
from tests.factories import advance_to
from tests.publication import test_retrospective_eia
from tests.publication.test_retrospective_eia import complete_the_eia
from tests.publication.test_stored_files import publish

pytestmark = pytest.mark.django_db
# A policy published by the emergency route, whose files are rendered again once its EIA is signed off.
published_without_eia = test_retrospective_eia.published_without_eia


@pytest.fixture(autouse=True)
def attempts_run_in_turn():
    """Tasks run at once in tests; with their errors not propagated, Celery runs a task's attempts one after the
    other, as a worker would after each backoff (the test settings propagate them, which stops at the first)."""
    conf = celery_app.conf
    propagates = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = propagates


@pytest.fixture
def broken_store(settings, tmp_path):
    """MEDIA_ROOT is a file: every attempt to store under it fails (NotADirectoryError)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the file store's folder should be")
    settings.MEDIA_ROOT = str(blocker)
    return settings


def mend(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def failures(policy):
    return list(AuditEvent.objects.filter(policy_id=policy.pk, action="publication.files_not_stored"))


def test_a_failed_storing_is_tried_again_then_recorded_and_pcu_is_told(people, broken_store,
                                                                        django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks)

    assert not publication.files.exists()
    [event] = failures(policy)
    assert event.actor is None
    assert event.changes["publication"] == publication.pk and event.changes["attempts"] == STORE_FILES_ATTEMPTS > 1
    assert event.changes["reason"] == "the file store's folder is missing or is not a folder"
    outbox_relay()
    told = set(Notification.objects.filter(title__contains="files could not be stored").values_list(
        "recipient__username", flat=True))
    assert told == {people.pcu.username, people.pcu_qa.username}


def test_the_publication_page_says_the_files_are_not_stored_and_pcu_stores_them_again(
        client, people, broken_store, tmp_path, django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks)
    page_url = f"/policies/{policy.reference}/publication/"
    again_url = f"/policies/{policy.reference}/publication/{publication.pk}/store-files/"

    client.force_login(people.developer)
    text = client.get(page_url).content.decode()
    assert "The PDF files of version 1.0 are not stored" in text
    assert "Store the files again" not in text  # PCU's to do
    assert client.post(again_url).status_code == 404

    client.force_login(people.pcu)
    text = client.get(page_url).content.decode()
    assert "The PDF files of version 1.0 are not stored" in text
    assert "the file store&#x27;s folder is missing or is not a folder" in text
    assert "Errno" not in text and "Traceback" not in text and "NotADirectoryError" not in text
    assert "Store the files again" in text and f'action="{again_url}"' in text

    # Still broken: tried again (and again), recorded again, and said again.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(again_url)
    assert response.status_code == 302 and response["Location"] == page_url
    assert len(failures(policy)) == 2

    mend(broken_store, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(again_url)
    assert publication.files.count() == 2  # public and staff
    asked = AuditEvent.objects.filter(policy_id=policy.pk, action="publication.files_store_requested")
    assert [event.actor for event in asked] == [people.pcu, people.pcu]
    text = client.get(page_url).content.decode()
    assert "are not stored" not in text and "Store the files again" not in text
    # Stored: asking again does nothing, and says so.
    response = client.post(again_url, follow=True)
    assert "already stored" in response.content.decode() and asked.count() == 2


def test_the_downloads_answer_a_handled_503_while_the_files_are_not_stored(client, people, broken_store,
                                                                           django_capture_on_commit_callbacks):
    policy, _ = publish(people, django_capture_on_commit_callbacks)
    for url, who in ((f"/publication-scheme/{policy.reference}/pdf/", None),
                     (f"/policies/{policy.reference}/pdf/", people.developer)):
        if who:
            client.force_login(who)
        response = client.get(url)
        assert response.status_code == 503, url
        assert response["Content-Type"].startswith("text/html") and int(response["Retry-After"]) > 0
        text = response.content.decode()
        assert "The PDF of this document is not available just now" in text and "Errno" not in text
    # A recorded failure is not rendered again for each download (seconds of work): PCU stores the files again.
    assert len(failures(policy)) == 1


def test_a_download_before_the_task_that_cannot_store_says_it_is_being_prepared(client, people, broken_store):
    """Until the task's last attempt is recorded, the download says the PDF is being prepared (202), rendering
    nothing itself (tests/publication/test_published_pdf_prepared.py); then 503, as above."""
    policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)  # no commit: no task
    response = client.get(f"/publication-scheme/{policy.reference}/pdf/")
    assert response.status_code == 202 and int(response["Retry-After"]) > 0


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_unreadable_stored_file_is_a_handled_503(client, people, settings, tmp_path, signed_in,
                                                    django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    policy, publication = publish(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    if signed_in:
        client.force_login(people.developer)
    assert client.get(url).status_code == 200  # remembered: the next anonymous one is answered early
    public = publication.files.get(audience="public")
    path = default_storage.path(public.storage_name)
    os.remove(path)
    os.mkdir(path)  # there, but unreadable as a file (IsADirectoryError)

    response = client.get(url)
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    assert "cannot be read" in response.content.decode()
    client.force_login(people.pcu)
    staff_copy = publication.files.get(audience="staff")
    os.remove(default_storage.path(staff_copy.storage_name))
    for download in (f"/policies/{policy.reference}/pdf/",
                     f"/policies/{policy.reference}/publication/{publication.pk}/files/{staff_copy.pk}/"):
        response = client.get(download)
        assert response.status_code == 503 and int(response["Retry-After"]) > 0, download


def test_the_safety_net_records_a_failure_once_and_goes_on(people, broken_store):
    policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    publication_publish_now = policy_publish(policy=policy, actor=people.pcu)  # no commit: no task
    assert publication_store_missing_files() == []
    [event] = failures(policy)
    assert event.changes["publication"] == publication_publish_now.pk and event.changes["attempts"] == 1
    # Recorded, PCU told: beat leaves it to PCU's "Store the files again" rather than telling them every 5 minutes.
    assert publication_store_missing_files() == []
    assert len(failures(policy)) == 1


@pytest.fixture
def working_store(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_files_not_rendered_again_are_recorded_and_stored_again_as_a_new_rendition(
        client, people, settings, tmp_path, working_store, published_without_eia, django_capture_on_commit_callbacks):
    """The retrospective EIA signed off after publication: the files rendered again could not be stored. The
    earlier files are kept and served meanwhile; PCU is told, and stores the new rendition again."""
    policy, publication = published_without_eia
    assert publication.files.count() == 2
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = str(blocker)
    complete_the_eia(policy, people, django_capture_on_commit_callbacks)

    [event] = failures(policy)
    assert event.changes["rendition_reason"] == "The retrospective Equality Impact Assessment was signed off."
    assert event.changes["attempts"] == STORE_FILES_ATTEMPTS and not publication.files.filter(rendition=2).exists()
    client.force_login(people.pcu)
    text = client.get(f"/policies/{policy.reference}/publication/").content.decode()
    assert "The PDF files of version 1.0 are not stored as rendered again" in text
    assert "readers get the files stored before" in text

    settings.MEDIA_ROOT = str(tmp_path / "media")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/policies/{policy.reference}/publication/{publication.pk}/store-files/")
    assert publication.files.filter(rendition=2).count() == 2
    assert "are not stored" not in client.get(f"/policies/{policy.reference}/publication/").content.decode()


def test_while_the_task_tries_again_no_download_renders_or_queues_it_again(
        client, people, broken_store, monkeypatch, tmp_path, django_capture_on_commit_callbacks):
    """Bounded work per request (STYLE rule 19): before the task's last attempt is recorded, each download of files
    not stored tried to render and store them itself (seconds of WeasyPrint each, one after another on the
    publication's row lock), and, once one failed, answered 503 for a minute. Now no download renders: the first
    queues the task, whose attempts fail here one after the other and record the failure (the downloads then answer
    503); once PCU stores the files again with the store mended, the download serves one."""
    from publication.services import stored_files

    renders = []
    render = stored_files._render_changed

    def counted(*args, **kwargs):
        renders.append(args)
        return render(*args, **kwargs)

    monkeypatch.setattr(stored_files, "_render_changed", counted)
    policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)  # no commit: no task
    url = f"/publication-scheme/{policy.reference}/pdf/"
    with django_capture_on_commit_callbacks() as queued:
        for _ in range(3):
            response = client.get(url)
            assert response.status_code == 202 and int(response["Retry-After"]) > 0
        client.force_login(people.developer)
        assert client.get(f"/policies/{policy.reference}/pdf/").status_code == 202
    assert not renders and len(queued) == 1
    for callback in queued:  # the worker: every attempt fails, and the last records why
        callback()
    assert len(renders) == STORE_FILES_ATTEMPTS and len(failures(policy)) == 1
    assert client.get(f"/policies/{policy.reference}/pdf/").status_code == 503
    client.logout()
    assert client.get(url).status_code == 503

    mend(broken_store, tmp_path)
    client.force_login(people.pcu)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/policies/{policy.reference}/publication/{publication.pk}/store-files/")
    response = client.get(f"/policies/{policy.reference}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
