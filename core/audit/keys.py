"""The audit key, and what an event's MAC covers: its canonical payload.

An event's payload is ``json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)`` of its
content (``PAYLOAD_FIELDS``) and, for a keyed event, the algorithm and key id. ``event_payload`` writes those bytes
directly, field by field in sorted order, so that ``verify_audit`` can rebuild a million payloads from the text
PostgreSQL sends without a dict, an encoder pass or a datetime per event; tests/core/test_audit_payload.py proves
it byte for byte against the json.dumps form over awkward content (every chain already written still verifies).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from json.encoder import encode_basestring_ascii
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder

from core.models import AuditChainHead
from core.models.audit import ALGORITHM_HMAC_SHA256

GENESIS_HASH = "0" * 64
# 32 characters: 256 bits when generated as recommended (secrets.token_urlsafe(48) gives 64).
AUDIT_KEY_MIN_LENGTH = 32

# The content an event's MAC covers, in the payload's (sorted) key order, "algorithm" and "key_id" aside.
PAYLOAD_FIELDS = ("action", "actor_id", "actor_username", "changes", "object_id", "object_repr", "object_type",
                  "occurred_at", "policy_id", "previous_hash", "sequence")


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


# json.dumps(value, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder), without building an encoder for
# every event. encode() keeps no state between calls.
PAYLOAD_ENCODER = DjangoJSONEncoder(sort_keys=True, separators=(",", ":"))


def canonical(value: Any) -> Any:
    """JSON-safe, deterministic form of a change payload (what the database stores and gives back)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def event_payload(action: str, actor_id: int | None, actor_username: str, changes_json: str, key_id: str | None,
                  object_id: str, object_repr: str, object_type: str, occurred_at: str, policy_id: int | None,
                  previous_hash: str, sequence: int) -> bytes:
    """The bytes an event's MAC covers, from its fields as stored: strings, ids (int or None), ``changes_json``
    already canonical (``PAYLOAD_ENCODER``), ``occurred_at`` in ISO 8601 (``datetime.isoformat()``), and
    ``key_id`` None for an unkeyed (legacy) event. Positional, in the payload's key order: verify_audit calls it
    once per event."""
    quote = encode_basestring_ascii  # what json.dumps does to a str (ensure_ascii)
    keyed = "" if key_id is None else f'"algorithm":"{ALGORITHM_HMAC_SHA256}",'
    key_part = "" if key_id is None else f'"key_id":{quote(key_id)},'
    return (f'{{"action":{quote(action)},"actor_id":{"null" if actor_id is None else actor_id},'
            f'"actor_username":{quote(actor_username)},{keyed}"changes":{changes_json},{key_part}'
            f'"object_id":{quote(object_id)},"object_repr":{quote(object_repr)},"object_type":{quote(object_type)},'
            f'"occurred_at":{quote(occurred_at)},"policy_id":{"null" if policy_id is None else policy_id},'
            f'"previous_hash":{quote(previous_hash)},"sequence":{sequence}}}').encode("ascii")


def _payload_of(fields: dict, key_id: str | None) -> bytes:
    """``event_payload`` of an event's fields as audit_log holds them (a datetime, a dict of changes)."""
    return event_payload(
        str(fields["action"]), _id_or_none(fields["actor_id"]), str(fields["actor_username"]),
        PAYLOAD_ENCODER.encode(fields["changes"]), key_id, str(fields["object_id"]), str(fields["object_repr"]),
        str(fields["object_type"]), fields["occurred_at"].isoformat(), _id_or_none(fields["policy_id"]),
        str(fields["previous_hash"]), int(fields["sequence"]))


def _id_or_none(value) -> int | None:
    return None if value is None else int(value)


def compute_event_hash(**fields) -> str:
    """The unkeyed SHA-256 of events written before the chain was keyed (and what a tamperer can recompute)."""
    return hashlib.sha256(_payload_of(fields, None)).hexdigest()


def compute_event_mac(*, key: bytes, key_id: str, **fields) -> str:
    """HMAC-SHA256 of an event. The algorithm and key id are inside the MAC, so neither can be swapped."""
    # hmac.digest: the one-shot C implementation (verify_audit computes one per event).
    return hmac.digest(key, _payload_of(fields, key_id), "sha256").hex()


class Sha256Mac:
    """HMAC-SHA256 (RFC 2104) under one key, its inner and outer pads hashed once: verify_audit computes a million
    MACs under the same key, where hmac.digest would set the key up again for each (2.7 against 1.0 microseconds
    a MAC on the bench machine). ``hexdigest(message)`` equals ``hmac.digest(key, message, "sha256").hex()``
    (tests/core/test_audit_payload.py)."""

    def __init__(self, key: bytes):
        if len(key) > _SHA256_BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(key.translate(_INNER_PAD))
        self._outer = hashlib.sha256(key.translate(_OUTER_PAD))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


_SHA256_BLOCK = 64
# The pads as translation tables, as the standard library's hmac module keeps them.
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


def compute_head_mac(*, key: bytes, last_sequence: int, last_hash: str, legacy_until: int) -> str:
    message = f"policyhub-audit-head\n{last_sequence}\n{last_hash}\n{legacy_until}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def head_mac_valid(head: AuditChainHead, keyring: dict[str, bytes]) -> bool:
    return any(
        hmac.compare_digest(head.mac, compute_head_mac(key=key, last_sequence=head.last_sequence,
                                                       last_hash=head.last_hash, legacy_until=head.legacy_until))
        for key in keyring.values()
    )


def action_name(action) -> str:
    # A str-Enum's str() is "Class.MEMBER" on Python 3.11 unless it is a StrEnum: store the value itself.
    return str(action.value if isinstance(action, enum.Enum) else action)
