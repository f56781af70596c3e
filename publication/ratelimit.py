"""Rate limits on the anonymous endpoints (issue 14: "Anonymous endpoints are rate-limited, using a shared cache
rather than per-process memory"). Counted in the "rate_limits" cache, which is Redis in every deployment
(settings.base), so every gunicorn worker counts against the same limit; keyed by the client's address as our
trusted proxies report it (core.lockout.client_address, which ignores a forged X-Forwarded-For).

A fixed window per client: the count of the current window is one key, named by the window, incremented and given
its expiry in one round trip to Redis (a pipeline). The stored PDF is measured against serving the file as a static
file (make bench, target 1.2x): django-ratelimit's add-then-increment took two round trips and hashed its key, which
alone cost most of a static file's time. Any other cache backend (make run's local memory) counts the same way in
two calls."""

from __future__ import annotations

import functools
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.shortcuts import render

from core.lockout import client_address

logger = logging.getLogger(__name__)

UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@dataclass(frozen=True)
class Rate:
    limit: int
    window_seconds: int


@functools.cache
def parse_rate(text: str) -> Rate:
    """"120/m" is 120 a minute; "5/10m" 5 in ten minutes. A malformed setting fails loudly, at the first request."""
    match = RATE.match(text or "")
    if match is None:
        raise ValueError(f"A rate is a number of requests per s, m, h or d, like '120/m': got {text!r}")
    count, multiplier, unit = match.groups()
    return Rate(int(count), int(multiplier or 1) * UNIT_SECONDS[unit])


def redis_client(cache):
    """The Redis client of a RedisCache, made once per cache object (Django makes a new one for every call, which
    cost more than the round trip itself); None for another backend."""
    if not isinstance(cache, RedisCache):
        return None
    client = getattr(cache, "_policyhub_client", None)
    if client is None:
        client = cache._cache.get_client(None, write=True)
        cache._policyhub_client = client
    return client


def count_request(group: str, client: str, rate: Rate, *, also_get: tuple[str, ...] = (),
                  now: float | None = None) -> tuple[int, int, list]:
    """Count one request of ``client`` in ``group``'s current window: (the count so far, seconds left, and the raw
    values of the ``also_get`` keys, read in the same round trip; Redis only, else None each)."""
    now = time.time() if now is None else now
    window = int(now) // rate.window_seconds
    seconds_left = rate.window_seconds - int(now) % rate.window_seconds
    cache = caches[settings.RATELIMIT_USE_CACHE]
    key = f"public-rate:{group}:{client}:{window}"
    redis = redis_client(cache)
    if redis is not None:
        full_key = cache.make_key(key)
        pipeline = redis.pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.expire(full_key, seconds_left + 1)
        for extra in also_get:
            pipeline.get(cache.make_key(extra))
        count, _, *values = pipeline.execute()
        return int(count), seconds_left, values
    cache.add(key, 0, timeout=seconds_left + 1)
    return cache.incr(key), seconds_left, [None] * len(also_get)


def _read_only(keys: tuple[str, ...]) -> list:
    cache = caches[settings.RATELIMIT_USE_CACHE]
    redis = redis_client(cache)
    if redis is None or not keys:
        return [None] * len(keys)
    try:
        return redis.mget([cache.make_key(key) for key in keys])
    except Exception:
        logger.warning("The shared cache is unavailable", exc_info=True)
        return [None] * len(keys)


@dataclass(frozen=True)
class Counted:
    """One request counted: ``retry_after`` (seconds) if the client is past the limit, else None; and the raw values
    of the keys read in the same round trip."""

    retry_after: int | None
    values: list


def rate_limit_count(request, *, group: str, rate_setting: str, also_get: tuple[str, ...] = ()) -> Counted:
    """Count the request against the limit named by ``rate_setting``, reading ``also_get`` in the same round trip.
    If the shared cache cannot be reached the request is served and the failure logged: the public pages stay up."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):  # off only where a benchmark compares without it
        return Counted(None, _read_only(also_get))
    rate = parse_rate(getattr(settings, rate_setting))
    try:
        count, seconds_left, values = count_request(group, client_address(request) or "unknown", rate,
                                                    also_get=also_get)
    except Exception:
        logger.warning("Rate limit %s not counted: the shared cache is unavailable", group, exc_info=True)
        return Counted(None, [None] * len(also_get))
    return Counted(max(seconds_left, 1) if count > rate.limit else None, values)


def rate_limited_response(request, retry_after: int):
    """429 with Retry-After, on the service's page."""
    response = render(request, "publication/rate_limited.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit_check(request, *, group: str, rate_setting: str, also_get: tuple[str, ...] = ()):
    """(a 429 response if the client is past the limit named by ``rate_setting``, else None; the raw values of
    ``also_get``)."""
    counted = rate_limit_count(request, group=group, rate_setting=rate_setting, also_get=also_get)
    if counted.retry_after is None:
        return None, counted.values
    return rate_limited_response(request, counted.retry_after), counted.values


def public_rate_limit(*, group: str, rate_setting: str):
    """Refuse a client past the limit named by ``rate_setting`` (e.g. "120/m") with 429 and Retry-After."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            refused, _ = rate_limit_check(request, group=group, rate_setting=rate_setting)
            return refused or view(request, *args, **kwargs)

        return wrapped

    return decorator
