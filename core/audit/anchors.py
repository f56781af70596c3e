"""Anchors outside the database: the chain head (sequence, hash, time), with its own MAC, appended to a JSON-lines
file (``POLICYHUB_AUDIT_ANCHOR_PATH``) on storage the database administrator cannot write. Even someone holding
the key cannot rewrite history that an anchor has already recorded."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from core.audit.keys import audit_current_key, audit_keyring, head_mac_valid
from core.models import AuditChainHead, AuditEvent

if TYPE_CHECKING:  # the report's type only: verifying reads anchors, not the other way round
    from core.audit.verify import ChainReport

logger = logging.getLogger(__name__)

ANCHOR_FORMAT_VERSION = 1


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
    if not head_mac_valid(head, audit_keyring()):
        raise AuditChainBroken("The chain head's MAC does not match: it was written without the key.",
                               head.last_sequence)
    newest = AuditEvent.objects.filter(sequence=head.last_sequence).values_list("hash", flat=True).first()
    if newest != head.last_hash:
        raise AuditChainBroken(f"The chain head names event #{head.last_sequence}, which is missing or differs.",
                               head.last_sequence)
    return _anchor_append(sequence=head.last_sequence, event_hash=head.last_hash, legacy_until=head.legacy_until,
                          source=source, verified=False)


def anchor_after_publication() -> None:
    # After the commit: the publication stands whatever happens here; a failed anchor is logged loudly and the
    # next beat run anchors the head (which by then covers this publication).
    try:
        audit_anchor_write(source="publication")
    except (OSError, AuditChainBroken, ImproperlyConfigured):
        logger.critical("Could not anchor the audit chain after a publication", exc_info=True)


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
