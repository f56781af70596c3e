"""Issue 14: a publication's files are rendered once, in a task, and stored with their SHA-256; every download is
served from the stored file with an ETag derived from the hash and checked against it; a tampered file is refused
and reported, never served."""

from __future__ import annotations

import hashlib
import logging

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from core.models import AuditEvent, OutboxEvent
from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from publication import services as publication_services
from publication.models import Publication, PublishedFile
from publication.services import policy_publish, publication_publish_due, publication_store_missing_files
from tests.factories import advance_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def publish(people, django_capture_on_commit_callbacks, *, scheme=True, sensitive_sop=False, **create):
    policy = people.policy(title="Hate Crime", **create)
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Public procedure",
                                  text="<p>PUBLIC SOP TEXT</p>", publish_externally=True)
    if sensitive_sop:
        lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Tactics",
                                      text="<p>SENSITIVE SOP TEXT</p>", protective_marking="official_sensitive")
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    with django_capture_on_commit_callbacks(execute=True):
        publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=scheme)
    return policy, publication


def test_publishing_renders_each_audience_once_and_records_the_hashes(people, django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks, sensitive_sop=True)

    files = {file.audience: file for file in publication.files.all()}
    assert set(files) == {"public", "staff", "cleared"}
    for file in files.values():
        with default_storage.open(file.storage_name, "rb") as handle:
            data = handle.read()
        assert hashlib.sha256(data).hexdigest() == file.sha256 and len(data) == file.size
    assert files["cleared"].marking == "OFFICIAL-SENSITIVE" and files["public"].marking == "OFFICIAL"
    event = AuditEvent.objects.get(policy_id=policy.pk, action="publication.files_stored")
    assert event.changes["files"]["public"]["sha256"] == files["public"].sha256

    # Running the task again (or beat's safety net) renders nothing twice.
    assert publication_services.publication_store_files(publication=publication) == list(publication.files.all())
    assert publication_store_missing_files() == []
    assert AuditEvent.objects.filter(action="publication.files_stored").count() == 1


def test_an_intranet_only_official_sensitive_policy_has_only_the_cleared_copy(people,
                                                                              django_capture_on_commit_callbacks):
    _, publication = publish(people, django_capture_on_commit_callbacks, scheme=False,
                             protective_marking="official_sensitive", suitable_for_publication_scheme=False)
    assert [file.audience for file in publication.files.all()] == ["cleared"]


def test_the_record_of_a_stored_file_is_append_only(people, django_capture_on_commit_callbacks):
    _, publication = publish(people, django_capture_on_commit_callbacks)
    file = publication.files.first()
    for change in (lambda: PublishedFile.objects.filter(pk=file.pk).update(sha256="0" * 64),
                   lambda: PublishedFile.objects.filter(pk=file.pk).delete()):
        with pytest.raises(IntegrityError, match="evidence"), transaction.atomic():
            change()


def test_the_download_is_the_stored_file_with_its_etag(client, people, django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks)
    public = publication.files.get(audience="public")

    response = client.get(f"/publication-scheme/{policy.reference}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["ETag"] == f'"sha256-{public.sha256}"'
    assert hashlib.sha256(response.content).hexdigest() == public.sha256

    again = client.get(f"/publication-scheme/{policy.reference}/pdf/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"]

    client.force_login(people.developer)
    staff = client.get(f"/policies/{policy.reference}/pdf/")
    assert staff["ETag"] == f'"sha256-{publication.files.get(audience="staff").sha256}"'


def test_a_download_before_the_task_ran_queues_it_once_and_then_serves_the_stored_file(
        client, people, django_capture_on_commit_callbacks):
    """Rendered in the request before (STYLE rule 19): now queued, once, and said to be being prepared
    (tests/publication/test_published_pdf_prepared.py)."""
    policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)  # no commit: no task
    assert not publication.files.exists()

    with django_capture_on_commit_callbacks() as queued:
        first = client.get(f"/publication-scheme/{policy.reference}/pdf/")
    assert first.status_code == 202 and len(queued) == 1
    queued[0]()  # the worker
    second = client.get(f"/publication-scheme/{policy.reference}/pdf/")
    third = client.get(f"/publication-scheme/{policy.reference}/pdf/")
    assert second.status_code == third.status_code == 200
    assert second.content == third.content and publication.files.count() == 2  # public and staff


def test_a_tampered_file_is_refused_and_reported(client, people, django_capture_on_commit_callbacks, caplog):
    policy, publication = publish(people, django_capture_on_commit_callbacks)
    public = publication.files.get(audience="public")
    path = default_storage.path(public.storage_name)
    with open(path, "r+b") as handle:
        handle.seek(200)
        handle.write(b"TAMPERED")

    with caplog.at_level(logging.ERROR, logger="publication.services"):
        response = client.get(f"/publication-scheme/{policy.reference}/pdf/")

    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert b"TAMPERED" not in response.content and "does not match the record" in response.content.decode()
    event = AuditEvent.objects.filter(policy_id=policy.pk, action="publication.file_tampered").get()
    assert event.changes["expected_sha256"] == public.sha256 and event.changes["found_sha256"] != public.sha256
    assert OutboxEvent.objects.filter(audit_event=event).exists()  # PCU is told (notifications route it)
    assert "does not match its SHA-256" in caplog.text

    default_storage.delete(public.storage_name)
    assert client.get(f"/publication-scheme/{policy.reference}/pdf/").status_code == 503
    assert AuditEvent.objects.filter(policy_id=policy.pk, action="publication.file_tampered").count() == 2


