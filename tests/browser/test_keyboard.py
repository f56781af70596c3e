"""With the keyboard alone (issue 17): the skip link followed by a form that fails keeps the focus on the error
summary; links styled as buttons are links, followed with Enter; the editor's toolbar is one tab stop moved along
with the arrow keys; Tab leaves an editor table; the editor's dialogs show where the focus is. No mouse: only Tab,
Enter, Space and arrows."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lifecycle.models import Policy

pytestmark = pytest.mark.django_db(transaction=True)

ACTIVE = "() => { const e = document.activeElement; return e ? (e.id || e.className || e.tagName) : null; }"


def tab_until(page, predicate: str, limit: int = 60, key: str = "Tab") -> None:
    """Press Tab until ``predicate`` (a JavaScript expression on ``el``, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!({predicate}); }}"):
            return
    raise AssertionError(f"{predicate} never got the focus (last: {page.evaluate(ACTIVE)})")


def sign_in_by_keyboard(browser, username: str) -> None:
    page = browser.page
    page.context.clear_cookies()
    browser.goto("/sign-in/")
    tab_until(page, "el.id === 'id_username'")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("policyhub-demo")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()


def submit_by_keyboard(page) -> None:
    """Enter on the focused submit button, waiting for the answer's page itself. ``wait_for_load_state`` after the key
    press returned at once, for the page being left was already loaded; the check then ran while the POST was in
    flight and its context was destroyed by the navigation (CI, stop 27)."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def focus_after_load(page) -> str:
    # The bug: focus reached the error summary, then was lost to <body> within a few milliseconds.
    page.wait_for_timeout(300)
    return page.evaluate("() => document.activeElement.className")


def test_skip_link_then_a_failing_form_keeps_the_focus_on_the_error_summary(browser_user, people):
    browser, page = browser_user, browser_user.page
    sign_in_by_keyboard(browser, "developer")

    # My work: the skip link is the first tab stop; it moves the focus to the main content without "#main-content".
    browser.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('govuk-skip-link')")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"
    assert "#main-content" not in page.url

    # A link styled as a button is a link (tests/core/test_links_are_links.py): announced as one and followed with
    # Enter, with JavaScript or without.
    tab_until(page, "el.textContent.trim() === 'Start a new policy'")
    assert page.evaluate("() => [document.activeElement.tagName, document.activeElement.getAttribute('role')]") == [
        "A", None]
    page.keyboard.press("Enter")
    page.wait_for_url("**/policies/new/")

    # The skip link, then the form sent empty: the error summary has the focus and keeps it.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    tab_until(page, "el.textContent.trim() === 'Start the policy'")
    submit_by_keyboard(page)
    assert "govuk-error-summary" in focus_after_load(page)
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('.govuk-error-summary__list')")

    # An address that still carries "#main-content" (an old skip kept across a redirect) loses it at once, so the
    # browser's jump to it cannot take the focus from the next error summary.
    browser.goto("/")
    browser.goto("/policies/new/#main-content")
    assert page.evaluate("() => location.hash") == ""
    tab_until(page, "el.textContent.trim() === 'Start the policy'")
    submit_by_keyboard(page)
    assert "govuk-error-summary" in focus_after_load(page)
    browser.assert_accessible("new policy with errors, reached by keyboard")


def test_the_editor_toolbar_is_one_tab_stop_and_tab_leaves_a_table(browser_user, people, policy_in):
    policy = policy_in("development")
    browser, page = browser_user, browser_user.page
    sign_in_by_keyboard(browser, "developer")
    browser.goto(f"/policies/{policy.reference}/statement/edit/")
    browser.wait_for_editors()
    toolbar = ".prose-editor:has(> #id_statement) > .prose-menubar"
    assert page.locator(f"{toolbar}[role=toolbar]").count() == 1

    # One tab stop: into the toolbar, and the next Tab is already in the editor.
    tab_until(page, f"el.closest('{toolbar}')")
    assert page.locator(f'{toolbar} [tabindex="0"]').count() == 1
    first = page.evaluate("() => document.activeElement.outerHTML")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.outerHTML") != first
    assert page.evaluate(f"() => !!document.activeElement.closest('{toolbar}')")
    page.keyboard.press("End")
    page.keyboard.press("Home")
    assert page.evaluate("() => document.activeElement.outerHTML") == first

    # Arrow to "Insert table" and open its dialog with Enter; the focused control in it is clearly marked.
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('.ProseMirror')")
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(f"() => !!document.activeElement.closest('{toolbar}')")
    tab_until(page, "el.getAttribute('title') === 'Insert table' || el.getAttribute('aria-label') === 'Insert table'",
              key="ArrowRight")
    page.keyboard.press("Enter")
    dialog = page.locator(".prose-editor-dialog[open]")
    expect(dialog).to_be_visible()
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, background: s.backgroundColor}; }""")
    assert style["outline"].startswith("solid 3px rgb(255, 221, 0)") or style["background"] == "rgb(255, 221, 0)", style
    tab_until(page, "el.type === 'submit'")
    assert page.evaluate("() => getComputedStyle(document.activeElement).backgroundColor") == "rgb(255, 221, 0)"
    page.keyboard.press("Enter")
    expect(dialog).to_have_count(0)

    # In the table, Tab leaves the editor: no row is added and the focus moves on.
    rows = page.locator(".ProseMirror table tr").count()
    assert rows > 0 and page.evaluate("() => !!window.getSelection().anchorNode.parentElement.closest('td, th')")
    page.keyboard.press("Tab")
    assert not page.evaluate("() => !!document.activeElement.closest('.ProseMirror')")
    assert page.locator(".ProseMirror table tr").count() == rows
    assert Policy.objects.filter(pk=policy.pk).exists()


