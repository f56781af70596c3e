"""Writing and verifying the audit chain. ``audit_log`` is the only way an AuditEvent is created."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from core.models import AuditChainHead, AuditEvent, OutboxEvent

GENESIS_HASH = "0" * 64

# Sent after the commit of a transaction that wrote outbox rows.
outbox_written = Signal()


def _canonical(value: Any) -> Any:
    """JSON-safe, deterministic form of a change payload."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True))


def compute_event_hash(
    *,
    sequence: int,
    occurred_at,
    actor_id: int | None,
    actor_username: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    policy_id: int | None,
    changes: dict,
    previous_hash: str,
) -> str:
    payload = json.dumps(
        {
            "sequence": sequence,
            "occurred_at": occurred_at.isoformat(),
            "actor_id": actor_id,
            "actor_username": actor_username,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "object_repr": object_repr,
            "policy_id": policy_id,
            "changes": changes,
            "previous_hash": previous_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    sequence = head.last_sequence + 1
    occurred_at = timezone.now()
    payload = _canonical(changes or {})
    object_type = obj._meta.label_lower
    if policy_id is None and object_type == "lifecycle.policy":
        policy_id = obj.pk
    actor_id = actor.pk if actor is not None else None
    actor_username = getattr(actor, "username", "") or ""
    object_repr = str(obj)[:300]
    event_hash = compute_event_hash(
        sequence=sequence,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_username=actor_username,
        action=action,
        object_type=object_type,
        object_id=str(obj.pk),
        object_repr=object_repr,
        policy_id=policy_id,
        changes=payload,
        previous_hash=head.last_hash,
    )
    event = AuditEvent.objects.create(
        sequence=sequence,
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor_username=actor_username,
        action=action,
        object_type=object_type,
        object_id=str(obj.pk),
        object_repr=object_repr,
        policy_id=policy_id,
        changes=payload,
        previous_hash=head.last_hash,
        hash=event_hash,
    )
    head.last_sequence = sequence
    head.last_hash = event_hash
    head.save(update_fields=["last_sequence", "last_hash"])
    # The audit event is also the domain event: queue it for notification in the same transaction.
    OutboxEvent.objects.create(audit_event=event, topic=action)
    _relay_on_commit()
    return event


def _relay_on_commit() -> None:
    """Tell listeners (notifications, across apps) after commit that outbox rows are waiting. Production
    connects nothing here and relays from beat, so a web request never waits on, or fails because of, the
    broker; ``make run`` (eager Celery, no broker) relays at once."""
    connection = transaction.get_connection()
    # Once per transaction, however many events it writes.
    if not any(callback is _emit_outbox_written for _, callback, _ in connection.run_on_commit):
        transaction.on_commit(_emit_outbox_written)


def _emit_outbox_written() -> None:
    outbox_written.send(sender=OutboxEvent)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    message: str
    broken_sequence: int | None = None


def audit_verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walk the chain in order and report the first broken link.

    Detects an edited row (its hash no longer matches its content), a deleted row (a gap in the
    sequence, or a previous_hash that does not match), reordered rows (sequence or previous_hash out
    of step) and deleted newest rows (the chain head disagrees)."""
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    fields = [
        "sequence", "occurred_at", "actor_id", "actor_username", "action", "object_type", "object_id",
        "object_repr", "policy_id", "changes", "previous_hash", "hash",
    ]
    queryset = AuditEvent.objects.order_by("id").values_list(*fields)
    for row in queryset.iterator(chunk_size=batch_size):
        event = dict(zip(fields, row, strict=True))
        sequence = event["sequence"]
        if sequence != expected_sequence:
            return ChainReport(
                False, checked,
                f"Broken link at event #{expected_sequence}: found #{sequence} instead "
                "(an event was deleted or the rows were reordered).",
                expected_sequence,
            )
        if event["previous_hash"] != previous_hash:
            return ChainReport(
                False, checked,
                f"Broken link at event #{sequence}: it does not follow event #{sequence - 1} "
                "(an earlier event was deleted, replaced or reordered).",
                sequence,
            )
        recomputed = compute_event_hash(
            sequence=sequence,
            occurred_at=event["occurred_at"],
            actor_id=event["actor_id"],
            actor_username=event["actor_username"],
            action=event["action"],
            object_type=event["object_type"],
            object_id=event["object_id"],
            object_repr=event["object_repr"],
            policy_id=event["policy_id"],
            changes=event["changes"],
            previous_hash=event["previous_hash"],
        )
        if recomputed != event["hash"]:
            return ChainReport(
                False, checked, f"Broken link at event #{sequence}: its content was edited after it was written.",
                sequence,
            )
        previous_hash = event["hash"]
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    head_sequence = head.last_sequence if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_sequence != checked or head_hash != previous_hash:
        return ChainReport(
            False, checked,
            f"Broken link after event #{checked}: the chain head records {head_sequence} events "
            "(the newest events were deleted or replaced).",
            checked + 1,
        )
    return ChainReport(True, checked, f"Audit chain intact: {checked} events verified.")
