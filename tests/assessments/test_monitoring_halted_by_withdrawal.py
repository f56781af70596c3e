"""A decided withdrawal halts the annual monitoring report too. The cycle's halt (lifecycle.steps.HALTS: a withdrawal
the Designated Lead or the owner decided, not yet carried out by PCU) closed every step of the cycle, but the
monitoring report's own small cycle is not a step (lifecycle.workflow_monitoring.MONITORING_REPORT is DueWork): a
developer could still start and submit a report, the co-ordinator quality-assure it and PCU publish it, to the public
Publication Scheme, for a policy being withdrawn, and the pages offered each button.

Now starting, submitting, quality-assuring (passed or returned) and publishing a report ask the same rule under the
policy's row lock, and refuse with the same sentence the cycle's steps say (lifecycle.gates.reason_for of the halt:
who decided and when, and that PCU is to carry it out): nothing changes, no event is written. The pages offer none of
those buttons and say why; a form posted from a page drawn before the decision is answered with the refusal, what was
typed kept. Saving the draft's text stays open (it publishes nothing and moves nothing on), as does reading."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.contrib.messages import get_messages

from assessments import services as a
from assessments.models import MonitoringReport
from core.models import AuditEvent
from core.submissions import MONITORING_REPORT_CREATE
from lifecycle import services as lifecycle_services
from lifecycle.gates import reason_for, withdrawal_not_decided
from tests.assessments import test_monitoring_page
from tests.assessments.test_monitoring_dates import FIRST_DUE, on
from tests.factories import refused, reload, what_was_read_of_report
from tests.reports import REPORT_SECTIONS, the_year_due
from tests.submissions import sent_once

pytestmark = pytest.mark.django_db
# Published on 10 January 2024, its first monitoring report due on 10 January 2025: the tab's own tests' fixture.
published = test_monitoring_page.published
WRITTEN = FIRST_DUE + datetime.timedelta(days=10)
DECIDED = FIRST_DUE + datetime.timedelta(days=20)  # Thursday 30 January 2025
TYPED = "Typed after the decision: dip sample of 40 cases."


def fresh(row):
    return type(row).objects.get(pk=row.pk)


def report_in(policy, people, status: str | None) -> MonitoringReport | None:
    """The policy's report of the year due, taken to ``status`` through the real services before any decision (None:
    no report)."""
    if status is None:
        return None
    with on(WRITTEN):
        report = a.monitoring_report_create(policy=reload(policy), actor=people.developer, **the_year_due(policy),
                                            **REPORT_SECTIONS)
        if status != MonitoringReport.Status.DRAFT:
            report = a.monitoring_report_submit(report=report, actor=people.developer)
        if status == MonitoringReport.Status.QA_PASSED:
            report = a.monitoring_report_pass_qa(report=report, actor=people.coordinator, comments="Clear.")
    return fresh(report)


def decide(policy, people) -> None:
    with on(DECIDED):
        lifecycle_services.policy_decide_withdrawal(policy=reload(policy), actor=people.lead,
                                                    reason="Replaced by national guidance.")


def halt_said(policy) -> str:
    """What the cycle's steps say of the halt (lifecycle.services.base.check_step_allowed): the same words here."""
    return reason_for(withdrawal_not_decided, reload(policy))


def state(policy) -> tuple:
    """Everything a refusal must leave as it was: the policy's reports, the report's row, the date due, the events."""
    rows = list(MonitoringReport.objects.filter(policy=policy).order_by("pk").values())
    return rows, reload(policy).monitoring_report_due_on, AuditEvent.objects.filter(policy_id=policy.pk).count()


def _start(policy, report, people):
    return a.monitoring_report_create(policy=reload(policy), actor=people.developer, **the_year_due(policy),
                                      **REPORT_SECTIONS)


def _submit(policy, report, people):
    return a.monitoring_report_submit(report=report, actor=people.developer)


def _submit_typed(policy, report, people):  # the page's Submit: its sections saved and submitted as one change
    return a.monitoring_report_submit(report=report, actor=people.developer, base_revision=report.draft_revision,
                                      **{**REPORT_SECTIONS, "compliance": TYPED})


