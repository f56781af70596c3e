"""Rate limits on the anonymous endpoints (issue 14: "Anonymous endpoints are rate-limited, using a shared cache
rather than per-process memory"). Counted in the "rate_limits" cache, which is Redis in every deployment
(settings.base), so every gunicorn worker counts against the same limit; keyed by the client's address as our
trusted proxies report it (core.lockout.client_address, which ignores a forged X-Forwarded-For).

A fixed window per client: the count of the current window is one key, named by the window, incremented and given
its expiry in one round trip to Redis (one packet of commands, written to the connection directly: redis-py's
pipeline object cost more than the round trip on an idle machine). The stored PDF is measured against serving the
file as a static file (make bench, target 1.2x): django-ratelimit's add-then-increment took two round trips and
hashed its key, which alone cost most of a static file's time; the Scheme's download reads its file while the reply
is on its way (rate_limit_count_start). Any other cache backend (make run's local memory) counts the same way in two
calls."""

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


@dataclass(frozen=True)
class Counted:
    """One request counted: ``retry_after`` (seconds) if the client is past the limit, else None; and the raw values
    of the keys read in the same round trip."""

    retry_after: int | None
    values: list


def _uncounted(expected_values: int) -> Counted:
    return Counted(None, [None] * expected_values)


class _Sent:
    """Commands written to Redis in one packet now, their replies read by ``replies()`` later: what the caller does
    in between (the Scheme's download reads and hashes its file) overlaps the round trip, and a reply that is
    already there when asked for costs no wait. One connection of the client's pool, held until the replies are
    read; dropped (disconnected) if they never are, so that no later command reads them."""

    def __init__(self, redis, commands: list[tuple]):
        self._pool = redis.connection_pool
        self._connection = self._pool.get_connection()
        self._expected = len(commands)
        try:
            self._connection.send_packed_command(self._connection.pack_commands(commands))
        except BaseException:
            self.close()
            raise

    def replies(self) -> list:
        connection, self._connection = self._connection, None
        try:
            replies = [connection.read_response() for _ in range(self._expected)]
        except BaseException:
            connection.disconnect()  # replies may be left unread: the connection is not used again as it is
            raise
        finally:
            self._pool.release(connection)
        return replies

    def close(self) -> None:
        if self._connection is not None:
            self._connection.disconnect()
            self._pool.release(self._connection)
            self._connection = None


class CountStarted:
    """A request's count sent to the shared cache; ``result()`` reads it (once). Use it as a context manager, so
    that a count left unread does not hold its connection."""

    def __init__(self, *, group: str, expected_values: int, limit: int | None = None, seconds_left: int = 0,
                 sent: _Sent | None = None, done: Counted | None = None):
        self._group, self._expected_values = group, expected_values
        self._limit, self._seconds_left = limit, seconds_left
        self._sent, self._done = sent, done

    def result(self) -> Counted:
        if self._done is None:
            sent, self._sent = self._sent, None
            try:
                replies = sent.replies()
            except Exception:
                logger.warning("Rate limit %s not counted: the shared cache is unavailable", self._group,
                               exc_info=True)
                self._done = _uncounted(self._expected_values)
            else:
                self._done = self._counted(replies)
        return self._done

    def _counted(self, replies: list) -> Counted:
        if self._limit is None:  # the rate limit is off: the values only
            return Counted(None, list(replies[0]))
        count, _, *values = replies
        return Counted(max(self._seconds_left, 1) if int(count) > self._limit else None, values)

    def __enter__(self) -> CountStarted:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._sent is not None:
            self._sent.close()
            self._sent = None


def rate_limit_count_start(request, *, group: str, rate_setting: str, also_get: tuple[str, ...] = (),
                           now: float | None = None) -> CountStarted:
    """Count the request against the limit named by ``rate_setting`` in the current window of the client, and read
    ``also_get`` in the same round trip: the window's key incremented and given its expiry, and the keys read, in
    one packet to Redis, whose replies ``result()`` reads. If the shared cache cannot be reached the request is
    served and the failure logged: the public pages stay up. Any other cache backend (make run's local memory)
    counts at once, in two calls, and reads nothing."""
    enabled = getattr(settings, "RATELIMIT_ENABLE", True)  # off only where a benchmark compares without it
    rate = parse_rate(getattr(settings, rate_setting)) if enabled else None
    cache = caches[settings.RATELIMIT_USE_CACHE]
    redis = redis_client(cache)
    expected_values = len(also_get)
    try:
        if rate is None:
            if redis is None or not also_get:
                return CountStarted(group=group, expected_values=expected_values, done=_uncounted(expected_values))
            sent = _Sent(redis, [("MGET", *(cache.make_key(key) for key in also_get))])
            return CountStarted(group=group, expected_values=expected_values, sent=sent)
        now = time.time() if now is None else now
        seconds_left = rate.window_seconds - int(now) % rate.window_seconds
        key = f"public-rate:{group}:{client_address(request) or 'unknown'}:{int(now) // rate.window_seconds}"
        if redis is None:
            cache.add(key, 0, timeout=seconds_left + 1)
            count = cache.incr(key)
            return CountStarted(group=group, expected_values=expected_values, done=Counted(
                max(seconds_left, 1) if count > rate.limit else None, [None] * expected_values))
        full_key = cache.make_key(key)
        sent = _Sent(redis, [("INCR", full_key), ("EXPIRE", full_key, seconds_left + 1),
                             *(("GET", cache.make_key(extra)) for extra in also_get)])
        return CountStarted(group=group, expected_values=expected_values, limit=rate.limit,
                            seconds_left=seconds_left, sent=sent)
    except Exception:
        logger.warning("Rate limit %s not counted: the shared cache is unavailable", group, exc_info=True)
        return CountStarted(group=group, expected_values=expected_values, done=_uncounted(expected_values))


def rate_limit_count(request, *, group: str, rate_setting: str, also_get: tuple[str, ...] = ()) -> Counted:
    """rate_limit_count_start's result, read at once."""
    with rate_limit_count_start(request, group=group, rate_setting=rate_setting, also_get=also_get) as started:
        return started.result()


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
    """Refuse an anonymous client past the limit named by ``rate_setting`` (e.g. "120/m") with 429 and Retry-After."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            # Issue 14 limits the anonymous endpoints: staff signed in (accountable, and many behind one proxy's
            # address) are not counted against the public's limit.
            if request.user.is_authenticated:
                return view(request, *args, **kwargs)
            refused, _ = rate_limit_check(request, group=group, rate_setting=rate_setting)
            return refused or view(request, *args, **kwargs)

        return wrapped

    return decorator
