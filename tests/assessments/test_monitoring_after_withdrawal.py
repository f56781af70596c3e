"""A monitoring report does not move on once its policy is withdrawn. A decided withdrawal halts the report's small
cycle (assessments.services.report_halted; test_monitoring_halted_by_withdrawal), but once PCU carried it out
(lifecycle.workflow_monitoring.WITHDRAW) the decision is closed and the halt no longer applied: a report already under
way could still be submitted, quality-assured and published, a throwaway test publishing a QA-passed report for a
policy with status ``withdrawn``.

Now submitting, quality-assuring (passed or returned) and publishing a report of a withdrawn policy are refused under
the policy's row lock by the same rule, saying when it was withdrawn: nothing changes, no event is written. The report
page offers none of those buttons and says why; a form posted from a page drawn before the withdrawal is answered with
the refusal, what was typed kept. The report stays as it stood, on record (a draft may still be saved or discarded:
that moves nothing on). No new report of it reaches the Publication Scheme or the library; those published before
stay in the library's archive and on the policy's Monitoring tab (My work: tests/workspace/test_report_queues.py)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages

from assessments import services as a
from assessments.models import MonitoringReport
from assessments.selectors import scheme_reports
from core.dates import date_shown
from library.models import DocumentKind, LibraryDocument
from lifecycle import services as lifecycle_services
from tests.assessments import test_monitoring_halted_by_withdrawal as halted
from tests.assessments import test_monitoring_page
from tests.assessments.test_monitoring_dates import on
from tests.assessments.test_monitoring_halted_by_withdrawal import (
    ACTIONS,
    DECIDED,
    TYPED,
    assert_refused_with_what_was_typed,
    report_in,
    report_page,
    report_post,
    report_url,
    said_in_inset,
    state,
)
from tests.assessments.test_monitoring_report_destination import _report
from tests.factories import refused, reload, what_was_read_of_report
from tests.reports import REPORT_SECTIONS

pytestmark = pytest.mark.django_db
published = test_monitoring_page.published
WITHDRAWN_ON = DECIDED + datetime.timedelta(days=5)  # Tuesday 4 February 2025
AFTER = WITHDRAWN_ON + datetime.timedelta(days=1)


def withdraw(policy, people) -> None:
    """Decided by the Lead, carried out by PCU on WITHDRAWN_ON: the decision is closed, the halt no longer applies."""
    halted.decide(policy, people)
    with on(WITHDRAWN_ON):
        lifecycle_services.policy_withdraw(policy=reload(policy), actor=people.pcu)
    assert reload(policy).status == "withdrawn"


def withdrawn_said(policy, label: str) -> str:
    return (f"Cannot {label} {policy.reference}: the policy was withdrawn on {date_shown(WITHDRAWN_ON)}, and a "
            "withdrawn policy has nothing left to monitor.")


@pytest.mark.parametrize("action", ACTIONS)
def test_each_part_of_the_report_is_refused_once_the_policy_is_withdrawn_and_changes_nothing(published, people, action):
    status, label, take = ACTIONS[action]
    report = report_in(published, people, status)
    withdraw(published, people)
    before = state(published)
    with on(AFTER), refused("halted", withdrawn_said(published, label)):
        take(published, report, people)
    assert state(published) == before


def test_the_draft_can_still_be_saved_or_discarded(published, people):
    """As while the withdrawal was only decided: saving the text moves nothing on and publishes nothing; a draft left
    over may be discarded, with its reason, as one started by mistake is."""
    report = report_in(published, people, MonitoringReport.Status.DRAFT)
    withdraw(published, people)
    with on(AFTER):
        saved = a.monitoring_report_update(report=report, actor=people.developer, base_revision=report.draft_revision,
                                           compliance=TYPED)
        assert (saved.status, halted.fresh(saved).compliance) == (MonitoringReport.Status.DRAFT, TYPED)
        a.monitoring_report_discard(report=saved, actor=people.pcu, reason="The policy was withdrawn.",
                                    **what_was_read_of_report(halted.fresh(saved)))
    assert halted.fresh(saved).status == MonitoringReport.Status.DISCARDED


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_monitoring_tab_offers_no_new_report_and_says_why(client, published, people):
    """It offered its form to whoever writes the policy's reports and still sees it (its business group's manager: its
    developers no longer see a withdrawn policy), refused once filled in."""
    withdraw(published, people)
    client.force_login(people.manager)
    with on(AFTER):
        response = client.get(f"/policies/{published.reference}/monitoring/")
    page = response.content.decode()
    assert response.status_code == 200
    assert test_monitoring_page.START_FORM not in page and 'id="main-form"' not in page
    assert said_in_inset(page, withdrawn_said(published, "start a monitoring report of"))
    # Found in Chromium on POL-0003: the tab still said "Next report due: 1 April 2026" of a withdrawn policy.
    assert "Next report due" not in page
    assert f"No report is due: the policy was withdrawn on {date_shown(WITHDRAWN_ON)}." in halted.text_of(page)


def test_the_draft_offers_save_but_not_submit_and_says_why(client, published, people):
    report = report_in(published, people, MonitoringReport.Status.DRAFT)
    withdraw(published, people)
    client.force_login(people.manager)
    with on(AFTER):
        response = client.get(report_url(published, report))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="submit"' not in page and "Submit to the co-ordinator" not in page
    assert 'value="save"' in page
    assert said_in_inset(page, withdrawn_said(published, "submit the monitoring report of"))


def test_a_submission_from_a_page_drawn_before_the_withdrawal_is_refused_with_what_was_typed(
        client, published, people):
    report = report_in(published, people, MonitoringReport.Status.DRAFT)
    withdraw(published, people)
    before = state(published)
    response = report_post(client, people.manager, published, report, AFTER, {
        "step": "submit", **{**REPORT_SECTIONS, "compliance": TYPED}, "base_revision": report.draft_revision})
    said = withdrawn_said(published, "submit the monitoring report of")
    assert_refused_with_what_was_typed(response, said, published, before)


def test_the_coordinator_is_offered_no_quality_assurance_and_told_why(client, published, people):
    report = report_in(published, people, MonitoringReport.Status.SUBMITTED)
    withdraw(published, people)
    page = report_page(client, people.coordinator, published, report, AFTER)
    assert 'value="qa"' not in page and "Record decision" not in page
    assert said_in_inset(page, withdrawn_said(published, "quality-assure the monitoring report of"))


@pytest.mark.parametrize("outcome", ["passed", "returned"])
def test_a_quality_assurance_posted_after_the_withdrawal_is_refused_with_the_comments_typed(
        client, published, people, outcome):
    report = report_in(published, people, MonitoringReport.Status.SUBMITTED)
    withdraw(published, people)
    before = state(published)
    response = report_post(client, people.coordinator, published, report, AFTER, {
        "step": "qa", "outcome": outcome, "comments": TYPED, **what_was_read_of_report(report)})
    said = withdrawn_said(published, "quality-assure the monitoring report of")
    assert_refused_with_what_was_typed(response, said, published, before, statuses=(400, 409))


def test_pcu_is_offered_no_publication_and_told_why(client, published, people):
    report = report_in(published, people, MonitoringReport.Status.QA_PASSED)
    withdraw(published, people)
    page = report_page(client, people.pcu, published, report, AFTER)
    assert 'value="publish"' not in page and "Publish on the Publication Scheme" not in page
    assert "Publish internally" not in page
    assert said_in_inset(page, withdrawn_said(published, "publish the monitoring report of"))


def test_a_publication_posted_after_the_withdrawal_is_refused_and_said(client, published, people):
    report = report_in(published, people, MonitoringReport.Status.QA_PASSED)
    withdraw(published, people)
    before = state(published)
    response = report_post(client, people.pcu, published, report, AFTER,
                           {"step": "publish", **what_was_read_of_report(report)})
    assert response.status_code == 302
    said = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert withdrawn_said(published, "publish the monitoring report of") in said
    assert state(published) == before


# --- the Publication Scheme and the library ----------------------------------------------------------------------


def test_no_report_of_a_withdrawn_policy_newly_reaches_the_scheme_or_the_library_and_those_before_stay_on_record(
        client, people):
    """SOP, stage 6: PCU arranges for a report "to be published on the MPS Publication Scheme"; the withdrawal takes
    the policy off the Scheme and the intranet and keeps it in the archive (WITHDRAW). A report published before it
    went with its policy's page on the Scheme (410, "withdrawn"), and stays on record in the library's archive and on
    the Monitoring tab; the one still awaiting publication is published nowhere."""
    policy, earlier = _report(people, title="Stop and search", on_publication_scheme=True)
    earlier = a.monitoring_report_publish(report=earlier, actor=people.pcu, **what_was_read_of_report(earlier))
    assert list(scheme_reports()) == [earlier]
    later = a.monitoring_report_create(policy=reload(policy), actor=people.developer,
                                       period_start=earlier.period_end,
                                       period_end=earlier.period_end + datetime.timedelta(days=30), **REPORT_SECTIONS)
    later = a.monitoring_report_submit(report=later, actor=people.developer)
    later = a.monitoring_report_pass_qa(report=later, actor=people.coordinator, comments="Clear.",
                                        **what_was_read_of_report(later))
    lifecycle_services.policy_decide_withdrawal(policy=reload(policy), actor=people.lead, reason="Superseded.")
    lifecycle_services.policy_withdraw(policy=reload(policy), actor=people.pcu)
    with refused("halted", "the policy was withdrawn on"):
        a.monitoring_report_publish(report=later, actor=people.pcu, **what_was_read_of_report(halted.fresh(later)))

    assert halted.fresh(later).status == MonitoringReport.Status.QA_PASSED
    assert list(scheme_reports()) == []
    scheme = client.get(f"/publication-scheme/{policy.reference}/")
    assert scheme.status_code == 410
    assert REPORT_SECTIONS["compliance"] not in scheme.content.decode()
    kept = LibraryDocument.objects.filter(policy=policy, kind=DocumentKind.MONITORING_REPORT)
    assert list(kept.values_list("monitoring_report_id", "is_withdrawn", "is_current")) == [(earlier.pk, True, False)]
    client.force_login(people.pcu)
    tab = client.get(f"/policies/{policy.reference}/monitoring/").content.decode()
    assert f"/monitoring/{earlier.pk}/" in tab

