"""Verifying the audit chain (``manage.py verify_audit``, and beat's ``audit_anchor_periodic``): the head sealed by
the key, every event in order, linked and MACed (core.audit.walk), and all of it agreeing with the anchors kept
outside the database."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction

from core.audit.anchors import (
    AnchorSet,
    AuditChainBroken,
    anchor_path,
    audit_anchor_verified,
    audit_anchors_read,
)
from core.audit.keys import GENESIS_HASH, audit_keyring, head_mac_valid
from core.audit.walk import (
    RowChecker,
    django_batches,
    parallel_jobs,
    postgresql_batches,
    read_ahead,
    stitch,
    walk_in_workers,
)
from core.models import AuditChainHead, AuditEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    message: str
    broken_sequence: int | None = None
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH
    anchors_checked: int = 0
    started_after: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)
    legacy_until: int = 0


@contextlib.contextmanager
def _consistent_snapshot() -> Iterator[bool]:
    """Read the head and every event from one snapshot, so events appended while a long walk runs neither
    look like tampering nor slip past the head check. (Inside an existing transaction, e.g. a test, that
    transaction already sees one state.) Yields whether the snapshot is this walk's own, and so can be shared
    with worker processes (pg_export_snapshot)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield False
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield True


def audit_verify_chain(
    *, batch_size: int = 2000, since_anchor: bool = False, progress: Callable[[int, int], None] | None = None,
    jobs: int | None = 1,
) -> ChainReport:
    """Walk the chain in order and report the first broken link, in constant memory (a server-side cursor).

    Detects an edited row (its MAC no longer matches: recomputing it needs the key), a deleted row (a gap in
    the sequence, or a previous_hash that does not match), reordered rows, deleted or forged newest rows (the
    keyed chain head disagrees), an unkeyed row after the chain was keyed, and any disagreement with the anchors
    kept outside the database (an anchor beyond the chain, or naming another hash for its event). With
    ``since_anchor`` only the events after the last verified anchor are walked (``audit_anchor_verified``
    records one). ``jobs``: worker processes for a long walk (None: one per CPU once the walk is long enough;
    only when this call opens its own snapshot, not inside a transaction). May raise WalkFailed (a worker
    failed: nothing proven either way)."""
    try:
        keyring = audit_keyring()
        anchors = audit_anchors_read(keyring=keyring)
        with _consistent_snapshot() as own_snapshot:
            report = _ChainWalk(keyring=keyring, anchors=anchors, batch_size=batch_size, progress=progress,
                                jobs=jobs).run(since_anchor=since_anchor, may_fork=own_snapshot)
    except AuditChainBroken as broken:
        return ChainReport(False, 0, broken.message, broken.sequence)
    return report.as_report()


def audit_anchor_periodic() -> ChainReport:
    """Beat's job: verify what was added since the last verified anchor, then anchor the head as verified.
    A broken chain is never anchored: the task fails (and logs critically) instead."""
    report = audit_verify_chain(since_anchor=True)
    if not report.ok:
        logger.critical("Audit chain broken: %s", report.message)
        raise AuditChainBroken(report.message, report.broken_sequence)
    audit_anchor_verified(report=report, source="beat")
    return report


@dataclass
class _WalkResult:
    ok: bool
    checked: int
    message: str
    broken_sequence: int | None
    last_sequence: int
    last_hash: str
    legacy_until: int
    anchors_checked: int
    started_after: int
    warnings: list[str]

    def as_report(self) -> ChainReport:
        return ChainReport(self.ok, self.checked, self.message, self.broken_sequence, self.last_sequence,
                           self.last_hash, self.anchors_checked, self.started_after, tuple(self.warnings),
                           self.legacy_until)


