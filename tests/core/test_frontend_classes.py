"""Every GOV.UK Frontend class the service writes is one GOV.UK Frontend still has. Its version 6 renamed the header's
home link (``govuk-header__link--homepage`` became ``govuk-header__homepage-link``) and dropped the light-blue and
blue tag modifiers (blue became the default): the force's name in every page's header showed in the browser's
default link blue, underlined, on the blue bar, and three stages' tags lost their colours (found by the twelfth
session's Chromium walk). A class counts as GOV.UK Frontend's when its compiled stylesheet defines it or its own
component templates write it (markup hooks such as ``govuk-table__row``)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
GOVUK = BASE / "frontend" / "node_modules" / "govuk-frontend" / "dist" / "govuk"
CLASS = re.compile(r"(?<![\w-])govuk-[a-z0-9]+(?:[-_][a-z0-9]+)*(?:__[a-z0-9-]+)?(?:--[a-z0-9-]+)?")
# Written by the service, not classes: template variables and JavaScript module names.
SOURCES = ("**/templates/**/*.html", "**/templatetags/*.py", "**/forms.py", "**/widgets.py", "core/*.py")


def _ours() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for pattern in SOURCES:
        for path in BASE.glob(pattern):
            if any(part in {".venv", "node_modules", "tests", "static"} for part in path.parts):
                continue
            for match in CLASS.finditer(path.read_text()):
                used.setdefault(match.group(0), set()).add(str(path.relative_to(BASE)))
    return used


def _govuk_frontends() -> set[str]:
    css = (BASE / "static" / "css" / "application.css").read_text()
    known = set(re.findall(r"\.(govuk-[\w-]+)", css))
    for template in [*GOVUK.glob("**/template*.html"), *GOVUK.glob("**/*.njk")]:
        known |= set(CLASS.findall(template.read_text()))
    return known


def test_every_govuk_class_the_service_writes_is_one_govuk_frontend_has():
    known = _govuk_frontends()
    unknown = {name: sorted(paths) for name, paths in _ours().items()
               if name not in known and not name.startswith("govuk-js-")}
    assert unknown == {}
