"""Rate limits on the anonymous endpoints (issue 14: "Anonymous endpoints are rate-limited, using a shared cache
rather than per-process memory"). Counted by django-ratelimit in the "rate_limits" cache, which is Redis in every
deployment (settings.base), so every gunicorn worker counts against the same limit; keyed by the client's address
as our trusted proxies report it (core.lockout.client_address, which ignores a forged X-Forwarded-For)."""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage

from core.lockout import client_address

logger = logging.getLogger(__name__)


def _client_key(group, request) -> str:
    return client_address(request) or "unknown"


def public_rate_limit(*, group: str, rate_setting: str):
    """Refuse a client past the limit named by ``rate_setting`` (e.g. "120/m") with 429 and Retry-After. If the
    shared cache cannot be reached the request is served and the failure logged: the public pages stay up."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            rate = getattr(settings, rate_setting)
            try:
                usage = get_usage(request, group=f"publication.{group}", key=_client_key, rate=rate, increment=True)
            except Exception:
                logger.warning("Rate limit %s not counted: the shared cache is unavailable", group, exc_info=True)
                usage = None
            if usage is not None and usage["should_limit"]:
                retry_after = max(int(usage["time_left"]), 1)
                response = render(request, "publication/rate_limited.html", {"retry_after": retry_after}, status=429)
                response["Retry-After"] = str(retry_after)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