def test_a_scheduled_publication_stores_its_files_when_the_job_publishes_it(people,
                                                                            django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    day = timezone.localdate() + datetime.timedelta(days=3)
    publication = policy_publish(policy=policy, actor=people.pcu, publish_on=day)
    assert not publication.files.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert publication_publish_due(today=day) == [publication.pk]
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED
    assert publication.files.count() == 1  # staff: not on the scheme
    assert AuditEvent.objects.filter(policy_id=policy.pk, action="policy.published", actor__isnull=True).exists()


def test_pcu_is_told_of_a_tampered_file(client, people, django_capture_on_commit_callbacks):
    from notifications.models import Notification
    from notifications.services import outbox_relay

    policy, publication = publish(people, django_capture_on_commit_callbacks)
    public = publication.files.get(audience="public")
    default_storage.delete(public.storage_name)
    assert client.get(f"/publication-scheme/{policy.reference}/pdf/").status_code == 503
    outbox_relay()
    told = set(Notification.objects.filter(title__contains="does not match its record").values_list(
        "recipient__username", flat=True))
    assert told == {people.pcu.username, people.pcu_qa.username}


def test_cancelling_a_scheduled_publication_tells_pcu_and_the_lead(people):
    import datetime

    from django.utils import timezone

    from notifications.models import Notification
    from notifications.services import outbox_relay
    from publication.services import publication_cancel

    policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    publication = policy_publish(policy=policy, actor=people.pcu,
                                 publish_on=timezone.localdate() + datetime.timedelta(days=5))
    outbox_relay()
    publication_cancel(publication=publication, actor=people.pcu, reason="The implementation plan moved.")
    outbox_relay()
    told = set(Notification.objects.filter(title__contains="Scheduled publication cancelled").values_list(
        "recipient__username", flat=True))
    assert {people.lead.username, people.pcu_qa.username} <= told


# --- the Scheme's file remembered in Redis between downloads (publication.scheme_files) ------------------------------


def test_a_second_download_reads_no_database_and_is_the_same_file(client, people, django_capture_on_commit_callbacks,
                                                                    django_assert_num_queries):
    policy, publication = publish(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200 and second.content == first.content and second["ETag"] == first["ETag"]
    assert hashlib.sha256(second.content).hexdigest() == publication.files.get(audience="public").sha256


def test_what_was_remembered_goes_when_a_change_commits(client, people, django_capture_on_commit_callbacks):
    """Withdrawn, the policy leaves the Scheme at once: the remembered file is not served after the commit."""
    from tests.factories import take_step

    policy, _ = publish(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    assert client.get(url).status_code == 200  # remembered
    with django_capture_on_commit_callbacks(execute=True):
        take_step(policy, people, Status.WITHDRAWN, reason="Replaced.")
    assert client.get(url).status_code == 404


def test_a_re_marked_policys_file_is_not_served_from_memory(client, people, django_capture_on_commit_callbacks):
    from lifecycle.services.details import policy_update_details

    policy, _ = publish(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    assert client.get(url).status_code == 200
    lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Review.")
    with django_capture_on_commit_callbacks(execute=True):
        policy_update_details(policy=policy, actor=people.developer, expected_details=None,
                              **{**policy.details_snapshot(), "protective_marking": "official_sensitive",
                                 "suitable_for_publication_scheme": False})
    assert client.get(url).status_code == 404


def test_a_file_read_before_a_change_committed_is_never_used_after(client, people,
                                                                    django_capture_on_commit_callbacks):
    """The race: a download reads the generation, then the database; a change commits and is forgotten; only then
    does the download write what it read. That entry carries the older generation, and is not used."""
    from publication import scheme_files
    from publication.ratelimit import redis_client

    policy, publication = publish(people, django_capture_on_commit_callbacks)
    public = publication.files.get(audience="public")
    cache = scheme_files._cache()
    generation_key, _ = scheme_files.keys_of(policy.reference)
    read_before = redis_client(cache).get(cache.make_key(generation_key))
    scheme_files.forget(policy.pk)  # the change commits
    scheme_files.remember(policy.reference, read_before, public)  # the late write
    generation_now = redis_client(cache).get(cache.make_key(generation_key))
    entry = redis_client(cache).get(cache.make_key(scheme_files.keys_of(policy.reference)[1]))
    assert entry is not None and scheme_files.remembered(policy.reference, generation_now, entry) is None
    assert scheme_files.remembered(policy.reference, read_before, entry) is not None


def test_a_remembered_entry_names_only_a_public_copy_and_the_bytes_are_still_checked(client, people,
                                                                                        django_capture_on_commit_callbacks):
    from publication import scheme_files

    policy, publication = publish(people, django_capture_on_commit_callbacks, sensitive_sop=True)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    cleared = publication.files.get(audience="cleared")
    # An entry naming the cleared copy (written by anything but this code) is never used.
    scheme_files.remember(policy.reference, None, cleared)
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"] == f'"sha256-{publication.files.get(audience="public").sha256}"'

    # Remembered or not, the bytes are checked: a tampered file is refused.
    public = publication.files.get(audience="public")
    with open(default_storage.path(public.storage_name), "r+b") as handle:
        handle.seek(100)
        handle.write(b"TAMPERED")
    assert client.get(url).status_code == 503
