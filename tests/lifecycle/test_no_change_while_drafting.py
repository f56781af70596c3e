"""QA walk: once a review draft is open (a new version drafted in the review), the Designated Lead's "Conclude the
review: no change needed" was gone from the overview, and its address gave no reason ("... is not available to you
for POL-0002 now").

A review concludes with no change instead of drafting a new version (the "Start a review" page says so before a
draft is opened): once one is, the review goes on in it, through commissioning, development, quality assurance and the
Lead's approval (SOP, stage 1: "If this is a policy review ... see whether there are any changes"; stage 4: a
reviewed document goes to the Lead with "a summary note of changes"), or the Lead withdraws the draft first
(tests/lifecycle/test_withdraw_review_draft.py). So the overview does not offer the step while a draft is open (as it
offers no other step that cannot be taken and is not the way on), and its address, opened or posted, says why and
what happens instead: the step's declared condition (``Step.only_if``) and its reason, as for every step, not a
special case."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages

from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.models import NoChangeReview
from lifecycle.states import Status
from tests.clock import travel
from tests.factories import advance_to, monitoring_up_to_date, reload, what_was_read

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review is due on 15 January 2027
WINDOW_OPEN = datetime.date(2026, 8, 3)  # within 6 months of it: no change could be concluded, but for the draft
URL = "/policies/{}/actions/conclude-no-change/"
REASON = "a review draft (version 2.0) is open"
INSTEAD = "the review goes on in that draft"




@pytest.fixture
def published(policy_in):
    with travel(PUBLISHED_ON):
        return policy_in(Status.MONITORING)


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def state(policy) -> tuple:
    policy = reload(policy)
    return (policy.status, policy.current_version.pk, NoChangeReview.objects.count(),
            AuditEvent.objects.filter(policy_id=policy.pk).count())


@pytest.mark.parametrize("drafted_to", [Status.SCOPING, Status.DEVELOPMENT])
def test_the_lead_is_told_why_and_what_instead_while_a_review_draft_is_open(client, published, people, drafted_to):
    with travel(WINDOW_OPEN):
        s.policy_start_review(policy=published, actor=people.lead, reason="Three-year review.")
        policy = advance_to(reload(published), drafted_to, people)
        assert policy.current_version.number == "2.0"
        client.force_login(people.lead)

        # The overview offers no button that cannot be taken (the way on is the draft's).
        overview = client.get(f"/policies/{policy.reference}/")
        assert overview.status_code == 200
        assert URL.format(policy.reference) not in overview.content.decode()

        # Its address says why, in the words of the step's declared condition.
        response = client.get(URL.format(policy.reference))
        assert response.status_code == 302
        told = messages_of(response)
        assert f"Cannot conclude with no change the review of {policy.reference}: {REASON}" in told, told
        assert INSTEAD in told, told
        shown = client.get(response["Location"])
        assert shown.status_code == 200
        assert REASON in shown.content.decode()

        # Posted, refused with the same reason and what was typed shown back (409, as any step refused because the
        # policy has moved on), nothing changed.
        before = state(policy)
        response = client.post(URL.format(policy.reference), {**what_was_read(policy), "reason": "Still fit."})
        assert response.status_code == 409
        told = messages_of(response) + response.content.decode()
        assert REASON in told, told
        assert state(policy) == before


def test_a_policy_never_published_says_so(client, people):
    policy = people.policy()
    client.force_login(people.lead)
    response = client.get(URL.format(policy.reference))
    assert response.status_code == 302
    assert "never been published" in messages_of(response)


def test_the_step_is_offered_again_once_in_force(client, published, people):
    """Without a draft the step is the Lead's as before (the review window open, the monitoring in and answered)."""
    with travel(WINDOW_OPEN):
        monitoring_up_to_date(published, people)
        client.force_login(people.lead)
        assert URL.format(published.reference) in client.get(f"/policies/{published.reference}/").content.decode()
        assert client.get(URL.format(published.reference)).status_code == 200


@pytest.mark.parametrize("drafted_to", [Status.SCOPING, Status.DEVELOPMENT])
def test_the_state_machine_holds_the_steps_conditions_too(published, people, drafted_to):
    """STYLE rule 2: the django-fsm transition carries the step's guards. Declared from any status but withdrawn, with
    its conditions on the policy (``only_if``) asked by the service, "Conclude the review: no change needed" was
    left to the service alone: the transition itself could be taken from a review draft's status (review of
    2026-12-05). Its conditions are among the transition's now, as its gates are."""
    from django_fsm import can_proceed

    with travel(WINDOW_OPEN):
        monitoring_up_to_date(published, people)  # what its gates ask of the monitoring (lifecycle.gates_no_change)
        assert can_proceed(reload(published).conclude_no_change)
        s.policy_start_review(policy=published, actor=people.lead, reason="Three-year review.")
        policy = advance_to(reload(published), drafted_to, people)
        assert not can_proceed(reload(policy).conclude_no_change)
        assert can_proceed(reload(policy).conclude_no_change, check_conditions=False)  # its source, as declared
