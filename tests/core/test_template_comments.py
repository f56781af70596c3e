"""A Django comment, ``{# … #}``, ends on the line it starts on: one that runs over two lines is not a comment but
page text, shown to everyone and read out by screen readers (QA walk of 2026-12-06: the note on the banners in
templates/base.html stood above every "Success" and "There is a problem" banner). Longer notes are
``{% comment %}``."""

from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    path for path in ROOT.rglob("*.html")
    if "templates" in path.parts and not {".venv", "node_modules", "static", "staticfiles"} & set(path.parts)
)


def test_the_project_has_templates_to_read():
    assert len(TEMPLATES) > 100
    assert ROOT / "templates" / "base.html" in TEMPLATES


def test_no_comment_runs_over_a_line():
    broken = [
        f"{path.relative_to(ROOT)}:{token.lineno}"
        for path in TEMPLATES
        for token in Lexer(path.read_text()).tokenize()
        if token.token_type == TokenType.TEXT and "{#" in token.contents
    ]
    assert not broken, f"{{# comments #}} over more than one line (use {{% comment %}}): {broken}"
