"""An abbreviation on a button ("Add an SOP") is marked up as on any page (``<abbr title>``, issue 17), but a button
is not a text to be read word by word: Chromium's dotted underline of abbr[title] there looked like a second, broken
link inside the button (seen on the Statement and SOPs page). frontend/scss/application.scss takes it off inside a
.govuk-button; the expansion stays in the title and in the words the page gave on its first use."""

from __future__ import annotations

import pytest

from lifecycle.states import Status
from tests.factories import advance_to, make_people

pytestmark = pytest.mark.django_db(transaction=True)

DECORATIONS = """() => [...document.querySelectorAll('.govuk-button abbr')].map(abbr => {
    const style = getComputedStyle(abbr);
    return {text: abbr.textContent, line: style.textDecorationLine, border: style.borderBottomStyle,
            title: abbr.title};
})"""


def test_an_abbreviation_on_a_button_is_not_underlined(browser_user):
    browser = browser_user
    page = browser.page
    people = make_people()
    policy = advance_to(people.policy(title="Stop and search"), Status.DEVELOPMENT, people)
    browser.sign_in(people.developer.username)
    page.set_viewport_size({"width": 1280, "height": 800})

    browser.goto(f"/policies/{policy.reference}/statement/")
    on_buttons = page.evaluate(DECORATIONS)

    assert [abbr["text"] for abbr in on_buttons] == ["SOP"], on_buttons
    for abbr in on_buttons:
        assert abbr["line"] == "none" and abbr["border"] == "none", abbr
        assert abbr["title"] == "Standard Operating Procedure"
    # Outside a button an abbreviation keeps its dotted underline (a reader may hover it for the words).
    assert page.evaluate("getComputedStyle(document.querySelector('main abbr:not(.govuk-button abbr)'))"
                         ".textDecorationLine") == "underline"
    browser.step("developer: statement and SOPs, the Add an SOP button")
    browser.artifact_dir.mkdir(parents=True, exist_ok=True)
    page.locator(".govuk-button", has_text="Add an").screenshot(path=str(browser.artifact_dir / "button.png"))
