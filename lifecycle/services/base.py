"""The ceremony every step of the cycle shares, written once.

``begin_step`` takes a declared step (``lifecycle.workflow``) from the request to the point where the service
may record its particular effect: the actor is signed in, the policy row is locked and re-read, the status
is the one the page showed, the version and its content are the ones the person read (rule 17), the step may
be taken from this status by this person, its gates are met and separation of duties holds. ``finish_step``
then fires the django-fsm transition and writes the step's audit event in the same transaction.

A refusal raises ``ApplicationError`` with a sentence fit to show the user; the service's ``transaction.atomic``
leaves nothing half done.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypedDict, Unpack

import rules
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from core.audit import audit_log
from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.submissions import already_done_said, step_purpose, submission_claim_step, submission_step_done
from core.validators import refuse_direction_controls, refuse_hidden_characters
from lifecycle import duties
from lifecycle.gates import reason_for
from lifecycle.models import Policy, PolicyVersion
from lifecycle.selectors import user_may_see_sensitive
from lifecycle.signals import status_changed
from lifecycle.states import ProtectiveMarking
from lifecycle.steps import Step, WorkFirst


def require_actor(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ApplicationError("You must be signed in with an active account to do this.", code="forbidden")


def _as_subject(label: str) -> str:
    """``label`` starting a sentence: "the reason" -> "The reason"."""
    return label[:1].upper() + label[1:]


def require_text(value: str | None, label: str, *, field: str, max_length: int = 20_000) -> str:
    """Free text recorded as evidence (a reason, a comment), required: within ``max_length``, and without the
    characters that reorder how it reads (``core.validators.refuse_direction_controls``)."""
    text = (value or "").strip()
    if not text:
        raise ApplicationError(f"Enter {label}.", code="invalid", field=field)
    if len(text) > max_length:
        raise ApplicationError(f"{_as_subject(label)} must be {max_length:,} characters or fewer.",
                               code="invalid", field=field)
    refuse_direction_controls(text, label=_as_subject(label), field=field)
    return text


def require_name(value: str | None, label: str, *, field: str, max_length: int) -> str:
    """A name (a title, a consultee, an organisation): required text without hidden direction or zero-width
    characters, which change how it reads without being seen (issue 11)."""
    text = require_text(value, label, field=field, max_length=max_length)
    refuse_hidden_characters(text, label=_as_subject(label), field=field)
    return text


def optional_text(value: str | None, label: str, *, field: str, max_length: int = 20_000) -> str:
    """``require_text``'s rules for text that may be left empty ("" when it is)."""
    if not (value or "").strip():
        return ""
    return require_text(value, label, field=field, max_length=max_length)


def refuse_uncleared(person, locked: Policy, *, field: str, instead: str) -> None:
    """Refuse to name ``person`` on ``locked`` (an invitation to advise, a grant) when it is OFFICIAL-SENSITIVE and they
    are not cleared for it (``user_may_see_sensitive``): they would be told its title and could not open it (security
    probe F2). ``instead``: what to do instead, in words that follow a colon."""
    if locked.protective_marking == ProtectiveMarking.OFFICIAL or user_may_see_sensitive(user=person, policy=locked):
        return
    group = locked.business_group
    raise ApplicationError(
        f"{person} is not cleared for OFFICIAL-SENSITIVE material of {group}, so could not open {locked.reference}: "
        f"{instead}, or ask an administrator to give them a role in {group} first.", code="not_cleared", field=field)


def add_months(day: datetime.date, months: int) -> datetime.date:
    return day + relativedelta(months=months)


def lock_policy(policy: Policy | int) -> Policy:
    """Re-read the policy under a row lock; everything after this sees the committed current state."""
    policy_id = policy.pk if isinstance(policy, Policy) else policy
    # FOR NO KEY UPDATE, as PostgreSQL's own UPDATE of the row takes: it excludes every other step as FOR UPDATE
    # would, but not the key check of a row inserted that refers to the policy (FOR KEY SHARE). With FOR UPDATE, a
    # step holding the row and asking for the chase's lock shared (notifications' after_any_chase_writing) and the
    # chase holding that lock while its reminders' key check waited for the row deadlocked, and PostgreSQL failed
    # the step (review of 2026-12-06; tests/notifications/test_chase_step_deadlock.py).
    locked = Policy.objects.select_for_update(no_key=True).filter(pk=policy_id).first()
    if locked is None:
        raise ApplicationError("That policy no longer exists.", code="not_found")
    return locked


