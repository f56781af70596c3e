"""Emptying the rate-limit counts of this test process only (its own key prefix: policyhub.settings.test), never
the whole shared Redis database, which other test workers count in at the same time."""

from django.core.cache import caches


def clear_rate_limits() -> None:
    cache = caches["rate_limits"]
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    if keys:
        client.delete(*keys)
