"""Writing the audit chain: ``audit_log`` (and ``audit_log_many``) is the only way an AuditEvent is created, inside
the transaction of the change it records; changes seen only by model signals are audited at commit unless a
service covered them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from core.audit.anchors import anchor_after_publication
from core.audit.keys import action_name, audit_current_key, canonical, compute_event_mac, compute_head_mac
from core.models import AuditChainHead, AuditEvent, OutboxEvent
from core.models.audit import ALGORITHM_HMAC_SHA256

logger = logging.getLogger(__name__)

# Sent after the commit of a transaction that wrote outbox rows.
outbox_written = Signal()


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
    action = action_name(action)
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
        "changes": canonical(changes or {}),
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
    action = action_name(action)
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
            "changes": canonical(changes or {}),
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


def _anchor_on_commit() -> None:
    _once_on_commit(anchor_after_publication)


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
    item = _PendingEvent((subject[0], str(subject[1])), actor, action_name(action), obj, changes or {})
    if not transaction.get_connection().in_atomic_block:
        state = _TransactionAudit()
        state.pending.append(item)
        state.flush()
        return
    _transaction_audit().pending.append(item)