def check_expected_status(locked: Policy, expected_status: str | None) -> None:
    if expected_status is not None and locked.status != expected_status:
        raise ApplicationError(
            f"{locked.reference} has moved on since you opened the page: it is now "
            f"'{locked.get_status_display()}'. Nothing was changed; reload to see its current state.",
            code="stale",
        )


def check_version_read(locked: Policy, version_id, version_hash: str | None) -> None:
    """Rule 17: a decision binds to what was read, like HTTP If-Match. The page posts the id and content hash
    of the version it showed; a different current version, or changed content, is refused, saying what
    changed. Both None: a caller that showed no page (a scheduled job, a command)."""
    if version_id is None and version_hash is None:
        return
    if not version_id or not version_hash:
        raise ApplicationError(
            "The page you sent this from does not say which version you read. Nothing was changed: reload the "
            "page, read the current version and decide again.", code="stale",
        )
    version_id = str(getattr(version_id, "pk", version_id))
    current = locked.current_version
    if current is None or version_id != str(current.pk):
        # A posted id is read only if it is a plausible primary key (an edited form must not make a 500).
        plausible = version_id.isdigit() and len(version_id) <= 18
        read = PolicyVersion.objects.filter(pk=int(version_id), policy_id=locked.pk).first() if plausible else None
        what = f"version {read.number}" if read else "a version that is not this policy's"
        raise ApplicationError(
            f"You read {what}, but the current version of {locked.reference} is "
            f"{current.number if current else '(none)'}. Nothing was changed: read the current version and decide "
            "again.", code="stale",
        )
    if version_hash != current.read_hash:
        raise ApplicationError(
            f"Version {current.number} of {locked.reference} has changed since you opened the page (its content is "
            "not what you read). Nothing was changed: read it again and decide again.", code="stale",
        )


def check_step_allowed(locked: Policy, step: Step, actor, *, check_gates: bool = True) -> None:
    """Refuse, with the reason, unless ``step`` may be taken now, by ``actor``, with its gates met."""
    if not step.applies_to(locked):
        raise ApplicationError(step.not_applicable(locked), code="forbidden")
    if not can_proceed(getattr(locked, step.name), check_conditions=False):
        raise ApplicationError(
            f"Cannot {step.label} {locked.reference}: it is '{locked.get_status_display()}'. "
            "This may already have been done by someone else.",
            code="stale",
        )
    # The role first: a step's conditions (``only_if``: e.g. a review draft open, and its version) are told only to
    # those who may take it, as its page tells them (views._why_not_offered; review of 2026-12-05, finding 1).
    if actor is not None and not rules.has_perm(step.permission, actor, locked):
        if step.who:
            raise ApplicationError(f"Only {step.who} can {step.label} {locked.reference}.", code="forbidden")
        raise ApplicationError(f"You are not allowed to {step.label} {locked.reference}.", code="forbidden")
    closed = step.closed_by(locked)
    if closed is not None:
        raise ApplicationError(f"Cannot {step.label} {locked.reference}: {reason_for(closed, locked)}", code="stale")
    if check_gates:
        unmet = [gate for gate in step.gates if gate not in step.records and not gate(locked)]
        if unmet:
            # Refused because it was taken already (another tab, a colleague): said as done, by whom and when.
            done = step.done_by(locked) if step.done_by is not None else None
            if done is not None:
                # (who, when), or (who, when, what they did) where it was not the step's own words.
                by, at, *what = done
                said = f"{locked.reference}: {what[0]}" if what else step_done(step, locked)
                raise ApplicationError(already_done_said(said, by=by, actor=actor, at=at), code="already_done")
            reasons = " ".join(reason_for(gate, locked) for gate in unmet)
            raise ApplicationError(f"Cannot {step.label} {locked.reference} yet. {reasons}", code="gate")


class Binding(TypedDict, total=False):
    """What the page showed, posted back with the decision (rule 17): the status, and the version read with its
    content hash. Every step's service takes these as ``**read`` and hands them to ``begin_step``."""

    expected_status: str | None
    version: int | str | None
    version_hash: str | None
    # The page's one-time token (core.submissions.step_purpose): the same form sent again is said as done.
    submission: str | None


def step_done(step: Step, locked: Policy) -> str:
    """What the step does, with its policy, as a repeat is told it: "POL-0002: Review concluded with no change
    needed". A ``done`` that names what only the service knows ("{discipline} passed its part ..."): its page's
    title instead ("Record quality assurance")."""
    if step.done and "{" not in step.done:
        return f"{locked.reference}: {step.done}"
    return f"{locked.reference}: {step.page.title if step.page is not None else step.label}"


# Where begin_step keeps the nonce of the page's token it claimed, on the locked policy, for ``said_done``.
STEP_CLAIM = "_step_claim_nonce"


