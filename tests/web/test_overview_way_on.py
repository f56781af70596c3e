"""Found by the eleventh session's walk: a Lead whose only offered page was the decision to withdraw saw "Decide to
withdraw the policy" and under it "Expected by 11 December 2026", as if the withdrawal were due then. The way on is
said too, so that the deadline reads as its."""

from __future__ import annotations

import pytest

from lifecycle.states import Status

pytestmark = pytest.mark.django_db


def test_the_stage_deadline_follows_the_way_on_not_an_exceptional_page(client, people, policy_in):
    policy = policy_in(Status.SUBMITTED_FOR_QA)
    client.force_login(people.lead)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "Decide to withdraw the policy" in page
    said = page.index("Next on the policy: <strong>Record quality assurance</strong>")
    assert said < page.index("Expected by")
    # Those offered the way on itself are not told it twice.
    client.force_login(people.dcfd)
    assert "Next on the policy" not in client.get(f"/policies/{policy.reference}/").content.decode()
