"""A decision taken on a page that has moved on, in Chromium: the Lead rejects with reasons typed in a tab opened
before the policy was approved (in another tab). Refused, the reasons shown back, and the page passes axe-core."""

import pytest

from lifecycle import services
from lifecycle.states import Status
from tests.factories import advance_to, reload, what_was_read

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_lead_rejects_from_a_stale_tab_and_keeps_the_reasons(browser_user, people):
    policy = advance_to(people.policy(title="Body-worn video"), Status.WITH_LEAD, people)
    browser = browser_user
    browser.sign_in(people.lead.username)
    browser.goto(f"/policies/{policy.reference}/actions/decide/")
    page = browser.page
    # Meanwhile, in another tab: approved.
    services.policy_approve(policy=reload(policy), actor=people.lead, meeting_on=policy.created_at.date(),
                            minute_reference="COG/2026/21", **what_was_read(policy))
    page.check("input[name=decision][value=reject]")
    page.fill("#id_comments", "Section 4 contradicts the SOP.")
    browser.submit("#main-form button[type=submit]")
    assert page.locator(".govuk-error-summary").is_visible()
    assert page.locator(".govuk-inset-text", has_text="Section 4 contradicts the SOP.").count() == 1
    browser.assert_accessible("lead: stale decision refused, reasons kept")
    browser.step("lead: stale decision refused, reasons kept")
    assert browser.overflow() == {}
