"""What the dashboard counts as stuck: not a publication PCU has scheduled, which waits on its date."""

from __future__ import annotations

import datetime
import re

import pytest

from publication.services import policy_publish
from tests.factories import advance_to
from tests.oversight.scenario import TODAY, on
from tests.oversight.test_dashboard import figure_table

pytestmark = pytest.mark.django_db
# Ten working days before TODAY (a Monday) ended on Friday 27 February: what has waited since the 13th is late.
SINCE = datetime.date(2026, 2, 13)
WAITING = ("commissioning", "qa_passed", "approved", "awaiting_publication")


@pytest.fixture
def waiting(people):
    """A policy waiting since SINCE in each of WAITING, and one more awaiting publication that PCU scheduled for
    a date still to come."""
    made = {}
    with on(SINCE):
        for status in WAITING:
            made[status] = advance_to(people.policy(title=f"Waiting {status}"), status, people)
        made["scheduled"] = advance_to(people.policy(title="Scheduled"), "awaiting_publication", people)
        policy_publish(policy=made["scheduled"], actor=people.pcu, publish_on=datetime.date(2026, 3, 16))
    return made


def attention_rows(body: str) -> list[str]:
    attention = body.split('id="attention"')[1].split("</table>")[0]
    return re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", attention, re.S)


def test_a_publication_scheduled_for_a_date_is_not_stuck(client, people, waiting):
    """PCU scheduled it: it waits on its date, not on PCU (QA crawl: counted as stuck awaiting publication and
    listed as "Stuck: with PCU for publication", although the chase does not chase it)."""
    scheduled = waiting["scheduled"]
    client.force_login(people.pcu)
    with on(TODAY):
        body = client.get("/dashboard/").content.decode()
        table = figure_table(body)
        assert table["stuck_publication"][-1][0] == 1
        listed = client.get(table["stuck_publication"][-1][1]).content.decode()
        assert waiting["awaiting_publication"].reference in listed and scheduled.reference not in listed
        assert not any(scheduled.reference in row for row in attention_rows(body))
        amber = client.get("/policies/?rag=amber").content.decode()
        assert waiting["awaiting_publication"].reference in amber and scheduled.reference not in amber
