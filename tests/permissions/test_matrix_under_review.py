"""The permission matrix for a policy under review: published, its version in force staying in force, while a new
version goes through the cycle again (issue 10: "a policy under review ... is not on the status axis, which is why
the drift above went unseen"). The axis's points "under_review:<status of the new version>", asked exactly as
``test_matrix`` asks the first cycle (its ``test_permission`` body), OFFICIAL policies only. A file of its own so
that it runs on the other worker.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.permissions import rules_table as spec
from tests.permissions.test_matrix import _param, acts_for_real, check_case
from tests.permissions.world import generate_cases

pytestmark = pytest.mark.usefixtures("db")

CASES = [case for case in generate_cases() if case.status in spec.REVIEW_AXIS]


def test_every_point_under_review_is_asked_and_acted_on():
    assert {case.status for case in CASES} == set(spec.REVIEW_AXIS)
    acting = Counter(case.action for case in CASES if acts_for_real(case) and case.allowed)
    # Under review a policy can be withdrawn, drafted and taken through the whole approval again ...
    assert {"withdraw", "edit_draft", "commission", "submit-for-qa", "decide", "publish"} <= set(acting)
    # ... but nothing that belongs to a published policy with no review open.
    assert not {"start-review", "confirm-no-change", "set-review-date", "complete-implementation"} & set(acting)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_permission_under_review(world, visible_ids, case):
    check_case(world, visible_ids, case)
