"""The gates of a review that concludes no change is needed (issue 13), in three parts, each its own person's: the
Designated Lead concludes (``lifecycle.workflow_monitoring.CONCLUDE_NO_CHANGE``), DCFD confirms the Equality Impact
Assessment or reopens it to be updated and signs the update off, and PCU re-publishes. The policy stays in force and in
its status throughout; its open ``NoChangeReview`` says whose turn it is.

Gates as ``lifecycle.gates`` declares them (``gate``: the reason shown when one fails, its checklist label, its
``where`` for lists), built on its reads of a policy's open records."""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.utils import timezone

from core.events import AuditAction
from core.models import AuditEvent
from lifecycle.gates import gate, impact_assessed, policies_decided, read_once_for_page
from lifecycle.monitoring_reports import monitoring_left_for_review
from lifecycle.states import DRAFT_EDITABLE_STATUSES, PUBLISHED_STATUSES, REVIEW_WARNING_MONTHS


def open_no_change_review(policy):  # the no-change review still waiting for DCFD or PCU, or None
    return read_once_for_page(policy, "NoChangeReview", "republished_on")


def review_brought_forward(policy) -> bool:
    """A documented bring-forward (``set_review_date``, with its reason) since the policy was last published."""
    if policy.last_published_on is None:
        return False
    return AuditEvent.objects.filter(
        policy_id=policy.pk, action=AuditAction.POLICY_REVIEW_DATE_BROUGHT_FORWARD,
        occurred_at__date__gte=policy.last_published_on,
    ).exists()


# SOP: "allow at least 6 months for a basic review"; the review's warning period (lifecycle.due.REVIEW) is when a
# review is open. Earlier only when the review was brought forward with a documented reason.
@gate("It is too early to conclude the review with no change: that is open only from 6 months before the review "
      "is due, or once the review has been brought forward with a documented reason.",
      label="The review is due within 6 months, or was brought forward")
def review_window_open(policy) -> bool:
    if policy.review_due_on is None:
        return False
    window_opens = policy.review_due_on - relativedelta(months=REVIEW_WARNING_MONTHS)
    return timezone.localdate() >= window_opens or review_brought_forward(policy)


# A review concludes with no change instead of drafting a new version ("Start a review" says so before a draft is
# opened); once one is, the review goes on in it (SOP, stage 1: "If this is a policy review ... conduct some research to
# see whether there are any changes"; stage 4: a reviewed document goes to the Lead with "a summary note of changes").
# The reason names the ways the review goes on: in the draft, or, if the draft is not needed, by the Designated Lead
# withdrawing it first (lifecycle.workflow_monitoring.WITHDRAW_REVIEW_DRAFT, QA walk). Read from the status (no query):
# a policy published once and not in force in its status has its review's new version drafted.
@gate("a review draft (version {version}) is open. Concluding with no change is the alternative to drafting a new "
      "version: with a draft open, the review goes on in that draft. If the review finds nothing to change, the "
      "Designated Lead withdraws the draft (“Withdraw the review draft”, before approving it) and then "
      "concludes the review with no change.",
      label="No review draft open")
def no_review_draft_open(policy) -> bool:
    return policy.first_published_on is None or policy.status in PUBLISHED_STATUSES


# --- The monitoring a review concluding no change must have taken in (QA walk: POL-0002 concluded with its one report
# in three years unanswered and the next 658 days overdue; POL-0003 with a report unanswered and a remedial action
# open). SOP, stage 6: "The results of this monitoring must be recorded in a Monitoring Report template on an annual
# basis ... This monitoring data then feeds into future policy reviews"; the Designated Lead will "Review monitoring and
# compliance results and direct appropriate remedial action". A drafting review reads each report at its scoping
# (lifecycle.gates.monitoring_reports_read); concluding no change drafts nothing, so the Lead's own response to each
# report is its reading, and the conclusion waits until the monitoring is in, answered, and acted on.


@gate("The Designated Lead has not responded to every monitoring report since the last review (SOP: \"This "
      "monitoring data then feeds into future policy reviews\"; the Lead will \"Review monitoring and compliance "
      "results\"). Respond to each one first (Monitoring tab); one still with the co-ordinator is answered once "
      "quality-assured.",
      label="Respond to every monitoring report since the last review", fix="monitoring")
