"""What the dashboard counts as stuck is what My work calls "Waiting too long" and what the chase chases: every
stage deadline (lifecycle.deadlines.STAGE_DEADLINES), less a publication PCU has scheduled, which waits on its date."""

from __future__ import annotations

import datetime
import re

import pytest

from lifecycle.deadlines import stuck
from lifecycle.models import Policy
from notifications.models import ReminderKind
from notifications.services import chase_plan
from publication.services import policy_publish
from tests.factories import advance_to
from tests.oversight.scenario import TODAY, on
from tests.oversight.test_dashboard import figure_table, register_count

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


def test_the_dashboard_counts_as_stuck_what_the_chase_chases(waiting):
    """One definition: the dashboard's stuck figures and the chase's "waiting too long" reminders name the same
    policies."""
    chased = {reminder.policy_id for reminder in chase_plan(today=TODAY) if reminder.kind == ReminderKind.STUCK}
    counted = set(Policy.objects.filter(stuck(None, TODAY)).values_list("pk", flat=True))
    assert counted == chased == {waiting[status].pk for status in WAITING}


def test_work_waiting_to_be_forwarded_is_stuck_on_the_dashboard_as_on_my_work(client, people, waiting):
    """QA crawl: My work said "Waiting too long" for a policy to forward to the Lead, while the dashboard showed it
    green and nothing stuck (the forwarding stages were not on it)."""
    client.force_login(people.coordinator)
    with on(TODAY):
        my_work = client.get("/").content.decode()
        body = client.get("/dashboard/").content.decode()
        rows = attention_rows(body)
    to_forward = waiting["qa_passed"].reference
    assert re.search(rf"{to_forward}.*?Waiting too long", my_work, re.S)
    table = figure_table(body)
    for key in ("stuck_commissioning", "stuck_forward_to_lead", "stuck_forward_for_publication",
                "stuck_publication"):
        assert table[key][0][0] == 1, key
        assert register_count(client, table[key][0][1]) == 1, key
    assert table["rag_amber"][0][0] == len(WAITING) and table["rag_green"][0][0] == 1
    row = next(row for row in rows if to_forward in row)
    assert "Stuck since 13 February 2026: quality-assured, to forward to the Designated Lead" in row
    assert re.search(r"Stuck past the threshold: approved, to send to <abbr[^>]*>PCU</abbr>", body)
    # The page says which stages these are, in the same words.
    assert "at any of these steps: a commissioning decision, quality assurance sign-off, forwarding to the " \
           "Designated Lead" in body
