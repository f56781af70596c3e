"""What a page says, as a reader meets it (issue 17): its text in document order, without the head, scripts,
styles, form values, option lists (which cannot hold markup), code and SVG, nor what its authors wrote (rich text:
``.app-rich-text``; free text people typed: ``.app-user-text``).

Two checks read it, used by the page walk (tests/web/test_every_page.py) and the axe walk in the browser:
- ``abbreviation_faults``: the first use of each abbreviation must be expanded there, in words, and marked up,
  "Policy Co-ordination Unit (<abbr title="Policy Co-ordination Unit">PCU</abbr>)" (what ``{% abbr %}`` and
  ``{% abbreviate %}`` write); an abbreviation the glossary does not know is a fault too, unless it is one everyone
  knows (``WELL_KNOWN``).
- ``date_faults``: a date written another way than the service's one format (core.dates): "2 Mar 2026",
  "02 March 2026", "02/03/2026", "2026-03-02".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from core.glossary import GLOSSARY, PLURALS

SKIPPED_TAGS = {"head", "script", "style", "template", "textarea", "option", "title", "svg", "code", "pre",
                "noscript"}
SKIPPED_CLASSES = {"app-rich-text", "app-user-text"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
INLINE_TAGS = {"a", "abbr", "b", "bdi", "bdo", "cite", "data", "del", "dfn", "em", "i", "ins", "kbd", "mark", "q",
               "s", "small", "span", "strong", "sub", "sup", "time", "u", "var", "label", "button"}

# Capitals that are not abbreviations to expand: a protective marking, a policy's reference prefix, and file types
# and standards everyone knows (GOV.UK style: "you do not need to explain abbreviations that are well known").
WELL_KNOWN = {"OFFICIAL", "SENSITIVE", "POL", "PDF", "CSV", "XLSX", "UK", "SHA", "HTML", "URL", "OK", "ID", "LWI",
              "WCAG", "AA", "II", "III", "IV"}
TOKEN = re.compile(r"\b([A-Z]{2,})(s?)\b")
# A reference made of capitals, numbers and slashes ("POL-0001", a board minute "COG/2024/07", a registered file
# "RF/TP/PP/0058"): a code, not an abbreviation to expand.
REFERENCE_AFTER = re.compile(r"/\w|-\d")
STRAY_DATES = (
    re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? \d{2,4}\b"),
    re.compile(r"\b0\d (?:January|February|March|April|May|June|July|August|September|October|November|December)\b"),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
)


class PageText(HTMLParser):
    """``text``: what the page says, whitespace collapsed; ``abbrs``: (start, end, title) of each <abbr> in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.abbrs: list[tuple[int, int, str]] = []
        self._stack: list[tuple[str, bool, int | None, str]] = []  # (tag, skipped, abbr start, abbr title)

    @property
    def _skipped(self) -> bool:
        return any(skipped for _, skipped, _, _ in self._stack)

    def _space(self) -> None:
        if self.text and not self.text.endswith(" "):
            self.text += " "

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in INLINE_TAGS:
            self._space()
        if tag in VOID_TAGS:
            return
        classes = set((attributes.get("class") or "").split())
        # What a person is typing in an editor (contenteditable) is theirs, as a textarea's value is.
        skipped = (tag in SKIPPED_TAGS or bool(classes & SKIPPED_CLASSES) or "hidden" in attributes
                   or "contenteditable" in attributes)
        self._stack.append((tag, skipped, len(self.text) if tag == "abbr" else None, attributes.get("title") or ""))

    def handle_startendtag(self, tag, attrs):
        if tag not in INLINE_TAGS:
            self._space()

    def handle_endtag(self, tag):
        if not any(open_tag == tag for open_tag, *_ in self._stack):
            return
        while self._stack:
            open_tag, _, start, title = self._stack.pop()
            if open_tag == "abbr" and start is not None:
                self.abbrs.append((start, len(self.text), title))
            if open_tag == tag:
                break
        if tag not in INLINE_TAGS:
            self._space()

    def handle_data(self, data):
        if self._skipped:
            return
        data = re.sub(r"\s+", " ", data)
        if self.text.endswith(" ") or not self.text:
            data = data.lstrip()
        self.text += data


def read(html: str) -> PageText:
    page = PageText()
    page.feed(html)
    page.close()
    return page


def _around(text: str, start: int, end: int) -> str:
    return "…" + text[max(0, start - 60):end + 20] + "…"


def abbreviation_faults(html: str) -> list[str]:
    page = read(html)
    faults, seen = [], set()
    for match in TOKEN.finditer(page.text):
        short, plural = match.group(1), bool(match.group(2))
        if (short in seen or short in WELL_KNOWN or REFERENCE_AFTER.match(page.text, match.end())
                or page.text[match.start() - 1:match.start()] == "/"):
            continue
        seen.add(short)
        if short not in GLOSSARY:
            faults.append(f"{short}: not in the glossary (core.glossary), so never expanded: "
                          f"{_around(page.text, match.start(), match.end())}")
            continue
        expansion = PLURALS.get(short) if plural and short in PLURALS else GLOSSARY[short]
        marked = any(start <= match.start() and match.end() <= end and title in (GLOSSARY[short], PLURALS.get(short))
                     for start, end, title in page.abbrs)
        # "Policy Co-ordination Unit (PCU)"; or, in a glossary, the abbreviation then its expansion ("PCU Policy
        # Co-ordination Unit": a <dt> and its <dd>).
        expanded = (page.text[:match.start()].lower().endswith(f"{expansion} (".lower())
                    or page.text[match.end():].lstrip(" :–-").lower().startswith(expansion.lower()))
        if not (marked and expanded):
            faults.append(f"{short}: first used {'unmarked and ' if not marked else ''}"
                          f"{'without its expansion' if not expanded else 'outside an <abbr>'}: "
                          f"{_around(page.text, match.start(), match.end())}")
    return faults


def date_faults(html: str) -> list[str]:
    text = read(html).text
    return [f"{match.group(0)!r}: {_around(text, match.start(), match.end())}"
            for pattern in STRAY_DATES for match in pattern.finditer(text)]
