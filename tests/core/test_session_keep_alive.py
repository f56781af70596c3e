"""WCAG 2.2.1 (Timing Adjustable), QA walk of 2026-12-06 (HIGH): typing did not count as activity, so a statement
drafted for over 30 minutes was lost at the idle timeout, with no warning and no way to extend it. A signed-in page
now carries the timings of GOV.UK's timeout warning (from settings), and its "Stay signed in", and typing in a form,
post to /session/keep-alive/: signed-in only, POST only, CSRF-checked; it starts the idle clock again and leaves the
absolute lifetime as it was (core.views.session_keep_alive; the browser's side:
tests/browser/test_session_timeout.py)."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from core.middleware import LAST_SEEN_COOKIE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KEEP_ALIVE = "/session/keep-alive/"


def signed_in_at(moment, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    with time_machine.travel(moment, tick=False):
        client.force_login(UserFactory(username="developer"))
        assert client.get("/").status_code == 200
    return client


def keep_alive(client: Client):
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return client.post(KEEP_ALIVE, HTTP_X_CSRFTOKEN=token)


def test_it_starts_the_idle_clock_again():
    start = timezone.now()
    client = signed_in_at(start)
    with time_machine.travel(start + datetime.timedelta(minutes=25), tick=False):
        response = keep_alive(client)
    assert response.status_code == 204 and response.content == b""
    assert LAST_SEEN_COOKIE in response.cookies  # what session_lifetime reads, written again
    # 50 minutes after the last page, 25 after the keep-alive: still signed in.
    with time_machine.travel(start + datetime.timedelta(minutes=50), tick=False):
        assert client.get("/policies/").status_code == 200


def test_without_it_the_idle_timeout_stands():
    start = timezone.now()
    client = signed_in_at(start)
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        response = keep_alive(client)
    assert response.status_code == 401  # too late: the session has ended (not the sign-in redirect, for a script)
    assert "_auth_user_id" not in client.session
    with time_machine.travel(start + datetime.timedelta(minutes=31, seconds=5), tick=False):
        page = client.get("/policies/", follow=True)
    assert page.redirect_chain[0] == ("/sign-in/?next=/policies/", 302)
    assert "You were signed out after 30 minutes without activity." in page.content.decode()


def test_it_does_not_extend_the_absolute_lifetime():
    start = timezone.now()
    client = signed_in_at(start)
    for minutes in range(25, 12 * 60, 25):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert keep_alive(client).status_code == 204, minutes
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=1), tick=False):
        assert keep_alive(client).status_code == 401
        page = client.get("/", follow=True)
    assert "You were signed out because you signed in more than 12 hours ago." in page.content.decode()


def test_signed_in_only():
    response = Client().post(KEEP_ALIVE)
    assert response.status_code == 401
    assert "Location" not in response


def test_post_only():
    client = signed_in_at(timezone.now())
    response = client.get(KEEP_ALIVE)
    assert response.status_code == 405 and response["Allow"] == "POST"


def test_csrf_checked():
    client = signed_in_at(timezone.now(), enforce_csrf_checks=True)
    assert client.post(KEEP_ALIVE).status_code == 403
    assert keep_alive(client).status_code == 204


def dialog_of(page: str) -> dict[str, str]:
    tag = re.search(r'<dialog[^>]*id="session-timeout"[^>]*>', page, re.S)
    assert tag, "no timeout warning on the page"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag.group(0)))


def test_a_signed_in_page_carries_the_timings_from_settings():
    start = timezone.now()
    client = signed_in_at(start)
    for minutes in range(20, 121, 20):  # in use for two hours
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            page = client.get("/policies/").content.decode()
    data = dialog_of(page)
    assert data["idle-seconds"] == str(int(settings.POLICYHUB_SESSION_IDLE_TIMEOUT.total_seconds())) == "1800"
    assert data["warning-seconds"] == "120" and data["keep-alive-seconds"] == "300"
    assert data["absolute-seconds-left"] == str(10 * 3600)  # signed in two hours before
    assert data["keep-alive-url"] == KEEP_ALIVE
    assert 'role="alertdialog"' in page and "Stay signed in" in page


def test_a_short_idle_timeout_shortens_the_warning_to_fit(settings):
    settings.POLICYHUB_SESSION_IDLE_TIMEOUT = datetime.timedelta(seconds=60)
    client = signed_in_at(timezone.now())
    data = dialog_of(client.get("/").content.decode())
    assert (data["idle-seconds"], data["warning-seconds"], data["keep-alive-seconds"]) == ("60", "30", "20")


def test_no_warning_for_someone_not_signed_in():
    assert 'id="session-timeout"' not in Client().get("/publication-scheme/").content.decode()
