"""Writing, anchoring and verifying the audit chain. ``audit_log`` is the only way an AuditEvent is created.

Three layers, so that the trail survives whoever holds its database (STYLE rule 18; issue 11, finding 3):

1. **Keyed chain** (``keys``, ``log``). Each event carries HMAC-SHA256 over its content and the previous event's
   MAC, under ``POLICYHUB_AUDIT_KEY``, a secret the database never sees. Editing an event and recomputing every
   hash (the attack that passed ``verify_audit`` while the chain was plain SHA-256) now needs the key.
2. **Anchors outside the database** (``anchors``). From time to time (Celery beat) and after each publication the
   chain head (sequence, hash, time) is appended, with its own MAC, to a JSON-lines file
   (``POLICYHUB_AUDIT_ANCHOR_PATH``) on storage the database administrator cannot write. Even someone holding
   the key cannot rewrite history that an anchor has already recorded.
3. **A database role that cannot cheat** (``manage.py db_roles``): the app owns no tables, so it can neither
   switch the append-only triggers off nor TRUNCATE.

``verify`` proves all three hold (``manage.py verify_audit``), walking the rows with ``walk``.
"""

from core.audit.anchors import (
    AnchorSet,
    AuditChainBroken,
    anchor_path,
    audit_anchor_verified,
    audit_anchor_write,
    audit_anchors_read,
)
from core.audit.keys import (
    GENESIS_HASH,
    AuditKeyError,
    audit_current_key,
    audit_keyring,
    compute_event_hash,
    compute_event_mac,
    compute_head_mac,
    event_payload,
    key_fingerprint,
)
from core.audit.log import audit_log, audit_log_many, audit_unless_covered, outbox_written
from core.audit.verify import ChainReport, audit_anchor_periodic, audit_verify_chain
from core.audit.walk import WalkFailed

__all__ = [
    "GENESIS_HASH", "AnchorSet", "AuditChainBroken", "AuditKeyError", "ChainReport", "WalkFailed", "anchor_path",
    "audit_anchor_periodic", "audit_anchor_verified", "audit_anchor_write", "audit_anchors_read",
    "audit_current_key", "audit_keyring", "audit_log", "audit_log_many", "audit_unless_covered",
    "audit_verify_chain", "compute_event_hash", "compute_event_mac", "compute_head_mac", "event_payload",
    "key_fingerprint", "outbox_written",
]
