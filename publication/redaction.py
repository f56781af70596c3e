"""The public copy of a SOP with parts withheld (pure functions: no database, no network).

SOP, "Definitions": "Policy owners should consider publishing their SOPs via the MPS Publication Scheme ...
However, SOPs that are not on the MPS Publication Scheme may be requested under the Freedom of Information Act".
A part withheld is a top-level block of the frozen, sanitised SOP text (a paragraph, heading, list, table or
quote), numbered from 1, so that PCU names it by what the reader sees and the number never depends on markup
inside it. The withheld text never reaches the public copy: the block is replaced whole."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

# Elements with no end tag: at the top level each is a block by itself.
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                           "track", "wbr"})


@dataclass(frozen=True)
class Block:
    number: int
    html: str

    @property
    def text(self) -> str:
        return _text_of(self.html)


class _BlockSplitter(HTMLParser):
    """Offsets of the top-level elements (and of non-blank top-level text) in one pass: linear in the input."""

    def __init__(self, source: str):
        super().__init__(convert_charrefs=True)
        self.source = source
        self.line_starts = [0]
        for index, char in enumerate(source):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.depth = 0
        self.spans: list[tuple[int, int]] = []
        self.open_at: int | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self._offset()
        end = start + len(self.get_starttag_text() or "")
        if self.depth == 0:
            if tag in VOID_ELEMENTS:
                self.spans.append((start, end))
                return
            self.open_at = start
        if tag not in VOID_ELEMENTS:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            start = self._offset()
            self.spans.append((start, start + len(self.get_starttag_text() or "")))

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0 and self.open_at is not None:
            start = self._offset()
            close = self.source.find(">", start)
            self.spans.append((self.open_at, (close + 1) if close >= 0 else len(self.source)))
            self.open_at = None

    def handle_data(self, data):
        if self.depth == 0 and data.strip():
            start = self._offset()
            self.spans.append((start, start + len(data)))


def html_blocks(html: str) -> list[Block]:
    """The top-level blocks of ``html``, numbered from 1."""
    html = html or ""
    splitter = _BlockSplitter(html)
    splitter.feed(html)
    splitter.close()
    if splitter.open_at is not None:  # an element left open runs to the end
        splitter.spans.append((splitter.open_at, len(html)))
    return [Block(number, html[start:end]) for number, (start, end) in enumerate(splitter.spans, start=1)]


class _TextOnly(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _text_of(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def redaction_notice_html(exemption_label: str) -> str:
    return ('<div class="app-redacted govuk-inset-text" role="note"><p><strong>Withheld.</strong> This part is '
            f"exempt from publication under the Freedom of Information Act 2000, {escape(exemption_label)}.</p></div>")


def redacted_html(html: str, withheld: dict[int, str]) -> str:
    """``html`` with each block numbered in ``withheld`` replaced by a notice naming its exemption (the label)."""
    if not withheld:
        return html or ""
    return "\n".join(
        redaction_notice_html(withheld[block.number]) if block.number in withheld else block.html
        for block in html_blocks(html)
    )
