"""The consultation log offered "Record response" on a row whose response was already recorded (found by the tenth
session's role walk): the link opens the recorded response to change it, and says so."""

from __future__ import annotations

import datetime

import pytest

from lifecycle import services as s
from lifecycle.states import Status

pytestmark = pytest.mark.django_db


def test_a_recorded_response_is_offered_to_change_an_awaited_one_to_record(client, people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    sent = datetime.date(2026, 11, 2)
    s.consultation_record(policy=policy, actor=people.developer, consultee="Federation", organisation="Police "
                          "Federation", consultee_type="staff_association", date_sent=sent,
                          response="Supportive.", response_received_on=sent, decision_taken="None needed.")
    s.consultation_record(policy=policy, actor=people.developer, consultee="Union", organisation="Unison",
                          consultee_type="staff_association", date_sent=sent)
    client.force_login(people.developer)
    page = client.get(f"/policies/{policy.reference}/consultation/").content.decode()
    assert "Change response<span class=\"govuk-visually-hidden\"> from Federation" in page
    assert "Record response<span class=\"govuk-visually-hidden\"> from Union" in page
    assert "Record response<span class=\"govuk-visually-hidden\"> from Federation" not in page


def test_a_row_names_its_organisation_once_and_the_version_in_words(client, people, policy_in):
    """"Safety and Health Risk Management Team · Safety and Health Risk Management Team · version 1.x" (found by the
    eleventh session's walk): the type is not repeated when it is the organisation, and the version is said."""
    policy = policy_in(Status.DEVELOPMENT)
    s.consultation_record(policy=policy, actor=people.developer, consultee="Advice desk",
                          organisation="Safety and Health Risk Management Team", consultee_type="shrmt",
                          date_sent=datetime.date(2026, 11, 2))
    client.force_login(people.developer)
    page = client.get(f"/policies/{policy.reference}/consultation/").content.decode()
    assert "Safety and Health Risk Management Team · Safety and Health Risk Management Team" not in page
    assert "on the drafts of version 1" in page and "1.x" not in page