class _ChainWalk:
    def __init__(self, *, keyring: dict[str, bytes], anchors: AnchorSet, batch_size: int,
                 progress: Callable[[int, int], None] | None, jobs: int | None):
        self.keyring = keyring
        self.anchors = anchors
        self.batch_size = batch_size
        self.progress = progress
        self.jobs = jobs
        self.checked = 0
        self.anchors_checked = 0
        self.warnings: list[str] = []

    def run(self, *, since_anchor: bool, may_fork: bool) -> _WalkResult:
        head = self._check_head()
        start_sequence, previous_hash = self._start(head, since_anchor=since_anchor)
        try:
            last_sequence, last_hash = self._walk(head, start_sequence, previous_hash, may_fork=may_fork)
            self._check_end(head, last_sequence, last_hash)
        except AuditChainBroken as broken:
            return self._result(head, start_sequence, ok=False, message=broken.message, broken=broken.sequence)
        message = f"Audit chain intact: {self.checked} events verified"
        message += f" after event #{start_sequence}." if start_sequence else "."
        if self.anchors_checked:
            message += f" {self.anchors_checked} anchors agree."
        return self._result(head, start_sequence, ok=True, message=message, broken=None)

    def _result(self, head, start_sequence: int, *, ok: bool, message: str, broken: int | None) -> _WalkResult:
        return _WalkResult(ok, self.checked, message, broken, head.last_sequence, head.last_hash, head.legacy_until,
                           self.anchors_checked, start_sequence, self.warnings)

    def _check_head(self) -> AuditChainHead:
        head = AuditChainHead.objects.filter(id=1).first()
        if head is None:
            if AuditEvent.objects.exists():
                raise AuditChainBroken("The chain head is missing while events exist.", 1)
            head = AuditChainHead(id=1)
        elif head.last_sequence and not head_mac_valid(head, self.keyring):
            raise AuditChainBroken(
                f"The chain head (event #{head.last_sequence}) is not sealed by the audit key: it was rewritten "
                "in the database.", head.last_sequence)
        beyond = [sequence for sequence in self.anchors.by_sequence if sequence > head.last_sequence]
        if beyond:
            raise AuditChainBroken(
                f"An anchor outside the database records event #{max(beyond)}, but the chain ends at "
                f"#{head.last_sequence} (the newest events were deleted).", head.last_sequence + 1)
        if self.anchors.legacy_untils - {head.legacy_until}:
            raise AuditChainBroken("The anchors and the chain head disagree on how many events predate the key.",
                                   head.legacy_until + 1)
        self._warn_about_anchors(head)
        return head

    def _warn_about_anchors(self, head: AuditChainHead) -> None:
        if anchor_path() is None:
            self.warnings.append("No anchor file is configured: verified against the database and the key only.")
        elif head.last_sequence and not self.anchors.count:
            self.warnings.append(f"The anchor file {anchor_path()} holds no anchor yet.")
        if head.legacy_until:
            self.warnings.append(f"Events #1 to #{head.legacy_until} predate the audit key (plain SHA-256); "
                                 "the keyed events after them seal them.")

    def _start(self, head: AuditChainHead, *, since_anchor: bool) -> tuple[int, str]:
        verified = self.anchors.last_verified if since_anchor else None
        if verified is None:
            return 0, GENESIS_HASH
        sequence = verified["sequence"]
        stored = AuditEvent.objects.filter(sequence=sequence).values_list("hash", flat=True).first()
        if stored != verified["hash"]:
            raise AuditChainBroken(f"Event #{sequence} differs from the last verified anchor (or is missing): "
                                   "it was rewritten after it was verified.", sequence)
        self.anchors_checked += 1
        return sequence, stored

    def _walk(self, head: AuditChainHead, start_sequence: int, previous_hash: str, *, may_fork: bool
              ) -> tuple[int, str]:
        """Check every event after ``start_sequence`` (core.audit.walk), in worker processes when the walk is long
        and this verification holds its own snapshot for them to share."""
        total = max(head.last_sequence - start_sequence, 0)
        checker = RowChecker(keyring=self.keyring, anchors=self.anchors.by_sequence, legacy_until=head.legacy_until)
        done = 0

        def advanced(count: int) -> None:
            nonlocal done
            done += count
            if self.progress:
                self.progress(done, total)

        jobs = parallel_jobs(self.jobs, events=total) if may_fork else 1
        if jobs > 1:
            segments = walk_in_workers(checker, after=start_sequence, jobs=jobs, batch_size=self.batch_size,
                                       progress=advanced)
        else:
            segments = [checker.walk(self._batches(start_sequence), progress=advanced)]
        if self.progress:
            self.progress(done, total)
        stitched = stitch(segments, expected=start_sequence + 1, previous_hash=previous_hash)
        self.checked += stitched.checked
        self.anchors_checked += stitched.anchors_checked
        if stitched.broken:
            raise stitched.broken
        return stitched.last_sequence, stitched.last_hash

    def _batches(self, start_sequence: int):
        if connection.vendor != "postgresql":
            return django_batches(after=start_sequence, batch_size=self.batch_size)
        connection.ensure_connection()
        return read_ahead(postgresql_batches(connection.connection, after=start_sequence, id_range=None,
                                             batch_size=self.batch_size))

    def _check_end(self, head: AuditChainHead, last_sequence: int, last_hash: str) -> None:
        if head.last_sequence != last_sequence or head.last_hash != last_hash:
            raise AuditChainBroken(
                f"Broken link after event #{last_sequence}: the chain head records {head.last_sequence} events "
                "(the newest events were deleted or replaced).", last_sequence + 1)
