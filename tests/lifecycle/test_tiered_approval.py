"""Tiered approval (issue 13; Annual Governance Statement 2016-17), over HTTP: a high-risk policy is approved at the
Commissioner's Policy Forum, a medium or low one at the business group's Chief Officer Group (boards and routes are
reference data), and the Lead's approval records the board, the meeting's date and its minute reference; the
decision page and the document-control block show them. Every refusal says why and changes nothing."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from core.models import ApprovalRoute, AuditEvent
from lifecycle.models import ApprovalDecision
from lifecycle.states import Status
from tests.factories import BoardFactory, advance_to, reload, what_was_read


@pytest.fixture
def forum(people):
    board = BoardFactory(name="Commissioner's Policy Forum", business_group=None)
    ApprovalRoute.objects.create(risk_tier="high", business_group=None, board=board)
    return board


def errors(response) -> str:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", summary.group(1))) if summary else ""


def decide(client, people, policy, **fields):
    client.force_login(people.lead)
    return client.post(f"/policies/{policy.reference}/actions/decide/",
                       {**what_was_read(policy), "decision": "approve", "comments": "", **fields})


def unchanged(policy) -> tuple:
    return (reload(policy).status, ApprovalDecision.objects.count(),
            AuditEvent.objects.filter(policy_id=policy.pk).count())


def test_a_high_risk_policy_is_approved_at_the_policy_forum_with_its_minute(client, people, forum):
    policy = advance_to(people.policy(risk_tier="high"), Status.WITH_LEAD, people)
    client.force_login(people.lead)
    page = unescape(client.get(f"/policies/{policy.reference}/actions/decide/").content.decode())
    assert "approved at the <strong>Commissioner's Policy Forum</strong>" in page
    assert "Date of the Commissioner's Policy Forum meeting" in page

    # Approval without the meeting is refused, saying what is missing; what was typed is kept.
    before = unchanged(policy)
    response = decide(client, people, policy, comments="Agreed by the Forum.")
    assert response.status_code == 400
    assert "Enter the date of the meeting" in errors(response) and "Enter the minute reference" in errors(response)
    assert "Agreed by the Forum." in response.content.decode()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = decide(client, people, policy, meeting_on=tomorrow.isoformat(), minute_reference="PF/2026/14")
    assert response.status_code == 400 and "must be today or in the past" in errors(response)
    assert unchanged(policy) == before

    today = timezone.localdate()
    response = decide(client, people, policy, meeting_on=today.isoformat(), minute_reference="PF/2026/14")
    assert response.status_code == 302, errors(response)
    decision = ApprovalDecision.objects.get(policy_version__policy=policy)
    assert (decision.board, decision.meeting_on, decision.minute_reference) == (forum, today, "PF/2026/14")
    event = AuditEvent.objects.filter(policy_id=policy.pk, action="policy.approved").get()
    assert (event.changes["board"], event.changes["minute_reference"]) == ("Commissioner's Policy Forum", "PF/2026/14")

    client.force_login(people.coordinator)
    page = unescape(client.get(f"/policies/{policy.reference}/").content.decode())
    assert f"at the Commissioner's Policy Forum on {today:%-d %B %Y} (minute PF/2026/14)" in page


def test_a_medium_risk_policy_is_approved_at_the_chief_officer_group(client, people, forum):
    policy = advance_to(people.policy(risk_tier="medium"), Status.WITH_LEAD, people)
    response = decide(client, people, policy, meeting_on=timezone.localdate().isoformat(),
                      minute_reference="TP-COG/2026/3")
    assert response.status_code == 302, errors(response)
    decision = ApprovalDecision.objects.get(policy_version__policy=policy)
    assert (decision.board, decision.minute_reference) == (people.board, "TP-COG/2026/3")


def test_no_board_for_the_tier_is_refused_with_the_reason(client, people):
    policy = advance_to(people.policy(risk_tier="low"), Status.WITH_LEAD, people)
    client.force_login(people.lead)
    assert "No approving board is set for low risk policies" in unescape(
        client.get(f"/policies/{policy.reference}/actions/decide/").content.decode())
    before = unchanged(policy)
    response = decide(client, people, policy, meeting_on=timezone.localdate().isoformat(), minute_reference="X/1")
    assert response.status_code == 400
    assert "No approving board is set for low risk policies of Territorial Policing" in errors(response)
    assert unchanged(policy) == before


def test_a_rejection_needs_no_meeting(client, people, forum):
    policy = advance_to(people.policy(risk_tier="high"), Status.WITH_LEAD, people)
    response = decide(client, people, policy, decision="reject", comments="Too broad.")
    assert response.status_code == 302, errors(response)
    decision = ApprovalDecision.objects.get(policy_version__policy=policy)
    assert (decision.decision, decision.board, decision.meeting_on) == ("rejected", forum, None)
