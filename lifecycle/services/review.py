"""Stages 5 and 6: publication recorded, implementation, review, the review date, a no-change review, and
withdrawal. Each step's rule is declared in lifecycle.workflow; these functions hold only what is particular to
each step."""

from __future__ import annotations

import datetime
from typing import Unpack

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from lifecycle import gates_eia
from lifecycle.models import (
    NoChangeReview,
    Policy,
    PolicyVersion,
    WithdrawalDecision,
)
from lifecycle.selectors import visible_policies
from lifecycle.services.base import (
    Binding,
    add_months,
    begin_step,
    finish_step,
    fire,
    optional_text,
    require_text,
    take_plain_step,
)
from lifecycle.services.drafting import freeze, new_draft
from lifecycle.signals import policy_withdrawn, review_completed, review_date_changed, withdrawal_decided
from lifecycle.states import Status
from lifecycle.steps import performs
from lifecycle.workflow import (
    COMPLETE_IMPLEMENTATION,
    CONCLUDE_NO_CHANGE,
    CONFIRM_EIA,
    DECIDE_WITHDRAWAL,
    PUBLISH,
    SET_REVIEW_DATE,
    START_REVIEW,
    WITHDRAW,
)


def policy_record_publication(*, locked: Policy, actor, version: PolicyVersion, published_on: datetime.date) -> str:
    """For publication.services, inside its transaction with the policy locked: move the policy to
    implementation and set the next 3-yearly review from this publication. The annual monitoring date is set by
    the first publication only: after that, reports fall due every 12 months from the previous due date whatever
    happens in between, re-publication after a review included, and a late report stays late (issue 13).
    Returns the status before; publication writes the audit event (it knows the channels)."""
    return fire(locked, PUBLISH, extra_fields=[*policy_set_publication_dates(locked=locked, published_on=published_on),
                                               *policy_put_title_in_force(locked=locked, version=version),
                                               *policy_put_marking_in_force(locked=locked, version=version)])


PUBLICATION_DATE_FIELDS = ["review_due_on", "monitoring_report_due_on", "first_published_on", "last_published_on"]


def policy_set_publication_dates(*, locked: Policy, published_on: datetime.date) -> list[str]:
    """The dates a publication sets (not saved; returns the fields to save with the transition): the next review 3
    years on, the first monitoring report a year on (only at the first publication), the first and last publication.
    Shared by PCU's publication and a local work instruction's approval, which publishes it. A publication after the
    first puts a reviewed version in force (only a review leads back to publication): the review is done
    (``review_completed``)."""
    answered = locked.review_due_on
    locked.review_due_on = add_months(published_on, settings.POLICYHUB_REVIEW_INTERVAL_MONTHS)
    _review_completed(locked, answered)
    if locked.monitoring_report_due_on is None:
        locked.monitoring_report_due_on = add_months(published_on, settings.POLICYHUB_MONITORING_INTERVAL_MONTHS)
    if locked.first_published_on is None:
        locked.first_published_on = published_on
    locked.last_published_on = published_on
    return list(PUBLICATION_DATE_FIELDS)


def policy_put_title_in_force(*, locked: Policy, version: PolicyVersion) -> list[str]:
    """A review's new title is in force from its publication: the one the published version was frozen with (issue
    12; until then ``Policy.title`` stays the title in force and the draft's is ``proposed_title``). Not saved;
    returns the fields to save with the transition."""
    frozen_title = (version.details or {}).get("title")
    if frozen_title:
        locked.title = frozen_title
    locked.proposed_title = ""
    return ["title", "proposed_title"]


def policy_put_marking_in_force(*, locked: Policy, version: PolicyVersion) -> list[str]:
    """The policy is marked as the version it publishes was frozen, and approved, with: a review's downgrade to
    OFFICIAL comes into force with its version, in the transaction that puts the version in force (until then the
    version in force kept its OFFICIAL-SENSITIVE marking and the draft's was ``proposed_protective_marking``;
    lifecycle.services.details). A re-marking up was in force already. Not saved; returns the fields to save with the
    transition."""
    frozen_marking = (version.details or {}).get("protective_marking")
    if frozen_marking:
        locked.protective_marking = frozen_marking
    locked.proposed_protective_marking = ""
    return ["protective_marking", "proposed_protective_marking"]


