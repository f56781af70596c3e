"""Pages a QA walk (QA10, 2026-12-06) found short of the rest, tried in Chromium with axe-core: each one named here
passes with no violations."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_important_banners_have_their_own_names(browser_user, people):
    """QA10 item 11: two versions asked for that are not there gave two "Important" banners, two landmarks with one
    name (axe landmark-unique)."""
    policy = people.policy(title="Body-worn video")
    browser_user.sign_in("developer")
    response = browser_user.goto(f"/policies/{policy.reference}/versions/compare/?from=9.9&to=zz")
    assert response.status == 200
    assert browser_user.page.locator(".govuk-notification-banner").count() == 2
    browser_user.step("compare: two versions not there")


def test_a_form_address_opened_as_a_page(browser_user, people):
    """QA10 item 12: a POST-only address opened as a page was an empty 405 ("This page isn't working")."""
    browser_user.sign_in("developer")
    response = browser_user.goto("/notifications/read/")
    assert response.status == 405
    assert browser_user.page.locator("h1").inner_text() == "This address only accepts a form"
    browser_user.step("405: a form's address opened as a page")


def test_the_sign_in_and_password_pages_with_their_errors(browser_user, people):
    """QA10 item 8: the sign-in and account pages in GOV.UK words, with the service's name in the header."""
    page = browser_user.page
    browser_user.goto("/sign-in/")
    browser_user.submit("button:has-text('Sign in')")
    assert page.title().startswith("Error: Sign in")
    assert page.locator(".govuk-error-summary").inner_text().count("Enter your") == 2
    browser_user.step("sign-in: nothing typed")
    browser_user.goto("/account/password/reset/")
    browser_user.submit("form#main-form button[type=submit]")
    browser_user.step("password reset: nothing typed")
    browser_user.sign_in("developer")
    browser_user.goto("/account/password/")
    browser_user.submit("form#main-form button[type=submit]")
    assert "Enter your current password" in page.locator(".govuk-error-summary").inner_text()
    browser_user.step("password change: nothing typed")


def test_the_pages_with_a_new_back_link(browser_user, people):
    """QA10 item 13: form pages and the dashboard's sub-pages with their GOV.UK back link."""
    browser_user.sign_in("developer")
    browser_user.goto("/policies/")
    browser_user.goto("/policies/new/")
    assert browser_user.page.locator("a.govuk-back-link").get_attribute("href") == "/policies/"
    browser_user.step("start a new policy, with its back link")
    browser_user.sign_in("pcu")
    for path in ("/dashboard/indicators/", "/dashboard/report/", "/dashboard/remedial-actions/",
                 "/dashboard/acknowledgements/"):
        browser_user.goto(path)
        assert browser_user.page.locator("a.govuk-back-link").count() == 1, path
        browser_user.step(f"dashboard sub-page {path}")