def monitoring_reports_answered(policy) -> bool:
    # A report a review has read (the drafting review that produced the version in force, or a review draft withdrawn
    # for this review to conclude with no change) has fed a review already.
    return monitoring_left_for_review(policy)["unanswered"] == 0


@gate("A remedial action the Designated Lead directed after a monitoring report is still open (SOP: the Lead will "
      "\"Review monitoring and compliance results and direct appropriate remedial action\"): whether it worked is "
      "part of the review's evidence. Record what was done first (Monitoring tab).",
      label="Record the outcome of every remedial action directed after a monitoring report", fix="monitoring")
def remedial_actions_closed(policy) -> bool:
    return monitoring_left_for_review(policy)["remedial_open"] == 0


# Overdue the day after its date, as lifecycle.due.MONITORING says (read from the policy's own column: no query). The
# SOP names no reason for which a year's report may be left out ("must be recorded ... on an annual basis"), so none
# is asked for: the late report is written, quality-assured and answered, and then the review concludes.
@gate("The annual monitoring report is overdue (SOP: \"The results of this monitoring must be recorded in a "
      "Monitoring Report template on an annual basis ... This monitoring data then feeds into future policy "
      "reviews\"). The review concludes on the latest year's results: the policy's developers write the report "
      "due, the co-ordinator quality-assures it, and the Designated Lead responds to it.",
      label="Write the annual monitoring report that is overdue", fix="monitoring")
def annual_report_not_overdue(policy) -> bool:
    due = policy.monitoring_report_due_on
    return due is None or due >= timezone.localdate()


@gate("A review concluding no change is already open for this policy: DCFD and PCU must finish it first.",
      label="No other no-change review open")
def no_change_review_not_open(policy) -> bool:
    return open_no_change_review(policy) is None


@gate("No review of this policy has been concluded with no change by the Designated Lead and is waiting for "
      "DCFD's confirmation of the Equality Impact Assessment.",
      label="The Lead has concluded the review with no change",
      where=lambda: policies_decided("NoChangeReview", "dcfd"))
def no_change_awaits_eia(policy) -> bool:
    return getattr(open_no_change_review(policy), "waits_for", "") == "dcfd"


@gate("There is no concluded no-change review whose Equality Impact Assessment DCFD has confirmed (or, where DCFD said "
      "it must be updated, whose updated Equality Impact Assessment DCFD has signed off), so there is nothing to "
      "re-publish.", label="DCFD has confirmed the Equality Impact Assessment",
      where=lambda: policies_decided("NoChangeReview", "pcu"))
def no_change_awaits_publication(policy) -> bool:
    return getattr(open_no_change_review(policy), "waits_for", "") == "pcu"


def eia_reopened_for_review(policy) -> bool:
    """The current version's EIA was reopened for revision by DCFD at a no-change review, and waits for the update
    (the policy in force: reopened from implementation or monitoring, where it stays)."""
    if policy.status not in PUBLISHED_STATUSES:
        return False
    review = open_no_change_review(policy)
    version = policy.current_version
    return (review is not None and review.waits_for == "eia_update" and version is not None
            and review.updated_eia_version_id == version.pk)


@gate("No Equality Impact Assessment is waiting for DCFD's sign-off of its update: DCFD reopens one by saying, at a "
      "review concluding no change, that it must be updated.",
      label="The Equality Impact Assessment reopened for the review",
      where=lambda: policies_decided("NoChangeReview", "eia_update"))
def no_change_awaits_updated_eia(policy) -> bool:
    return eia_reopened_for_review(policy)


def _current_eia_saved(policy) -> bool:
    """The current version's EIA has been saved with a change since its version was made: of a reopened one (a copy of
    the one in force, at draft revision 0), since it was reopened (each save that changes a section moves it on:
    assessments.services)."""
    version = policy.current_version
    eia = getattr(version, "eia", None) if version is not None else None
    return eia is not None and eia.draft_revision > 0


# QA walk: the sign-off was offered, and its page said "the policy's developers have revised it", right after DCFD
# reopened the assessment, with nothing in it changed ("EIA: no changes"). DCFD signs off an update once there is one.
# Asked after ``no_change_awaits_updated_eia`` (workflow_monitoring.SIGN_OFF_UPDATED_EIA): of the reopened EIA.
@gate("No revision has been made yet: nothing in the Equality Impact Assessment has changed since it was reopened. "
      "The policy's developers update it (EIA tab); it is signed off once they have.",
      label="The policy's developers revise the reopened Equality Impact Assessment", fix="eia", explained=True)
