"""The same create form sent twice at the same moment (a double click that beat the button's guard, two requests
from one page) adds one row: nothing locks a row for a new policy, so the token's unique row does. The second
waits for the first's transaction, then finds the token taken and is told what the first created."""

from __future__ import annotations

import pytest

from core.submissions import POLICY_CREATE, AlreadySubmitted, submission_token_issue
from lifecycle import services
from lifecycle.models import Policy
from tests.lifecycle.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_token_sent_twice_at_once_starts_one_policy(people):
    token = submission_token_issue(user=people.developer, purpose=POLICY_CREATE)

    def start():
        return services.policy_create(actor=people.developer, title="Sent at once", purpose="Why.",
                                      relevant_to="All staff", business_group=people.group,
                                      owning_unit=people.unit, submission=token)

    results, errors = race(start, start)
    started = [result for result in results if result is not None]
    assert len(started) == 1, errors
    refusal = next(error for error in errors if error is not None)
    assert isinstance(refusal, AlreadySubmitted), refusal
    assert refusal.landing == f"/policies/{started[0].reference}/"
    assert f"{started[0].reference} “Sent at once” was started" in refusal.message
    assert Policy.objects.filter(title="Sent at once").count() == 1