@performs(COMPLETE_IMPLEMENTATION)
@transaction.atomic
def policy_complete_implementation(
    *, policy: Policy, actor, **read: Unpack[Binding],
) -> Policy:
    return take_plain_step(COMPLETE_IMPLEMENTATION, policy=policy, actor=actor, **read)


@performs(START_REVIEW)
@transaction.atomic
def policy_start_review(
    *, policy: Policy, actor, reason: str, **read: Unpack[Binding],
) -> PolicyVersion:
    """Stage 6 feeds stage 1: a review starts a new major version back in scoping. The published version
    stays published (and in force) until the reviewed one replaces it."""
    reason = require_text(reason, "the reason for the review", field="reason")
    locked = begin_step(START_REVIEW, policy=policy, actor=actor, **read)
    previous = locked.current_version
    draft = new_draft(policy=locked, actor=actor, previous=previous, new_cycle=True)
    finish_step(START_REVIEW, locked, actor, version=previous,
                changes={"reason": reason, "previous_version": previous.number, "new_draft": draft.number})
    return draft


@performs(DECIDE_WITHDRAWAL)
@transaction.atomic
def policy_decide_withdrawal(
    *, policy: Policy, actor, reason: str, replaced_by: str | Policy | None = None, **read: Unpack[Binding],
) -> WithdrawalDecision:
    """The Designated Lead or the Management Board owner decides to withdraw the policy (they "retain ultimate
    ownership"), saying why and naming the policy that replaces it, if any. PCU carries it out (``policy_withdraw``),
    expected from the decision by its declared deadline (lifecycle.deadlines.WITHDRAWAL), whatever the status: the
    reminders of the step that status waited for stop in the same transaction (``signals.withdrawal_decided``)."""
    reason = require_text(reason, "the reason for withdrawing the policy", field="reason")
    locked = begin_step(DECIDE_WITHDRAWAL, policy=policy, actor=actor, **read)
    replacement = _replacement(locked, replaced_by, actor=actor)
    decision = WithdrawalDecision.objects.create(policy=locked, reason=reason, replaced_by=replacement,
                                                 decided_by=actor)
    finish_step(DECIDE_WITHDRAWAL, locked, actor, changes={
        "reason": reason, "replaced_by": replacement.reference if replacement else None,
        "withdrawal_decision": decision.pk,
    })
    withdrawal_decided.send(sender=Policy, policy=locked, decision=decision)
    return decision


def _replacement(locked: Policy, replaced_by, *, actor) -> Policy | None:
    """The policy that replaces the one withdrawn, from its reference (or None). Looked up among the policies
    ``actor`` may see (review 4, as ``_supported_policy`` for probe F6): one out of their sight, another group's
    OFFICIAL-SENSITIVE draft, is answered exactly as a reference that does not exist, so that the answer confirms
    nothing of it, and it is never recorded as the replacement, to be named on the withdrawn policy's pages."""
    if isinstance(replaced_by, Policy):
        replaced_by = replaced_by.reference
    reference = (replaced_by or "").strip().upper()
    if not reference:
        return None
    replacement = visible_policies(user=actor).filter(reference=reference).first()
    if replacement is None:
        raise ApplicationError(f"There is no policy {reference} you can see: enter the reference of the policy that "
                               "replaces it, or leave it empty.", code="invalid", field="replaced_by")
    if replacement.pk == locked.pk:
        raise ApplicationError("A policy cannot replace itself.", code="invalid", field="replaced_by")
    if replacement.status == Status.WITHDRAWN:
        raise ApplicationError(f"{reference} is itself withdrawn, so it cannot replace this policy.",
                               code="invalid", field="replaced_by")
    return replacement


