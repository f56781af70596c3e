"""Walking the chain's rows: each event's place (sequence), link (previous hash) and MAC checked in one pass, in
constant memory (issue 16: a million events within 15 s, where the walk over model rows took 170 s).

- PostgreSQL sends each event as text already in its payload's form (``rows_sql``): no model rows, no datetime or
  JSON decoding by Django. Python rebuilds the payload (``core.audit.keys.event_payload``) and MACs it under the key,
  which the database never sees. Rows come through a server-side cursor, ``batch_size`` a round trip.
- A long chain is split by id into ranges, each walked by a worker process in the verifier's own snapshot
  (``pg_export_snapshot``); the ranges are stitched together as one walk would link them (``stitch``): the first
  event of each must be the next sequence after, and name the hash of, the last event of the range before.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
import multiprocessing.connection
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

import psycopg
from django.db import connection
from psycopg import sql

from core.audit.anchors import AuditChainBroken
from core.audit.keys import PAYLOAD_ENCODER, Sha256Mac, event_payload
from core.models import AuditEvent
from core.models.audit import ALGORITHM_HMAC_SHA256, ALGORITHM_LEGACY_SHA256

# A row as the walk reads it: the link and MAC columns, then the payload's fields in event_payload's order.
ROW_FIELDS = ("sequence", "previous_hash", "hash", "mac_algorithm", "key_id", "action", "actor_id", "actor_username",
              "changes", "object_id", "object_repr", "object_type", "occurred_at", "policy_id")
# Below this many events a walk stays in this process: starting workers costs more than it saves.
PARALLEL_MIN_EVENTS = 100_000
PARALLEL_MAX_JOBS = 8
# Changes shorter than this are remembered, up to MEMO_SIZE of them: many events carry the same (a sign-in's
# address, a step's note), and canonicalising JSON is a third of a walk's Python time.
MEMO_LONGEST = 200
MEMO_SIZE = 4096


class WalkFailed(RuntimeError):
    """The walk could not finish (a worker process failed): the chain is neither proven intact nor broken."""


def _column(name: str) -> str:
    return connection.ops.quote_name(AuditEvent._meta.get_field(name).column)


def rows_sql(*, id_range: bool) -> str:
    """The SELECT of ROW_FIELDS for events after a sequence (and within an id range), in id order. The time comes
    as ``datetime.isoformat()`` writes it for UTC: microseconds only when there are any, then "+00:00"."""
    expressions = {
        "changes": f"{_column('changes')}::text",
        "occurred_at": (f"replace(to_char({_column('occurred_at')} AT TIME ZONE 'UTC', "
                        "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'), '.000000+', '+')"),
    }
    columns = ", ".join(expressions.get(name, _column(name)) for name in ROW_FIELDS)
    where = f"{_column('sequence')} > %s" + (f" AND {_column('id')} BETWEEN %s AND %s" if id_range else "")
    # Column and table names from the model; values are parameters.
    return (f"SELECT {columns} FROM {connection.ops.quote_name(AuditEvent._meta.db_table)} "  # noqa: S608
            f"WHERE {where} ORDER BY {_column('id')}")


def postgresql_batches(pg: psycopg.Connection, *, after: int, id_range: tuple[int, int] | None,
                       batch_size: int) -> Iterator[list[tuple]]:
    """ROW_FIELDS rows from a server-side cursor on ``pg`` (inside its transaction), ``batch_size`` at a time."""
    with pg.cursor(name="policyhub_audit_walk") as cursor:
        cursor.execute(rows_sql(id_range=id_range is not None), [after, *(id_range or ())])
        while batch := cursor.fetchmany(batch_size):
            yield batch


class _Failed:
    def __init__(self, error: BaseException):
        self.error = error


_END = object()


def read_ahead(batches: Iterator[list[tuple]], *, depth: int = 2) -> Iterator[list[tuple]]:
    """``batches``, the next ones fetched by a thread while the current one is checked, so that PostgreSQL
    formats rows while Python MACs them (psycopg waits for the server without holding the GIL). At most ``depth``
    batches wait: memory stays constant. Closing this generator stops the thread, which closes ``batches``."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not hand_over(batch):
                    return
            hand_over(_END)
        except BaseException as error:  # re-raised in the reading thread
            hand_over(_Failed(error))
        finally:
            batches.close()

    thread = threading.Thread(target=produce, name="policyhub-audit-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        thread.join()


def django_batches(*, after: int, batch_size: int) -> Iterator[list[tuple]]:
    """The same rows through the ORM, for databases other than PostgreSQL (the demo's SQLite)."""
    rows = (AuditEvent.objects.filter(sequence__gt=after).order_by("id").values_list(*ROW_FIELDS)
            .iterator(chunk_size=batch_size))
    while chunk := list(islice(rows, batch_size)):
        yield [(*row[:8], json.dumps(row[8]), *row[9:12], row[12].isoformat(), row[13]) for row in chunk]


@dataclass
class Segment:
    """What a walk over consecutive rows found: its ends (for stitching), what it checked, its first break."""

    first_sequence: int | None = None
    first_previous_hash: str = ""
    last_sequence: int = 0
    last_hash: str = ""
    checked: int = 0
    anchors_checked: int = 0
    broken: tuple[str, int] | None = None


class RowChecker:
    """Checks rows in order: each follows the one before (sequence and previous hash) and carries the MAC of its
    own content, and agrees with any anchor of it. The first row of a walk is taken as it comes: ``stitch``
    checks it against what came before."""

    def __init__(self, *, keyring: dict[str, bytes], anchors: dict[int, str], legacy_until: int):
        self.signers = {key_id: Sha256Mac(key).hexdigest for key_id, key in keyring.items()}
        self.anchors = anchors
        self.legacy_until = legacy_until
        self.memo: dict[str, str] = {}

    def walk(self, batches: Iterable[list[tuple]], *, progress: Callable[[int], None] | None = None) -> Segment:
        segment = Segment()
        try:
            for batch in batches:
                self._check(batch, segment)
                if progress:
                    progress(len(batch))
        except AuditChainBroken as broken:
            segment.broken = (broken.message, broken.sequence)
        finally:
            if hasattr(batches, "close"):  # stop reading (and close the cursor) at a break
                batches.close()
        return segment

    def _check(self, batch: list[tuple], segment: Segment) -> None:
        """The hot loop (a million rows): names bound locally, the common case (a keyed event, changes seen
        before) without a call of its own."""
        if segment.first_sequence is None:
            segment.first_sequence, segment.first_previous_hash = batch[0][0], batch[0][1]
            segment.last_sequence, segment.last_hash = batch[0][0] - 1, batch[0][1]
        anchors, signers, memo, compare, payload_of = self.anchors, self.signers, self.memo, hmac.compare_digest, \
            event_payload
        last_sequence, last_hash, checked = segment.last_sequence, segment.last_hash, 0
        try:
            for (sequence, previous, event_hash, algorithm, key_id, action, actor_id, actor_username, changes,
                 object_id, object_repr, object_type, occurred_at, policy_id) in batch:
                if sequence != last_sequence + 1 or previous != last_hash:
                    _broken_link(sequence, previous, last_sequence, last_hash)
                canonical = memo.get(changes) or self._canonical(changes)
                sign = signers.get(key_id) if algorithm == ALGORITHM_HMAC_SHA256 else None
                if sign is not None:
                    mac = sign(payload_of(action, actor_id, actor_username, canonical, key_id, object_id, object_repr,
                                          object_type, occurred_at, policy_id, previous, sequence))
                else:
                    mac = self._unkeyed_mac(payload_of(action, actor_id, actor_username, canonical, None, object_id,
                                                       object_repr, object_type, occurred_at, policy_id, previous,
                                                       sequence), sequence, algorithm, key_id)
                if not compare(event_hash, mac):
                    raise AuditChainBroken(f"Broken link at event #{sequence}: its content was edited after it was "
                                           "written (its MAC does not match under the audit key).", sequence)
                if sequence in anchors:
                    self._check_anchor(sequence, event_hash)
                    segment.anchors_checked += 1
                last_sequence, last_hash = sequence, event_hash
                checked += 1
        finally:
            segment.last_sequence, segment.last_hash = last_sequence, last_hash
            segment.checked += checked

    def _unkeyed_mac(self, payload: bytes, sequence: int, algorithm: str, key_id: str) -> str:
        """An event written before the chain was keyed: its plain SHA-256, if it is one of those."""
        if algorithm != ALGORITHM_LEGACY_SHA256:
            raise AuditChainBroken(f"Broken link at event #{sequence}: signed with an unknown algorithm or key "
                                   f"({algorithm}, {key_id or 'no key id'}).", sequence)
        if sequence > self.legacy_until:
            raise AuditChainBroken(f"Broken link at event #{sequence}: it carries no MAC, but the chain was "
                                   f"keyed after event #{self.legacy_until} (a forged or downgraded event).",
                                   sequence)
        return hashlib.sha256(payload).hexdigest()

    def _check_anchor(self, sequence: int, event_hash: str) -> None:
        if self.anchors[sequence] != event_hash:
            raise AuditChainBroken(f"Broken link at event #{sequence}: it differs from the anchor kept outside the "
                                   "database (the chain was rewritten after it was anchored).", sequence)

    def _canonical(self, changes: str) -> str:
        """The changes as the payload holds them (sorted keys, no spaces, ASCII), from the JSON text stored."""
        canonical = PAYLOAD_ENCODER.encode(json.loads(changes))
        if len(changes) < MEMO_LONGEST:
            if len(self.memo) >= MEMO_SIZE:
                self.memo.clear()
            self.memo[changes] = canonical
        return canonical


def _broken_link(sequence: int, previous: str, last_sequence: int, last_hash: str) -> None:
    if sequence != last_sequence + 1:
        raise AuditChainBroken(f"Broken link at event #{last_sequence + 1}: found #{sequence} instead (an event "
                               "was deleted or the rows were reordered).", last_sequence + 1)
    raise AuditChainBroken(f"Broken link at event #{sequence}: it does not follow event #{sequence - 1} (an "
                           "earlier event was deleted, replaced or reordered).", sequence)


@dataclass(frozen=True)
class Stitched:
    last_sequence: int
    last_hash: str
    checked: int
    anchors_checked: int
    broken: AuditChainBroken | None


def stitch(segments: Iterable[Segment], *, expected: int, previous_hash: str) -> Stitched:
    """Link walked segments in order, as one walk would, up to the first broken link wherever it lies: the first
    event of each segment must follow the last of the one before."""
    checked = anchors_checked = 0
    for segment in segments:
        if segment.first_sequence is None:  # an id range with no events
            continue
        broken = segment.broken and AuditChainBroken(*segment.broken)
        if segment.first_sequence != expected:
            broken = AuditChainBroken(f"Broken link at event #{expected}: found #{segment.first_sequence} instead "
                                      "(an event was deleted or the rows were reordered).", expected)
        elif segment.first_previous_hash != previous_hash:
            broken = AuditChainBroken(f"Broken link at event #{expected}: it does not follow event #{expected - 1} "
                                      "(an earlier event was deleted, replaced or reordered).", expected)
        else:
            checked += segment.checked
            anchors_checked += segment.anchors_checked
        if broken:
            return Stitched(expected - 1, previous_hash, checked, anchors_checked, broken)
        expected, previous_hash = segment.last_sequence + 1, segment.last_hash
    return Stitched(expected - 1, previous_hash, checked, anchors_checked, None)


# --- in worker processes --------------------------------------------------------------------------------------


def parallel_jobs(requested: int | None, *, events: int) -> int:
    """How many worker processes to walk ``events`` with: ``requested``, or (None) one per CPU this process may
    use, for a walk long enough to gain from them."""
    if requested is not None:
        return max(1, min(requested, PARALLEL_MAX_JOBS))
    if events < PARALLEL_MIN_EVENTS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(usable, PARALLEL_MAX_JOBS))


