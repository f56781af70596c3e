"""The publish page's "Ask the staff of these units", in Chromium with axe-core: the question is a fieldset whose
legend it is (GOV.UK's checkboxes pattern, templates/includes/field.html), each business group a fieldset within it,
and a refused unit's error is on the question, linked from the error summary to the first box, which takes the
focus. Before, a ``<label for>`` named the boxes' container, and the boxes had no question."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lifecycle.states import Status
from tests.factories import BusinessGroupFactory, UnitFactory, advance_to, make_people

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_units_question_is_a_fieldset_and_passes_axe(browser_user):
    browser = browser_user
    page = browser.page
    people = make_people()
    aviation = BusinessGroupFactory(name="Aviation Policing", code="av")
    UnitFactory(business_group=aviation, name="Heathrow Unit")
    closing = UnitFactory(business_group=aviation, name="Zeta Hangar")
    policy = advance_to(people.policy(title="Airside searches"), Status.AWAITING_PUBLICATION, people)
    browser.sign_in(people.pcu.username)
    page.set_viewport_size({"width": 1280, "height": 900})

    browser.goto(f"/policies/{policy.reference}/actions/publish/")
    question = page.locator("fieldset", has=page.locator(":scope > legend", has_text="Ask the staff of these units"))
    expect(question).to_have_count(1)
    expect(question.locator("fieldset > legend")).to_have_text(
        ["Aviation Policing", "Specialist Crime & Operations", "Territorial Policing"])
    # Every label names a box; none names a container.
    assert page.evaluate("""() => [...document.querySelectorAll('label[for]')].filter(
        label => !(document.getElementById(label.htmlFor) instanceof HTMLInputElement ||
                   document.getElementById(label.htmlFor) instanceof HTMLTextAreaElement ||
                   document.getElementById(label.htmlFor) instanceof HTMLSelectElement)).map(label => label.htmlFor)
    """) == []
    browser.step("pcu: publish, the units under their business groups")

    # A unit closed while the page was open: refused on the question, what was ticked kept.
    page.get_by_label("Zeta Hangar").check()
    closing.is_active = False
    closing.save(update_fields=["is_active"])
    with page.expect_navigation():
        page.click("#main-form button[type=submit]")
    summary_link = page.locator(".govuk-error-summary a[href='#id_audience_units']")
    expect(summary_link).to_have_count(1)
    expect(question.locator(":scope > .govuk-error-message")).to_be_visible()
    assert "id_audience_units-error" in question.get_attribute("aria-describedby").split()
    browser.step("pcu: publish, a unit no longer active")
    summary_link.click()
    expect(page.locator("#id_audience_units")).to_be_focused()
    expect(page.locator("#id_audience_units")).to_have_attribute("type", "checkbox")
