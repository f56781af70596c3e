"""The Publication Scheme's stored PDF, answered early in the middleware stack (issue 14: "downloading a stored PDF:
within 1.2x serving the same file as a static file").

A static file is answered by WhiteNoise before the session, CSRF, authentication, messages and lockout middleware
run; an anonymous download of a public stored file needs none of them either. This middleware sits right after
WhiteNoise (settings.MIDDLEWARE) and answers only GET and HEAD of the Scheme's PDF URL
(/publication-scheme/<reference>/pdf/, read from the URLconf) from a client with no session: nothing the skipped
middleware does would change the answer. It keeps everything the view guarantees:

- the rate limit is counted in Redis, in the same single round trip that reads the file's remembered record
  (publication.views.scheme_file_count_start, publication.scheme_files); while the reply is on its way, the file
  this process was last told of is read and checked, and used only if the reply names it;
- the bytes served are the bytes hashed, checked against the SHA-256 recorded at publication on every download
  (publication.services.published_file_intact);
- the ETag derived from the SHA-256, and 304 for a matching If-None-Match;
- the headers the stack adds: SecurityMiddleware (nosniff, Referrer-Policy, COOP, HSTS) runs before this one, and
  the response goes through the same CommonMiddleware, XFrameOptionsMiddleware, CSPMiddleware and
  core.middleware.security_headers as the view's, with the Vary: Cookie the session middleware adds.

Everything else goes on through the stack to publication.views.scheme_pdf, with what was counted left on the
request so the download is counted once: a client past the limit (the 429 page), a file not remembered (the
database is read), a file missing or failing its check (refused, reported, 503), a request with a session cookie
(a signed-in reader gets no-store and a session kept alive), a Host not allowed, anything but GET or HEAD, and the
question the page saying the PDF is being prepared asks by itself (htmx: its status, never the file).
tests/publication/test_early_download.py holds the early answers to the view's, header by header."""

from __future__ import annotations

import functools
import re

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import response_for_exception
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, get_urlconf, resolve, reverse
from django.utils.cache import patch_vary_headers

from core.converters import REFERENCE_MARKER, REFERENCE_PATTERN
from core.middleware import LAST_SEEN_COOKIE, security_headers
from publication import scheme_files
from publication.services import published_file_intact
from publication.views import (
    COUNTED_ON_REQUEST,
    not_modified,
    scheme_file_count_start,
    scheme_reference,
    stored_file_response,
)

_NOT_READ = object()
# Where the response waits while it goes through the header middleware.
_READY = "_policyhub_early_response"


@functools.lru_cache(maxsize=8)
def _download_path(urlconf: str, script_prefix: str) -> re.Pattern | None:
    """The Scheme PDF's path (without the script prefix) as a pattern capturing the reference, read from the
    URLconf, so that the early answer follows the URL wherever it is mounted; None if the URLconf has none."""
    try:
        url = reverse("publication:scheme_pdf", urlconf=urlconf, kwargs={"reference": REFERENCE_MARKER})
    except NoReverseMatch:
        return None
    path = "/" + url.removeprefix(script_prefix)
    before, _, after = path.partition(REFERENCE_MARKER)
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    if (match.namespace, match.url_name) != ("publication", "scheme_pdf"):
        return None  # another pattern answers this path first: leave it to the URLconf
    # The reference converter's pattern (core.converters): what the URLconf would not take is left to it (a 404).
    return re.compile(f"{re.escape(before)}({REFERENCE_PATTERN}){re.escape(after)}")


def _early_reference(request) -> str | None:
    """The reference of an anonymous GET or HEAD of the Scheme's PDF that this middleware may answer, else None."""
    if request.method not in ("GET", "HEAD"):
        return None
    pattern = _download_path(getattr(request, "urlconf", None) or get_urlconf() or settings.ROOT_URLCONF,
                             get_script_prefix())
    match = pattern.fullmatch(request.path_info) if pattern is not None else None
    if match is None:
        return None
    if request.headers.get("HX-Request"):
        return None  # the page saying the PDF is being prepared, asking again: the view answers with its status
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or LAST_SEEN_COOKIE in cookies:
        return None  # perhaps signed in: the whole stack decides
    # What CommonMiddleware refuses or redirects before any view, it still does.
    if settings.PREPEND_WWW:
        return None
    user_agent = request.META.get("HTTP_USER_AGENT")
    if user_agent is not None and any(disallowed.search(user_agent) for disallowed in settings.DISALLOWED_USER_AGENTS):
        return None
    try:
        request.get_host()
    except DisallowedHost:
        return None
    return scheme_reference(match.group(1))


def _answer(request, reference: str):
    """The response for a remembered, intact file (or 304), else None: the view answers."""
    guess = scheme_files.last_named(reference)
    with scheme_file_count_start(request, reference) as started:
        # While Redis answers, read and check the file this process was last told of (most often it still is).
        guessed_data = (published_file_intact(published_file=guess)
                        if guess is not None and not_modified(request, guess) is None else _NOT_READ)
        counted = started.result()
    setattr(request, COUNTED_ON_REQUEST, (reference, counted))
    if counted.retry_after is not None:
        return None
    # Only what Redis names now, at the generation that stands now, is served.
    published_file = scheme_files.remembered(reference, *counted.values)
    if published_file is None:
        return None
    unchanged = not_modified(request, published_file)
    if unchanged is not None:
        return unchanged
    data = guessed_data if published_file is guess and guessed_data is not _NOT_READ else published_file_intact(
        published_file=published_file)
    if data is None:
        return None  # missing or not matching its SHA-256: the view refuses and reports it
    return stored_file_response(published_file, data, filename=f"{reference}.pdf")


def _ready_response(request):
    return getattr(request, _READY)()


def scheme_file_download(get_response):
    # The response middleware of the stack that adds headers to a file sent to an anonymous client, in the stack's
    # order (settings.MIDDLEWARE); the others add nothing to it.
    with_headers = CommonMiddleware(XFrameOptionsMiddleware(CSPMiddleware(security_headers(_ready_response))))

    def answered(request, response_of):
        # No session cookie: what AuthenticationMiddleware would have given.
        request.user = AnonymousUser()
        setattr(request, _READY, response_of)
        response = with_headers(request)
        # The session middleware's: a signed-in reader's answer differs (core.middleware.security_headers).
        patch_vary_headers(response, ("Cookie",))
        return response

    def middleware(request):
        reference = _early_reference(request)
        if reference is None:
            return get_response(request)
        try:
            response = _answer(request, reference)
        except Exception as error:
            # The error page as the stack would send it, with the same headers (rendered inside the handling of
            # the error, which is reported as any other).
            return answered(request, functools.partial(response_for_exception, request, error))
        if response is None:
            return get_response(request)
        return answered(request, lambda: response)

    return middleware
