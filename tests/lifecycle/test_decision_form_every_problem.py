"""The Approve-or-reject form told its problems one at a time (QA walk of 2026-12-06, lead,
/policies/<ref>/actions/decide/): the reasons first; sent again, "must be a real date"; then "today or in the past";
then "Enter the minute reference". The form checked part of the rules and the service the rest, stopping at the first.
The form now checks every rule it can at once, one GOV.UK error summary listing them all, including that the
meeting's date and its minute reference go together (said in their hints); the service keeps its checks as the last
line (lifecycle.services.approval)."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from core.models import ApprovalRoute
from lifecycle.models import ApprovalDecision
from lifecycle.states import Status
from tests.factories import BoardFactory, advance_to, reload, what_was_read

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_lead(people):
    board = BoardFactory(name="Commissioner's Policy Forum", business_group=None)
    ApprovalRoute.objects.create(risk_tier="high", business_group=None, board=board)
    return advance_to(people.policy(risk_tier="high"), Status.WITH_LEAD, people)


def decide(client, people, policy, **fields):
    client.force_login(people.lead)
    return client.post(f"/policies/{policy.reference}/actions/decide/", {**what_was_read(policy), **fields})


def date(day: datetime.date | None = None, *, typed: tuple[str, str, str] | None = None) -> dict:
    day_, month, year = typed or (str(day.day), str(day.month), str(day.year))
    return {"meeting_on-day": day_, "meeting_on-month": month, "meeting_on-year": year}


def summary(response) -> list[str]:
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.DOTALL)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", item)).split())
            for item in re.findall(r"<li>(.*?)</li>", found.group(1), re.DOTALL)] if found else []


def test_a_rejection_with_every_field_wrong_is_told_all_of_it_at_once(client, people, with_lead):
    """QA walk of 2026-12-06: reasons missing, a date that is no date, and no minute reference: one summary."""
    response = decide(client, people, with_lead, decision="reject", comments="", minute_reference="",
                      **date(typed=("31", "2", "2026")))
    assert response.status_code == 400
    assert summary(response) == [
        "Date of the Commissioner's Policy Forum meeting must be a real date",
        "Enter the minute reference, or leave the meeting's date empty",
        "Enter the reasons for rejecting",
    ]
    assert not ApprovalDecision.objects.exists()


def test_an_approval_with_a_future_meeting_and_no_minute_is_told_both_at_once(client, people, with_lead):
    """QA walk of 2026-12-06: "today or in the past", then "Enter the minute reference", were two refusals."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = decide(client, people, with_lead, decision="approve", comments="", minute_reference="",
                      **date(tomorrow))
    assert summary(response) == ["Date of the Commissioner's Policy Forum meeting must be today or in the past",
                                 "Enter the minute reference"]


def test_a_meeting_before_the_version_was_submitted_is_told_with_the_rest(client, people, with_lead):
    """QA walk of 2026-12-06: the service's check of the meeting against the submission came after the form's, alone.
    The form says it with the missing minute reference."""
    version = reload(with_lead).current_version
    submitted = timezone.localtime(version.submitted_at).date()
    response = decide(client, people, with_lead, decision="approve", comments="", minute_reference="",
                      **date(submitted - datetime.timedelta(days=1)))
    assert summary(response) == [
        f"The Commissioner's Policy Forum meeting cannot be before version {version.number} was submitted "
        f"({submitted:%-d %B %Y})",
        "Enter the minute reference",
    ]


def test_a_rejection_gives_the_meetings_date_and_minute_together_or_neither(client, people, with_lead):
    """QA walk of 2026-12-06: a rejection records its meeting only with both; the form says which is missing, with
    the reasons, and the hints say so before anything is sent."""
    client.force_login(people.lead)
    page = unescape(client.get(f"/policies/{with_lead.reference}/actions/decide/").content.decode())
    assert "give the meeting's date and its minute reference together, or neither" in page
    response = decide(client, people, with_lead, decision="reject", comments="", minute_reference="PF/2026/14",
                      **date(typed=("", "", "")))
    assert summary(response) == ["Enter the date of the meeting, or leave the minute reference empty",
                                 "Enter the reasons for rejecting"]
    response = decide(client, people, with_lead, decision="reject", comments="Too broad.", minute_reference="",
                      **date(timezone.localdate()))
    assert summary(response) == ["Enter the minute reference, or leave the meeting's date empty"]
    assert not ApprovalDecision.objects.exists()
    response = decide(client, people, with_lead, decision="reject", comments="Too broad.",
                      minute_reference="PF/2026/14", **date(timezone.localdate()))
    assert response.status_code == 302, summary(response)
    decision = ApprovalDecision.objects.get()
    assert (decision.decision, decision.meeting_on, decision.minute_reference) == (
        "rejected", timezone.localdate(), "PF/2026/14")
