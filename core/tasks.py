"""Core's scheduled jobs (thin: they call core.audit)."""

from celery import shared_task

from core.accounts import password_reset_email_send
from core.audit import audit_anchor_periodic
from core.exports import BUILD_SPREADSHEET_TASK, spreadsheet_export_build, spreadsheets_delete_old


@shared_task(name="core.tasks.anchor_audit_chain")
def anchor_audit_chain() -> str:
    """Beat, every POLICYHUB_AUDIT_ANCHOR_MINUTES: verify the events added since the last verified anchor and
    anchor the head outside the database. Safe to run twice (a second anchor of the same head is identical in
    what it asserts). A broken chain fails the task and is never anchored."""
    return audit_anchor_periodic().message


@shared_task(name="core.tasks.send_password_reset_email")
def send_password_reset_email(*, user_id: int, email: str, domain: str, use_https: bool) -> bool:
    """A password reset link, sent outside the request (core.views.PasswordResetView). Safe to run twice: the
    second link is as valid as the first, and either stops working once the password is set."""
    return password_reset_email_send(user_id=user_id, email=email, domain=domain, use_https=use_https)


@shared_task(name=BUILD_SPREADSHEET_TASK, acks_late=True)
def build_spreadsheet(*, export_id: int) -> str:
    """A spreadsheet too long for one request (core.exports). Safe to run twice: only a pending export is built."""
    return spreadsheet_export_build(export_id=export_id)


@shared_task(name="core.tasks.delete_old_spreadsheets")
def delete_old_spreadsheets() -> int:
    """Beat, hourly: prepared spreadsheets are kept for a day."""
    return spreadsheets_delete_old()
