"""Thin tasks: ids in, fresh rows loaded by the service, safe to run twice (acks_late everywhere: a task
interrupted by a dead worker is delivered again and finds its work already done)."""

import datetime
import smtplib

from celery import shared_task

from notifications import services


@shared_task(name="notifications.tasks.relay_outbox", acks_late=True)
def relay_outbox() -> int:
    return services.outbox_relay()


@shared_task(name="notifications.tasks.chase_daily", acks_late=True)
def chase_daily(today: str | None = None) -> dict:
    day = datetime.date.fromisoformat(today) if today else None
    result = services.chase_run(today=day)
    for digest_id in result.digests:
        send_digest.delay(digest_id)
    return {"planned": result.planned, "new_reminders": result.new_reminders, "digests": len(result.digests)}


@shared_task(name="notifications.tasks.ask_to_read", acks_late=True)
def ask_to_read(policy_ids: list[int]) -> int:
    """The staff the versions just published ask to read and confirm them, told (queued by the outbox relay)."""
    return services.acknowledgement_requests_tell(policy_ids=policy_ids)


@shared_task(name="notifications.tasks.send_pending_digests", acks_late=True)
def send_pending_digests(older_than_seconds: int = 300) -> int:
    """Recovery: queue every digest still unsent some minutes after it was made."""
    digest_ids = services.digests_pending(older_than_seconds=older_than_seconds)
    for digest_id in digest_ids:
        send_digest.delay(digest_id)
    return len(digest_ids)


@shared_task(
    name="notifications.tasks.send_digest",
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=12,
)
def send_digest(digest_id: int) -> bool:
    return services.digest_send(digest_id=digest_id)
