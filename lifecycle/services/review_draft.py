"""Stage 6: a review's draft withdrawn before the Lead approves it (QA walk: nothing let anyone abandon one, and a
review concludes with no change only without one). The step's rule is declared in
``lifecycle.workflow_monitoring.WITHDRAW_REVIEW_DRAFT``; this holds what is particular to it."""

from __future__ import annotations

from typing import Unpack

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from core.exceptions import ApplicationError
from lifecycle.details import DETAIL_NAMES
from lifecycle.gates_review_draft import status_before_review
from lifecycle.models import Policy, PolicyVersion
from lifecycle.selectors import last_published_version
from lifecycle.services.advice import advice_close_for_cycle
from lifecycle.services.base import Binding, begin_step, finish_step, fire, require_text
from lifecycle.states import highest_marking
from lifecycle.steps import performs
from lifecycle.workflow import (
    WITHDRAW_REVIEW_DRAFT,
    WITHDRAW_REVIEW_DRAFT_TO_IMPLEMENTATION,
    WITHDRAW_REVIEW_DRAFT_TO_MONITORING,
)

WAYS_BACK = (WITHDRAW_REVIEW_DRAFT_TO_IMPLEMENTATION, WITHDRAW_REVIEW_DRAFT_TO_MONITORING)
# The details the version in force keeps in its own record while a review drafts on the policy's columns
# (lifecycle.models.policy.UNDER_REVIEW): put back when the draft is withdrawn. Not the title, which stays the one in
# force throughout (the draft's is ``proposed_title``), nor the marking: a review's downgrade waits in
# ``proposed_protective_marking``, and a re-marking up was in force at once, the version in force included
# (lifecycle.services.details), so it is not the draft's to take back.
RESTORED_DETAILS = tuple(name for name in DETAIL_NAMES if name not in ("title", "protective_marking"))
ADVICE_CLOSED = "The review draft was withdrawn, so advice on it is no longer needed."


@performs(WITHDRAW_REVIEW_DRAFT)
@transaction.atomic
def policy_withdraw_review_draft(
    *, policy: Policy, actor, reason: str, **read: Unpack[Binding],
) -> list[PolicyVersion]:
    """The Designated Lead withdraws the review's draft, not yet approved, saying why. Every version of the review's
    cycle is kept, marked withdrawn (``PolicyVersion.withdrawn_at``; one never submitted with the details and marking
    it had, ``_details_withdrawn``), so that the version in force is the policy's
    current version again; the policy goes back to the status it had when the review started; its document details
    are those of the version in force again; the invitations to advise on the draft are withdrawn and the reminders of
    its stage stop, saying why (``signals.status_changed``, sent by ``fire`` with the way back's audit action, which is
    the withdrawal's). One audit event, in this transaction. Returns the versions
    withdrawn."""
    reason = require_text(reason, "why the review draft is withdrawn", field="reason")
    locked = begin_step(WITHDRAW_REVIEW_DRAFT, policy=policy, actor=actor, **read)
    draft = locked.current_version
    in_force = last_published_version(policy=locked)
    withdrawn = list(PolicyVersion.objects.select_for_update().filter(
        policy_id=locked.pk, major=draft.major, withdrawn_at__isnull=True).order_by("minor"))
    marking_in_force = _mark_withdrawn(locked, withdrawn)
    locked.forget_cached_version()
    before = fire(locked, _way_back(locked), extra_fields=_details_in_force(locked, in_force))
    advice_closed = advice_close_for_cycle(locked=locked, cycle=draft.major, actor=actor, reason=ADVICE_CLOSED)
    finish_step(WITHDRAW_REVIEW_DRAFT, locked, actor, version=draft, changes={
        "status": [before, locked.status], "reason": reason,
        "withdrawn_versions": [version.number for version in withdrawn],
        "version_in_force": in_force.number if in_force is not None else None,
        # The marking each withdrawn version is withheld by from now on (rule 18: the evidence says it too).
        "withdrawn_marking": marking_in_force,
        "advice_withdrawn": advice_closed,
    })
    return withdrawn


def _mark_withdrawn(locked: Policy, withdrawn: list[PolicyVersion]) -> str:
    """Mark ``withdrawn`` withdrawn, each with the marking it was read under (``PolicyVersion.withdrawn_marking``: the
    policy's in force, never a downgrade the review proposed), recording on each never submitted the details it had
    (``_details_withdrawn``), in the same UPDATE: one submitted keeps those it was frozen with, which its content hash
    covers, a proposed downgrade among them, and its ``withdrawn_marking`` withholds it as its marking in force did
    (the last notes' open item). A draft is not frozen until this UPDATE marks it withdrawn, and a submitted version
    lets this UPDATE set those two columns alone (migrations 0026 and 0029's trigger). Returns the marking recorded.
    Read before the details in force are put back."""
    now, marking = timezone.now(), locked.protective_marking
    drafts = [version.pk for version in withdrawn if version.submitted_at is None and version.details is None]
    if drafts:
        PolicyVersion.objects.filter(pk__in=drafts).update(withdrawn_at=now, withdrawn_marking=marking,
                                                           details=_details_withdrawn(locked))
    others = [version.pk for version in withdrawn if version.pk not in drafts]
    if others:
        PolicyVersion.objects.filter(pk__in=others).update(withdrawn_at=now, withdrawn_marking=marking)
    return marking


def _details_withdrawn(locked: Policy) -> dict:
    """The details a draft withdrawn before it was submitted had (as submission freezes them: ``details_snapshot``),
    so that every reader of a version's frozen marking (``lifecycle.selectors.FROZEN_SENSITIVE``) reads its own.
    Without them a later review's OFFICIAL version, once published, made it OFFICIAL material (security review: its
    statement compared, its withdrawal's reason on the timeline, for staff not cleared). Its marking is the one it was
    read under: the policy's, in force while it was drafted. A downgrade the draft proposed
    (``proposed_protective_marking``) was never approved, so what was written while only those cleared for
    OFFICIAL-SENSITIVE material could read it stays theirs. Read before the details in force are put back."""
    details = locked.details_snapshot()
    details["protective_marking"] = highest_marking(details["protective_marking"], locked.protective_marking)
    return details


def _way_back(locked: Policy):
    """The one of the two declared moves back whose transition may be taken (its gate: the status the review started
    from, lifecycle.gates_review_draft.status_before_review). The declarations decide; were both or neither open, the
    step is refused rather than guess the status the version in force is in."""
    open_ways = [step for step in WAYS_BACK if can_proceed(getattr(locked, step.name))]
    if len(open_ways) != 1:
        raise ApplicationError(
            f"Cannot withdraw the review draft of {locked.reference}: the status it returns to is not clear (the "
            f"review started in {status_before_review(locked)}). Nothing was changed.", code="stale")
    return open_ways[0]


def _details_in_force(locked: Policy, in_force: PolicyVersion | None) -> list[str]:
    """Put the version in force's details back on ``locked`` (not saved; returns the fields to save with the
    transition). A version published before versions recorded their details has none to put back: the policy's are
    kept."""
    locked.proposed_title = ""
    locked.proposed_protective_marking = ""
    fields = ["proposed_title", "proposed_protective_marking"]
    details = in_force.details if in_force is not None else None
    for name in RESTORED_DETAILS if details else ():
        if name in details:
            setattr(locked, name, details[name])
            fields.append(name)
    return fields
