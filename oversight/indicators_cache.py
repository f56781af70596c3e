"""The Corporate Health Indicators of a period, kept (in Redis, shared by every web process) while the audit trail
stands still.

The figures are worked out from the database alone: the policies a person may see and their present values, and
the events of the audit trail. Every change PolicyHub makes to what they read (a policy's status, dates or business
group, a role, a grant, a protective marking) writes its audit event in the same transaction, and that moves the
chain head (core.audit.audit_log: the head row is locked to append, so it moves once per event, in commit order).
So the figures are kept under a key naming the head; a new event anywhere gives the next request another key, and
the figures are worked out afresh. Nothing is invalidated by hand, and nothing is ever read under another head.

Why not keep a period that has ended for ever: its figures can still change after it, by the indicators' own rules.
A policy loaded without a history keeps its present values for its whole past, until its first event: a publication
recorded only the new dates before 2026-12-05 (publication.services.publishing; [before, after] since), so from such
an event on its replay says it had none before, and past periods no longer count it; one recorded since carries the
date it had into its past. A monitoring report returned after the period gives its date back: not on time
after all. And what a person may see is decided now (roles, grants, clearance, protective markings). Each of these
writes an audit event, so a key naming the head follows them all.

Whose figures: the key names the exact statement (SQL and parameters) that picks the person's policies: what they
may see (lifecycle visibility: their roles, business groups, clearance and grants) and the business group asked
for. Two people share figures only when that statement is the same statement, which picks the same policies at
the same head: PCU, who see every policy, share theirs; anyone else's statement reads the grants held by their own
id, so theirs are their own. It also names the period, the last day counted of each window (today, while the period
or its month has not ended), the business group whose trend is shown, the database, and COMPUTATION_VERSION.

Bounded: an entry lives KEEP_SECONDS at most. When Redis cannot be reached the figures are worked out and served,
and the failure logged, as the rate limits do (publication.ratelimit).
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from core.models import AuditChainHead
from oversight.indicators import Indicators, Period, corporate_health_indicators

logger = logging.getLogger(__name__)

INDICATORS_CACHE = "indicators"
# Raise it whenever the figures' rules or Indicators' shape change: entries written by the code before are then
# never read (they expire within KEEP_SECONDS).
COMPUTATION_VERSION = 1
KEEP_SECONDS = 12 * 3600


def audit_head() -> tuple[int, str]:
    """The audit chain's head (last sequence, last hash); (0, "") before the first event. One query."""
    head = AuditChainHead.objects.filter(pk=1).values_list("last_sequence", "last_hash").first()
    return head if head is not None else (0, "")


def namespace() -> str:
    """The keys' common part: named by the database, whose figures they are (each test database is another)."""
    return f"oversight.indicators:{COMPUTATION_VERSION}:{connection.settings_dict['NAME']}:"


def indicators_key(*, policies, period: Period, today: datetime.date, focus: int | None,
                   head: tuple[int, str]) -> str:
    statement, params = policies.query.sql_with_params()
    described = repr((statement, tuple(params), period.start, period.end, period.windows(today), focus, head))
    return namespace() + hashlib.sha256(described.encode()).hexdigest()


def indicators_cached(*, policies, period: Period, today: datetime.date | None = None,
                      focus: int | None = None) -> Indicators:
    """``corporate_health_indicators(...)``, kept under the audit chain's head (the module's docstring says why that
    is always right). The head is read first: a change that commits while the figures are worked out moves the head,
    so these figures are only ever read by a request that read the same head, begun before that change was there to
    see."""
    today = today or timezone.localdate()
    key = indicators_key(policies=policies, period=period, today=today, focus=focus, head=audit_head())
    cache = caches[INDICATORS_CACHE]
    try:
        kept = cache.get(key)
    except Exception:
        logger.warning("Corporate Health Indicators not read from the cache: it is unavailable", exc_info=True)
        kept = None
    if isinstance(kept, Indicators):
        return kept
    indicators = corporate_health_indicators(policies=policies, period=period, today=today, focus=focus)
    try:
        cache.set(key, indicators, KEEP_SECONDS)
    except Exception:
        logger.warning("Corporate Health Indicators not kept in the cache: it is unavailable", exc_info=True)
    return indicators


def indicators_forget_all() -> None:
    """Drop the figures kept for this database (``make bench`` times the page without them; a test database is
    thrown away after each test). Only the Redis cache can list its keys; any other is emptied."""
    cache = caches[INDICATORS_CACHE]
    client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client is None:
        cache.clear()
        return
    redis = client(None, write=True)
    keys = list(redis.scan_iter(match=cache.make_key(namespace()) + "*", count=500))
    if keys:
        redis.delete(*keys)
