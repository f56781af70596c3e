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

A step of the workflow (a sign-off, a decision, a conclusion, a publication) is bound to what was read, and its
gates refuse it once taken; but a second post of it was told why it could not be taken, not that it had been ("Cannot
conclude ... yet": QA walk of 2026-12-06). So each step's page carries a one-time token too, drawn for the page
(``step_purpose``), and the step's ceremony claims it under the policy's lock before any gate is asked
(``submission_claim_step``): the same form sent again is told it was done, by them, and when (``AlreadyDone``, with
``already_done_said``'s words, which a step's gates use too for what someone else did). A step's page posted without a
token (a page drawn before steps carried one, a script) is taken on its binding alone, as before: a step never adds
a second row for a repeat, its gates refuse that, so the token only says the repeat as what it is.

The token covers the page the person filled in. With JavaScript, that page keeps its first token when Back returns to
it (frontend/js/application.js); without, signed-in pages are not stored (``Cache-Control: no-store``), so Back
fetches the form again with a fresh token, and the same details sent again would add the row again. So, just before
it creates anything, the service also asks (``submission_check_repeat``, one indexed read under a lock on those
details): did this person send this form with these details (``content``, what the form carries) in the last
``REPEAT_WINDOW``? If so, nothing is created (``RepeatedSubmission``): the form is shown again as typed, with a GOV.UK
warning linking to what the first created, and a box "Yes, create another" that, ticked, creates it
(``Submission.create_another``). Asked that late, after the service's own checks, the question is never put for
something it would refuse anyway (a second report while one is in progress, a part already withheld).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, connection, models, transaction
from django.shortcuts import redirect
from django.utils import timezone

from core.dates import moment_shown
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

# A step's page (lifecycle.workflow.PAGES), by its slug: "step:conclude-no-change".
STEP = "step"

REFUSED = ("This form could not be checked: it was not sent from the page PolicyHub gave you, or that page was for "
           "someone else. Nothing was saved. Check what you typed and send it again.")


# How soon after a form was sent the same details sent again are asked about: long enough for Back, a look at what
# was created and the form sent again; short enough that the same details entered on purpose later in the day are
# not questioned.
REPEAT_WINDOW = datetime.timedelta(minutes=10)

# The advisory lock's class (PostgreSQL's two-key form), apart from the chase's one-key lock
# (notifications.services.reminders.CHASE_LOCK): the second key is drawn from the person, the form and the details.
REPEAT_LOCK_CLASS = 1_600_017


@dataclass(frozen=True)
class Submission:
    """What a create form sends of itself (``OneTimeSubmissionForm``): its one-time token, and whether the person,
    told they had just created the same, answered "Yes, create another"."""

    token: str
    create_another: bool = False


class AlreadySubmitted(ApplicationError):
    """The form was sent before, and what it created is there: said as a fact, not as a problem."""

    def __init__(self, first: SubmittedForm, said: str = ""):
        created = first.created or "what you asked for was done"
        super().__init__(said or f"You already sent this form: {created}. Nothing was added again.",
                         code="already_done")
        self.landing = first.landing


class RepeatedSubmission(ApplicationError):
    """The same person sent the same form with the same details a short while ago (a fresh token: the page drawn
    again): nothing is created, and they are asked whether they mean to create another."""

    def __init__(self, earlier: SubmittedForm, *, now: datetime.datetime):
        self.named = earlier.named or earlier.created
        self.landing = earlier.landing
        minutes = int((now - earlier.submitted_at).total_seconds() // 60)
        self.ago = ("less than a minute ago" if minutes < 1 else "1 minute ago" if minutes == 1 else
                    f"{minutes} minutes ago")
        super().__init__(f"You created {self.named} with these details {self.ago}. Do you want to create another?",
                         code="repeated")


STEP_REFUSED = ("This page could not be checked: it was not sent from the page PolicyHub gave you, or that page was "
                "for someone else. Nothing was changed: open the page again and send it from there.")


def already_done_said(what: str, *, by, actor, at) -> str:
    """The words of a repeat, whoever took the step first: "POL-0002: Re-published after a review with no change.
    Already done by you at 10:42 on 6 December 2026. Nothing more was done." (``what``: the step done, as the
    timeline says it, with its policy; ``by``: who did it, "you" to ``actor`` themselves; ``at``: when, a date where
    only the day is recorded)."""
    who = "you" if by is not None and actor is not None and getattr(by, "pk", None) == actor.pk else str(by)
    return f"{what}. Already done by {who} {moment_shown(at)}. Nothing more was done."


class AlreadyDone(AlreadySubmitted):
    """A step's form sent again (``submission_claim_step``): said as done, by the person themselves, and when."""

    def __init__(self, first: SubmittedForm):
        super().__init__(first, already_done_said(first.created, by=first.submitted_by, actor=first.submitted_by,
                                                  at=first.submitted_at))


def step_purpose(slug: str, policy_id: int) -> str:
    """What a step page's token is signed for: the page, by its slug, of one policy (review of 2026-12-06: a token
    drawn on POL-0001's page, posted to POL-0002's same step, was told "POL-0001: ... Already done by you")."""
    return f"{STEP}:{slug}:{policy_id}"


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


def submission_claim(*, submission: Submission | str | None, actor, purpose: str) -> SubmittedForm | None:
    """Claim the form's token in the calling service's transaction, before anything is created: the claim, or None
    when no page sent it (``submission=None``). Refuses a token not drawn for ``actor`` and ``purpose``, and raises
    ``AlreadySubmitted`` when it was claimed before (committed: a post of the same token still in flight is waited
    for, by the unique nonce). ``submission``: the form's ``Submission``, or its token alone (as a script, or a test
    of the service, sends it: not an answer to a repeat)."""
    if submission is None:
        return None
    if not isinstance(submission, Submission):
        submission = Submission(token=submission)
    nonce = submission_nonce(submission.token, user=actor, purpose=purpose)
    if nonce is None:
        raise ApplicationError(REFUSED, code="invalid")
    try:
        with transaction.atomic():
            claim = SubmittedForm.objects.create(nonce=nonce, purpose=purpose, submitted_by=actor)
    except IntegrityError:
        raise AlreadySubmitted(SubmittedForm.objects.get(nonce=nonce)) from None
    claim.create_another = submission.create_another
    return claim


def submission_claim_step(*, token: str | None, actor, purpose: str, done: str) -> str | None:
    """Claim a step page's token (``step_purpose``) in the step's transaction, under the policy's lock and before its
    gates: ``AlreadyDone`` when it was claimed before (the same form sent again; a post of it still in flight is
    waited for, by the unique nonce). ``done``: what the step does, with its policy, for the repeat to be told
    ("POL-0002: Review concluded with no change needed"), written with the claim in one statement. A token not drawn
    for ``actor`` and ``purpose`` is refused (nothing is changed: the page opened again draws one that will do); no
    token, nothing to claim (the module's note). Returns the nonce claimed, for the step to record what it did in the
    end (``submission_step_done``), or None with no token."""
    if not token:
        return None
    nonce = submission_nonce(token, user=actor, purpose=purpose)
    if nonce is None:
        raise ApplicationError(STEP_REFUSED, code="stale")
    try:
        with transaction.atomic():
            SubmittedForm.objects.create(nonce=nonce, purpose=purpose[:40], submitted_by=actor, created=done[:300])
    except IntegrityError:
        raise AlreadyDone(SubmittedForm.objects.select_related("submitted_by").get(nonce=nonce)) from None
    return nonce


def submission_step_done(nonce: str | None, done: str) -> None:
    """Record on a step's claim what the step did in the end (``done``, with its policy), in the step's transaction:
    the repeat is told that, not the step's own words, where the service decides between outcomes (review of
    2026-12-06: a publication scheduled, sent again, was told "Published")."""
    if nonce:
        SubmittedForm.objects.filter(nonce=nonce).update(created=done[:300])


def _fingerprint_value(value):
    """A detail as the fingerprint reads it: a row by its id, a date in ISO form, text without the spaces around it
    and with one kind of line break (a browser sends CRLF, a script may send LF)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)


def submission_content_hash(content: dict) -> str:
    """The fingerprint of a form's details (``content``: {name: value}): SHA-256 of their canonical JSON."""
    canonical = json.dumps({name: _fingerprint_value(value) for name, value in content.items()}, sort_keys=True,
                           ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def submission_check_repeat(claim: SubmittedForm | None, *, content: dict) -> None:
    """In the service's transaction, after its own checks and just before it creates anything: ``RepeatedSubmission``
    when the person who claimed ``claim`` sent the same form with the same details (``content``: what the form
    carries, with what it adds to: the policy, the invitation ...) within ``REPEAT_WINDOW``, unless they answered
    "Yes, create another". Nothing to ask of a service no page sent (``claim`` None).

    Two pages of the form sent with the same details at once (a fresh token each, so the unique nonce does not hold
    them apart) are taken one after the other: an advisory lock on the person, form and details, held to the end of
    the transaction, then the read, in a statement of its own so that it sees what the first committed. On SQLite,
    which has one writer at a time, the claim's insert already waits for the first to end. The claim's own row is not
    found: its fingerprint is written with what it created (``submission_done``)."""
    if claim is None:
        return
    claim.content_hash = submission_content_hash(content)
    if getattr(claim, "create_another", False):
        return
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(
            f"{claim.submitted_by_id}:{claim.purpose}:{claim.content_hash}".encode()).digest()[:4], "big",
            signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [REPEAT_LOCK_CLASS, key])
    now = timezone.now()
    earlier = (SubmittedForm.objects
               .filter(submitted_by_id=claim.submitted_by_id, purpose=claim.purpose,
                       content_hash=claim.content_hash, submitted_at__gte=now - REPEAT_WINDOW)
               .only("submitted_at", "created", "named", "landing")
               .order_by("-submitted_at").first())
    if earlier is not None:
        raise RepeatedSubmission(earlier, now=now)


def submission_done(claim: SubmittedForm | None, *, created: str, named: str, landing: str) -> None:
    """Record, with the claim, what the form created (a phrase: "POL-0018 “Taser deployment” was started"; and
    ``named``, for a link in a sentence: "POL-0018 “Taser deployment”"), the address of the page that shows it, and
    the fingerprint of its details (``submission_check_repeat``), for a second post of the form to be told and taken
    there, and the same details sent again from a page drawn afresh to be asked about."""
    if claim is None:
        return
    claim.created, claim.named, claim.landing = created[:300], named[:300], landing[:300]
    claim.save(update_fields=["created", "named", "landing", "content_hash"])


def already_submitted(request, error: AlreadySubmitted, fallback: str, *args):
    """The answer to a form sent again: where the first post landed, with what it created (a notification banner);
    ``fallback`` (a URL name and its ``args``) where the service recorded no page."""
    messages.info(request, error.message)
    return redirect(error.landing) if error.landing else redirect(fallback, *args)


class CreateAnotherInput(forms.CheckboxInput):
    """The "Yes, create another" box: drawn (templates/includes/create_another.html, with the warning it answers)
    only on a form the service found repeated (``OneTimeSubmissionForm.repeated``); nothing otherwise."""


class OneTimeSubmissionForm(GovUKForm):
    """A form that creates something, sent once: it carries a token drawn for ``submitter`` and ``purpose`` (the
    class's). One posted without a token, or with one not theirs, is invalid, says why, and is drawn again with a
    fresh token (what was typed is kept); one posted again with its token is the service's to answer
    (``submission_claim``). The same details sent from the form drawn again are asked about (``repeated``: the
    service's ``RepeatedSubmission``), and the form then offers "Yes, create another". Cleaned, ``submission`` is the
    form's ``Submission`` (the token and that answer), for the view to hand to the service as it is."""

    submission_purpose: str = ""
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    create_another = forms.BooleanField(label="Yes, create another", required=False, widget=CreateAnotherInput)

    def __init__(self, *args, submitter, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitter = submitter
        self.repeated: RepeatedSubmission | None = None
        self.fields["submission"].initial = submission_token_issue(user=submitter, purpose=self.submission_purpose)

    def clean(self):
        cleaned = super().clean()
        token = cleaned.get("submission")
        if submission_nonce(token, user=self.submitter, purpose=self.submission_purpose) is None:
            self.add_error(None, REFUSED)
            # The page drawn again carries a token that will do, with what was typed.
            self.data = self.data.copy()
            self.data[self.add_prefix("submission")] = self.fields["submission"].initial
        cleaned["submission"] = Submission(token=token or "",
                                           create_another=bool(cleaned.pop("create_another", False)))
        return cleaned

    def add_application_error(self, error: ApplicationError) -> None:
        """A repeat is a question, not an error: the form is shown again as typed, with the warning and the box."""
        if isinstance(error, RepeatedSubmission):
            self.repeated = error
            return
        super().add_application_error(error)
