"""The same create form sent twice at the same moment (a double click that beat the button's guard, two requests
from one page) adds one row: nothing locks a row for a new policy, so the token's unique row does. The second
waits for the first's transaction, then finds the token taken and is told what the first created. Two pages of the
form (Back without JavaScript draws it again, with a fresh token) sent with the same details at the same moment start
one policy too: the second waits for the first (core.submissions.submission_check_repeat) and is asked about it."""

from __future__ import annotations

import pytest

from core.submissions import POLICY_CREATE, AlreadySubmitted, RepeatedSubmission, submission_token_issue
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


def test_the_same_details_sent_at_once_from_two_pages_start_one_policy(people):
    tokens = [submission_token_issue(user=people.developer, purpose=POLICY_CREATE) for _ in range(2)]

    def start(token):
        return lambda: services.policy_create(actor=people.developer, title="Sent from two pages", purpose="Why.",
                                              relevant_to="All staff", business_group=people.group,
                                              owning_unit=people.unit, submission=token)

    results, errors = race(*(start(token) for token in tokens))
    started = [result for result in results if result is not None]
    assert len(started) == 1, errors
    asked = next(error for error in errors if error is not None)
    assert isinstance(asked, RepeatedSubmission), asked
    assert asked.landing == f"/policies/{started[0].reference}/"
    assert asked.message == (f"You created {started[0].reference} “Sent from two pages” with these details less than "
                             "a minute ago. Do you want to create another?")
    assert Policy.objects.filter(title="Sent from two pages").count() == 1
