"""The confirmation after a step said "expected by 6 August 2026" on 4 December 2026 (found by the eleventh session's
walk): the stage deadline was worked out from when the policy had entered its previous status, the page having
reloaded only the new status. It is worked out from when the step moved it."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from core.dates import date_shown
from lifecycle.deadlines import stage_deadline_state
from lifecycle.models import Policy
from lifecycle.states import Status
from tests.factories import fill_development, reload, what_was_read

pytestmark = pytest.mark.django_db


def test_the_next_steps_deadline_counts_from_the_step_just_taken(client, people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    fill_development(policy, people)
    # In development for months: the stage it now leaves started long ago.
    Policy.objects.filter(pk=policy.pk).update(status_changed_at=timezone.now() - datetime.timedelta(days=120))
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/actions/submit-for-qa/", what_was_read(policy))
    assert response.status_code == 302
    said = " ".join(str(message) for message in get_messages(response.wsgi_request))
    due = stage_deadline_state(reload(policy)).due
    assert due >= timezone.localdate()
    assert f"expected by {date_shown(due)}" in said, said
