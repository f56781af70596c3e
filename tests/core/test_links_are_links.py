"""A link styled as a button is announced as a link, not as a button (QA walk of 2026-12-06, LOW): with
``role="button"`` a screen reader says "button", and a button is pressed with Space, which only GOV.UK Frontend's
JavaScript adds to a link; with JavaScript off (every core flow works without it) Space did nothing, or scrolled the
page. Each of these links goes to a page, as a link does: without the role it is announced as one and followed with
Enter, with or without JavaScript (WCAG 4.1.2, the name, role and value a control exposes)."""

import re

from tests.core.test_template_comments import ROOT, TEMPLATES

LINK_AS_BUTTON = re.compile(r"<a\b[^>]*\brole=\"button\"", re.DOTALL)


def test_no_link_says_it_is_a_button():
    found = [f"{path.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}"
             for path in TEMPLATES for text in [path.read_text()] for match in LINK_AS_BUTTON.finditer(text)]
    assert not found, f'links with role="button" (a link is followed with Enter, a button pressed with Space): {found}'
