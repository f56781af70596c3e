"""QA walk (MEDIUM): a Designated Lead concluded "review: no change" without the monitoring having been read. POL-0002
had one report in three years, unanswered, and the next 658 days overdue, and its conclude page showed no "Not ready
yet"; POL-0003 concluded while its 2023-24 report still waited for the Lead's response and a remedial action directed
after its 2024-25 report was open. A drafting review's scoping has the gate ``monitoring_reports_read``; the no-change
route had none.

SOP, stage 6: "The results of this monitoring must be recorded in a Monitoring Report template on an annual basis ...
This monitoring data then feeds into future policy reviews"; the Designated Lead will "Review monitoring and compliance
results and direct appropriate remedial action". So concluding no change asks: every report submitted since the last
review answered by the Lead (or read by a review), no remedial action still open, and no annual report overdue. The
conclude page lists what is missing under "Not ready yet"; the service refuses it too, changing nothing."""

from __future__ import annotations

import datetime

import pytest

from assessments import services as assessment_services
from assessments.services.monitoring_periods import year_due
from core.exceptions import ApplicationError
from lifecycle import services as s
from lifecycle.models import NoChangeReview
from lifecycle.states import Status
from tests.clock import travel
from tests.factories import reload
from tests.lifecycle.test_no_change_review import errors, post, state

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # review due 15 January 2027; reports due each 15 January from 2025
CONCLUDED_ON = datetime.date(2026, 8, 3)  # within 6 months of the review date
SECTIONS = {"compliance": "Dip sample of 120 cases: 92% compliant.", "benefits": "Faster referrals.",
            "diversity_impact": "No disproportionality found."}
URL = "/policies/{ref}/actions/conclude-no-change/"

UNANSWERED = "Respond to every monitoring report since the last review"
REMEDIAL_OPEN = "Record the outcome of every remedial action directed after a monitoring report"
OVERDUE = "Write the annual monitoring report that is overdue"


@pytest.fixture
def published(policy_in):
    with travel(PUBLISHED_ON):
        return policy_in(Status.MONITORING)


def write_report(policy, people, *, qa=True):
    """The report of the year due, written the day it falls due, submitted, and (``qa``) quality-assured and
    published."""
    policy = reload(policy)
    year = year_due(policy)
    with travel(year.due):
        report = assessment_services.monitoring_report_create(policy=policy, actor=people.developer,
                                                              period_start=year.start, period_end=year.due, **SECTIONS)
        report = assessment_services.monitoring_report_submit(report=report, actor=people.developer)
    if qa:
        with travel(year.due + datetime.timedelta(days=7)):
            report = assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator,
                                                                   comments="Clear.")
            # Published by PCU, so that the next year's may be started (one report in progress at a time).
            report = assessment_services.monitoring_report_publish(report=report, actor=people.pcu)
    return report


def respond(policy, people, report, *, remedial=False):
    with travel(report.period_end + datetime.timedelta(days=14)):
        fields = ({"outcome": "remedial", "remedial_action": "Brief every borough again.",
                   "remedial_owner": people.developer,
                   "remedial_due_on": report.period_end + datetime.timedelta(days=90)}
                  if remedial else {"outcome": "no_action"})
        return assessment_services.monitoring_report_respond(policy=reload(policy), actor=people.lead, report=report,
                                                             reasons="Read; results noted.", **fields)


def not_ready(client, people, policy) -> str:
    client.force_login(people.lead)
    page = client.get(URL.format(ref=policy.reference))
    assert page.status_code == 200
    return page.content.decode()


def refused(client, people, policy, expected: str) -> None:
    before = state(policy)
    response = post(client, people.lead, policy, "conclude-no-change", {"reason": "Still fit."})
    assert response.status_code == 400
    assert expected in errors(response)
    with pytest.raises(ApplicationError) as raised:
        s.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="Still fit.")
    assert raised.value.code == "gate"
    assert state(policy) == before