def said_done(locked: Policy, done: str) -> None:
    """What the step did in the end, where its service decides between outcomes and the step's own words
    (``step_done``, written with the claim) would not say it (a publication scheduled, not published), recorded on the
    claim of its page's token: a repeat of the form is told that (core.submissions.submission_step_done)."""
    submission_step_done(locked.__dict__.get(STEP_CLAIM), f"{locked.reference}: {done}")


def begin_step(
    step: Step, *, policy: Policy, actor, expected_status: str | None = None, version=None,
    version_hash: str | None = None, submission: str | None = None,
) -> Policy:
    """Everything a step checks before its service records anything; returns the locked policy. The page's token
    (``submission``) is claimed first, under the lock: the same form sent again is said as done before anything else
    is asked of it (core.submissions.submission_claim_step)."""
    require_actor(actor)
    locked = lock_policy(policy)
    if submission and step.page is not None:
        locked.__dict__[STEP_CLAIM] = submission_claim_step(
            token=submission, actor=actor, purpose=step_purpose(step.page.slug, locked.pk),
            done=step_done(step, locked))
    check_expected_status(locked, expected_status)
    check_step_allowed(locked, step, actor)
    check_version_read(locked, version, version_hash)
    check_duty(locked, step, actor)
    return locked


def check_duty(locked: Policy, step: Step, actor) -> None:
    """Separation of duties (lifecycle.duties): refuse, with the part that bars them, an actor who already took a
    part in the current version that ``step``'s duty may not be joined to (e.g. PCU's QA signer publishing it).
    Every service that takes a step with a duty asks it under the row lock, ``begin_step``'s or its own."""
    if step.duty is not None and locked.current_version is not None:
        duties.check_separation(actor, locked.current_version, step.duty, doing=f"{step.label} {locked.reference}")


def fire(locked: Policy, step: Step, *, extra_fields: Iterable[str] = ()) -> str:
    """Run the django-fsm transition (which re-checks the step's gates) and save; returns the status before. The one
    place a policy's status changes: it tells other apps (``signals.status_changed``, with the step's audit action: what
    moved it), in the step's transaction."""
    before = locked.status
    try:
        getattr(locked, step.name)()
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at", "updated_at", *extra_fields])
    except (TransitionNotAllowed, ConcurrentTransition) as exc:
        raise ApplicationError(
            f"{locked.reference} could not move on: its state changed meanwhile. Reload and try again.",
            code="stale",
        ) from exc
    status_changed.send(sender=Policy, policy=locked, before=before, action=step.audit)
    return before


def finish_step(
    step: Step, locked: Policy, actor, *, changes: dict | None = None, extra_fields: Iterable[str] = (),
    version: PolicyVersion | None = None, audit_action=None,
) -> AuditEvent:
    """Move the status as declared (when the step moves it) and write the step's audit event."""
    payload: dict = {}
    if step.target is not None:
        before = fire(locked, step, extra_fields=extra_fields)
        payload["status"] = [before, locked.status]
    elif extra_fields:
        locked.save(update_fields=[*extra_fields, "updated_at"])
    version = version or locked.current_version
    if version is not None:
        payload["version"] = version.number
    payload.update(changes or {})
    return audit_log(actor=actor, action=audit_action or step.audit, obj=locked, changes=payload)


def take_plain_step(step: Step, *, policy: Policy, actor, **read: Unpack[Binding]) -> Policy:
    """A step with nothing particular to record: the ceremony alone (its service still names it)."""
    locked = begin_step(step, policy=policy, actor=actor, **read)
    finish_step(step, locked, actor)
    return locked


@contextmanager
def work_first(work: WorkFirst, locked: Policy, actor, *, version: PolicyVersion) -> Iterator[None]:
    """Around a save of ``locked`` (the policy, locked by the save, in its transaction) that may do ``work`` (work done
    first before a step, ``WorkFirst``): the save that does it, the work due before it (``work.due``) and no longer
    after, writes the work's event (``work.audit``, naming ``version``), which tells whom it declares (``work.notify``:
    DCFD, that the reopened EIA's sign-off is theirs now). Every other save writes nothing of it: one event per round of
    the work, not one per save. ``work.due`` reads what the save changes through ``locked`` (its current version's
    documents): the caller makes them the rows it saves. The gate is asked twice, and costs no query on a policy the
    work cannot be due on (a draft's: its status alone answers)."""
    was_due = work.audit is not None and work.due(locked)
    yield
    if was_due and not work.due(locked):
        audit_log(actor=actor, action=work.audit, obj=locked, changes={"version": version.number})
