"""A real browser reports no Content-Security-Policy violation on the page walk (issue 11, finding 9), signed
out and signed in, and what needs JavaScript still works under the policy: the rich-text editor (loaded through
an import map, an inline script that runs only with the nonce), the htmx register and the js-enabled switch.
The new account pages also pass axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lifecycle.models import Policy
from publication.services import policy_publish
from tests.factories import advance_to, make_people

pytestmark = pytest.mark.django_db(transaction=True)

# Recorded by the page itself from before its first script, on every document it loads.
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
    + ` at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`);
});
"""


class Walk:
    def __init__(self, browser_user):
        self.browser = browser_user
        self.page = browser_user.page
        self.violations: list[str] = []
        self.console: list[str] = []
        self.page.add_init_script(LISTEN)
        self.page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def collect(self, label: str):
        found = self.page.evaluate("window.__cspViolations || []")
        self.violations += [f"{label}: {violation}" for violation in found]

    def visit(self, label: str, path: str, status: int = 200):
        response = self.browser.goto(path)
        assert response.status == status, f"{label}: {path} answered {response.status}"
        self.page.wait_for_load_state("networkidle")
        assert self.page.evaluate("document.body.classList.contains('js-enabled')"), f"{label}: inline script ran"
        self.collect(label)

    def assert_none(self):
        assert self.violations == [] and self.console == [], (self.violations, self.console)


def test_no_csp_violation_on_the_page_walk_and_the_editor_still_works(browser_user):
    people = make_people()
    published = advance_to(people.policy(title="Stop and search"), "awaiting_publication", people)
    policy_publish(policy=published, actor=people.pcu, on_publication_scheme=True)
    drafting = advance_to(people.policy(title="Body-worn video"), "development", people)
    walk = Walk(browser_user)

    # Signed out.
    walk.visit("sign-in", "/sign-in/")
    walk.visit("reset", "/account/password/reset/")
    browser_user.assert_accessible("reset")
    walk.visit("scheme", "/publication-scheme/")
    walk.visit("scheme entry", f"/publication-scheme/{published.reference}/")

    # Signed in as the developer of the draft.
    browser_user.sign_in("developer")
    walk.collect("after sign-in")
    ref = drafting.reference
    for label, path in [
        ("my work", "/"), ("register", "/policies/"), ("notifications", "/notifications/"),
        ("change password", "/account/password/"), ("new policy", "/policies/new/"),
        ("published policy", f"/policies/{published.reference}/"),
    ] + [(f"policy {section or 'overview'}", f"/policies/{ref}/{section}") for section in [
        "", "statement/", "sops/new/", "eia/", "workbook/", "consultation/", "monitoring/", "versions/",
        "timeline/",
    ]]:
        walk.visit(label, path)
    walk.visit("not found", "/policies/POL-9999/", status=404)

    # The account pages are new: axe-core on them as they stand and with errors.
    walk.visit("change password", "/account/password/")
    browser_user.assert_accessible("change password")
    walk.page.fill("#id_old_password", "not my password")
    with walk.page.expect_navigation():
        walk.page.click("form#main-form button[type=submit]")
    expect(walk.page.locator(".govuk-error-summary")).to_contain_text("The current password is not right")
    browser_user.assert_accessible("change password with errors")
    walk.collect("change password with errors")

    # htmx: the register's search updates in place (its request and swap run under the policy).
    walk.visit("register", "/policies/")
    with walk.page.expect_response(lambda response: "q=body" in response.url):
        walk.page.locator("#id_q").press_sequentially("body", delay=40)
    expect(walk.page.locator("main")).to_contain_text("Body-worn video")
    walk.collect("register searched")

    # The editor: it starts (its modules come through the nonce'd import map), takes typing, and saves.
    walk.visit("statement editor", f"/policies/{ref}/statement/edit/")
    browser_user.wait_for_editors()
    editor = walk.page.locator(".prose-editor:has(> #id_statement) > .ProseMirror")
    editor.click()
    walk.page.keyboard.press("ControlOrMeta+End")
    walk.page.keyboard.type("Officers record every use of the camera.")
    walk.page.keyboard.press("ControlOrMeta+b")
    walk.page.keyboard.type(" Always.")
    expect(editor.locator("strong")).to_have_text(" Always.")
    with walk.page.expect_navigation():
        walk.page.click("form#main-form button[type=submit]")
    walk.collect("statement saved")
    statement = Policy.objects.get(pk=drafting.pk).current_version.statement
    assert "Officers record every use of the camera." in statement
    assert re.search(r"<strong>(\s|&nbsp;)?Always\.</strong>", statement), statement

    walk.assert_none()
