"""htmx requests and the sign-in redirect.

An htmx request (the register's in-page update) from a browser whose session has expired is redirected to
the sign-in page like any other; the XMLHttpRequest would follow that redirect silently and htmx would swap
the sign-in form into the results area. Instead answer 401 with ``HX-Redirect``, keeping the ``next``
address: htmx follows HX-Redirect with a whole-page load before it looks at the status, and the history
restore after the back button (which ignores HX-Redirect) sees an error, on which frontend/js/application.js
loads the page for real, reaching the same sign-in redirect."""

import hashlib
import re
import time
from functools import lru_cache
from urllib.parse import unquote, urlencode, urlsplit

import csp.middleware
from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy as csp_build_policy
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponsePermanentRedirect
from django.shortcuts import render, resolve_url
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

from core.converters import REFERENCE_PATTERN
from core.typed_back import typed_for


def referer_path(request) -> str:
    """The path (and query) of the page the request came from (its Referer), when it is a page of this service; else
    "". A path of this host beginning "//" or "/\\" (which browsers read as "//") is another site's address once
    written in a link, so it is not one (review of 2026-12-06: a Referer of http://host//evil.example/x gave the back
    link "//evil.example/x")."""
    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                          require_https=request.is_secure()):
        return ""
    parts = urlsplit(referer)
    path = parts.path
    if not path.startswith("/") or path[1:2] in ("/", "\\") or unquote(path)[1:2] in ("/", "\\"):
        return ""
    return path + (f"?{parts.query}" if parts.query else "")


def page_posted_from(request) -> str:
    """The path (and query) of the page a form was posted from, when it is this service's; else My work's."""
    return referer_path(request) or resolve_url("home")


def sign_in_back_url(request) -> str:
    """Sign-in, leading back to the page a form was posted from (``page_posted_from``)."""
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page_posted_from(request)}, safe='/')}"


SIGNED_OUT_NOT_SAVED = "You are signed out, so what you sent was not saved. Sign in, then send it again."


def posted_from_this_service(request) -> bool:
    """The browser's own word (Sec-Fetch-Site, which no page's script can set) that the request came from a page of
    this service; from a browser that does not send it, a Referer of this service's (``referer_path``). What another
    site's page posts here must never have its words shown on this service's page."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    return bool(referer_path(request))


def htmx_sign_in_redirect(get_response):
    """Sign-in asked for mid-request, made fit for how the request came: an htmx request sends the whole page to
    sign in (a 401 with HX-Redirect); a form posted after the session ended leads back, after sign-in, to the page
    it was posted from, not to its own address, which takes only posts (a blank "405")."""

    def middleware(request):
        response = get_response(request)
        to_sign_in = (response.status_code == 302
                      and response.get("Location", "").split("?")[0] == resolve_url(settings.LOGIN_URL))
        if to_sign_in and request.method == "POST":
            response["Location"] = sign_in_back_url(request)
            # What was typed into the form is shown back to copy, as the CSRF failure page does (core.typed_back):
            # the session it could have been kept in is gone (QA walk of 2026-12-06: a post after the session ended
            # lost it). A page, not the redirect, only when there is something typed to show, to a post the browser
            # says came from this service's own page, and not to htmx (whose page goes to sign in itself).
            typed = (typed_for(request) if request.headers.get("HX-Request") != "true"
                     and posted_from_this_service(request) else [])
            if typed:
                return render(request, "errors/signed_out_typed.html",
                              {"sign_in_url": response["Location"], "typed": typed}, status=403)
            # What was sent was not saved, and cannot be kept across a sign-in without the session it lived in: said,
            # rather than leave the sender back on the page, the form empty, with no word of it (QA walk of
            # 2026-12-06, a decision sent after signing out in another tab). Not of signing out itself, whose post
            # leads to sign-in too.
            if getattr(request.resolver_match, "url_name", None) != "logout":
                messages.warning(request, SIGNED_OUT_NOT_SAVED)
        if to_sign_in and request.headers.get("HX-Request") == "true":
            redirect = HttpResponse("Your session has ended: sign in again.", status=401,
                                    content_type="text/plain; charset=utf-8")
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response

    return middleware


def form_address_opened_as_a_page(get_response):
    """An address that only takes a form's post (require_POST: marking notifications read, confirming a policy was
    read, PCU's "Store the files again"), opened as a page (a bookmark, the address typed, a reload from history):
    Django's empty 405, which Chromium shows as "This page isn't working", becomes a page saying why, with the way
    back, still 405 with its Allow header (QA10 item 12). One place for every such view; any other refusal of a
    method (a script's post to a page that is only read) is left as it was."""

    def middleware(request):
        response = get_response(request)
        if (request.method != "GET" or not isinstance(response, HttpResponseNotAllowed) or response.content
                or "POST" not in {method.strip() for method in response.get("Allow", "").split(",")}):
            return response
        came_from = page_posted_from(request)
        back = came_from if came_from not in {resolve_url("home"), request.get_full_path()} else ""
        page = render(request, "errors/405.html", {"back": back}, status=405)
        page["Allow"] = response["Allow"]
        return page

    return middleware


# The summary's own opening tag, as every template draws it: not its class alone, which the words of a sanitised text
# may quote (a '"' in text stays as it is), titling its page "Error: " (review of 2026-12-06). No text holds the tag:
# a "<" in text is written "&lt;", and the sanitiser keeps no class or data- attribute.
ERROR_SUMMARY = b'<div class="govuk-error-summary" data-module="govuk-error-summary"'
TITLE_OPENS = b"<title>"
ERROR_PREFIX = b"Error: "


def error_in_title(get_response):
    """GOV.UK: a page showing an error summary starts its <title> with "Error: ", so that a screen reader says so
    first. Added here, once, to every HTML page that shows one, whatever drew it (a form's errors, a bad address, a
    period the wrong way round), and to none that already says it: pages had the summary without the prefix (QA10
    item 10: /notices/?before=x, /dashboard/report/ with its dates reversed). A fragment for htmx has no title."""

    def middleware(request):
        response = get_response(request)
        if (response.streaming or not response.get("Content-Type", "").startswith("text/html")
                or ERROR_SUMMARY not in response.content):
            return response
        content = response.content
        opens = content.find(TITLE_OPENS)
        if opens == -1:
            return response
        at = opens + len(TITLE_OPENS)
        if content.startswith(ERROR_PREFIX, at):
            return response
        response.content = content[:at] + ERROR_PREFIX + content[at:]
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
    if not tag or tag != _session_tag(request):
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


def session_seconds_left(request, now: float) -> tuple[float, float]:
    """How long a signed-in session has left, in seconds, as of ``now`` (this request, which starts its idle clock
    again): before the idle timeout, and before its absolute lifetime. What the timeout warning counts down
    (core.context_processors.session_timeout)."""
    signed_in_at = request.session.get(SIGNED_IN_AT, now)
    return (settings.POLICYHUB_SESSION_IDLE_TIMEOUT.total_seconds(),
            max(0.0, signed_in_at + settings.POLICYHUB_SESSION_MAX_AGE.total_seconds() - now))


def session_lifetime(get_response):
    """End a signed-in session after the idle timeout or the absolute lifetime (settings
    POLICYHUB_SESSION_IDLE_TIMEOUT, POLICYHUB_SESSION_MAX_AGE). The request then goes on as anonymous: a page
    that needs a signed-in user redirects to sign-in, where the message says why, and an htmx request gets
    htmx_sign_in_redirect's 401 with HX-Redirect as before."""

    def middleware(request):
        now = time.time()
        # The user is loaded here in any case (is_authenticated): keep the user itself on the request rather than
        # Django's lazy wrapper, whose every attribute read is a proxy call (views, permissions, templates and the
        # other middleware read it dozens of times a page: issue 16). The same object, loaded the same way.
        user = request.user
        if isinstance(user, SimpleLazyObject):
            user.is_authenticated  # noqa: B018 (loads it)
            request.user = user = user._wrapped
        if user.is_authenticated:
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


# Stands for the response's nonce in the policy built once; not base64, so it cannot be a nonce itself.
_NONCE_MARKER = "core-middleware-nonce-marker"
# django-csp's per-response policies (its decorators; this project uses none): a response with one gets
# django-csp's own handling.
_RESPONSE_POLICY_ATTRIBUTES = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro",
                               "_csp_replace_ro")


