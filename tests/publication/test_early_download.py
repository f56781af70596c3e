"""Issue 14: the Scheme's stored PDF answered early in the middleware stack (publication.middleware), like a static
file, gives exactly the view's answer: the same bytes, status and headers (the security headers among them), the
same 304, counted once against the rate limit (429 past it), and a tampered file refused and reported, not served.
Anything it does not answer goes on to the view through the whole stack."""

from __future__ import annotations

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


def address() -> dict:
    """A client address of this test alone (another test worker shares the Redis database)."""
    return {"REMOTE_ADDR": f"198.51.100.{random.randrange(1, 255)}"}


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
        assert SECURITY_HEADERS <= set(early.headers)
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
    assert SECURITY_HEADERS <= set(third.headers)


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
    assert SECURITY_HEADERS <= set(refused.headers)
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
