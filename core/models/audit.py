"""The audit trail: append-only, hash-chained evidence of every state change.

SOP, "Role of Policy Managers/Unit Heads": "Ensure that audit trails of policy and procedural changes
are maintained for continuity purposes and to assist in court cases and disciplinary and misconduct
investigations." Rows are never updated or deleted: on PostgreSQL a trigger refuses UPDATE and DELETE
(see migration 0002), and ``manage.py verify_audit`` proves the chain is unbroken.
"""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the system (scheduled jobs).",
    )
    actor_username = models.CharField(max_length=150, blank=True, editable=False)
    action = models.CharField(max_length=80, db_index=True, editable=False)
    object_type = models.CharField(max_length=80, editable=False)
    object_id = models.CharField(max_length=64, editable=False)
    object_repr = models.CharField(max_length=300, editable=False)
    # The policy this event belongs to, so a policy's timeline is one indexed query.
    policy_id = models.BigIntegerField(null=True, blank=True, editable=False)
    changes = models.JSONField(default=dict, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # A policy's timeline, newest first, without walking the whole chain (make bench: a 9-year-old
            # history's page 99 ms -> 9 ms).
            models.Index(fields=["policy_id", "-sequence"], name="audit_policy_timeline_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """One row: the last sequence and hash. Locked to append, so the chain is strictly ordered, and
    compared by verify_audit so that deleting the newest events is detected too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.last_sequence}"