def _pass_qa(policy, report, people):
    return a.monitoring_report_pass_qa(report=report, actor=people.coordinator, comments="Clear.",
                                       **what_was_read_of_report(report))


def _return(policy, report, people):
    return a.monitoring_report_return(report=report, actor=people.coordinator, comments="Add the figures.",
                                      **what_was_read_of_report(report))


def _publish(policy, report, people):
    return a.monitoring_report_publish(report=report, actor=people.pcu, **what_was_read_of_report(report))


ACTIONS = {  # what each is taken on, and how
    "start": (None, "start a monitoring report of", _start),
    "submit": (MonitoringReport.Status.DRAFT, "submit the monitoring report of", _submit),
    "submit as typed": (MonitoringReport.Status.DRAFT, "submit the monitoring report of", _submit_typed),
    "pass QA": (MonitoringReport.Status.SUBMITTED, "quality-assure the monitoring report of", _pass_qa),
    "return": (MonitoringReport.Status.SUBMITTED, "quality-assure the monitoring report of", _return),
    "publish": (MonitoringReport.Status.QA_PASSED, "publish the monitoring report of", _publish),
}


def report_page(client, person, published, report, day) -> str:
    """The report's page as ``person`` reads it on ``day``."""
    client.force_login(person)
    with on(day):
        return client.get(report_url(published, report)).content.decode()


def report_post(client, person, published, report, day, data: dict):
    """A form of the report's page sent by ``person`` on ``day``."""
    client.force_login(person)
    with on(day):
        return client.post(report_url(published, report), data)


def assert_refused_with_what_was_typed(response, said: str, published, before, statuses=(400,)) -> None:
    """A form posted after the policy's cycle stopped: refused with ``said``, what was typed shown back, nothing
    changed (here from the decision; tests/assessments/test_monitoring_after_withdrawal.py, once carried out)."""
    page = response.content.decode()
    assert response.status_code in statuses
    assert said in text_of(page)
    assert TYPED in html.unescape(page)
    assert state(published) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_each_part_of_the_report_is_refused_with_the_halt_and_changes_nothing(published, people, action):
    status, label, take = ACTIONS[action]
    report = report_in(published, people, status)
    decide(published, people)
    before = state(published)
    with on(DECIDED + datetime.timedelta(days=1)), refused(
            "halted", f"Cannot {label} {published.reference}: {halt_said(published)}", f"decided by {people.lead}",
            "Policy Co-ordination Unit is to carry it out"):
        take(published, report, people)
    assert state(published) == before


def test_the_draft_can_still_be_saved_but_not_submitted(published, people):
    """Decided: saving the draft's text stays open. It publishes nothing, moves no date and no part on (the halt's
    point: nothing moves the policy on but PCU's withdrawal), and the authors keep what they wrote; its submission
    to the co-ordinator, the report's first step on, is refused."""
    report = report_in(published, people, MonitoringReport.Status.DRAFT)
    decide(published, people)
    with on(DECIDED + datetime.timedelta(days=1)):
        saved = a.monitoring_report_update(report=report, actor=people.developer, base_revision=report.draft_revision,
                                           compliance=TYPED)
    assert (saved.status, fresh(saved).compliance) == (MonitoringReport.Status.DRAFT, TYPED)


# --- the pages ---------------------------------------------------------------------------------------------------


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def said_in_inset(page: str, sentence: str) -> bool:
    """The sentence in a GOV.UK inset or warning text on the page."""
    boxes = re.findall(r'<div class="govuk-(?:inset-text|warning-text)[^"]*"[^>]*>(.*?)</div>', page, re.S)
    return any(sentence in text_of(box) for box in boxes)


def report_url(policy, report) -> str:
    return f"/policies/{policy.reference}/monitoring/{report.pk}/"


def test_the_monitoring_tab_offers_no_new_report_and_says_why(client, published, people):
    decide(published, people)
    client.force_login(people.developer)
    with on(DECIDED + datetime.timedelta(days=1)):
        page = client.get(f"/policies/{published.reference}/monitoring/").content.decode()
    assert test_monitoring_page.START_FORM not in page and 'id="main-form"' not in page
    assert said_in_inset(page, f"Cannot start a monitoring report of {published.reference}: {halt_said(published)}")


