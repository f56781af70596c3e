"""PCU's and DOI's late sign-off of what the emergency route skipped, in Chromium with axe-core (WCAG 2.2 AA), with
abbreviations expanded on first use and no horizontal scrolling: the Workbook's page telling PCU why there is nothing
to sign off yet; the sign-off page showing the Workbook's impact sections it signs off; the same page refusing, in
place, a sign-off of a statement changed after it was drawn ("VERSION A" read, "VERSION B" saved meanwhile), the
comment kept and the statement as it stands now shown; and DOI's page (tests/assessments/
test_emergency_signoff_bound.py holds the rules)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments.services import workbook_update
from lifecycle.services import draft_update
from lifecycle.states import Status
from tests.factories import advance_to, emergency_approve, make_people, reload

pytestmark = pytest.mark.django_db(transaction=True)

COMMENT = "Satisfactory: the statement is explicit."


def test_the_late_sign_off_pages_pass_axe(browser_user):
    browser = browser_user
    page = browser.page
    people = make_people()
    policy = advance_to(people.policy(title="Drone flights over crowds"), Status.DEVELOPMENT, people)
    draft_update(policy=policy, actor=people.developer, statement="<p>Flights under the new Act.</p>")
    emergency_approve(reload(policy), people)
    page.set_viewport_size({"width": 1280, "height": 900})

    def check(label: str):
        browser.step(label)
        assert browser.wording_faults() == [], label
        assert browser.overflow() == {}, label

    browser.sign_in(people.pcu_qa.username)
    browser.goto(f"/policies/{policy.reference}/emergency/sign-off/")
    expect(page.locator(".govuk-inset-text")).to_contain_text("nothing to sign off yet")
    check("pcu: the Workbook's page, nothing to sign off yet")

    workbook_update(policy=reload(policy), actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Consulted after the event.", health_and_safety_impact="impact",
                    health_and_safety_statement="VERSION A")
    browser.goto(f"/policies/{policy.reference}/workbook/")
    with page.expect_navigation():
        page.click("a:has-text('Sign off your part')")
    expect(page.locator("dl.govuk-summary-list")).to_contain_text("VERSION A")
    check("pcu: the sign-off page shows the impact sections")

    # Meanwhile, the developer changes the statement.
    workbook_update(policy=reload(policy), actor=people.developer, health_and_safety_statement="VERSION B")
    page.fill("#id_comments", COMMENT)
    browser.submit("#main-form button[type=submit]")
    expect(page.locator(".govuk-error-summary")).to_contain_text("has changed since you opened the page")
    expect(page.locator("#id_comments")).to_have_value(COMMENT)
    expect(page.locator("dl.govuk-summary-list")).to_contain_text("VERSION B")
    check("pcu: a Workbook changed meanwhile, refused in place")

    browser.sign_in(people.doi.username)
    browser.goto(f"/policies/{policy.reference}/emergency/sign-off/")
    expect(page.locator("dl.govuk-summary-list")).to_contain_text("Kept seven years.")
    check("doi: the sign-off page shows the impact sections")
