"""Issue 14: the Scheme's stored PDF answered early in the middleware stack (publication.middleware), like a static
file, gives exactly the view's answer: the same bytes, status and headers (the security headers among them), the
same 304, counted once against the rate limit (429 past it), and a tampered file refused and reported, not served.
Anything it does not answer goes on to the view through the whole stack."""

from __future__ import annotations

import ipaddress
import itertools
import random

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.utils import timezone

from core.models import AuditEvent
from lifecycle.states import Status
from publication.services import policy_publish
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

EARLY = "publication.middleware.scheme_file_download"
# The headers the whole stack puts on the file for an anonymous reader; each must be on the early answer too.
SECURITY_HEADERS = {"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                    "Cross-Origin-Opener-Policy", "Permissions-Policy"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def published(people, django_capture_on_commit_callbacks):
    policy = advance_to(people.policy(title="Hate Crime"), Status.AWAITING_PUBLICATION, people)
    with django_capture_on_commit_callbacks(execute=True):
        publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    return policy, publication.files.get(audience="public")


def answered_early(response) -> bool:
    """The session middleware never saw a request answered before it."""
    return not hasattr(response.wsgi_request, "session")


def view_only(method: str, url: str, **extra):
    """The same request through the stack without the early answer: what the view alone sends."""
    from django.conf import settings

    with override_settings(MIDDLEWARE=[name for name in settings.MIDDLEWARE if name != EARLY]):
        return getattr(Client(), method)(url, **extra)


# Each call a new address of 10.0.0.0/8, from a random start per test process.
_ADDRESSES = itertools.count(random.randrange(1 << 23))


def address() -> dict:
    """A client address of this test alone: the other tests, and the other test workers, share the Redis database and
    its per-address counts for the minute (CI once drew, among 198.51.100.0/24's 254 addresses, one another test had
    just used up, and the first download of a "3/m" test was refused)."""
    return {"REMOTE_ADDR": str(ipaddress.IPv4Address((10 << 24) | next(_ADDRESSES) % (1 << 24)))}


def test_the_early_answer_is_the_views_answer_header_by_header(client, people, django_capture_on_commit_callbacks,
                                                                django_assert_num_queries):
    policy, public = published(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    first = client.get(url)  # not remembered yet: the view reads the database and remembers the file
    assert first.status_code == 200 and not answered_early(first)

    for method, extra in [("get", {}), ("head", {}), ("get", {"HTTP_IF_NONE_MATCH": f'"x", {public.etag}'})]:
        with django_assert_num_queries(0):
            early = getattr(client, method)(url, **extra)
        view = view_only(method, url, **extra)
        assert answered_early(early) and not answered_early(view)
        assert early.status_code == view.status_code
        assert early.content == view.content
        assert dict(early.headers) == dict(view.headers)
        assert set(early.headers) >= SECURITY_HEADERS
        assert early["ETag"] == f'"sha256-{public.sha256}"' and early["Vary"] == "Cookie"
        assert not early.cookies
    assert early.status_code == 304 and early["Content-Length"] == "0"
    assert first.content == client.get(url).content and len(first.content) == public.size


def test_a_download_is_counted_once_whichever_answers_it(client, people, settings,
                                                         django_capture_on_commit_callbacks):
    policy, _ = published(people, django_capture_on_commit_callbacks)
    settings.POLICYHUB_PUBLIC_FILE_RATE = "2/m"
    url = f"/publication-scheme/{policy.reference}/pdf/"
    client_address = address()
    with time_machine.travel(timezone.now(), tick=False):
        first = client.get(url, **client_address)  # handed to the view (not remembered): counted there only
        second = client.get(url, **client_address)  # answered early
        third = client.get(url, **client_address)  # past the limit: the view's 429 page, counted once
    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 429]
    assert not answered_early(first) and answered_early(second) and not answered_early(third)
    assert int(third["Retry-After"]) >= 1 and "Too many requests" in third.content.decode()
    assert set(third.headers) >= SECURITY_HEADERS


def test_a_tampered_file_is_refused_and_reported_once_not_served_early(client, people,
                                                                         django_capture_on_commit_callbacks):
    policy, public = published(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    assert client.get(url).status_code == 200
    assert answered_early(client.get(url))  # remembered and intact: answered early
    with open(default_storage.path(public.storage_name), "r+b") as handle:  # same size, same place
        handle.seek(300)
        handle.write(b"TAMPERED")

    refused = client.get(url)

    assert refused.status_code == 503 and b"TAMPERED" not in refused.content and not answered_early(refused)
    assert "does not match the record" in refused.content.decode()
    assert AuditEvent.objects.filter(policy_id=policy.pk, action="publication.file_tampered").count() == 1
    assert set(refused.headers) >= SECURITY_HEADERS
    # A client that holds the genuine file is still told it is current (its ETag names the recorded hash).
    assert client.get(url, HTTP_IF_NONE_MATCH=public.etag).status_code == 304


def test_a_signed_in_reader_is_answered_by_the_whole_stack(client, people, django_capture_on_commit_callbacks):
    policy, public = published(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    client.get(url)
    client.force_login(people.developer)

    response = client.get(url)

    assert response.status_code == 200 and not answered_early(response)
    assert response["Cache-Control"] == "no-store, private" and response["ETag"] == public.etag


def test_only_a_safe_request_of_the_pdf_url_from_an_allowed_host_is_answered_early(client, people,
                                                                                     django_capture_on_commit_callbacks):
    policy, _ = published(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    client.get(url)

    assert client.post(url).status_code == 405
    assert client.get(url, HTTP_HOST="evil.example").status_code == 400
    assert client.get(f"/publication-scheme/{policy.reference}/").status_code == 200  # the entry's page
    assert client.get(f"/publication-scheme/{policy.reference}/pdf/extra/").status_code == 404
    assert client.get(f"/publication-scheme/{'X' * 300}/pdf/").status_code == 404  # not a reference
    assert client.get("/publication-scheme/NO-SUCH-REF/pdf/").status_code == 404
    assert answered_early(client.get(url))


def test_what_was_remembered_is_not_served_early_after_a_change_commits(client, people,
                                                                         django_capture_on_commit_callbacks):
    from tests.factories import take_step

    policy, _ = published(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    client.get(url)
    assert answered_early(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        take_step(policy, people, Status.WITHDRAWN, reason="Replaced.")
    assert client.get(url).status_code == 404


def test_the_file_read_while_redis_answers_is_served_only_if_redis_names_it(client, people,
                                                                             django_capture_on_commit_callbacks):
    """The early download reads the file this process was last told of while Redis answers; if Redis now names
    another file (a new rendition), that one is read, checked and served."""
    import hashlib

    from django.core.files.base import ContentFile

    from publication import scheme_files
    from publication.models import PublishedFile
    from publication.ratelimit import redis_client

    policy, public = published(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    client.get(url)
    assert answered_early(client.get(url)) and scheme_files.last_named(policy.reference).sha256 == public.sha256

    data = b"%PDF-1.7 another rendition"
    sha256 = hashlib.sha256(data).hexdigest()
    other = PublishedFile(id=public.pk + 1000, publication_id=public.publication_id, audience="public",
                          storage_name=f"publications/{policy.reference}/2-public-{sha256[:16]}.pdf",
                          content_type="application/pdf", size=len(data), sha256=sha256)
    default_storage.save(other.storage_name, ContentFile(data))
    scheme_files.forget(policy.pk)  # a change commits; a download reads the database and remembers the new file
    cache = scheme_files._cache()
    scheme_files.remember(policy.reference, redis_client(cache).get(cache.make_key(
        scheme_files.keys_of(policy.reference)[0])), other)

    response = client.get(url)

    assert answered_early(response) and response.content == data and response["ETag"] == other.etag
    assert scheme_files.last_named(policy.reference).sha256 == sha256


def test_a_download_interrupted_while_redis_answers_leaves_no_reply_for_the_next(client, people, settings,
                                                                                  django_capture_on_commit_callbacks,
                                                                                  monkeypatch):
    """The connection of a count whose replies were never read is dropped: the next download reads its own."""
    from publication import middleware

    policy, _ = published(people, django_capture_on_commit_callbacks)
    settings.POLICYHUB_PUBLIC_FILE_RATE = "3/m"
    url = f"/publication-scheme/{policy.reference}/pdf/"
    client_address = address()
    with time_machine.travel(timezone.now(), tick=False):
        assert client.get(url, **client_address).status_code == 200
        assert answered_early(client.get(url, **client_address))

        def fails(**_):
            raise OSError("The disk went away.")

        monkeypatch.setattr(middleware, "published_file_intact", fails)
        with pytest.raises(OSError):
            client.get(url, **client_address)  # counted (third), its replies never read
        monkeypatch.undo()
        assert client.get(url, **client_address).status_code == 429  # the fourth, not the third's reply


def test_without_the_shared_cache_the_file_is_still_served(client, people, django_capture_on_commit_callbacks,
                                                           monkeypatch, caplog):
    import logging

    import redis

    from publication import ratelimit, scheme_files

    policy, public = published(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    assert client.get(url).status_code == 200
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    with monkeypatch.context() as patched, caplog.at_level(logging.WARNING, logger="publication"):
        patched.setattr(ratelimit, "redis_client", lambda cache: unreachable)
        patched.setattr(scheme_files, "redis_client", lambda cache: unreachable)
        response = client.get(url)

    assert response.status_code == 200 and response["ETag"] == public.etag and len(response.content) == public.size
    assert "not counted: the shared cache is unavailable" in caplog.text


def test_an_error_while_answering_early_is_the_stacks_error_page_with_its_headers(people, monkeypatch,
                                                                                    django_capture_on_commit_callbacks):
    from publication import middleware

    policy, _ = published(people, django_capture_on_commit_callbacks)
    url = f"/publication-scheme/{policy.reference}/pdf/"
    client = Client(raise_request_exception=False)
    client.get(url)

    def fails(**_):
        raise RuntimeError("Something unforeseen.")

    with monkeypatch.context() as patched:
        patched.setattr(middleware, "published_file_intact", fails)
        response = client.get(url)

    assert response.status_code == 500 and answered_early(response)
    assert set(response.headers) >= SECURITY_HEADERS
    assert response["X-Frame-Options"] == "DENY" and "'nonce-" in response["Content-Security-Policy"]
