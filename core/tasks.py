"""Core's scheduled jobs (thin: they call core.audit)."""

from celery import shared_task

from core.audit import audit_anchor_periodic


@shared_task(name="core.tasks.anchor_audit_chain")
def anchor_audit_chain() -> str:
    """Beat, every POLICYHUB_AUDIT_ANCHOR_MINUTES: verify the events added since the last verified anchor and
    anchor the head outside the database. Safe to run twice (a second anchor of the same head is identical in
    what it asserts). A broken chain fails the task and is never anchored."""
    return audit_anchor_periodic().message
