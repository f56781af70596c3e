"""The permission matrix for a policy under review: published, its version in force staying in force, while a new
version goes through the cycle again (issue 10: "a policy under review ... is not on the status axis, which is why
the drift above went unseen"). The axis's points "under_review:<status of the new version>", asked exactly as
``test_matrix`` asks the first cycle (one test per persona and point, ``check_point``), OFFICIAL policies only. A
file of its own so that it runs on the other worker.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.permissions import rules_table as spec
from tests.permissions.test_matrix import acts_for_real, cases_by_point, check_point, point_params, representatives
from tests.permissions.world import generate_cases

pytestmark = pytest.mark.usefixtures("db")

CASES = [case for case in generate_cases() if case.status in spec.REVIEW_AXIS]


def test_every_point_under_review_is_asked_and_acted_on():
    assert {case.status for case in CASES} == set(spec.REVIEW_AXIS)
    posted = [case for cases in cases_by_point(CASES).values() for case in representatives(cases)]
    assert len(posted) == len({(case.persona.label, case.status, case.action) for case in CASES
                               if acts_for_real(case)})
    acting = Counter(case.action for case in posted if case.allowed)
    # Under review a policy can be withdrawn, drafted and taken through the whole approval again ...
    assert {"withdraw", "edit_draft", "commission", "submit-for-qa", "decide", "publish"} <= set(acting)
    # ... and its review draft withdrawn, before the Lead's approval.
    assert set(acting) >= spec.UNDER_REVIEW_ONLY
    # ... but nothing that belongs to a published policy with no review open.
    assert not {"start-review", "conclude-no-change", "confirm-eia", "republish", "set-review-date",
                "complete-implementation"} & set(acting)


@pytest.mark.parametrize("cases", point_params(CASES))
def test_permission_under_review(world, visible_ids, cases):
    check_point(world, visible_ids, cases)
