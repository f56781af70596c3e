"""Writing, anchoring and verifying the audit chain. ``audit_log`` is the only way an AuditEvent is created.

Three layers, so that the trail survives whoever holds its database (STYLE rule 18; issue 11, finding 3):

1. **Keyed chain.** Each event carries HMAC-SHA256 over its content and the previous event's MAC, under
   ``POLICYHUB_AUDIT_KEY``, a secret the database never sees. Editing an event and recomputing every hash (the
   attack that passed ``verify_audit`` while the chain was plain SHA-256) now needs the key.
2. **Anchors outside the database.** From time to time (Celery beat) and after each publication the chain head
   (sequence, hash, time) is appended, with its own MAC, to a JSON-lines file (``POLICYHUB_AUDIT_ANCHOR_PATH``)
   on storage the database administrator cannot write. Even someone holding the key cannot rewrite history
   that an anchor has already recorded.
3. **A database role that cannot cheat** (``manage.py db_roles``): the app owns no tables, so it can neither
   switch the append-only triggers off nor TRUNCATE.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone

from core.models import AuditChainHead, AuditEvent, OutboxEvent
from core.models.audit import ALGORITHM_HMAC_SHA256, ALGORITHM_LEGACY_SHA256

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# 32 characters: 256 bits when generated as recommended (secrets.token_urlsafe(48) gives 64).
AUDIT_KEY_MIN_LENGTH = 32
ANCHOR_FORMAT_VERSION = 1

# Sent after the commit of a transaction that wrote outbox rows.
outbox_written = Signal()


class AuditKeyError(ImproperlyConfigured):
    pass


# --- keys -------------------------------------------------------------------------------------------------------


def _key_bytes(value: str, *, name: str) -> bytes:
    if not isinstance(value, str) or len(value) < AUDIT_KEY_MIN_LENGTH:
        raise AuditKeyError(f"{name} must be at least {AUDIT_KEY_MIN_LENGTH} characters long.")
    return value.encode("utf-8")


def key_fingerprint(key: bytes) -> str:
    """A short, non-reversible name for a key, stored with each event so rotated keys still verify."""
    return hmac.new(key, b"policyhub-audit-key-id", hashlib.sha256).hexdigest()[:16]


def audit_current_key() -> tuple[str, bytes]:
    key = _key_bytes(getattr(settings, "POLICYHUB_AUDIT_KEY", ""), name="POLICYHUB_AUDIT_KEY")
    return key_fingerprint(key), key


def audit_keyring() -> dict[str, bytes]:
    """The current key and any previous ones (``POLICYHUB_AUDIT_PREVIOUS_KEYS``), by fingerprint."""
    key_id, key = audit_current_key()
    keyring = {key_id: key}
    for value in getattr(settings, "POLICYHUB_AUDIT_PREVIOUS_KEYS", []) or []:
        previous = _key_bytes(value, name="POLICYHUB_AUDIT_PREVIOUS_KEYS")
        keyring.setdefault(key_fingerprint(previous), previous)
    return keyring


# --- event content ---------------------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    """JSON-safe, deterministic form of a change payload."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def _event_payload(fields: dict, *, keyed: dict | None = None) -> bytes:
    body = {
        "sequence": fields["sequence"],
        "occurred_at": fields["occurred_at"].isoformat(),
        "actor_id": fields["actor_id"],
        "actor_username": fields["actor_username"],
        "action": fields["action"],
        "object_type": fields["object_type"],
        "object_id": str(fields["object_id"]),
        "object_repr": fields["object_repr"],
        "policy_id": fields["policy_id"],
        "changes": fields["changes"],
        "previous_hash": fields["previous_hash"],
    }
    if keyed:
        body.update(keyed)
    return _PAYLOAD_ENCODER.encode(body).encode("utf-8")


# json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder), without building an encoder for
# every event (verify_audit computes a million of them). encode() keeps no state between calls.
_PAYLOAD_ENCODER = DjangoJSONEncoder(sort_keys=True, separators=(",", ":"))


def compute_event_hash(**fields) -> str:
    """The unkeyed SHA-256 of events written before the chain was keyed (and what a tamperer can recompute)."""
    return hashlib.sha256(_event_payload(fields)).hexdigest()


