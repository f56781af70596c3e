"""A review draft withdrawn (lifecycle.services.review_draft) kept its cycle's consultation records, as evidence must
be kept, but the log lost them while the policy was back in force and showed them again, unmarked, among a later
review's records once a new review started (the log showed every cycle up to the version shown, the withdrawn one
included). A later review's log shows its own cycle's records as current; the withdrawn cycle's are shown apart,
marked as the withdrawn draft's with the day it was withdrawn, to those who see the drafts; and nothing counts them as
this cycle's consultation: not the gate "Consult the Safety and Health Risk Management Team", nor SHRMT's
"Consultations to answer" in My work (SOP, stage 3: "The Safety and Health Risk Management Team must be consulted"
— on the draft being developed, not on one abandoned)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle import gates
from lifecycle import services as s
from lifecycle.states import Status
from tests.clock import travel
from tests.factories import UserFactory, advance_to, reload, what_was_read

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)
WINDOW_OPEN = datetime.date(2026, 8, 3)
WITHDRAWN_DAY = datetime.date(2026, 8, 5)
AGAIN = datetime.date(2026, 9, 1)
ABANDONED = "Consultee on the abandoned draft"
CURRENT = "Consultee on the current review"


def _consult(policy, people, consultee: str, *, consultee_type: str = "staff_association", response: str = ""):
    return s.consultation_record(policy=reload(policy), actor=people.developer, consultee=consultee,
                                 organisation="Police Federation", consultee_type=consultee_type,
                                 date_sent=WINDOW_OPEN, response=response)


@pytest.fixture
def withdrawn(policy_in, people):
    """A policy in force whose review draft (2.0) consulted SHRMT and the Federation, then was withdrawn."""
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    with travel(WINDOW_OPEN):
        s.policy_start_review(policy=policy, actor=people.lead, reason="Three-year review.")
        policy = advance_to(reload(policy), Status.DEVELOPMENT, people)
        _consult(policy, people, ABANDONED)
        _consult(policy, people, "SHRMT adviser", consultee_type="shrmt")
    with travel(WITHDRAWN_DAY):
        s.policy_withdraw_review_draft(policy=reload(policy), actor=people.lead, reason="Nothing to change.",
                                       **what_was_read(reload(policy)))
    return reload(policy)


def _started_again(policy, people):
    with travel(AGAIN):
        s.policy_start_review(policy=reload(policy), actor=people.lead, reason="Legislation changed after all.")
        return advance_to(reload(policy), Status.DEVELOPMENT, people)


def _log(client, policy) -> tuple[str, str]:
    """The log's current records, and its section for the withdrawn draft (empty when there is none)."""
    page = client.get(f"/policies/{policy.reference}/consultation/").content.decode()
    current, _, withdrawn = page.partition("From the withdrawn review draft")
    return current, withdrawn


def test_a_later_reviews_log_shows_the_withdrawn_drafts_records_apart_and_marked(client, withdrawn, people):
    policy = _started_again(withdrawn, people)
    with travel(AGAIN):
        _consult(policy, people, CURRENT)
    client.force_login(people.developer)
    current, withdrawn_section = _log(client, policy)
    assert CURRENT in current and "on the drafts of version 3" in current
    assert ABANDONED not in current and "on the drafts of version 2" not in current
    assert ABANDONED in withdrawn_section and "withdrawn on 5 August 2026" in withdrawn_section
    # Nothing is offered to change on a withdrawn draft's record.
    assert "Record response<span class=\"govuk-visually-hidden\"> from " + ABANDONED not in withdrawn_section


def test_while_back_in_force_the_withdrawn_drafts_records_stay_in_the_log_marked(client, withdrawn, people):
    client.force_login(people.lead)
    current, withdrawn_section = _log(client, withdrawn)
    assert ABANDONED not in current
    assert ABANDONED in withdrawn_section and "withdrawn on 5 August 2026" in withdrawn_section


def test_staff_who_see_only_the_version_in_force_are_not_shown_the_withdrawn_drafts_records(client, withdrawn,
                                                                                            people):
    client.force_login(UserFactory())
    page = client.get(f"/policies/{withdrawn.reference}/consultation/").content.decode()
    assert ABANDONED not in page and "withdrawn review draft" not in page


def test_the_withdrawn_drafts_shrmt_consultation_does_not_pass_this_reviews_gate(withdrawn, people):
    policy = _started_again(withdrawn, people)
    assert not gates.shrmt_consulted(policy)
    with travel(AGAIN):
        _consult(policy, people, "SHRMT adviser", consultee_type="shrmt")
    assert gates.shrmt_consulted(reload(policy))


def test_shrmt_is_not_asked_to_answer_the_withdrawn_drafts_consultation(client, withdrawn, people):
    policy = _started_again(withdrawn, people)
    client.force_login(people.shrmt)
    asked = f"{policy.reference} {policy.title}: sent"
    page = client.get("/").content.decode()
    # Neither the withdrawn draft's (2.0) nor the version in force's (1.0), whose cycles are closed to a response.
    assert asked not in page
    with travel(AGAIN):
        _consult(policy, people, "SHRMT adviser", consultee_type="shrmt")
    assert page.count(asked) == 0 and client.get("/").content.decode().count(asked) == 1


def test_a_withdrawn_drafts_record_has_no_response_page(client, withdrawn, people):
    policy = _started_again(withdrawn, people)
    record = withdrawn.consultations.get(consultee=ABANDONED)
    client.force_login(people.developer)
    assert client.get(f"/policies/{policy.reference}/consultation/{record.pk}/response/").status_code == 404


def test_the_log_costs_the_same_with_a_withdrawn_draft(client, withdrawn, people):
    """One query reads the log's records, the withdrawn draft's with them, each marked in it."""
    policy = _started_again(withdrawn, people)
    client.force_login(people.developer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/policies/{policy.reference}/consultation/").status_code == 200
    assert sum("lifecycle_consultationrecord" in query["sql"] for query in queries) == 1
