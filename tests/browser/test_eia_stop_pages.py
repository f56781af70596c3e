"""The pages that speak of an Equality Impact Assessment concluding "Stop and remove the policy", and of an outcome
given without its reasons, in Chromium with axe-core (WCAG 2.2 AA), with abbreviations expanded on first use: the
draft's checklist and submission page (the reason under the item, the withdrawal linked for the Lead), the EIA's page
(its warning, and its form asking for the reasons at the field), DCFD's quality assurance of a version frozen so before
the rule (the warning, and the refusal at the decision), the Lead's decision page (the warning with the reasons), and
the emergency route's retrospective EIA concluding so (its page, and DOI's sign-off of its own part)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments.services import eia_update, workbook_update
from lifecycle.services import draft_update
from lifecycle.states import Status
from tests.factories import ALL_IMPACTS, advance_to, emergency_approve, fill_development, make_people, reload
from tests.lifecycle.test_eia_stop import STOP_REASONS, frozen_before_the_rule

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_pages_of_an_eia_concluding_stop_pass_axe(browser_user):
    browser = browser_user
    page = browser.page
    people = make_people()
    draft = advance_to(people.policy(title="Searches at transport hubs"), Status.DEVELOPMENT, people)
    fill_development(draft, people)
    eia_update(policy=reload(draft), actor=people.developer, decision="stop", decision_rationale=STOP_REASONS)
    submitted = frozen_before_the_rule(advance_to(people.policy(title="Dispersal orders"), Status.SUBMITTED_FOR_QA,
                                                  people), decision="stop", decision_rationale=STOP_REASONS)
    with_lead = frozen_before_the_rule(advance_to(people.policy(title="Curfew enforcement"), Status.WITH_LEAD,
                                                  people), decision="stop", decision_rationale=STOP_REASONS)
    emergency = advance_to(people.policy(title="Drone flights over crowds"), Status.DEVELOPMENT, people)
    draft_update(policy=emergency, actor=people.developer, statement="<p>Flights under the new Act.</p>")
    emergency_approve(reload(emergency), people)
    eia_update(policy=reload(emergency), actor=people.developer, aims="Safe, lawful flights.", impacts=ALL_IMPACTS,
               decision="stop", decision_rationale=STOP_REASONS)
    # DOI's part is offered once the Workbook's information management section is written.
    workbook_update(policy=reload(emergency), actor=people.developer, information_management="Kept seven years.")
    page.set_viewport_size({"width": 1280, "height": 900})

    def check(label: str):
        browser.step(label)
        assert browser.wording_faults() == [], label

    browser.sign_in(people.developer.username)
    browser.goto(f"/policies/{draft.reference}/")
    expect(page.locator(".govuk-task-list__hint")).to_contain_text("If the assessment has changed")
    check("developer: the checklist of a draft whose EIA concludes stop")
    browser.goto(f"/policies/{draft.reference}/actions/submit-for-qa/")
    check("developer: submission not ready, the reason said")
    browser.goto(f"/policies/{draft.reference}/eia/")
    expect(page.locator(".app-eia-stop")).to_contain_text("concludes that the policy should stop")
    check("developer: the EIA concluding stop, warned")
    page.get_by_label("Continue despite potential adverse impact (justified)").check()
    page.fill("#id_decision_rationale", "")
    with page.expect_navigation():
        page.click("#main-form button[type=submit]")
    expect(page.locator("#id_decision_rationale-error")).to_contain_text("Enter the justification")
    check("developer: the EIA's outcome without its justification")

    browser.sign_in(people.lead.username)
    browser.goto(f"/policies/{draft.reference}/")
    expect(page.get_by_role("link", name="Decide to withdraw the policy").first).to_be_visible()
    check("lead: the checklist links the withdrawal")
    browser.goto(f"/policies/{with_lead.reference}/actions/decide/")
    expect(page.locator(".app-eia-stop")).to_contain_text("Stop and remove the policy")
    check("lead: the decision page warns")

    browser.sign_in(people.dcfd.username)
    browser.goto(f"/policies/{submitted.reference}/actions/quality-assurance/")
    expect(page.locator(".app-eia-stop")).to_contain_text("return it to the developer with comments")
    check("dcfd: quality assurance warned")
    page.get_by_label("Quality assurance passed").check()
    with page.expect_navigation():
        page.click("#main-form button[type=submit]")
    expect(page.locator(".govuk-error-summary a[href='#id_outcome']")).to_contain_text("Stop and remove the policy")
    check("dcfd: passing it refused at the decision")
    browser.goto(f"/policies/{emergency.reference}/eia/")
    expect(page.locator(".app-eia-stop")).to_contain_text("does not sign it off")
    check("dcfd: a retrospective EIA concluding stop, warned")

    browser.sign_in(people.doi.username)
    browser.goto(f"/policies/{emergency.reference}/emergency/sign-off/")
    expect(page.locator(".app-eia-stop")).to_contain_text("concludes that the policy should stop")
    check("doi: signing off what the emergency route skipped, warned")
