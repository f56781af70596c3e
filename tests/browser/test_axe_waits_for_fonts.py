"""The accessibility check judges the page a user sees. CI once ran axe on the statement editor before its icon font
(Material Icons, served by the app) had arrived: the toolbar's buttons then read "format_bold", "undo"... as plain
text, and axe reported a name mismatch and low contrast that no user meets once the font has drawn the icons.

Here the font is held back by a second, as a slow network or a busy machine would: the check must wait for it."""

from __future__ import annotations

import pytest

from tests.browser.test_keyboard import sign_in_by_keyboard

pytestmark = pytest.mark.django_db(transaction=True)

FONT_DELAY_MS = 1500


def test_axe_waits_for_the_editor_icon_font(browser_user, policy_in):
    policy = policy_in("development")
    browser, page = browser_user, browser_user.page
    sign_in_by_keyboard(browser, "developer")

    def late_font(route):
        page.wait_for_timeout(FONT_DELAY_MS)
        route.continue_()

    page.route("**/material-icons*.woff2", late_font)
    # Not waiting for the load event, which a font requested early holds back: on a busy machine the editor draws its
    # toolbar after that event, and so asks for the font later (what CI met).
    page.goto(f"{browser.base_url}/policies/{policy.reference}/statement/edit/", wait_until="domcontentloaded")
    assert browser.axe_violations() == []
    # The font did arrive, and the icons are drawn by it (not a fallback face).
    assert page.evaluate("() => document.fonts.check('24px \"Material Icons\"')")


def test_the_editor_icon_font_is_fetched_once_with_the_page(browser_user, policy_in):
    policy = policy_in("development")
    browser, page = browser_user, browser_user.page
    sign_in_by_keyboard(browser, "developer")
    browser.goto(f"/policies/{policy.reference}/statement/edit/")
    browser.wait_for_editors()
    fetched = page.evaluate("() => performance.getEntriesByType('resource')"
                            ".filter(entry => entry.name.includes('material-icons') && entry.name.endsWith('.woff2'))"
                            ".map(entry => entry.initiatorType)")
    # Asked for by the preload (initiator "link"), and the stylesheet's own request served from it: once.
    assert fetched == ["link"]
    assert page.evaluate("() => document.fonts.check('24px \"Material Icons\"')")