@performs(WITHDRAW)
@transaction.atomic
def policy_withdraw(
    *, policy: Policy, actor, comments: str = "", **read: Unpack[Binding],
) -> Policy:
    """PCU carries out the withdrawal the Lead or the owner decided: the policy leaves the intranet and the Publication
    Scheme (both show only policies in force) and stays in the archive; its scheduled publications are cancelled and
    its open reminders stop, in the same transaction (``signals.policy_withdrawn``)."""
    comments = optional_text(comments, "Comments", field="comments")
    locked = begin_step(WITHDRAW, policy=policy, actor=actor, **read)
    decision = WithdrawalDecision.objects.select_for_update(of=("self",)).select_related(
        "replaced_by", "decided_by").get(policy=locked, carried_out_at__isnull=True)
    finish_step(WITHDRAW, locked, actor, changes={
        "reason": decision.reason, "decided_by": decision.decided_by.username,
        "replaced_by": decision.replaced_by.reference if decision.replaced_by else None, "comments": comments,
    })
    # Closed after the transition, whose gate asks for the open decision.
    decision.carried_out_by, decision.carried_out_at = actor, timezone.now()
    decision.save(update_fields=["carried_out_by", "carried_out_at"])
    policy_withdrawn.send(sender=Policy, policy=locked, actor=actor)
    return locked


@performs(SET_REVIEW_DATE)
@transaction.atomic
def policy_set_review_date(
    *, policy: Policy, actor, review_due_on: datetime.date, reason: str, report_id: int | None = None,
    **read: Unpack[Binding],
) -> Policy:
    """A Lead or co-ordinator brings a review forward (SOP: "if no earlier review has been prompted by
    monitoring results, or external factors e.g. legislation, critical incidents"). ``report_id``: the monitoring
    report whose results prompted it (the Lead's response to it, assessments.services.responses), whose period and
    the Lead's reasons about it are the reason: the event names it ("report"), as the response's own event does, so
    that it is read as the report is, by its frozen marking: one made OFFICIAL-SENSITIVE only by those cleared for it
    (the timeline, lifecycle.selectors.timeline_events; the notifications' relay). What is chased for the date it
    replaces stops in the same transaction (``signals.review_date_changed``: the reminders quoting that date)."""
    reason = require_text(reason, "the reason for the earlier review", field="reason")
    if not isinstance(review_due_on, datetime.date):
        raise ApplicationError("Enter the new review date.", field="review_due_on")
    locked = begin_step(SET_REVIEW_DATE, policy=policy, actor=actor, **read)
    if review_due_on < timezone.localdate():
        raise ApplicationError("The review date cannot be in the past.", field="review_due_on")
    if locked.review_due_on and review_due_on >= locked.review_due_on:
        raise ApplicationError(
            f"The review is already due on {locked.review_due_on:%-d %B %Y}: a new date must be earlier "
            "(reviews are at least every 3 years).", field="review_due_on",
        )
    before = locked.review_due_on
    locked.review_due_on = review_due_on
    changes = {"review_due_on": [before, review_due_on], "reason": reason}
    if report_id is not None:
        changes["report"] = report_id
    finish_step(SET_REVIEW_DATE, locked, actor, extra_fields=["review_due_on"], changes=changes)
    review_date_changed.send(sender=Policy, policy=locked, due_on=before)
    return locked


@performs(CONCLUDE_NO_CHANGE)
@transaction.atomic
def policy_conclude_no_change(
    *, policy: Policy, actor, reason: str, **read: Unpack[Binding],
) -> NoChangeReview:
    """The review concludes that no change is needed: the Designated Lead says why. Open only from 6 months before
    the review is due, or after a documented bring-forward, never while the policy is not impact assessed, and only
    once its monitoring is in and answered: no annual report overdue, every report since the last review answered by
    the Lead, no remedial action open (SOP: "This monitoring data then feeds into future policy reviews";
    workflow.CONCLUDE_NO_CHANGE's gates, lifecycle.gates_no_change). DCFD then confirms the EIA and PCU re-publishes;
    the review date moves only with that publication."""
    reason = require_text(reason, "why no change is needed (the evidence the review considered)", field="reason")
    locked = begin_step(CONCLUDE_NO_CHANGE, policy=policy, actor=actor, **read)
    review = NoChangeReview.objects.create(policy=locked, policy_version=locked.current_version, reason=reason,
                                           concluded_by=actor)
    # The review date stays until PCU re-publishes: recorded as any date is, [before, after], here the same date.
    finish_step(CONCLUDE_NO_CHANGE, locked, actor, changes={
        "reason": reason, "review_due_on": [locked.review_due_on, locked.review_due_on],
        "no_change_review": review.pk})
    return review


