"""Create forms that are sent once (STANDARDS: "Stale or double submits are refused politely").

A step of the workflow is bound to what was read (STYLE rule 17: the status and content hash the page showed), so a
second post of it is refused as stale. A form that adds a row (a policy, an SOP, a line of the consultation log,
advice) has nothing to be bound to: the row does not exist yet, and the Back button, a second click or a page sent
again would add it again (QA10: POL-0018 and POL-0019 from one form). So each such form carries a one-time token:

- the page draws it (``OneTimeSubmissionForm``): random, signed for the person and for what the form creates, so it
  costs no query and cannot be made up or borrowed from someone else;
- the service that adds the row claims it first, in its own transaction (``submission_claim``): a row of
  ``SubmittedForm`` keyed by the token, unique, so that of two posts of the same token one waits for the other and
  finds it taken, on PostgreSQL and SQLite alike; then records what it created and where that is
  (``submission_done``). A service refused (bad input, the wrong stage) rolls the claim back with everything else,
  so the form corrected and sent again is accepted;
- a second post of the token is told, politely, what the first one created, and taken there (``AlreadySubmitted``,
  ``already_submitted``): nothing is created again.

A form posted without a token, or with one not drawn for this person and form, is refused, keeping what was typed,
with a fresh token to send it again. A service called with ``submission=None`` was not sent from a page (a command,
the demo data, a test of the service itself) and claims nothing.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.shortcuts import redirect

from core.exceptions import ApplicationError
from core.forms import GovUKForm
from core.models import SubmittedForm

SALT = "core.submissions"

# What each form creates: the token is signed for one of them, and a token of one is no token for another.
POLICY_CREATE = "policy.create"
SOP_CREATE = "sop.create"
CONSULTATION_RECORD = "consultation.record"
ADVICE_INVITE = "advice.invite"
ADVICE_COMMENT = "advice.comment"
MONITORING_REPORT_CREATE = "monitoring_report.create"
WITHHOLD_PART = "sop_redaction.record"

REFUSED = ("This form could not be checked: it was not sent from the page PolicyHub gave you, or that page was for "
           "someone else. Nothing was saved. Check what you typed and send it again.")


class AlreadySubmitted(ApplicationError):
    """The form was sent before, and what it created is there: said as a fact, not as a problem."""

    def __init__(self, first: SubmittedForm):
        created = first.created or "what you asked for was done"
        super().__init__(f"You already sent this form: {created}. Nothing was added again.", code="already_done")
        self.landing = first.landing


def _signer(*, user, purpose: str) -> signing.Signer:
    return signing.Signer(salt=f"{SALT}:{purpose}:{user.pk}")


def submission_token_issue(*, user, purpose: str) -> str:
    """A fresh token for one form ``user`` may send once: a random nonce, signed for them and ``purpose``."""
    return _signer(user=user, purpose=purpose).sign(secrets.token_hex(16))


def submission_nonce(token: str | None, *, user, purpose: str) -> str | None:
    """The nonce of ``token`` if it was drawn for ``user`` and ``purpose``; None for anything else."""
    if not token or not getattr(user, "pk", None):
        return None
    try:
        nonce = _signer(user=user, purpose=purpose).unsign(token)
    except signing.BadSignature:
        return None
    return nonce if len(nonce) == 32 else None


def submission_claim(*, submission: str | None, actor, purpose: str) -> SubmittedForm | None:
    """Claim the form's token in the calling service's transaction, before anything is created: the claim, or None
    when no page sent it (``submission=None``). Refuses a token not drawn for ``actor`` and ``purpose``, and raises
    ``AlreadySubmitted`` when it was claimed before (committed: a post of the same token still in flight is waited
    for, by the unique nonce)."""
    if submission is None:
        return None
    nonce = submission_nonce(submission, user=actor, purpose=purpose)
    if nonce is None:
        raise ApplicationError(REFUSED, code="invalid")
    try:
        with transaction.atomic():
            return SubmittedForm.objects.create(nonce=nonce, purpose=purpose, submitted_by=actor)
    except IntegrityError:
        pass
    raise AlreadySubmitted(SubmittedForm.objects.get(nonce=nonce))


def submission_done(claim: SubmittedForm | None, *, created: str, landing: str) -> None:
    """Record, with the claim, what the form created (a phrase: "POL-0018 “Taser deployment” was started") and the
    address of the page that shows it, for a second post of the form to be told and taken there."""
    if claim is None:
        return
    claim.created, claim.landing = created[:300], landing[:300]
    claim.save(update_fields=["created", "landing"])


def already_submitted(request, error: AlreadySubmitted, fallback: str, *args):
    """The answer to a form sent again: where the first post landed, with what it created (a notification banner);
    ``fallback`` (a URL name and its ``args``) where the service recorded no page."""
    messages.info(request, error.message)
    return redirect(error.landing) if error.landing else redirect(fallback, *args)


class OneTimeSubmissionForm(GovUKForm):
    """A form that creates something, sent once: it carries a token drawn for ``submitter`` and ``purpose`` (the
    class's). One posted without a token, or with one not theirs, is invalid, says why, and is drawn again with a
    fresh token (what was typed is kept); one posted again with its token is the service's to answer
    (``submission_claim``)."""

    submission_purpose: str = ""
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def __init__(self, *args, submitter, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitter = submitter
        self.fields["submission"].initial = submission_token_issue(user=submitter, purpose=self.submission_purpose)

    def clean(self):
        cleaned = super().clean()
        if submission_nonce(cleaned.get("submission"), user=self.submitter, purpose=self.submission_purpose) is None:
            self.add_error(None, REFUSED)
            # The page drawn again carries a token that will do, with what was typed.
            self.data = self.data.copy()
            self.data[self.add_prefix("submission")] = self.fields["submission"].initial
        return cleaned
