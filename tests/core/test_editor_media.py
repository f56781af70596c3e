"""The rich-text editor's media as a page renders it (core.templatetags.csp_media.with_csp_nonce): each tag carries the
response's CSP nonce, and the editor's icon font is preloaded, so the browser fetches it with the page rather than
once the editor has built its toolbar (until then the buttons' icon ligatures read "format_bold", "undo"...)."""

from __future__ import annotations

import re

from django.forms import Form
from django.templatetags.static import static

from core.templatetags.csp_media import with_csp_nonce
from lifecycle.forms import StatementForm

FONT = "django_prose_editor/material-icons.woff2"


def test_the_editor_media_preloads_its_icon_font_before_its_stylesheet():
    html = str(with_csp_nonce(StatementForm().media, "n0nce"))
    preload = f'<link rel="preload" href="{static(FONT)}" as="font" type="font/woff2" crossorigin>'
    assert preload in html
    assert html.index(preload) < html.index("material-icons.css")
    # Every script and stylesheet still carries the nonce (the preload needs none: it runs nothing).
    tags = re.findall(r"<(?:script|link)[^>]*>", html.replace(preload, ""))
    assert tags and all('nonce="n0nce"' in tag for tag in tags)


def test_media_without_the_editor_preloads_nothing():
    assert "preload" not in str(with_csp_nonce(Form().media, "n0nce"))
