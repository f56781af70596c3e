"""The transactional outbox. Web requests never talk to the broker: a service's audit event also writes an
outbox row in the same transaction, and a Celery task (run by beat in the worker) relays the rows. With Redis
down the web keeps working, nothing is lost, and the rows are relayed when it is back."""

from django.db import models


class OutboxEvent(models.Model):
    audit_event = models.OneToOneField("core.AuditEvent", on_delete=models.PROTECT, related_name="outbox")
    topic = models.CharField(max_length=80, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    relayed_at = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(handled_at__isnull=True), name="outbox_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} (#{self.audit_event_id})"