def reopened_eia_revised(policy) -> bool:
    return _current_eia_saved(policy)


# The drafters' part of the update (lifecycle.workflow_monitoring.UPDATE_REOPENED_EIA), due until they revise it: what
# comes next meanwhile (lifecycle.next_steps.next_work), and, as a Q, My work's lists (their drafts; not yet DCFD's).
@gate("No Equality Impact Assessment reopened for the review waits for the policy's developers to revise it.",
      label="The reopened Equality Impact Assessment, not yet revised",
      where=lambda: policies_decided("NoChangeReview", "eia_revision"))
def reopened_eia_awaits_revision(policy) -> bool:
    return eia_reopened_for_review(policy) and not _current_eia_saved(policy)


@gate("The updated Equality Impact Assessment is not complete: record the impact on every protected characteristic "
      "and the decision.", label="Complete the updated Equality Impact Assessment", fix="eia")
def updated_eia_complete(policy) -> bool:
    return impact_assessed(policy)


def drafted_now(policy) -> bool:
    """Whether the policy's drafters (its named developers, those granted its drafting, its manager) work on its
    newest version now: while it is drafted, in scoping or development (issue 4: developers "see and edit the drafts
    of policies they are assigned to, only while the policy is in scoping or development"), or while its Equality
    Impact Assessment alone is reopened for them at a review concluding no change (SOP, Role of Policy Developers:
    "Conduct impact assessments ... on existing policies every 3 years"). The one rule of when the drafters see the
    newest version (lifecycle.selectors.user_may_see_drafts and, as a Q, ``drafted_now_where``: the visibility's
    drafts) and may change its documents (assessments.services.document_editable). QA walk: the pages required
    scoping or development while the service allowed the reopened EIA, so its named developer was shown the frozen
    1.0 and refused."""
    return policy.status in DRAFT_EDITABLE_STATUSES or eia_reopened_for_review(policy)


def drafted_now_where() -> Q:
    """``drafted_now`` as a condition on a query of policies."""
    return Q(status__in=sorted(DRAFT_EDITABLE_STATUSES)) | eia_reopened_where()


def eia_reopened_where() -> Q:
    """``eia_reopened_for_review`` as a condition on a query of policies."""
    return Q(status__in=sorted(PUBLISHED_STATUSES)) & no_change_awaits_updated_eia.where()


# Who took each part of the review already, and when (``Step.done_by``): a part sent again once taken (another tab, a
# colleague) is said as done, not refused as not ready (QA walk of 2026-12-06: a second conclusion read "Cannot
# conclude ... yet. A review concluding no change is already open"; PCU's second re-publication "Cannot re-publish ...
# yet. There is no concluded no-change review").
def concluded_by(policy):
    """The Lead who concluded the no-change review still open, and when; None with none open."""
    review = open_no_change_review(policy)
    return None if review is None else (review.concluded_by, review.concluded_at)


def eia_confirmed_by(policy):
    """Who in DCFD confirmed (or reopened) the EIA of the no-change review still open, and when, with what they did
    where it was not confirming it (review of 2026-12-06: a reopening was told "confirmed"); None if nobody has."""
    review = open_no_change_review(policy)
    if review is None or review.eia_confirmed_by_id is None:
        return None
    if review.eia_outcome == review.EIAOutcome.UPDATED:
        return (review.eia_confirmed_by, review.eia_confirmed_at,
                "Equality Impact Assessment reopened to be updated for the review")
    return review.eia_confirmed_by, review.eia_confirmed_at


def updated_eia_signed_off_by(policy):
    """Who in DCFD signed off the updated EIA of the no-change review still open, and when; None if nobody has."""
    review = open_no_change_review(policy)
    if review is None or review.updated_eia_signed_off_by_id is None:
        return None
    return review.updated_eia_signed_off_by, review.updated_eia_signed_off_at


def republished_by(policy):
    """Who in PCU re-published the policy after its last no-change review, and when (its publication's moment, else
    the day), while no other review is open; None otherwise. One query, the publication joined."""
    if open_no_change_review(policy) is not None:
        return None
    review = (policy.no_change_reviews.filter(republished_on__isnull=False)
              .select_related("republished_by", "publication").order_by("-republished_on", "-pk").first())
    if review is None:
        return None
    try:
        at = review.publication.published_at or review.republished_on
    except ObjectDoesNotExist:
        at = review.republished_on
    return review.republished_by, at