def compute_event_mac(*, key: bytes, key_id: str, **fields) -> str:
    """HMAC-SHA256 of an event. The algorithm and key id are inside the MAC, so neither can be swapped."""
    payload = _event_payload(fields, keyed={"algorithm": ALGORITHM_HMAC_SHA256, "key_id": key_id})
    # hmac.digest: the one-shot C implementation (verify_audit computes one per event).
    return hmac.digest(key, payload, "sha256").hex()


def compute_head_mac(*, key: bytes, last_sequence: int, last_hash: str, legacy_until: int) -> str:
    message = f"policyhub-audit-head\n{last_sequence}\n{last_hash}\n{legacy_until}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _head_mac_valid(head: AuditChainHead, keyring: dict[str, bytes]) -> bool:
    return any(
        hmac.compare_digest(head.mac, compute_head_mac(key=key, last_sequence=head.last_sequence,
                                                       last_hash=head.last_hash, legacy_until=head.legacy_until))
        for key in keyring.values()
    )


def _action_name(action) -> str:
    # A str-Enum's str() is "Class.MEMBER" on Python 3.11 unless it is a StrEnum: store the value itself.
    return str(action.value if isinstance(action, enum.Enum) else action)


# --- writing ---------------------------------------------------------------------------------------------------


def audit_log(
    *,
    actor,
    action: str,
    obj: models.Model,
    changes: dict | None = None,
    policy_id: int | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must be called inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_log must run inside the transaction of the change it records")
    key_id, key = audit_current_key()
    action = _action_name(action)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    object_type = obj._meta.label_lower
    if policy_id is None and object_type == "lifecycle.policy":
        policy_id = obj.pk
    fields = {
        "sequence": head.last_sequence + 1,
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": getattr(actor, "username", "") or "",
        "action": action,
        "object_type": object_type,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:300],
        "policy_id": policy_id,
        "changes": _canonical(changes or {}),
        "previous_hash": head.last_hash,
    }
    event_mac = compute_event_mac(key=key, key_id=key_id, **fields)
    event = AuditEvent.objects.create(**fields, hash=event_mac, mac_algorithm=ALGORITHM_HMAC_SHA256, key_id=key_id)
    head.last_sequence = fields["sequence"]
    head.last_hash = event_mac
    head.mac = compute_head_mac(key=key, last_sequence=head.last_sequence, last_hash=event_mac,
                                legacy_until=head.legacy_until)
    head.save(update_fields=["last_sequence", "last_hash", "mac"])
    # The audit event is also the domain event: queue it for notification in the same transaction.
    OutboxEvent.objects.create(audit_event=event, topic=action)
    _relay_on_commit()
    _transaction_audit().covered.add((object_type, fields["object_id"]))
    if action in getattr(settings, "POLICYHUB_AUDIT_ANCHOR_ACTIONS", ()):
        _anchor_on_commit()
    return event