def test_an_unanswered_report_holds_the_conclusion(client, people, published):
    # POL-0002: one report, quality-assured, never answered by the Lead; the next one is up to date here.
    first = write_report(published, people)
    respond(published, people, write_report(published, people))
    with travel(CONCLUDED_ON):
        page = not_ready(client, people, published)
        assert "Not ready yet" in page and UNANSWERED in page
        refused(client, people, published, "has not responded to")
    respond(published, people, first)
    with travel(CONCLUDED_ON):
        assert "Not ready yet" not in not_ready(client, people, published)
        response = post(client, people.lead, published, "conclude-no-change", {"reason": "Still fit."})
        assert response.status_code == 302, errors(response)
    assert NoChangeReview.objects.get(policy=published).waits_for == "dcfd"


def test_a_report_still_with_the_coordinator_holds_it(client, people, published):
    respond(published, people, write_report(published, people))
    write_report(published, people, qa=False)  # submitted; the co-ordinator has not quality-assured it
    with travel(CONCLUDED_ON):
        assert UNANSWERED in not_ready(client, people, published)
        refused(client, people, published, "has not responded to")


def test_an_open_remedial_action_holds_it_until_recorded_done(client, people, published):
    # POL-0003: a remedial action directed after the latest report is still open.
    respond(published, people, write_report(published, people))
    response = respond(published, people, write_report(published, people), remedial=True)
    with travel(CONCLUDED_ON):
        assert REMEDIAL_OPEN in not_ready(client, people, published)
        refused(client, people, published, "remedial action")
        assessment_services.monitoring_remedial_action_complete(response=response, actor=people.lead,
                                                                outcome="Every borough briefed.")
        assert post(client, people.lead, published, "conclude-no-change",
                    {"reason": "Still fit."}).status_code == 302


def test_an_overdue_annual_report_holds_it(client, people, published):
    # One report in two and a half years: the 2025-26 report has been due since 15 January 2026.
    respond(published, people, write_report(published, people))
    assert reload(published).monitoring_report_due_on == datetime.date(2026, 1, 15)
    with travel(CONCLUDED_ON):
        page = not_ready(client, people, published)
        assert OVERDUE in page and UNANSWERED not in page
        refused(client, people, published, "overdue")


def test_no_report_in_three_years_holds_it(client, people, published):
    with travel(CONCLUDED_ON):
        assert OVERDUE in not_ready(client, people, published)
        refused(client, people, published, "overdue")


def test_the_lead_is_led_to_what_holds_the_conclusion(client, people, published):
    """QA walk of 2026-12-06 (MEDIUM, LOW): the reasons under "Not ready yet" were never links for the Lead (linked
    only for those who may edit the draft, as a draft's items are); the Monitoring tab they were sent to did not say
    which report waited for them or which remedial action was open; a refused post's error summary linked to a form
    the page does not have; and "Start a review" named the no-change conclusion without a way to it."""
    first = write_report(published, people)
    response = respond(published, people, write_report(published, people), remedial=True)
    monitoring = f"/policies/{published.reference}/monitoring/"
    with travel(CONCLUDED_ON):
        page = not_ready(client, people, published)
        for reason in (UNANSWERED, REMEDIAL_OPEN):
            assert f'<a class="govuk-link" href="{monitoring}">{reason}</a>' in page
        tab = client.get(monitoring).content.decode()
        assert tab.count("Awaiting the Designated Lead's response") == 1
        assert f"Remedial action open: due {response.remedial_due_on:%-d %B %Y}" in tab
        first_row = tab[tab.index(f"{first.period_start:%-d %B %Y} to"):]
        assert first_row.index("Awaiting the Designated Lead") < first_row.index("</tr>")
        refused_page = post(client, people.lead, published, "conclude-no-change", {"reason": "Still fit."})
        body = refused_page.content.decode()
        assert 'href="#still-to-do"' in body and 'id="still-to-do"' in body and 'href="#main-form"' not in body
        # A field's error too, the page drawing no form while not ready (second review of 2026-12-06).
        empty = post(client, people.lead, published, "conclude-no-change", {"reason": ""}).content.decode()
        assert 'href="#id_reason"' not in empty and 'id="id_reason"' not in empty
        assert 'href="#still-to-do"' in empty
        start = client.get(f"/policies/{published.reference}/actions/start-review/").content.decode()
        assert f'href="/policies/{published.reference}/actions/conclude-no-change/"' in start
        # Only for the one who may conclude it.
        client.force_login(people.developer)
        start = client.get(f"/policies/{published.reference}/actions/start-review/").content.decode()
        assert "conclude-no-change" not in start
