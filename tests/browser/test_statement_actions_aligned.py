"""The Policy Statement page's "Edit the Policy Statement" button and its "Download as PDF" link stood on one line with
the link's text on the button's baseline margin, below the button's middle (found by the tenth session's walk). As
GOV.UK's button group sets them: side by side at a desktop width, the link's text level with the button's, and one
above the other at 320 px. Checked in Chromium."""

import pytest

from tests.factories import make_people

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_edit_button_and_the_pdf_link_are_aligned(browser_user):
    people = make_people()
    policy = people.policy(title="Taser deployment recording")
    browser = browser_user
    browser.sign_in(people.developer.username)
    page = browser.page
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        browser.goto(f"/policies/{policy.reference}/statement/")
        button = page.get_by_role("link", name="Edit the Policy Statement").bounding_box()
        link = page.get_by_role("link", name="Download as PDF").bounding_box()
        if width == 1280:
            assert link["x"] > button["x"] + button["width"], (button, link)
            middle = button["y"] + button["height"] / 2
            assert abs(link["y"] + link["height"] / 2 - middle) <= 2, (button, link)
        else:
            assert link["y"] >= button["y"] + button["height"], (button, link)
        browser.step(f"developer: the statement's actions at {width} px")
    assert browser.overflow() == {}