def audit_log_many(*, actor, action: str, entries: list[tuple[models.Model, dict]]) -> int:
    """Append one event per (object, changes) of ``entries`` to the chain, in order, with a constant number of
    queries however many there are (issue 12: a leaver's 2,000 policies handed over in one transaction): the head
    is locked once, each event's MAC chained to the previous one in Python, the events and their outbox rows
    inserted in bulk, and the head saved once. The same events, byte for byte, as ``audit_log`` once per entry.
    Must be called inside the transaction of the change it records. Returns how many were written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_log_many must run inside the transaction of the change it records")
    if not entries:
        return 0
    key_id, key = audit_current_key()
    action = _action_name(action)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    occurred_at = timezone.now()
    sequence, previous = head.last_sequence, head.last_hash
    events = []
    covered = _transaction_audit().covered
    for obj, changes in entries:
        object_type = obj._meta.label_lower
        sequence += 1
        fields = {
            "sequence": sequence,
            "occurred_at": occurred_at,
            "actor_id": actor.pk if actor is not None else None,
            "actor_username": getattr(actor, "username", "") or "",
            "action": action,
            "object_type": object_type,
            "object_id": str(obj.pk),
            "object_repr": str(obj)[:300],
            "policy_id": obj.pk if object_type == "lifecycle.policy" else None,
            "changes": _canonical(changes or {}),
            "previous_hash": previous,
        }
        previous = compute_event_mac(key=key, key_id=key_id, **fields)
        events.append(AuditEvent(**fields, hash=previous, mac_algorithm=ALGORITHM_HMAC_SHA256, key_id=key_id))
        covered.add((object_type, fields["object_id"]))
    created = AuditEvent.objects.bulk_create(events)
    head.last_sequence, head.last_hash = sequence, previous
    head.mac = compute_head_mac(key=key, last_sequence=sequence, last_hash=previous, legacy_until=head.legacy_until)
    head.save(update_fields=["last_sequence", "last_hash", "mac"])
    OutboxEvent.objects.bulk_create([OutboxEvent(audit_event=event, topic=action) for event in created])
    _relay_on_commit()
    if action in getattr(settings, "POLICYHUB_AUDIT_ANCHOR_ACTIONS", ()):
        _anchor_on_commit()
    return len(created)


def _relay_on_commit() -> None:
    """Tell listeners (notifications, across apps) after commit that outbox rows are waiting. Production
    connects nothing here and relays from beat, so a web request never waits on, or fails because of, the
    broker; ``make run`` (eager Celery, no broker) relays at once."""
    _once_on_commit(_emit_outbox_written)


def _once_on_commit(callback: Callable[[], None]) -> None:
    connection_ = transaction.get_connection()
    # Once per transaction, however many events it writes.
    if not any(registered is callback for _, registered, _ in connection_.run_on_commit):
        transaction.on_commit(callback)


def _emit_outbox_written() -> None:
    outbox_written.send(sender=OutboxEvent)


# --- changes seen below the services ----------------------------------------------------------------------------


@dataclass
class _PendingEvent:
    subject: tuple[str, str]
    actor: Any
    action: str
    obj: models.Model
    changes: dict


class _TransactionAudit:
    """What one transaction has audited, and the events that model signals saw below the services. At commit,
    each pending event whose subject no audit_log call of the transaction covered is written (a change made in
    a shell, a script, a data fix or a third-party admin); a service's own event covers it otherwise."""

    def __init__(self):
        self.covered: set[tuple[str, str]] = set()
        self.pending: list[_PendingEvent] = []
        self.flushed = False

    def flush(self) -> None:
        self.flushed = True
        for item in self.pending:
            if item.subject in self.covered:
                continue
            try:
                with transaction.atomic():
                    audit_log(actor=item.actor, action=item.action, obj=item.obj, changes=item.changes)
            except Exception:  # the change itself is committed: say so loudly, never hide it
                logger.critical("Could not audit %s on %s made outside the services", item.action, item.subject,
                                exc_info=True)


def _transaction_audit() -> _TransactionAudit:
    connection_ = transaction.get_connection()
    state = getattr(connection_, "_policyhub_transaction_audit", None)
    if state is None or state.flushed or not any(callback == state.flush for _, callback, _ in
                                                 connection_.run_on_commit):
        state = _TransactionAudit()
        connection_._policyhub_transaction_audit = state
        if connection_.in_atomic_block:
            transaction.on_commit(state.flush, robust=True)
    return state


def audit_unless_covered(*, subject: models.Model | tuple[str, str], actor, action: str, obj: models.Model,
                         changes: dict | None = None) -> None:
    """For model-signal receivers: record ``action`` on ``obj`` unless, by the end of this transaction, a
    service has audited ``subject`` (a model instance or (label_lower, pk)). Outside a transaction the change is
    already committed, so the event is written at once."""
    if isinstance(subject, models.Model):
        subject = (subject._meta.label_lower, str(subject.pk))
    item = _PendingEvent((subject[0], str(subject[1])), actor, _action_name(action), obj, changes or {})
    if not transaction.get_connection().in_atomic_block:
        state = _TransactionAudit()
        state.pending.append(item)
        state.flush()
        return
    _transaction_audit().pending.append(item)