def test_a_report_started_from_a_page_drawn_before_the_decision_is_refused_with_what_was_typed(
        client, published, people):
    decide(published, people)
    before = state(published)
    client.force_login(people.developer)
    with on(DECIDED + datetime.timedelta(days=1)):
        response = client.post(f"/policies/{published.reference}/monitoring/", {
            "period_start-day": 10, "period_start-month": 1, "period_start-year": 2024,
            "period_end-day": 10, "period_end-month": 1, "period_end-year": 2025, "compliance": TYPED,
            **sent_once(people.developer, MONITORING_REPORT_CREATE)})
    said = f"Cannot start a monitoring report of {published.reference}: {halt_said(published)}"
    assert_refused_with_what_was_typed(response, said, published, before)


def test_the_draft_offers_save_but_not_submit_and_says_why(client, published, people):
    report = report_in(published, people, MonitoringReport.Status.DRAFT)
    decide(published, people)
    page = report_page(client, people.developer, published, report, DECIDED + datetime.timedelta(days=1))
    assert 'value="submit"' not in page and "Submit to the co-ordinator" not in page
    assert 'value="save"' in page
    assert said_in_inset(page, f"Cannot submit the monitoring report of {published.reference}: "
                               f"{halt_said(published)}")


def test_a_submission_from_a_page_drawn_before_the_decision_is_refused_with_what_was_typed(client, published, people):
    report = report_in(published, people, MonitoringReport.Status.DRAFT)
    decide(published, people)
    before = state(published)
    response = report_post(client, people.developer, published, report, DECIDED + datetime.timedelta(days=1), {
        "step": "submit", **{**REPORT_SECTIONS, "compliance": TYPED}, "base_revision": report.draft_revision})
    said = f"Cannot submit the monitoring report of {published.reference}: {halt_said(published)}"
    assert_refused_with_what_was_typed(response, said, published, before)


def test_the_coordinator_is_offered_no_quality_assurance_and_told_why(client, published, people):
    report = report_in(published, people, MonitoringReport.Status.SUBMITTED)
    decide(published, people)
    page = report_page(client, people.coordinator, published, report, DECIDED + datetime.timedelta(days=1))
    assert 'value="qa"' not in page and "Record decision" not in page
    assert said_in_inset(page, f"Cannot quality-assure the monitoring report of {published.reference}: "
                               f"{halt_said(published)}")


@pytest.mark.parametrize("outcome", ["passed", "returned"])
def test_a_quality_assurance_posted_after_the_decision_is_refused_with_the_comments_typed(
        client, published, people, outcome):
    report = report_in(published, people, MonitoringReport.Status.SUBMITTED)
    decide(published, people)
    before = state(published)
    response = report_post(client, people.coordinator, published, report, DECIDED + datetime.timedelta(days=1), {
        "step": "qa", "outcome": outcome, "comments": TYPED, **what_was_read_of_report(report)})
    page = response.content.decode()
    assert response.status_code in (400, 409)
    assert (f"Cannot quality-assure the monitoring report of {published.reference}: {halt_said(published)}"
            in text_of(page))
    assert TYPED in html.unescape(page)
    assert state(published) == before


def test_pcu_is_offered_no_publication_and_told_why(client, published, people):
    report = report_in(published, people, MonitoringReport.Status.QA_PASSED)
    decide(published, people)
    page = report_page(client, people.pcu, published, report, DECIDED + datetime.timedelta(days=1))
    assert 'value="publish"' not in page and "Publish on the Publication Scheme" not in page
    assert said_in_inset(page, f"Cannot publish the monitoring report of {published.reference}: "
                               f"{halt_said(published)}")


def test_a_publication_posted_after_the_decision_is_refused_and_said(client, published, people):
    report = report_in(published, people, MonitoringReport.Status.QA_PASSED)
    decide(published, people)
    before = state(published)
    response = report_post(client, people.pcu, published, report, DECIDED + datetime.timedelta(days=1),
                           {"step": "publish", **what_was_read_of_report(report)})
    assert response.status_code == 302
    said = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert f"Cannot publish the monitoring report of {published.reference}: {halt_said(published)}" in said
    assert state(published) == before
