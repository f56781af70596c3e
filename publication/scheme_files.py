"""Which stored file the Scheme serves for a reference, remembered in Redis between downloads (issue 14: a stored
PDF's download within 1.2x serving the same file as a static file).

The download's rate limit already makes a round trip to Redis; the record of the file (its name, size and SHA-256)
comes back in the same round trip, so a download sends no query to the database. The bytes are still read and
checked against the SHA-256 every time (a tampered file is refused whatever is remembered here).

What is remembered must never outlive what it was read from (a policy withdrawn, re-marked OFFICIAL-SENSITIVE or
made unsuitable leaves the Scheme at once). Every change to what a policy publishes is audited in the transaction
that makes it; after each audited change of a policy commits, its generation (a counter in Redis) goes up, and an
entry is used only if it was read at the generation that stands now. An entry read from the database before a
change committed carries the older generation, however late it is written, so it is never used after. Entries
also expire after ENTRY_SECONDS, which bounds what a lost increment (Redis unreachable, or the process killed
between the commit and the increment) could leave behind."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from lifecycle.models import Policy
from publication.models import PublishedFile
from publication.ratelimit import redis_client

logger = logging.getLogger(__name__)

ENTRY_SECONDS = 30
# A generation outlives any entry read at it many times over; a week without a change lets it go.
GENERATION_SECONDS = 7 * 24 * 3600
# References are 20 characters at most (Policy.reference); anything longer is not one, and is never a key.
MAX_REFERENCE = 20
FIELDS = ("id", "publication_id", "storage_name", "content_type", "size", "sha256")


def _cache():
    return caches[settings.RATELIMIT_USE_CACHE]


def namespace() -> str:
    """The keys' common part: named by the database, whose records they repeat (each test database is another)."""
    return f"scheme-pdf:{connection.settings_dict['NAME']}:"


def keys_of(reference: str) -> tuple[str, str]:
    """The generation's and the entry's keys for ``reference`` (read with the rate limit's count)."""
    return f"{namespace()}generation:{reference}", f"{namespace()}entry:{reference}"


def forget_all() -> int:
    """Drop everything remembered for this database (a test's database is thrown away after it). Returns how many
    keys went."""
    redis = redis_client(_cache())
    if redis is None:
        return 0
    keys = list(redis.scan_iter(match=_cache().make_key(namespace()) + "*", count=500))
    return redis.delete(*keys) if keys else 0


# The entries this process parsed last, by reference: (the raw entry, the file it names, the generation it was read
# at). The same bytes coming back from Redis are not parsed again, and the Scheme's early download reads and checks
# the file named here while Redis answers (publication.middleware). What is kept here is a guess, never a decision:
# a file is served only if Redis's entry, at the generation that stands now, names it. Bounded: emptied when full.
_PARSED: dict[str, tuple[bytes, PublishedFile, str | None]] = {}
PARSED_MAX = 512


def _parsed(reference: str, entry: bytes) -> tuple[bytes, PublishedFile, str | None] | None:
    try:
        record = json.loads(entry)
        fields = {name: record[name] for name in FIELDS}
        read_at = record["generation"]
    except (ValueError, KeyError, TypeError):
        return None
    published_file = PublishedFile(audience=PublishedFile.Audience.PUBLIC, **fields)
    if not (published_file.storage_name.startswith(f"publications/{reference}/")
            and f"-public-{published_file.sha256[:16]}" in published_file.storage_name):
        return None
    return entry, published_file, read_at


def remembered(reference: str, generation: bytes | None, entry: bytes | None) -> PublishedFile | None:
    """The public file remembered for ``reference``, if it was read at ``generation``; else None (read the
    database). The entry must name a public copy of this reference's files (what the Scheme may serve)."""
    if entry is None:
        return None
    parsed = _PARSED.get(reference)
    if parsed is None or parsed[0] != entry:
        parsed = _parsed(reference, entry)
        if parsed is None:
            return None
        if len(_PARSED) >= PARSED_MAX:
            _PARSED.clear()
        _PARSED[reference] = parsed
    _, published_file, read_at = parsed
    if read_at != (generation.decode() if generation else None):
        return None
    return published_file


def last_named(reference: str) -> PublishedFile | None:
    """The file the last entry this process read for ``reference`` named (a guess: see _PARSED)."""
    parsed = _PARSED.get(reference)
    return parsed[1] if parsed is not None else None


def remember(reference: str, generation: bytes | None, published_file: PublishedFile) -> None:
    """Remember the file read from the database at ``generation`` (the one read before the database was)."""
    redis = redis_client(_cache())
    if redis is None or len(reference) > MAX_REFERENCE:
        return
    record = {name: getattr(published_file, name) for name in FIELDS}
    record["generation"] = generation.decode() if generation else None
    try:
        redis.set(_cache().make_key(keys_of(reference)[1]), json.dumps(record), ex=ENTRY_SECONDS)
    except Exception:
        logger.warning("The Scheme's file for %s not remembered: Redis is unavailable", reference, exc_info=True)


def forget(policy_id: int) -> None:
    """After an audited change of the policy commits: what was remembered for it is no longer used."""
    redis = redis_client(_cache())
    if redis is None:
        return
    reference = Policy.objects.filter(pk=policy_id).values_list("reference", flat=True).first()
    if reference is None:
        return
    key = _cache().make_key(keys_of(reference)[0])
    try:
        pipeline = redis.pipeline(transaction=False)
        pipeline.incr(key)
        pipeline.expire(key, GENERATION_SECONDS)
        pipeline.execute()
    except Exception:
        logger.warning("The Scheme's file for %s not forgotten: Redis is unavailable; it expires in %s s", reference,
                       ENTRY_SECONDS, exc_info=True)
