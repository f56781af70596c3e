"""The comparison of two versions, with its SOPs, Workbook and EIA (tests/web/test_compare_every_document.py), passes
axe-core and fits 320 px. Checked in Chromium, screenshots kept."""

import pytest

from tests.factories import make_people
from tests.web.test_compare_every_document import returned_and_redrafted

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_comparison_of_every_document_is_accessible(browser_user):
    people = make_people()
    policy = returned_and_redrafted(people)
    browser = browser_user
    browser.sign_in(people.developer.username)
    browser.goto(f"/policies/{policy.reference}/versions/compare/?from=1.0&to=1.1")
    assert browser.page.get_by_text("DPIA reference DP-2026-114.").count() == 1
    browser.assert_accessible("compare 1.0 and 1.1, every document")
    browser.assert_fits("compare 1.0 and 1.1, every document")
    browser.screenshot("developer: compare 1.0 and 1.1")
