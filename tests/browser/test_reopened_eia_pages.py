"""The pages of an Equality Impact Assessment DCFD reopened at a review concluding no change, in Chromium with
axe-core (WCAG 2.2 AA), with abbreviations expanded on first use: the developer's overview (the update waiting for
them, linked), the reopened EIA's form (what DCFD asked for) and their My work; DCFD's sign-off page before any
revision (not ready: no revision made yet) and once revised (its form)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.services import eia_update
from lifecycle import services
from lifecycle.states import Status
from tests.factories import advance_to, make_people, reload

pytestmark = pytest.mark.django_db(transaction=True)

ASKED = "Add the 2025 stop data by ethnicity."


def test_the_pages_of_a_reopened_eia_pass_axe(browser_user):
    browser = browser_user
    page = browser.page
    people = make_people()
    policy = advance_to(people.policy(title="Stop and search"), Status.MONITORING, people)
    # A documented bring-forward opens the review to a conclusion of no change now (lifecycle.gates_no_change).
    services.policy_set_review_date(policy=policy, actor=people.coordinator,
                                    review_due_on=timezone.localdate() + datetime.timedelta(days=700),
                                    reason="Monitoring results.")
    services.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="Still fit.")
    services.policy_confirm_eia(policy=reload(policy), actor=people.dcfd, eia_outcome="updated", eia_comments=ASKED)
    page.set_viewport_size({"width": 1280, "height": 900})

    def check(label: str):
        browser.step(label)
        assert browser.wording_faults() == [], label

    browser.sign_in(people.developer.username)
    browser.goto(f"/policies/{policy.reference}/")
    expect(page.locator(".app-next__skipped")).to_contain_text("Waiting for you: Update the Equality Impact Assessment")
    check("developer: the overview, the update waiting for them")
    browser.goto(f"/policies/{policy.reference}/eia/")
    expect(page.locator(".app-eia-reopened")).to_contain_text(ASKED)
    expect(page.locator("#main-form")).to_be_visible()
    check("developer: the reopened EIA's form, what DCFD asked for")
    browser.goto("/")
    expect(page.get_by_text("Update the Equality Impact Assessment").first).to_be_visible()
    check("developer: My work names the update")

    browser.sign_in(people.dcfd.username)
    browser.goto(f"/policies/{policy.reference}/actions/sign-off-updated-eia/")
    expect(page.locator("#still-to-do")).to_contain_text("No revision has been made yet")
    check("dcfd: the sign-off not ready, no revision made yet")
    eia_update(policy=reload(policy), actor=people.developer, evidence_and_data="The 2025 figures, by ethnicity.")
    browser.goto(f"/policies/{policy.reference}/actions/sign-off-updated-eia/")
    expect(page.locator("#main-form")).to_be_visible()
    check("dcfd: the sign-off of the revised EIA")
