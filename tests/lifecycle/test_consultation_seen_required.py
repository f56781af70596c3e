"""A consultation response posted without its page's hidden "seen" token (the recorded response the page showed) is
refused as a page that does not say what it showed, with what was typed kept and the recorded response shown, not
saved over a colleague's response unseen. Found by the integrity review of 2026-12-06 (LOW 9): the service took a
missing token as "no page" and overwrote."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from lifecycle import services as s
from lifecycle.models import ConsultationRecord
from lifecycle.states import Status

pytestmark = pytest.mark.django_db


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


@pytest.fixture
def record(people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    return s.consultation_record(policy=policy, actor=people.developer, consultee="SHRMT duty desk",
                                 organisation="SHRMT", consultee_type="shrmt", date_sent=datetime.date(2026, 11, 2))


def _url(record) -> str:
    return f"/policies/{record.policy.reference}/consultation/{record.pk}/response/"


def test_consultation_response_without_its_seen_token_does_not_overwrite(client, people, record):
    url = _url(record)
    client.force_login(people.developer)
    seen = hidden(client.get(url).content.decode(), "seen")
    assert client.post(url, {"response": "Add battery checks.", "decision_taken": "Added to SOP step 4.",
                             "seen": seen}).status_code == 302
    client.force_login(people.manager)
    refused = client.post(url, {"response": "Manager's different response.", "decision_taken": "Decided something"})
    assert ConsultationRecord.objects.get(pk=record.pk).response == "Add battery checks.", "overwritten unseen"
    page = unescape(refused.content.decode())
    assert refused.status_code == 400
    assert "does not say which recorded response you saw" in page
    # What was typed is kept, the response recorded is shown, and the form now carries its token: saving again
    # replaces it knowingly.
    assert "Manager's different response." in page and "Add battery checks." in page
    again = client.post(url, {"response": "Manager's different response.", "decision_taken": "Decided something",
                              "seen": hidden(refused.content.decode(), "seen")})
    assert again.status_code == 302
    assert ConsultationRecord.objects.get(pk=record.pk).response == "Manager's different response."


def test_a_first_response_without_the_token_is_refused_too(client, people, record):
    client.force_login(people.developer)
    response = client.post(_url(record), {"response": "Add battery checks."})
    assert response.status_code == 400
    assert ConsultationRecord.objects.get(pk=record.pk).response == ""


def test_a_caller_with_no_page_records_without_a_token(people, record):
    """The demo's seeding and scripts show no page: ``seen`` None, as before."""
    saved = s.consultation_record_response(record=record, actor=people.shrmt, response="No H&S concerns.")
    assert saved.response == "No H&S concerns."
