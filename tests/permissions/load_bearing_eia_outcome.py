"""The checks that make the gates of the Equality Impact Assessment's outcome load-bearing (lifecycle.gates_eia;
tests/permissions/test_load_bearing.py). The submission's two are test_gates_sop's (a package whose assessment
concludes "Stop and remove the policy", or keeps the policy despite its potential adverse impact without saying why, is
not submitted); DCFD's sign-off of an assessment reopened at a review concluding no change is here. Kept apart, as
load_bearing_review_draft's checks are, so that the load-bearing module does not grow; named in its ``KILLERS``."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from assessments.services import eia_update
from lifecycle import services
from lifecycle.models import NoChangeReview, Policy
from lifecycle.next_steps import next_work
from lifecycle.workflow import SIGN_OFF_UPDATED_EIA
from lifecycle.workflow_monitoring import UPDATE_REOPENED_EIA
from tests.factories import advance_to, refused
from tests.lifecycle.test_gates_sop import post_step

CHECKS: dict[str, Callable] = {}


def check(function):
    CHECKS[function.__name__] = function
    return function


def _reload(policy) -> Policy:
    return Policy.objects.get(pk=policy.pk)


def _eia_reopened(people) -> Policy:
    """A policy in force whose review concluded no change, its EIA reopened by DCFD to be updated."""
    policy = advance_to(people.policy(), "monitoring", people)
    services.policy_set_review_date(policy=policy, actor=people.coordinator,
                                    review_due_on=timezone.localdate() + datetime.timedelta(days=700),
                                    reason="Monitoring results.")
    services.policy_conclude_no_change(policy=_reload(policy), actor=people.lead, reason="Still fit.")
    services.policy_confirm_eia(policy=_reload(policy), actor=people.dcfd, eia_outcome="updated",
                                eia_comments="Refresh the data.")
    return _reload(policy)


# SOP, role of the Diversity and Citizen Focus Directorate: it quality-assures EIAs "to ensure that all corporate
# policies seek to eliminate discrimination": an updated assessment concluding "Stop and remove the policy" is not
# signed off for the policy to be re-published; changed, it is.
@check
def dcfd_does_not_sign_off_an_updated_eia_concluding_stop(people):
    policy = _eia_reopened(people)
    eia_update(policy=policy, actor=people.developer, decision="stop",
               decision_rationale="The refreshed data show a disparity no mitigation removes.")
    post_step(people.dcfd, _reload(policy), "sign-off-updated-eia", {"comments": ""})
    assert NoChangeReview.objects.get(policy=policy).updated_eia_signed_off_at is None
    eia_update(policy=_reload(policy), actor=people.developer, decision="adjust",
               decision_rationale="Search grounds narrowed.")
    post_step(people.dcfd, _reload(policy), "sign-off-updated-eia", {"comments": ""})
    assert NoChangeReview.objects.get(policy=policy).updated_eia_signed_off_at is not None


# QA walk: the sign-off was offered right after DCFD reopened the assessment, nothing in it revised. DCFD signs off an
# update once the policy's developers have made one.
@check
def dcfd_signs_off_an_updated_eia_only_once_revised(people):
    policy = _eia_reopened(people)
    post_step(people.dcfd, policy, "sign-off-updated-eia", {"comments": ""})
    assert NoChangeReview.objects.get(policy=policy).updated_eia_signed_off_at is None
    eia_update(policy=_reload(policy), actor=people.developer, evidence_and_data="The 2025 figures, by ethnicity.")
    post_step(people.dcfd, _reload(policy), "sign-off-updated-eia", {"comments": ""})
    assert NoChangeReview.objects.get(policy=policy).updated_eia_signed_off_at is not None


# What comes next on the reopened assessment is the drafters' update (UPDATE_REOPENED_EIA), then DCFD's sign-off; and
# its named developer, who writes it (SOP, Role of Policy Developers: "Conduct impact assessments ... on existing
# policies every 3 years"), edits it, as they edit no EIA of a policy neither drafted nor reopened.
@check
def the_drafters_update_a_reopened_eia_and_then_it_is_dcfds(people):
    policy = _eia_reopened(people)
    assert next_work(SIGN_OFF_UPDATED_EIA, policy).title == UPDATE_REOPENED_EIA.title
    eia_update(policy=policy, actor=people.developer, evidence_and_data="The 2025 figures, by ethnicity.")
    assert next_work(SIGN_OFF_UPDATED_EIA, _reload(policy)).title == SIGN_OFF_UPDATED_EIA.page.title


@check
def no_eia_is_edited_while_the_policy_is_neither_drafted_nor_reopened(people):
    policy = advance_to(people.policy(), "commissioning", people)
    with refused("frozen"):
        eia_update(policy=policy, actor=people.developer, evidence_and_data="Typed while commissioning.")


KILLERS: dict[str, tuple[str, ...]] = {
    "gate:eia_not_concluding_stop": ("development_to_qa_eia_concludes_stop",),
    "gate:eia_outcome_justified": ("development_to_qa_continue_without_its_justification",),
    "gate:updated_eia_not_concluding_stop": ("dcfd_does_not_sign_off_an_updated_eia_concluding_stop",),
    "gate:reopened_eia_revised": ("dcfd_signs_off_an_updated_eia_only_once_revised",),
    "gate:reopened_eia_awaits_revision": ("the_drafters_update_a_reopened_eia_and_then_it_is_dcfds",),
    "predicate:eia_reopened": ("no_eia_is_edited_while_the_policy_is_neither_drafted_nor_reopened",),
}