# --- anchors ---------------------------------------------------------------------------------------------------


class AuditChainBroken(Exception):
    def __init__(self, message: str, sequence: int | None = None):
        super().__init__(message)
        self.message = message
        self.sequence = sequence


def anchor_path() -> str | None:
    """Where anchors go; None when anchoring is switched off (the test settings, unless a test sets a path)."""
    return getattr(settings, "POLICYHUB_AUDIT_ANCHOR_PATH", None) or None


def _anchor_mac(record: dict, key: bytes) -> str:
    body = {name: value for name, value in record.items() if name != "mac"}
    return hmac.new(key, json.dumps(body, sort_keys=True, separators=(",", ":")).encode(), hashlib.sha256).hexdigest()


def _append_line(path: str, line: str) -> None:
    """One write of one line to a file opened for appending, then fsync: concurrent writers (web, worker) each
    land whole lines, and a line reported written survives a crash."""
    directory = os.path.dirname(os.path.abspath(path))
    created = not os.path.exists(path)
    os.makedirs(directory, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (line + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if created:  # the new directory entry must survive a crash too
        directory_descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_descriptor)
        finally:
            os.close(directory_descriptor)


def _anchor_append(*, sequence: int, event_hash: str, legacy_until: int, source: str, verified: bool) -> dict | None:
    path = anchor_path()
    if path is None or sequence == 0:
        return None
    key_id, key = audit_current_key()
    record = {
        "v": ANCHOR_FORMAT_VERSION, "sequence": sequence, "hash": event_hash, "legacy_until": legacy_until,
        "at": timezone.now().isoformat(), "source": source, "verified": verified, "key_id": key_id,
    }
    record["mac"] = _anchor_mac(record, key)
    _append_line(path, json.dumps(record, sort_keys=True, separators=(",", ":")))
    return record


def audit_anchor_write(*, source: str) -> dict | None:
    """Anchor the committed chain head now, after checking that the head is sealed by the key and names the
    newest event: a forged head is refused (AuditChainBroken), never anchored. Returns the record written, or
    None when there is nothing to anchor or anchoring is off. Anyone may call it after a commit; the publication
    event calls it by itself (``POLICYHUB_AUDIT_ANCHOR_ACTIONS``)."""
    if anchor_path() is None:
        return None
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None or head.last_sequence == 0:
        return None
    if not _head_mac_valid(head, audit_keyring()):
        raise AuditChainBroken("The chain head's MAC does not match: it was written without the key.",
                               head.last_sequence)
    newest = AuditEvent.objects.filter(sequence=head.last_sequence).values_list("hash", flat=True).first()
    if newest != head.last_hash:
        raise AuditChainBroken(f"The chain head names event #{head.last_sequence}, which is missing or differs.",
                               head.last_sequence)
    return _anchor_append(sequence=head.last_sequence, event_hash=head.last_hash, legacy_until=head.legacy_until,
                          source=source, verified=False)


def _anchor_on_commit() -> None:
    _once_on_commit(_anchor_after_publication)


def _anchor_after_publication() -> None:
    # After the commit: the publication stands whatever happens here; a failed anchor is logged loudly and the
    # next beat run anchors the head (which by then covers this publication).
    try:
        audit_anchor_write(source="publication")
    except (OSError, AuditChainBroken, ImproperlyConfigured):
        logger.critical("Could not anchor the audit chain after a publication", exc_info=True)


def audit_anchor_periodic() -> ChainReport:
    """Beat's job: verify what was added since the last verified anchor, then anchor the head as verified.
    A broken chain is never anchored: the task fails (and logs critically) instead."""
    report = audit_verify_chain(since_anchor=True)
    if not report.ok:
        logger.critical("Audit chain broken: %s", report.message)
        raise AuditChainBroken(report.message, report.broken_sequence)
    audit_anchor_verified(report=report, source="beat")
    return report


def audit_anchor_verified(*, report: ChainReport, source: str) -> dict | None:
    """Anchor the head a successful verification reached, marked verified: ``verify_audit --since-anchor`` starts
    after the last such anchor. Raises OSError if the anchor file cannot be written."""
    if not report.ok:
        raise ValueError("Only a verified chain is anchored as verified.")
    return _anchor_append(sequence=report.last_sequence, event_hash=report.last_hash,
                          legacy_until=report.legacy_until, source=source, verified=True)


@dataclass(frozen=True)
class AnchorSet:
    by_sequence: dict[int, str]
    count: int
    last_verified: dict | None
    legacy_untils: set[int]


def audit_anchors_read(*, keyring: dict[str, bytes]) -> AnchorSet:
    """Read and check every anchor line. A line that is not JSON, has a bad MAC, or contradicts another anchor
    at the same sequence is a break: the file is append-only, so nothing in it should ever change."""
    path = anchor_path()
    by_sequence: dict[int, str] = {}
    last_verified = None
    legacy_untils: set[int] = set()
    count = 0
    if path is None or not os.path.exists(path):
        return AnchorSet(by_sequence, 0, None, legacy_untils)
    try:
        lines = open(path, encoding="utf-8")  # noqa: SIM115 (closed below; a read error is a break)
    except OSError as error:
        raise AuditChainBroken(f"The anchor file {path} cannot be read ({error}): nothing to compare with.") from error
    with lines:
        for line_number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = _parse_anchor(line, line_number, keyring)
            sequence, event_hash = record["sequence"], record["hash"]
            if by_sequence.setdefault(sequence, event_hash) != event_hash:
                raise AuditChainBroken(f"Anchor line {line_number} contradicts an earlier anchor of event "
                                       f"#{sequence}: the chain was rewritten between them.", sequence)
            legacy_untils.add(record["legacy_until"])
            if record.get("verified") and (last_verified is None or sequence >= last_verified["sequence"]):
                last_verified = record
            count += 1
    return AnchorSet(by_sequence, count, last_verified, legacy_untils)


def _parse_anchor(line: str, line_number: int, keyring: dict[str, bytes]) -> dict:
    try:
        record = json.loads(line)
        sequence, mac, key_id = int(record["sequence"]), record["mac"], record["key_id"]
        record["sequence"] = sequence
        record["legacy_until"] = int(record["legacy_until"])
        str(record["hash"])
    except (ValueError, KeyError, TypeError) as error:
        raise AuditChainBroken(f"Anchor line {line_number} is not a valid anchor record ({error}).") from error
    key = keyring.get(key_id)
    if key is None:
        raise AuditChainBroken(f"Anchor line {line_number} is signed with an unknown key ({key_id}).", sequence)
    if not hmac.compare_digest(str(mac), _anchor_mac(record, key)):
        raise AuditChainBroken(f"Anchor line {line_number} has a bad MAC: the anchor file was edited.", sequence)
    return record


# --- verifying -------------------------------------------------------------------------------------------------


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


EVENT_FIELDS = [
    "sequence", "occurred_at", "actor_id", "actor_username", "action", "object_type", "object_id",
    "object_repr", "policy_id", "changes", "previous_hash", "hash", "mac_algorithm", "key_id",
]


@contextlib.contextmanager
def _consistent_snapshot() -> Iterator[None]:
    """Read the head and every event from one snapshot, so events appended while a long walk runs neither
    look like tampering nor slip past the head check. (Inside an existing transaction, e.g. a test, that
    transaction already sees one state.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def audit_verify_chain(
    *, batch_size: int = 2000, since_anchor: bool = False, progress: Callable[[int, int], None] | None = None,
) -> ChainReport:
    """Walk the chain in order and report the first broken link, in constant memory (a server-side cursor).

    Detects an edited row (its MAC no longer matches: recomputing it needs the key), a deleted row (a gap in
    the sequence, or a previous_hash that does not match), reordered rows, deleted or forged newest rows (the
    keyed chain head disagrees), an unkeyed row after the chain was keyed, and any disagreement with the anchors
    kept outside the database (an anchor beyond the chain, or naming another hash for its event). With
    ``since_anchor`` only the events after the last verified anchor are walked (``audit_anchor_verified``
    records one)."""
    try:
        keyring = audit_keyring()
        anchors = audit_anchors_read(keyring=keyring)
        with _consistent_snapshot():
            report = _ChainWalk(keyring=keyring, anchors=anchors, batch_size=batch_size, progress=progress
                                ).run(since_anchor=since_anchor)
    except AuditChainBroken as broken:
        return ChainReport(False, 0, broken.message, broken.sequence)
    return report.as_report()


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
                 progress: Callable[[int, int], None] | None):
        self.keyring = keyring
        self.anchors = anchors
        self.batch_size = batch_size
        self.progress = progress
        self.checked = 0
        self.anchors_checked = 0
        self.warnings: list[str] = []

    def run(self, *, since_anchor: bool) -> _WalkResult:
        head = self._check_head()
        start_sequence, previous_hash = self._start(head, since_anchor=since_anchor)
        try:
            last_sequence, last_hash = self._walk(head, start_sequence, previous_hash)
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
        elif head.last_sequence and not _head_mac_valid(head, self.keyring):
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

    def _walk(self, head: AuditChainHead, start_sequence: int, previous_hash: str) -> tuple[int, str]:
        expected = start_sequence + 1
        total = max(head.last_sequence - start_sequence, 0)
        rows = (AuditEvent.objects.filter(sequence__gt=start_sequence).order_by("id")
                .values_list(*EVENT_FIELDS).iterator(chunk_size=self.batch_size))
        for row in rows:
            event = dict(zip(EVENT_FIELDS, row, strict=True))
            self._check_link(event, expected, previous_hash, head)
            previous_hash = event["hash"]
            expected += 1
            self.checked += 1
            if self.progress and self.checked % self.batch_size == 0:
                self.progress(self.checked, total)
        if self.progress:
            self.progress(self.checked, total)
        return expected - 1, previous_hash

    def _check_link(self, event: dict, expected: int, previous_hash: str, head: AuditChainHead) -> None:
        sequence = event["sequence"]
        if sequence != expected:
            raise AuditChainBroken(f"Broken link at event #{expected}: found #{sequence} instead "
                                   "(an event was deleted or the rows were reordered).", expected)
        if event["previous_hash"] != previous_hash:
            raise AuditChainBroken(f"Broken link at event #{sequence}: it does not follow event #{sequence - 1} "
                                   "(an earlier event was deleted, replaced or reordered).", sequence)
        if not hmac.compare_digest(event["hash"], self._recompute(event, head)):
            raise AuditChainBroken(f"Broken link at event #{sequence}: its content was edited after it was "
                                   "written (its MAC does not match under the audit key).", sequence)
        anchored = self.anchors.by_sequence.get(sequence)
        if anchored is not None:
            if anchored != event["hash"]:
                raise AuditChainBroken(f"Broken link at event #{sequence}: it differs from the anchor kept outside "
                                       "the database (the chain was rewritten after it was anchored).", sequence)
            self.anchors_checked += 1

    def _recompute(self, event: dict, head: AuditChainHead) -> str:
        algorithm, sequence = event["mac_algorithm"], event["sequence"]
        if algorithm == ALGORITHM_LEGACY_SHA256:
            if sequence > head.legacy_until:
                raise AuditChainBroken(f"Broken link at event #{sequence}: it carries no MAC, but the chain was "
                                       f"keyed after event #{head.legacy_until} (a forged or downgraded event).",
                                       sequence)
            return compute_event_hash(**event)
        key = self.keyring.get(event["key_id"])
        if algorithm != ALGORITHM_HMAC_SHA256 or key is None:
            raise AuditChainBroken(f"Broken link at event #{sequence}: signed with an unknown algorithm or key "
                                   f"({algorithm}, {event['key_id'] or 'no key id'}).", sequence)
        return compute_event_mac(key=key, **{name: event[name] for name in EVENT_FIELDS[:11]},
                                 key_id=event["key_id"])

    def _check_end(self, head: AuditChainHead, last_sequence: int, last_hash: str) -> None:
        if head.last_sequence != last_sequence or head.last_hash != last_hash:
            raise AuditChainBroken(
                f"Broken link after event #{last_sequence}: the chain head records {head.last_sequence} events "
                "(the newest events were deleted or replaced).", last_sequence + 1)
