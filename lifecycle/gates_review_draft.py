"""The gates of withdrawing a review draft (``lifecycle.workflow_monitoring.WITHDRAW_REVIEW_DRAFT``): a draft open, not
yet approved; and, for the status the policy goes back to, the one it had when its review started.

QA walk: once a review draft was open nothing let anyone abandon it, and "Conclude the review: no change needed" is
refused while one is (``lifecycle.gates_no_change.no_review_draft_open``), so a Designated Lead who started a draft and
then found no change was needed was forced through the whole cycle. Gates as ``lifecycle.gates`` declares them."""

from __future__ import annotations

from core.events import AuditAction
from core.models import AuditEvent
from lifecycle.emergency import no_emergency_request_waiting, open_emergency_request
from lifecycle.gates import gate
from lifecycle.gates_no_change import no_review_draft_open
from lifecycle.states import EMERGENCY_SOURCES, Status

# The statuses of a review draft the Designated Lead has not approved: from scoping to the Lead's decision. Once
# approved (by the Lead, or by the emergency route with PCU's agreement) the draft is a recorded decision on its way to
# publication (SOP, stage 4: the Lead approves; stage 5: PCU publishes), not a draft to abandon.
NOT_YET_APPROVED = (Status.SCOPING, Status.COMMISSIONING, Status.DEVELOPMENT, Status.SUBMITTED_FOR_QA,
                    Status.QA_PASSED, Status.WITH_LEAD)
IN_FORCE_STATUSES = (Status.IMPLEMENTATION, Status.MONITORING)


@gate("no review draft is open: the version in force is the policy's current version, and there is nothing to "
      "withdraw.", label="A review draft is open")
def review_draft_open(policy) -> bool:
    # Read from the status (no query), as its opposite is: a policy published once and not in a published status has
    # its review's new version drafted.
    return not no_review_draft_open(policy)


@gate("version {version} is approved: the Designated Lead's decision is recorded and the version goes on to "
      "publication, so it can no longer be withdrawn as a draft. To stop it now, decide to withdraw the policy, or "
      "review it again once it is published.", label="The review draft is not yet approved")
def review_draft_not_approved(policy) -> bool:
    return policy.status in NOT_YET_APPROVED


def _emergency_request_may_wait(policy) -> bool:
    return policy.status in EMERGENCY_SOURCES and open_emergency_request(policy) is not None


# The Lead's own request for the emergency route waits for PCU's answer on the draft it names: answered first. A request
# is made, and waits, only in development (lifecycle.states.EMERGENCY_SOURCES: the draft is held meanwhile), so in any
# other status the gate holds without a query (the overview of a draft with the Lead asks nothing more for it).
@gate(no_emergency_request_waiting.reason, label=no_emergency_request_waiting.label,
      applies=_emergency_request_may_wait)
def no_emergency_request_waiting_on_draft(policy) -> bool:
    return policy.status not in EMERGENCY_SOURCES or no_emergency_request_waiting(policy)


# Where ``status_before_review`` keeps its answer on a policy instance (the service asks it, and then the transition).
STATUS_BEFORE_REVIEW = "_policyhub_status_before_review"


def status_before_review(policy) -> str:
    """The status the policy had when its review started (implementation or monitoring), as the review's own event
    recorded it (``policy.review_started``: ``status`` [before, after]): what a withdrawn review draft leaves the
    policy in. A policy in force may still be in implementation when its review starts, and withdrawing the draft does
    not complete its implementation (that is a step of its own, ``COMPLETE_IMPLEMENTATION``). With no such event
    (a policy put under review before the event recorded its status), implementation: the status a publication puts a
    policy in, from which "Move to monitoring" is then offered again rather than assumed done. One query, kept on the
    instance."""
    if STATUS_BEFORE_REVIEW not in policy.__dict__:
        recorded = (AuditEvent.objects.filter(policy_id=policy.pk, action=AuditAction.POLICY_REVIEW_STARTED)
                    .order_by("-sequence").values_list("changes", flat=True).first()) or {}
        before = (recorded.get("status") or [None])[0]
        policy.__dict__[STATUS_BEFORE_REVIEW] = before if before in IN_FORCE_STATUSES else Status.IMPLEMENTATION
    return policy.__dict__[STATUS_BEFORE_REVIEW]


@gate("The review started while the policy was in monitoring and review, not in implementation.",
      label="The review started in implementation")
def review_started_in_implementation(policy) -> bool:
    return status_before_review(policy) == Status.IMPLEMENTATION


@gate("The review started while the policy was in implementation, not in monitoring and review.",
      label="The review started in monitoring and review")
def review_started_in_monitoring(policy) -> bool:
    return status_before_review(policy) == Status.MONITORING
