"""The bench's timeline row for a reader not cleared (benchmarks.pages, "timeline, not cleared"): what it expects on
the page proves the reader got the withheld view (review of 2026-12-05, finding 1), not merely a 200.

The row reads the historic policy of the dataset, OFFICIAL now, its first cycles' versions frozen OFFICIAL-SENSITIVE
and the sixth publication recording the downgrade, as a developer of another business group. Here the same shape is
built through the services: version 1.0 published OFFICIAL-SENSITIVE, the review's version 2.0 published OFFICIAL.
"""

from __future__ import annotations

import pytest

from benchmarks.dataset import Probes
from benchmarks.pages import NOT_CLEARED, PAGES, WITHHELD_BEFORE, _user_ids
from core.models import Role
from lifecycle import timeline
from tests.factories import user_with_role
from tests.lifecycle.test_details_downgrade import downgraded, media_root  # noqa: F401 (fixtures)
from tests.lifecycle.test_timeline_frozen_marking import remarked  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _timeline(client, user, policy) -> str:
    client.force_login(user)
    page = client.get(f"/policies/{policy.reference}/timeline/")
    assert page.status_code == 200
    return page.content.decode()


def test_the_row_reads_the_timeline_as_the_reader_not_cleared():
    case = next(case for case in PAGES if case.name == "timeline, not cleared")
    assert case.users == (NOT_CLEARED,) and case.expect == WITHHELD_BEFORE and case.same_queries_as is not None
    probes = Probes(1, 2, 3, "POL-000001", "POL-000002", "POL-000003", uncleared_id=4)
    assert _user_ids(probes)[NOT_CLEARED] == 4


def test_what_the_row_expects_is_shown_only_to_a_reader_not_cleared(client, people, remarked):  # noqa: F811
    # A developer of another business group, as the bench's reader: the events withheld, the "before" too.
    events = timeline.PolicyEvents(policy=remarked, user=people.developer2)
    assert not events.sensitive and any(row["earlier_withheld"] for row in events[0:])
    assert WITHHELD_BEFORE in _timeline(client, people.developer2, remarked)

    # A colleague of its own business group, cleared, also shown only the public milestones, reads the downgrade
    # whole: the marking it replaced with the one it brought into force.
    colleague = user_with_role(Role.DEVELOPER, people.group)
    events = timeline.PolicyEvents(policy=remarked, user=colleague)
    assert events.sensitive and not events.drafts
    cleared = _timeline(client, colleague, remarked)
    assert "OFFICIAL-SENSITIVE" in cleared and WITHHELD_BEFORE not in cleared
