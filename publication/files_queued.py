"""Whether the task storing a publication's files was queued lately, remembered in Redis (in the cache that counts
the public rate limits, shared by every web process), so that the downloads of files not stored yet queue it at most
once between them, and never render the files themselves.

Integrity review (STYLE rule 19, bounded work per request): a download of a published version whose files were not
stored yet (its task, queued at publication, not run yet or waiting behind others) rendered them in the request, a
WeasyPrint render of the statement and up to 30 SOPs, seconds of CPU; and every download in that window rendered
again. The staff are told of a publication at once, so the first minutes are exactly when many ask. Now publishing
marks its files queued (``remember``), and a download of files not stored queues the task only if nothing marked them
queued within QUEUED_SECONDS (``claim``: one caller wins); the others say the PDF is being prepared.

A mark is a hint about work under way, never a decision about what anyone may read: lost (Redis flushed or
restarted), the next download queues the task again, which is safe to run twice. Where Redis cannot say, a download
queues nothing: the task queued at publication, and beat's safety net (every five minutes), store the files.
The keys live under ``scheme_files.namespace()``, named by the database, and go with ``scheme_files.forget_all``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches

from publication.scheme_files import namespace

logger = logging.getLogger(__name__)

# A task queued this long ago that has stored nothing and recorded no failure was lost (the broker restarted, the
# worker killed): the next download queues it again. Longer than all the task's attempts take (publication.tasks:
# 5 attempts, the waits between them at most 1, 2, 4 and 8 minutes, a quarter of an hour; tests/publication/
# test_published_pdf_prepared.py holds the two together), so that a download never starts a second run of attempts
# beside the first, which would record the same failure and tell PCU twice. Meanwhile beat's safety net (every five
# minutes) stores the files of a task that was lost.
QUEUED_SECONDS = 20 * 60
# The broker would not take the task (down, or refusing): a download this long after tries again, not every download
# meanwhile (each attempt to reach a broker that is down costs the request its connection timeout).
RETRY_SECONDS = 60


def _cache():
    return caches[settings.RATELIMIT_USE_CACHE]


def _key(publication_id: int) -> str:
    return f"{namespace()}files-queued:{int(publication_id)}"


def claim(publication_id: int) -> bool | None:
    """Mark ``publication_id``'s files queued for QUEUED_SECONDS if nothing marks them so now: True for the one
    caller that did (it queues the task), False for the others, None where Redis cannot say (queue nothing)."""
    try:
        return bool(_cache().add(_key(publication_id), 1, timeout=QUEUED_SECONDS))
    except Exception:
        logger.warning("Whether publication %s's files are queued is unknown: Redis is unavailable", publication_id,
                       exc_info=True)
        return None


def remember(publication_id: int, *, seconds: int = QUEUED_SECONDS) -> None:
    """Mark ``publication_id``'s files queued (by publication, or PCU storing them again) for ``seconds``; a shorter
    time (RETRY_SECONDS) when the broker would not take the task, so that a later download queues it again."""
    try:
        _cache().set(_key(publication_id), 1, timeout=seconds)
    except Exception:
        logger.warning("Publication %s's files not marked queued: Redis is unavailable", publication_id,
                       exc_info=True)


def forget(publication_id: int) -> None:
    """The mark gone: the next download of files still not stored queues the task."""
    try:
        _cache().delete(_key(publication_id))
    except Exception:
        logger.warning("Publication %s's files' mark not deleted: Redis is unavailable", publication_id, exc_info=True)
