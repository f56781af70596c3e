"""At 320 px the footer's links and text stood at the screen's edge (x = 1.6 px), outside the margin every other part
of the page keeps (found by the twelfth session, in the statement page's screenshot). PCU's e-mail address, one
word wider than the column, set the footer's least width, so GOV.UK's footer row overflowed its container and was
centred on it. Nothing scrolled sideways, so the overflow check did not see it. Checked in Chromium: every line of
the footer starts inside the page's margin, as the header's does."""

import pytest

from tests.factories import make_people

pytestmark = pytest.mark.django_db(transaction=True)

EDGES = """() => {
  const container = document.querySelector('.govuk-header .govuk-width-container').getBoundingClientRect();
  return {left: container.left, right: container.right,
          footer: [...document.querySelectorAll('.govuk-footer a, .govuk-footer p')].map(e => {
            const r = e.getBoundingClientRect(); return [e.textContent.trim().slice(0, 40), r.left, r.right]; })};
}"""


def test_the_footer_keeps_the_pages_margin_at_320_px(browser_user):
    people = make_people()
    browser = browser_user
    browser.sign_in(people.developer.username)
    page = browser.page
    page.set_viewport_size({"width": 320, "height": 900})
    for path in ("/", "/help/"):
        browser.goto(path)
        edges = page.evaluate(EDGES)
        assert edges["left"] == 15, edges
        outside = [(text, left, right) for text, left, right in edges["footer"]
                   if left < edges["left"] or right > edges["right"] + 0.5]
        assert outside == [], (path, outside)
    browser.screenshot("footer at 320 px")
