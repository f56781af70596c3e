"""The audit trail at a million events: ``manage.py verify_audit`` over the bench dataset's chain (built by COPY,
keyed as ``core.audit.audit_log`` keys it: benchmarks.dataset), in full and incrementally.

- full: every event walked, MACs recomputed, in constant memory (a server-side cursor, rows in chunks), with
  the worker processes ``manage.py verify_audit`` uses by default (``--jobs auto``); target (the issue's) at most
  15 s; the peak memory (ru_maxrss) of this process and of each worker may grow by at most MEMORY_BUDGET_MB
  however long the chain; the baseline, for the ratio, is reading the walk's own SELECT (core.audit.walk.rows_sql)
  through one raw server-side cursor and nothing else, measured in the same run;
- incremental (``--since-anchor``): after the full run recorded a verified anchor at the chain head, 1,000 more
  events (appended, keyed, in a transaction rolled back afterwards) are verified from that anchor; target under
  1 s. The anchor file is a temporary one of this run's own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import tempfile
import time

from django.db import connection, transaction
from django.test import override_settings

from benchmarks.scenarios import Row
from benchmarks.timing import percentile

# A full walk takes tens of seconds on a loaded machine: once (or --repeat, at most this many).
AUDIT_REPEAT_CAP = 1
FULL_TARGET_SECONDS = 15
INCREMENTAL_TARGET_SECONDS = 1
INCREMENTAL_EVENTS = 1_000
# Constant memory: what the walk may hold at its peak, whatever the chain's length.
MEMORY_BUDGET_MB = 64
TARGET_NOTE = (f"issue: verify_audit over the bench's chain (1,000,000 events) <= {FULL_TARGET_SECONDS} s in "
               f"constant memory (peak growth <= {MEMORY_BUDGET_MB} MB); incremental (--since-anchor, "
               f"{INCREMENTAL_EVENTS:,} new events after the last verified anchor) < {INCREMENTAL_TARGET_SECONDS} s")


def _append_events(count: int) -> None:
    """``count`` keyed events at the head of the chain, as audit_log writes them but in one COPY."""
    from core.audit import audit_current_key, compute_event_mac, compute_head_mac
    from core.models import AuditChainHead, AuditEvent
    from core.models.audit import ALGORITHM_HMAC_SHA256

    key_id, key = audit_current_key()
    head = AuditChainHead.objects.select_for_update().get(id=1)
    previous, sequence = head.last_hash, head.last_sequence
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    rows = []
    for _ in range(count):
        sequence += 1
        fields = {"sequence": sequence, "occurred_at": now, "actor_id": None, "actor_username": "",
                  "action": "benchmark.appended", "object_type": "lifecycle.policy", "object_id": "1",
                  "object_repr": "POL-000001", "policy_id": 1, "changes": {"n": sequence}, "previous_hash": previous}
        mac = compute_event_mac(key=key, key_id=key_id, **fields)
        rows.append((sequence, now, "benchmark.appended", json.dumps(fields["changes"]), previous, mac, key_id))
        previous = mac
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} (sequence, occurred_at, actor_username, action, object_type, object_id, object_repr, "
            "policy_id, changes, previous_hash, hash, mac_algorithm, key_id) FROM STDIN") as copy:
        for sequence_, occurred, action, changes, prev, mac, kid in rows:
            copy.write_row((sequence_, occurred, "", action, "lifecycle.policy", "1", "POL-000001", 1, changes, prev,
                            mac, ALGORITHM_HMAC_SHA256, kid))
    head.last_sequence, head.last_hash = sequence, previous
    head.mac = compute_head_mac(key=key, last_sequence=sequence, last_hash=previous, legacy_until=head.legacy_until)
    head.save(update_fields=["last_sequence", "last_hash", "mac"])


def _bare_read() -> float:
    """ms to read every event's verified columns, in order, through a raw server-side cursor, doing nothing else."""
    from core.audit.walk import rows_sql

    started = time.perf_counter()
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(rows_sql(id_range=False), [0])
        while cursor.fetchmany(2000):
            pass
    return (time.perf_counter() - started) * 1000


def _verify(*, since_anchor: bool):
    from core.audit import audit_verify_chain

    started = time.perf_counter()
    # jobs=None: as `manage.py verify_audit` runs by default (worker processes for a long walk).
    report = audit_verify_chain(since_anchor=since_anchor, jobs=None)
    return time.perf_counter() - started, report


def _peak_growth_mb(before: int) -> float:
    """How far the peak resident memory of this process, or of any worker it waited for (forked from it, so
    starting from its size), rose above ``before`` (this process's peak before the walk), in MB."""
    peaks = [resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return max(0, max(peaks) - before) / 1024


def measure_audit(*, repeat: int, log=print) -> list[Row]:
    from core.audit import audit_anchor_verified
    from core.audit.walk import parallel_jobs

    rows = []
    with tempfile.TemporaryDirectory() as directory, override_settings(
            POLICYHUB_AUDIT_ANCHOR_PATH=os.path.join(directory, "anchors.jsonl")):
        full, bare, peak = [], [], 0.0
        for _ in range(repeat):
            bare.append(_bare_read())
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            seconds, report = _verify(since_anchor=False)
            peak = max(peak, _peak_growth_mb(before))
            full.append(seconds * 1000)
        jobs = parallel_jobs(None, events=report.checked)
        log(f"verify_audit: {report.message} ({jobs} worker process{'es' if jobs > 1 else ''}, load average "
            f"{os.getloadavg()[0]:.1f})")
        p50, base = sorted(full)[len(full) // 2], sorted(bare)[len(bare) // 2]
        rows.append(Row(f"audit: verify_audit, {report.checked:,} events", "(command)", p50,
                        percentile(full, 0.95), base, p50 / base if base else None, None,
                        f"<= {FULL_TARGET_SECONDS} s, peak +{MEMORY_BUDGET_MB} MB",
                        report.ok and p50 <= FULL_TARGET_SECONDS * 1000 and peak <= MEMORY_BUDGET_MB,
                        f"{'intact' if report.ok else 'BROKEN: ' + report.message}; {jobs} process(es); peak memory "
                        f"grew {peak:.1f} MB; baseline: the walk's SELECT read raw (one server-side cursor), ratio "
                        "for information"))
        if not report.ok:
            return rows
        audit_anchor_verified(report=report, source="benchmark")
        with transaction.atomic():
            try:
                _append_events(INCREMENTAL_EVENTS)
                incremental = []
                for _ in range(max(repeat, 3)):
                    seconds, since = _verify(since_anchor=True)
                    incremental.append(seconds * 1000)
            finally:
                transaction.set_rollback(True)
        p50 = sorted(incremental)[len(incremental) // 2]
        rows.append(Row(f"audit: verify_audit --since-anchor, {since.checked:,} new events", "(command)", p50,
                        percentile(incremental, 0.95), None, None, None, f"< {INCREMENTAL_TARGET_SECONDS} s",
                        since.ok and since.checked == INCREMENTAL_EVENTS and p50 < INCREMENTAL_TARGET_SECONDS * 1000,
                        since.message))
    return rows
