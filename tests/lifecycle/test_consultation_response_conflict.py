"""Two people recording the same consultee's response: the second, saving from the page they had opened before the
first saved, silently overwrote the first's response, decision and feedback (found by the twelfth session's Chromium
walk: the developer and the manager on one SHRMT record). The statement, the Workbook and revision restore all
detect this; a response now does too: it is bound to the response its page showed, and a page that is out of date
is refused with what was typed kept and the recorded response left as it was."""

from __future__ import annotations

import datetime
import re

import pytest

from lifecycle import services as s
from lifecycle.models import ConsultationRecord
from lifecycle.states import Status

pytestmark = pytest.mark.django_db


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def test_a_response_saved_from_an_out_of_date_page_is_refused_and_keeps_what_was_typed(client, people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    sent = datetime.date(2026, 11, 2)
    record = s.consultation_record(policy=policy, actor=people.developer, consultee="SHRMT duty desk",
                                   organisation="SHRMT", consultee_type="shrmt", date_sent=sent)
    url = f"/policies/{policy.reference}/consultation/{record.pk}/response/"
    client.force_login(people.manager)
    opened_by_manager = hidden(client.get(url).content.decode(), "seen")
    client.force_login(people.developer)
    first = client.post(url, {"response": "Add battery checks.", "response_received_on-day": 3,
                              "response_received_on-month": 11, "response_received_on-year": 2026,
                              "decision_taken": "Added to SOP step 4.", "feedback_given": "on",
                              "seen": hidden(client.get(url).content.decode(), "seen")})
    assert first.status_code == 302
    client.force_login(people.manager)
    second = client.post(url, {"response": "Manager's different response.", "decision_taken": "Decided something",
                               "seen": opened_by_manager})
    page = second.content.decode()
    assert second.status_code == 400
    assert "changed by someone else since you opened this page" in page
    assert "Manager&#x27;s different response." in page or "Manager's different response." in page
    kept = ConsultationRecord.objects.get(pk=record.pk)
    assert (kept.response, kept.decision_taken, kept.feedback_given) == (
        "Add battery checks.", "Added to SOP step 4.", True)
    # The refused page shows the response now recorded and carries its token: saving again is a deliberate choice.
    assert "Add battery checks." in page and hidden(page, "seen") != opened_by_manager