def walk_in_workers(checker: RowChecker, *, after: int, jobs: int, batch_size: int,
                    progress: Callable[[int], None] | None) -> list[Segment]:
    """Walk the events after ``after`` in ``jobs`` processes, one id range each, all reading the snapshot of this
    connection's transaction (REPEATABLE READ, opened by the caller). Returns their segments in id order."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # Table and column names from the model.
        cursor.execute(f"SELECT min({_column('id')}), max({_column('id')}) FROM {table} "  # noqa: S608
                       f"WHERE {_column('sequence')} > %s", [after])
        low, high = cursor.fetchone()
    if low is None:
        return []
    span = high - low + 1
    ranges = [(low + span * index // jobs, low + span * (index + 1) // jobs - 1) for index in range(jobs)]
    # fork: the workers inherit the key, the anchors and the settings without pickling; each opens its own
    # connection and never touches the one inherited (it exits with os._exit, closing nothing of the parent's).
    context = multiprocessing.get_context("fork")
    params = connection.get_connection_params()
    workers = []
    for id_range in ranges:
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(target=_walk_range, daemon=True,
                                  args=(writer, params, snapshot, checker, after, id_range, batch_size))
        process.start()
        writer.close()
        workers.append((process, reader))
    return _collect(workers, progress)


def _walk_range(writer, params: dict, snapshot: str, checker: RowChecker, after: int, id_range: tuple[int, int],
                batch_size: int) -> None:
    """In a worker process: walk one id range in the exported snapshot, sending progress, then the segment."""
    try:
        with psycopg.connect(**params) as pg:
            pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            pg.read_only = True
            pg.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            batches = postgresql_batches(pg, after=after, id_range=id_range, batch_size=batch_size)
            segment = checker.walk(read_ahead(batches), progress=lambda count: writer.send(("progress", count)))
        writer.send(("done", segment))
    except Exception as error:  # reported to the parent, which fails the walk
        writer.send(("failed", f"{type(error).__name__}: {error}"))
    finally:
        writer.close()


def _collect(workers: list, progress: Callable[[int], None] | None) -> list[Segment]:
    segments: dict[int, Segment] = {}
    failures: list[str] = []
    waiting = {reader: index for index, (_, reader) in enumerate(workers)}
    while waiting:
        for reader in multiprocessing.connection.wait(list(waiting)):
            index = waiting[reader]
            try:
                kind, value = reader.recv()
            except EOFError:
                kind, value = "failed", "the worker process ended without a result"
            if kind == "progress":
                if progress:
                    progress(value)
                continue
            del waiting[reader]
            if kind == "done":
                segments[index] = value
            else:
                failures.append(f"range {index + 1} of {len(workers)}: {value}")
    for process, reader in workers:
        process.join()
        reader.close()
    if failures:
        raise WalkFailed("; ".join(failures))
    return [segments[index] for index in range(len(workers))]