@lru_cache(maxsize=2)
def _settings_policy(with_nonce: bool) -> str:
    """The Content-Security-Policy of settings.CONTENT_SECURITY_POLICY, as django-csp builds it, with _NONCE_MARKER
    for the nonce (or without a nonce: a response whose page used none)."""
    return csp_build_policy(nonce=_NONCE_MARKER if with_nonce else None)


@receiver(setting_changed)
def _csp_settings_changed(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _settings_policy.cache_clear()


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, with the policy of a response that carries none of its own built once per process
    and the response's nonce put in it (django-csp built it from the settings on every response: about 0.1 ms, a
    twentieth of the register's Python; issue 16). A response with a policy of its own, a report-only policy in
    the settings, or DEBUG go through django-csp as they are."""

    def process_response(self, request, response):
        if (settings.DEBUG or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
                or any(getattr(response, name, None) is not None for name in _RESPONSE_POLICY_ATTRIBUTES)):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        policy = _settings_policy(nonce is not None)
        if nonce is not None:
            policy = policy.replace(_NONCE_MARKER, nonce)
        # As django-csp: not over a header already set, nor on an exempt response or an excluded path.
        prefixes = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        if (policy and CSP_HEADER not in response and getattr(response, "_csp_exempt", False) is False
                and not request.path_info.startswith(tuple(prefixes))):
            response[CSP_HEADER] = policy
        # As django-csp: the nonce cannot be asked for once the header is written.
        if nonce is None:
            request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


# A policy reference (POL-0042, core.services.reference_allocate) as the segment after these prefixes, in any case:
# the pattern of the routes' <reference:...> converter (core.converters), so what is redirected is what they take.
REFERENCE_IN_PATH = re.compile(rf"^/(library|policies|publication-scheme)/({REFERENCE_PATTERN})(/.*)?$")


def reference_case(get_response):
    """A policy's address with its reference typed in lower case (/library/pol-0004/) answers 301 to the address with
    it in capitals, the one every link uses. Nothing is looked up, so the answer is the same for a policy that exists,
    one the reader may not see and one that does not: the canonical page then answers as it always does. Only GET and
    HEAD: a redirected post would lose its body."""

    def middleware(request):
        if request.method in ("GET", "HEAD"):
            match = REFERENCE_IN_PATH.match(request.path_info)
            if match is not None and match.group(2) != match.group(2).upper():
                prefix, reference, rest = match.groups()
                query = request.META.get("QUERY_STRING", "")
                location = f"{request.path[:len(request.path) - len(request.path_info)]}/{prefix}/" \
                           f"{reference.upper()}{rest or ''}"
                return HttpResponsePermanentRedirect(location + (f"?{query}" if query else ""))
        return get_response(request)

    return middleware
