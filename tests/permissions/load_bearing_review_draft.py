"""The checks that make the gates of withdrawing a review draft load-bearing (tests/permissions/test_load_bearing.py:
each leaves one gate standing between the Designated Lead and the step, or between the draft and the wrong status).
Kept apart, as test_gates_sop's checks are, so that the load-bearing module does not grow; named in its ``KILLERS``."""

from __future__ import annotations

from collections.abc import Callable

from lifecycle import services
from lifecycle.models import Policy
from tests.factories import advance_to
from tests.lifecycle.test_gates_sop import assert_refused, assert_taken

CHECKS: dict[str, Callable] = {}
SLUG = "withdraw-review-draft"
FIELDS = {"reason": "The review found nothing to change."}


def check(function):
    CHECKS[function.__name__] = function
    return function


def _reload(policy) -> Policy:
    return Policy.objects.get(pk=policy.pk)


def _under_review(people, *, in_force_status: str = "monitoring", draft_status: str = "scoping") -> Policy:
    policy = advance_to(people.policy(), in_force_status, people)
    services.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    return advance_to(_reload(policy), draft_status, people)


@check
def only_a_review_draft_is_withdrawn(people):
    policy = advance_to(people.policy(), "monitoring", people)
    assert_refused(people.lead, policy, SLUG, ("no review draft is open",), FIELDS)


@check
def an_approved_review_draft_is_not_withdrawn(people):
    policy = _under_review(people, draft_status="approved")
    assert_refused(people.lead, policy, SLUG, ("version 2.0 is approved",), FIELDS)


@check
def the_review_draft_waits_for_pcus_answer_before_withdrawal(people):
    policy = _under_review(people, draft_status="development")
    services.policy_request_emergency_approval(policy=policy, actor=people.lead, risk_statement="Live operation.")
    assert_refused(people.lead, _reload(policy), SLUG, ("must agree or refuse",), FIELDS)


@check
def a_review_draft_withdrawn_goes_back_to_monitoring(people):
    policy = _under_review(people, in_force_status="monitoring")
    assert_taken(people.lead, policy, SLUG, "monitoring", FIELDS)


@check
def a_review_draft_withdrawn_goes_back_to_implementation(people):
    policy = _under_review(people, in_force_status="implementation")
    assert_taken(people.lead, policy, SLUG, "implementation", FIELDS)


KILLERS: dict[str, tuple[str, ...]] = {
    "gate:review_draft_open": ("only_a_review_draft_is_withdrawn",),
    "gate:review_draft_not_approved": ("an_approved_review_draft_is_not_withdrawn",),
    "gate:no_emergency_request_waiting_on_draft": ("the_review_draft_waits_for_pcus_answer_before_withdrawal",),
    # Each move back's gate: with it always true, both moves are open and the step is refused.
    "gate:review_started_in_implementation": ("a_review_draft_withdrawn_goes_back_to_monitoring",),
    "gate:review_started_in_monitoring": ("a_review_draft_withdrawn_goes_back_to_implementation",),
}
