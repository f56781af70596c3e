"""A save bound to the revision its page showed, the way HTTP ``If-Match`` binds a write (rule 17's idea for drafts):
the row edited keeps a counter, raised by every save; the page posts the counter it was drawn from (``base_revision``)
and the service, holding the row's lock inside its transaction, refuses a save from an older page, so that one tab's
save never silently puts back what another saved meanwhile. The refusal says who saved and when, and the page shows
back what was typed (the form, bound to what was posted). One mechanism for every such editor: the Policy Statement
and the SOPs (lifecycle.services.working_draft.lock_editable_draft), the EIA and Workbook
(assessments.services.documents), the monitoring report's draft (assessments.services.monitoring) and the public
information pages (guidance.services); one refusal, in the same words, and one answer, ``STALE_SAVE_STATUS``, from
each editor's page (``editor_status``)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from core.exceptions import ApplicationError

# The code of a stale save's refusal, and the status its page answers: 409 Conflict, as an HTTP ``If-Match`` that no
# longer matches (RFC 9110, 15.5.10: "a conflict with the current state of the target resource"); the request itself
# was well formed, so not 400.
STALE_SAVE = "conflict"
STALE_SAVE_STATUS = 409


def saved_by_whom(saved_by, saved_at, actor) -> str:
    """Who saved last, and when, for a refusal of a save from an older page: "by you at 10:42, in another tab or
    window," (a walk found "Someone else saved" said to the person who had, in a second tab), or "by Jane Smith at
    10:42"; "by someone else" when that is not known."""
    if saved_by is None or saved_at is None:
        return "by someone else"
    when = timezone.localtime(saved_at).strftime("%H:%M")
    if saved_by.pk == getattr(actor, "pk", None):
        return f"by you at {when}, in another tab or window,"
    return f"by {saved_by} at {when}"


def refuse_stale_save(*, current: int, base_revision: int | None, what: str,
                      saved_meanwhile: Callable[[], str]) -> None:
    """Refuse (code "conflict") a save whose page showed revision ``base_revision`` of a row now at ``current``. Call
    it under the row's lock. ``what`` names the thing saved ("This monitoring report"); ``saved_meanwhile`` says who
    saved it since (``saved_by_whom``), asked only when the save is refused. None: a caller that showed no page (a
    restore, the demo's seeding)."""
    if base_revision is None or base_revision == current:
        return
    raise ApplicationError(
        f"{what} was saved {saved_meanwhile()} while you were editing it. Your changes have not been saved: copy "
        "them, reload, and merge.", code=STALE_SAVE)


def show_refusal(form: forms.BaseForm, error: ApplicationError) -> None:
    """Put a service's refusal on an editor's ``form`` (bound to what was posted, so what was typed stays on it): a
    stale save as the form's own error, marked so that ``editor_status`` answers 409; any other on the field it names
    (or the form), as ``GovUKForm.add_application_error`` does."""
    if error.code == STALE_SAVE:
        form.add_error(None, ValidationError(error.message, code=STALE_SAVE))
        return
    form.add_error(error.field if error.field in form.fields else None, error.message)


def editor_status(form: forms.BaseForm | None) -> int:
    """The status an editor's page answers: ``STALE_SAVE_STATUS`` when its save was refused as stale, 400 when
    the form holds any other error, else 200."""
    if form is None or not form.errors:
        return 200
    return STALE_SAVE_STATUS if form.has_error(NON_FIELD_ERRORS, code=STALE_SAVE) else 400