@performs(CONFIRM_EIA)
@transaction.atomic
def policy_confirm_eia(
    *, policy: Policy, actor, eia_outcome: str, eia_comments: str = "", **read: Unpack[Binding],
) -> NoChangeReview:
    """DCFD confirms that the Equality Impact Assessment of the version in force still stands, or says what must be
    updated (SOP: EIAs "on existing policies every 3 years"). Updated: the EIA is reopened for revision in a new minor
    version of the package, its statement, SOPs and Workbook frozen as they are in force (the version in force and its
    signed-off EIA are evidence, and stay as they were); DCFD signs the update off (``SIGN_OFF_UPDATED_EIA``) before PCU
    re-publishes, and what PCU then re-publishes is that version."""
    if eia_outcome not in NoChangeReview.EIAOutcome.values:
        raise ApplicationError("Choose whether the assessment stands or must be updated.", field="eia_outcome")
    eia_comments = optional_text(eia_comments, "Comments", field="eia_comments")
    if eia_outcome == NoChangeReview.EIAOutcome.UPDATED and not eia_comments:
        raise ApplicationError("Enter what must change in the assessment.", field="eia_comments")
    locked = begin_step(CONFIRM_EIA, policy=policy, actor=actor, **read)
    # An assessment concluding that the policy must stop (frozen so before lifecycle.gates_eia's rule) does not stand
    # for the policy to be re-published: DCFD says what must be updated, or the policy is withdrawn.
    if eia_outcome == NoChangeReview.EIAOutcome.STANDS and gates_eia.concludes_stop(locked):
        raise ApplicationError(gates_eia.dcfd_stop_refusal(
            locked, "Say that it must be updated, and what must change: it is reopened for the policy's developers. If "
            "the policy is to stop, the Designated Lead or the policy's owner decides to withdraw it."),
            code="gate", field="eia_outcome")
    review = NoChangeReview.objects.select_for_update().get(policy=locked, republished_on__isnull=True)
    review.eia_outcome, review.eia_comments = eia_outcome, eia_comments
    review.eia_confirmed_by, review.eia_confirmed_at = actor, timezone.now()
    changes = {"eia_outcome": eia_outcome, "comments": eia_comments, "no_change_review": review.pk}
    if eia_outcome == NoChangeReview.EIAOutcome.UPDATED:
        in_force = locked.current_version
        reopened = new_draft(policy=locked, actor=actor, previous=in_force, new_cycle=False)
        # Its statement, SOPs and Workbook are those in force, copied: written by that version's authors.
        freeze(locked, reopened, reopened.author, freeze_eia=False, authors=in_force.authors)
        review.updated_eia_version = reopened
        changes.update(reopened_in_version=reopened.number, version_in_force=in_force.number)
    review.save(update_fields=["eia_outcome", "eia_comments", "eia_confirmed_by", "eia_confirmed_at",
                               "updated_eia_version"])
    finish_step(CONFIRM_EIA, locked, actor, changes=changes, version=review.policy_version)
    return review


def policy_record_republication(*, locked: Policy, published_on: datetime.date) -> NoChangeReview:
    """For publication.services, inside its transaction with the policy locked, once the ceremony of
    ``REPUBLISH_NO_CHANGE`` has passed: close the no-change review and set the next review 3 years from this
    publication (the monitoring report's date is its own, and does not move)."""
    review = NoChangeReview.objects.select_for_update().get(policy=locked, republished_on__isnull=True)
    answered = locked.review_due_on
    locked.review_due_on = add_months(published_on, settings.POLICYHUB_REVIEW_INTERVAL_MONTHS)
    locked.last_published_on = published_on
    review.republished_on = published_on
    _review_completed(locked, answered)
    return review


def _review_completed(locked: Policy, answered: datetime.date | None) -> None:
    """The review that ``answered`` (the review date before) called for is done, its next date set on ``locked``:
    what other apps chase for it stops in this transaction (``signals.review_completed``: the review reminders,
    notifications). Not at a first publication (no date before: no review was due). Not when the Lead concludes a
    review with no change, nor when DCFD confirms its EIA: until PCU re-publishes, the date stays and the review is
    still chased (lifecycle.due.REVIEW)."""
    if answered is not None:
        review_completed.send(sender=Policy, policy=locked, due_on=answered)
