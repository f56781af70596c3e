"""Every core flow works with JavaScript switched off: the rich-text editor falls back to a plain textarea
of HTML (sanitised on the server as ever), and every action is an ordinary form post.

Driven in Chromium with JavaScript disabled for the whole browser context, through the same Flow helpers as
the end-to-end flows. axe-core cannot run here (its timers never fire without JavaScript); the same pages
with the editor's script are checked in test_accessibility.py and the flows."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lifecycle import workflow
from lifecycle.models import Policy
from tests.browser.conftest import ARTIFACTS, Browser
from tests.browser.test_flows import Flow
from tests.factories import advance_to, fill_development

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def no_js_flow(browser, live_server, axe_source, request):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    flow = Flow(Browser(page, live_server.url, axe_source, ARTIFACTS / request.node.name))
    flow.axe = False  # these pages are the ones test_accessibility checks, less the editor's script
    yield flow
    context.close()


def test_draft_submit_qa_and_approve_without_javascript(no_js_flow, people):
    flow = no_js_flow
    page = flow.page
    policy = advance_to(people.policy(title="Seizure of vehicles"), "development", people)
    reference = policy.reference

    flow.sign_in("developer")
    assert page.evaluate("document.body.classList.contains('js-enabled')") is False
    flow.visit(f"/policies/{reference}/statement/edit/", "developer: statement as a plain textarea")
    expect(page.locator(".prose-editor")).to_have_count(0)
    expect(page.locator("#id_statement")).to_be_visible()
    page.fill("#id_statement", "<h2>Policy</h2><p>Officers <strong>may</strong> seize a vehicle.</p>"
                               "<script>alert('never')</script>")
    flow.submit("developer: a script is refused by name, nothing saved")
    expect(page.locator(".govuk-error-summary")).to_contain_text("<script> element and everything in it")
    expect(page.locator("#id_statement")).to_have_value(re.compile("seize a vehicle"))
    page.fill("#id_statement", "<h2>Policy</h2><p>Officers <strong>may</strong> seize a vehicle.</p>")
    flow.submit("developer: statement saved")
    flow.expect_success("saved.")
    assert Policy.objects.get(pk=policy.pk).current_version.statement == (
        "<h2>Policy</h2><p>Officers <strong>may</strong> seize a vehicle.</p>")
    expect(page.locator(".app-rich-text strong")).to_have_text("may")

    flow.visit(f"/policies/{reference}/sops/new/", "developer: add an SOP without JavaScript")
    page.fill("#id_title", "Recording a seizure")
    page.fill("#id_text", "<p>Record the seizure on the custody system.</p>")
    page.check("input[name=protective_marking][value=official]")
    flow.submit("developer: SOP added")
    flow.expect_success("Standard Operating Procedure (SOP) added to the draft.")

    # The remaining gates (EIA, Workbook, consultation) are met by the services; the statement and SOP
    # typed above are kept.
    fill_development(Policy.objects.get(pk=policy.pk), people, omit=("statement_written",))
    flow.checklist_all_done(reference, "developer: checklist complete", workflow.SUBMIT_FOR_QA.gates)
    flow.action(reference, "submit-for-qa", "developer submits", success="Submitted to the Policy Co-ordination Unit")

    for discipline in ("pcu", "dcfd", "doi"):
        flow.qa_pass(discipline, reference)
    flow.expect_status("Quality assurance passed")

    flow.sign_in("coordinator")
    flow.action(reference, "forward-to-lead", "coordinator forwards", success="Forwarded to the Designated Lead")

    flow.sign_in("lead")
    flow.visit(f"/policies/{reference}/actions/decide/", "lead: decision without JavaScript")
    page.check("input[name=decision][value=approve]")
    page.fill("#id_meeting_on-day", str(timezone.localdate().day))
    page.fill("#id_meeting_on-month", str(timezone.localdate().month))
    page.fill("#id_meeting_on-year", str(timezone.localdate().year))
    page.fill("#id_minute_reference", "COG/2026/21")
    flow.submit("lead: approved")
    flow.expect_status("Approved to publish")
    version = Policy.objects.get(pk=policy.pk).current_version
    assert "Officers <strong>may</strong> seize a vehicle." in version.statement
    assert version.sop_versions.get().text == "<p>Record the seizure on the custody system.</p>"


def test_back_and_the_same_policy_sent_again_without_javascript_asks_first(no_js_flow, people):
    """Without JavaScript, Back fetches the form again (signed-in pages are not stored), with a fresh one-time token:
    sending the same details again started a second policy. Now the form comes back as typed, with a warning that
    links to the first, and "Yes, create another", ticked, starts another (core.submissions.submission_check_repeat).
    """
    flow = no_js_flow
    page = flow.page
    flow.sign_in("developer")
    flow.visit("/policies/new/", "developer: start a policy without JavaScript")
    typed = {"#id_title": "Back without JavaScript", "#id_purpose": "Typed once.", "#id_relevant_to": "All staff"}
    for selector, text in typed.items():
        page.fill(selector, text)
    first_token = page.input_value("input[name=submission]")
    flow.submit("developer: policy started")
    flow.expect_success("created in scoping with draft version 1.0")
    started = Policy.objects.get(title="Back without JavaScript")

    page.go_back()
    # Fetched again: a token of its own (nothing keeps the first without JavaScript). What the browser put back in
    # the boxes, if anything, is typed again as it was.
    assert page.input_value("input[name=submission]") != first_token
    for selector, text in typed.items():
        page.fill(selector, text)
    flow.submit("developer: the same policy sent again, asked first", status=200)
    warning = page.locator(".govuk-warning-text")
    expect(warning).to_contain_text(f"You created {started.reference} “Back without JavaScript” with these details "
                                    "less than a minute ago. Do you want to create another?")
    expect(warning.get_by_role("link")).to_have_attribute("href", f"/policies/{started.reference}/")
    expect(page.locator("#id_title")).to_have_value("Back without JavaScript")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    assert Policy.objects.filter(title="Back without JavaScript").count() == 1

    page.check("#id_create_another")
    flow.submit("developer: yes, create another")
    flow.expect_success("created in scoping with draft version 1.0")
    assert Policy.objects.filter(title="Back without JavaScript").count() == 2
