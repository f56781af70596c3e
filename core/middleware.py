"""htmx requests and the sign-in redirect.

An htmx request (the register's in-page update) from a browser whose session has expired is redirected to
the sign-in page like any other; the XMLHttpRequest would follow that redirect silently and htmx would swap
the sign-in form into the results area. Instead answer 401 with ``HX-Redirect``, keeping the ``next``
address: htmx follows HX-Redirect with a whole-page load before it looks at the status, and the history
restore after the back button (which ignores HX-Redirect) sees an error, on which frontend/js/application.js
loads the page for real, reaching the same sign-in redirect."""

import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import resolve_url


def htmx_sign_in_redirect(get_response):
    def middleware(request):
        response = get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and response.get("Location", "").split("?")[0] == resolve_url(settings.LOGIN_URL)
        ):
            redirect = HttpResponse("Your session has ended: sign in again.", status=401,
                                    content_type="text/plain; charset=utf-8")
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response

    return middleware


def security_headers(get_response):
    """Permissions-Policy on every response; ``Cache-Control: no-store, private`` on every response to a
    signed-in user, files included (staff PDFs, OFFICIAL-SENSITIVE ones among them), so that neither a shared
    proxy nor the browser's disk keeps a copy. Anonymous pages (the Publication Scheme) keep their own headers."""

    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", settings.POLICYHUB_PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
            response.headers.pop("Last-Modified", None)
            # A stored file's ETag names its content by SHA-256 (issue 14) and reveals nothing the file does not:
            # kept, so staff can check what they were sent. Any other validator goes with the cache.
            if not response.get("ETag", "").startswith('"sha256-'):
                response.headers.pop("ETag", None)
        return response

    return middleware


SIGNED_IN_AT = "policyhub_signed_in_at"
LAST_SEEN_AT = "policyhub_last_seen_at"
# The time of the last request is kept in a signed cookie bound to the session, not in the session row: writing
# the session on every request would add a database write to every page. The cookie cannot be forged, moved to
# another session, or moved forward without making a request, which is all the idle timeout needs.
LAST_SEEN_COOKIE = "policyhub_last_seen"
LAST_SEEN_SALT = "core.middleware.last_seen"


def session_start(sender, request, user, **kwargs):
    """On sign-in both clocks start (in the session row, which login() saves anyway)."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


def _session_tag(request) -> str:
    return hashlib.sha256(f"{request.session.session_key}".encode()).hexdigest()[:32]


def _last_seen_from_cookie(request) -> float:
    value = request.get_signed_cookie(LAST_SEEN_COOKIE, default="", salt=LAST_SEEN_SALT)
    tag, _, seen = value.partition(":")
    if tag != _session_tag(request):
        return 0.0
    try:
        return float(seen)
    except ValueError:
        return 0.0


def session_ended_because(request, now: float) -> str | None:
    """Why a signed-in session has run out (idle or past its absolute lifetime), or None."""
    session = request.session
    if SIGNED_IN_AT not in session:  # a session from before these clocks: they start now
        session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now
    if now - session[SIGNED_IN_AT] > settings.POLICYHUB_SESSION_MAX_AGE.total_seconds():
        hours = round(settings.POLICYHUB_SESSION_MAX_AGE.total_seconds() / 3600)
        return f"You were signed out because you signed in more than {hours} hours ago. Sign in again."
    last_seen_at = max(session.get(LAST_SEEN_AT, 0.0), _last_seen_from_cookie(request))
    if now - last_seen_at > settings.POLICYHUB_SESSION_IDLE_TIMEOUT.total_seconds():
        minutes = round(settings.POLICYHUB_SESSION_IDLE_TIMEOUT.total_seconds() / 60)
        return f"You were signed out after {minutes} minutes without activity. Sign in again."
    return None


def session_lifetime(get_response):
    """End a signed-in session after the idle timeout or the absolute lifetime (settings
    POLICYHUB_SESSION_IDLE_TIMEOUT, POLICYHUB_SESSION_MAX_AGE). The request then goes on as anonymous: a page
    that needs a signed-in user redirects to sign-in, where the message says why, and an htmx request gets
    htmx_sign_in_redirect's 401 with HX-Redirect as before."""

    def middleware(request):
        now = time.time()
        if request.user.is_authenticated:
            reason = session_ended_because(request, now)
            if reason:
                logout(request)
                messages.info(request, reason)
        response = get_response(request)
        if request.user.is_authenticated and request.session.session_key:
            response.set_signed_cookie(
                LAST_SEEN_COOKIE, f"{_session_tag(request)}:{now}", salt=LAST_SEEN_SALT,
                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
            )
        elif LAST_SEEN_COOKIE in request.COOKIES:
            response.delete_cookie(LAST_SEEN_COOKIE, samesite="Lax")
        return response

    return middleware