def keyboard_step(browser, reference: str, slug: str, *, radios: tuple[str, ...] = (), text: dict | None = None,
                  success: str = "") -> None:
    """Take one step of the cycle with the keyboard alone: Tab to its link on the policy page (styled as a button),
    Enter, then the form (Space checks the first choice of each radio group named; text is typed), and Enter on its
    button."""
    page = browser.page
    browser.goto(f"/policies/{reference}/")
    tab_until(page, f"el.getAttribute('href') === '/policies/{reference}/actions/{slug}/'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/policies/{reference}/actions/{slug}/")
    for name in radios:
        tab_until(page, f"el.name === '{name}'")
        page.keyboard.press("Space")
    for name, value in (text or {}).items():
        tab_until(page, f"el.name === '{name}'")
        page.keyboard.type(value)
    tab_until(page, "el.type === 'submit' && !!el.closest('#main-form')")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_be_visible()
    if success:
        expect(banner).to_contain_text(success)


def test_the_whole_cycle_with_the_keyboard_alone(browser_user, people):
    from lifecycle import workflow
    from tests.factories import fill_development, fill_scoping

    browser = browser_user
    policy = people.policy(title="Keyboard-only policy")
    reference = policy.reference
    # What the documents say is filled through the services (the forms are walked elsewhere); every step is taken
    # here with Tab, Space, arrows, typing and Enter.
    fill_scoping(policy, people)
    sign_in_by_keyboard(browser, "developer")
    keyboard_step(browser, reference, "request-commissioning", success="Commissioning requested")
    sign_in_by_keyboard(browser, "lead")
    keyboard_step(browser, reference, "commission", text={"comments": "Agreed."})
    fill_development(Policy.objects.get(pk=policy.pk), people)
    sign_in_by_keyboard(browser, "developer")
    keyboard_step(browser, reference, "submit-for-qa")
    for username in ("pcu_qa", "dcfd", "doi"):
        sign_in_by_keyboard(browser, username)
        keyboard_step(browser, reference, "quality-assurance", radios=("discipline", "outcome"))
    sign_in_by_keyboard(browser, "coordinator")
    keyboard_step(browser, reference, "forward-to-lead", success=workflow.FORWARD_TO_LEAD.page.success)
    sign_in_by_keyboard(browser, "lead")
    today = timezone.localdate()
    keyboard_step(browser, reference, "decide", radios=("decision",), text={
        "comments": "Approved.", "meeting_on-day": str(today.day), "meeting_on-month": str(today.month),
        "meeting_on-year": str(today.year), "minute_reference": "COG/2026/22"},
                  success="Next: Send to Policy Co-ordination Unit (PCU) for publication")
    sign_in_by_keyboard(browser, "coordinator")
    keyboard_step(browser, reference, "forward-for-publication")
    sign_in_by_keyboard(browser, "pcu")
    keyboard_step(browser, reference, "publish", success="Publication recorded.")
    assert Policy.objects.get(pk=policy.pk).status == "implementation"
