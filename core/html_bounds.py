"""How much work typed rich text would give the HTML parser, counted before it is parsed (STYLE rule 19: bounded work
per request).

html5ever (in nh3) takes time in the square of how deep elements lie inside one another, and it re-opens every
formatting element left open (a <b> not closed before its paragraph ends) in each paragraph, list item or cell after
it (the adoption agency algorithm and "reconstruct the active formatting elements" of the HTML standard, 13.2.6).
So the typed text is read once, in linear time, the way the parser's tokenizer reads it (comments, attribute values
and the text of <textarea>, <title>, <script>, <style>... hide no tags), and its elements are followed on a stack as
the parser's tree builder would open and close them, erring on the deep side: an end tag closes an element only when
the standard says it surely does (it names an element still open, in scope, with nothing between that the parser
stops at). An end tag the parser ignores (</x> with no <x> open) closes nothing here either: counting every end tag
as a close let "<ul></x>" * 62,000 pass as one level deep, and stall a worker for 35 s (review of 2026-12-06).

Anything the count does not follow exactly (SVG and MathML, <plaintext>, a <script> holding "<!--") is counted as
never closing, from there to the end: no policy text uses them, and the sanitiser removes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Elements that hold nothing (never on the parser's stack), and those the parser ignores inside a fragment's body.
VOID = {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input",
        "keygen", "link", "meta", "param", "source", "track", "wbr", "html", "head", "body", "frameset"}
# The formatting elements (13.2.4.3): left open, the parser re-opens them after a block closes.
FORMATTING = {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"}
# An element "in scope" is found without passing one of these (13.2.4.2).
SCOPE = {"applet", "caption", "html", "table", "td", "th", "marquee", "object", "template"}
# The "special" elements, where "any other end tag" and a formatting element's end tag stop (13.2.4.2).
SPECIAL = SCOPE | {
    "address", "area", "article", "aside", "base", "basefont", "bgsound", "blockquote", "body", "br", "button",
    "center", "col", "colgroup", "dd", "details", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption",
    "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup",
    "hr", "iframe", "img", "input", "keygen", "li", "link", "listing", "main", "menu", "meta", "nav", "noembed",
    "noframes", "noscript", "ol", "p", "param", "plaintext", "pre", "script", "search", "section", "select",
    "source", "style", "summary", "tbody", "textarea", "tfoot", "thead", "title", "tr", "track", "ul", "wbr", "xmp",
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# End tags that close the nearest element of their name in scope, whatever lies between (13.2.6.4.7).
CLOSE_IN_SCOPE = {"address", "article", "aside", "blockquote", "button", "center", "details", "dialog", "dir", "div",
                  "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "listing", "main", "menu",
                  "nav", "ol", "pre", "search", "section", "summary", "ul", "applet", "marquee", "object", "dd", "dt"}
# Start tags that close an open <p> first ("close a p element" when a p is in button scope).
CLOSE_P = (CLOSE_IN_SCOPE - {"applet", "marquee", "object", "button"}) | HEADINGS | {
    "p", "hr", "xmp", "li", "table", "form", "plaintext"}
# Elements that open a new section of the active formatting elements (a "marker"): closing them drops what was
# left open inside them.
MARKERS = {"applet", "marquee", "object", "template", "td", "th", "caption"}
TABLE_PARTS = {"caption", "colgroup", "tbody", "thead", "tfoot", "tr", "td", "th"}
# Their text is text, whatever it looks like, until their own end tag (RCDATA and RAWTEXT, 13.2.5).
RAW_TEXT = {"textarea", "title", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "script"}
# Counted as never closing, and everything after them too (see the module's docstring).
NOT_FOLLOWED = {"svg", "math", "plaintext", "template", "select", "ruby", "rb", "rt", "rp", "rtc", "frameset"}

_SPACE = "\t\n\f\r "
# A tag as the tokenizer reads it: its name, then attributes (a quote opens a value only after "="), to the first
# ">" outside a value. Possessive and atomic, so it never backtracks: it matches in one pass or fails, and it fails
# only where the text ends inside the tag (the tokenizer then drops the tag, and there is nothing after it).
_TAG = re.compile(
    r"<(/?)([a-zA-Z][^\t\n\f\r />]*+)"
    r"(?>[\t\n\f\r ]++|/(?!>)|[^\t\n\f\r />][^\t\n\f\r />=]*+"
    r"(?:(?=[\t\n\f\r ]*+=)(?>[\t\n\f\r ]*+=[\t\n\f\r ]*+"
    r"(?:\"[^\"]*+\"|'[^']*+'|(?=>)|[^\t\n\f\r >\"'][^\t\n\f\r >]*+))"
    r"|(?![\t\n\f\r ]*+=)))*+"
    r"(/?)>"
)
_COMMENT = re.compile(r"<!--(?:>|->|.*?--!?>)", re.DOTALL)
_BOGUS_COMMENT = re.compile(r"<(?:!|\?|/(?![a-zA-Z>]))[^>]*+>?")
_OPENING = re.compile(r"<([a-zA-Z][^\t\n\f\r />]*+)")
# Where markup can start: any other "<" is text.
_MARKUP = re.compile(r"<[a-zA-Z!/?]")


@dataclass(frozen=True)
class Work:
    depth: int  # how deep the parser could nest elements
    reopened: int  # how many formatting elements it could re-open, in all


class _Count:
    """The parser's stack of open elements as far as the count follows it, and the formatting elements it left open
    off the stack (``dangling``, per marker), each found in constant time, so the count stays linear."""

    def __init__(self):
        self.stack: list[str] = []
        self.where: dict[str, list[int]] = {}
        self.scope_at: list[int] = []
        self.special_at: list[int] = []
        self.heading_at: list[int] = []
        self.item_barrier_at: list[int] = []  # special elements other than address, div and p (they stop <li>)
        self.table_at: list[int] = []
        self.markers: list[tuple[int, int]] = []  # (stack index of the marker element, len(dangling) then)
        self.dangling: list[str] = []
        self.lists_of: dict[str, tuple[list[int], ...]] = {}
        self.never_closing = 0  # elements counted as never closing
        self.deepest = 0
        self.reopened = 0

    @property
    def depth(self) -> int:
        return len(self.stack) + len(self.dangling) + self.never_closing

    def note(self) -> None:
        self.deepest = max(self.deepest, self.depth)

    def positions_of(self, name: str) -> tuple[list[int], ...]:
        """The lists of stack positions an element of this name is entered in (each name's looked up once)."""
        lists = self.lists_of.get(name)
        if lists is None:
            lists = (self.where.setdefault(name, []),) + tuple(
                positions for positions, kind in (
                    (self.scope_at, SCOPE), (self.special_at, SPECIAL), (self.heading_at, HEADINGS),
                    (self.item_barrier_at, SPECIAL - {"address", "div", "p"}), (self.table_at, {"table"}))
                if name in kind)
            self.lists_of[name] = lists
        return lists

    def push(self, name: str) -> None:
        index = len(self.stack)
        self.stack.append(name)
        for positions in self.positions_of(name):
            positions.append(index)
        if name in MARKERS:
            self.markers.append((index, len(self.dangling)))
        self.deepest = max(self.deepest, index + 1 + len(self.dangling) + self.never_closing)

    def pop_to(self, index: int) -> None:
        """Pop the element at ``index`` and every element above it; the formatting elements above it stay open off
        the stack (the parser re-opens them), except those a marker popped with them closes."""
        while len(self.stack) > index:
            name = self.stack.pop()
            for positions in self.lists_of[name]:
                positions.pop()
            if name in MARKERS and self.markers and self.markers[-1][0] == len(self.stack):
                del self.dangling[self.markers.pop()[1]:]
            elif name in FORMATTING and len(self.stack) != index:
                self.dangling.append(name)

    def nearest(self, name: str) -> int:
        positions = self.where.get(name)
        return positions[-1] if positions else -1

    def in_scope(self, index: int, boundaries: list[int]) -> bool:
        """Whether nothing in ``boundaries`` lies above ``index``."""
        return index >= 0 and (not boundaries or boundaries[-1] <= index)

    def reconstruct(self) -> None:
        """The parser re-opens the formatting elements left open since the last marker, here."""
        if not self.dangling:
            return
        start = self.markers[-1][1] if self.markers else 0
        if len(self.dangling) > start:
            again = self.dangling[start:]
            del self.dangling[start:]
            self.reopened += len(again)
            for name in again:
                self.push(name)

    def start(self, name: str) -> None:
        if name in {"hr", "xmp", "plaintext"}:
            self.close_p()
        if name in VOID:
            if name in {"br", "img", "image", "input", "area", "embed", "keygen", "wbr"}:
                self.reconstruct()
            return
        if name in TABLE_PARTS and not self.table_at:
            return  # outside a table the parser ignores them
        if name in CLOSE_P:
            self.close_p()
            if name in HEADINGS and self.stack and self.stack[-1] in HEADINGS:
                self.pop_to(len(self.stack) - 1)
            if name == "li":
                self.close_item({"li"})
            elif name in {"dd", "dt"}:
                self.close_item({"dd", "dt"})
        elif name in {"td", "th"}:
            self.close_table_part({"td", "th"})
            self.open_implied({"tbody", "thead", "tfoot"}, "tbody")
            self.open_implied({"tr"}, "tr")
        elif name == "tr":
            self.close_table_part({"td", "th"})
            self.close_table_part({"tr"})
            self.open_implied({"tbody", "thead", "tfoot"}, "tbody")
        elif name in {"tbody", "thead", "tfoot"}:
            self.close_table_part({"td", "th"})
            self.close_table_part({"tr"})
            self.close_table_part({"tbody", "thead", "tfoot"})
        elif name in {"option", "optgroup"}:
            if self.stack and self.stack[-1] == "option":
                self.pop_to(len(self.stack) - 1)
            self.reconstruct()
        elif name == "button":
            index = self.nearest("button")
            if self.in_scope(index, self.scope_at):
                self.pop_to(index)
            self.reconstruct()
        elif name == "a":
            self.end_formatting("a")  # a new link closes the one left open (the adoption agency algorithm)
            self.reconstruct()
        elif name not in {"table", "textarea", "iframe", "noembed", "noframes", "noscript", "caption", "colgroup",
                          "form"}:
            self.reconstruct()
        self.push(name)

    def close_p(self) -> None:
        index = self.nearest("p")
        button = self.nearest("button")
        if self.in_scope(index, self.scope_at) and button < index:
            self.pop_to(index)

    def close_item(self, names: set[str]) -> None:
        """A new <li> (<dd>, <dt>) closes the one open, unless a special element other than address, div or p
        lies between."""
        index = max(self.nearest(name) for name in names)
        if index >= 0 and (not self.item_barrier_at or self.item_barrier_at[-1] <= index):
            self.pop_to(index)

    def close_table_part(self, names: set[str]) -> None:
        """A cell, row or row group closes the one of ``names`` open in the same table."""
        index = max(self.nearest(name) for name in names)
        if self.in_scope(index, self.table_at):
            self.pop_to(index)

    def open_implied(self, names: set[str], implied: str) -> None:
        """A cell or row typed straight into a table: the parser opens the row group (and row) it goes in."""
        if max(self.nearest(name) for name in names) < self.table_at[-1]:
            self.push(implied)

    def end(self, name: str) -> None:
        if self.stack and self.stack[-1] == name and name not in FORMATTING:
            self.pop_to(len(self.stack) - 1)  # the current element's own end tag closes it, whichever rule applies
        elif name == "p":
            if not self.in_scope(self.nearest("p"), self.scope_at):
                self.deepest = max(self.deepest, self.depth + 1)  # the parser opens an empty <p> and closes it
            self.close_p()
        elif name == "li":
            # In list item scope: no <ul> or <ol> either between.
            index = self.nearest("li")
            if self.in_scope(index, self.scope_at) and max(self.nearest("ul"), self.nearest("ol")) < index:
                self.pop_to(index)
        elif name in HEADINGS:
            index = self.heading_at[-1] if self.heading_at else -1
            if self.in_scope(index, self.scope_at):
                self.pop_to(index)
        elif name in CLOSE_IN_SCOPE:
            index = self.nearest(name)
            if self.in_scope(index, self.scope_at):
                self.pop_to(index)
        elif name == "table":
            index = self.nearest("table")
            if index >= 0:
                self.pop_to(index)
        elif name in {"td", "th", "tr", "tbody", "thead", "tfoot", "caption"}:
            index = self.nearest(name)
            if index >= 0 and self.in_scope(index, self.table_at):
                self.pop_to(index)
        elif name == "form":
            if self.stack and self.stack[-1] == "form":
                self.pop_to(len(self.stack) - 1)
        elif name in FORMATTING:
            self.end_formatting(name)
        elif name not in VOID:
            # "Any other end tag": the nearest element of its name, if no special element lies above it.
            index = self.nearest(name)
            if index >= 0 and (not self.special_at or self.special_at[-1] < index):
                self.pop_to(index)

    def end_formatting(self, name: str) -> None:
        """A formatting element's end tag (the adoption agency algorithm): one left open off the stack is simply
        forgotten; one on the stack is closed only when no special element lies above it (with one above, the
        parser moves elements about but the depth does not shrink)."""
        start = self.markers[-1][1] if self.markers else 0
        if name in self.dangling[start:]:
            position = len(self.dangling) - 1 - self.dangling[::-1].index(name)
            del self.dangling[position]
            return
        index = self.nearest(name)
        marker = self.markers[-1][0] if self.markers else -1
        if index > marker and (not self.special_at or self.special_at[-1] < index):
            self.pop_to(index)


def rich_text_work(value: str, *, stop_depth: int, stop_reopened: int) -> Work:
    """How deep the parser could nest ``value``'s elements and how many formatting elements it could re-open, read
    in one pass; it stops reading once either is over its ``stop_`` bound (the answer is then over it too)."""
    count = _Count()
    position, length = 0, len(value)
    while position < length and count.deepest <= stop_depth and count.reopened <= stop_reopened:
        markup = _MARKUP.search(value, position)
        opening = markup.start() if markup else -1
        if opening < 0:
            if value[position:].strip(_SPACE):
                count.reconstruct()
            break
        if opening > position:
            count.reconstruct()  # text (even white space, in a body) re-opens what was left open
        position = opening
        tag = _TAG.match(value, position)
        if tag is None:
            comment = _COMMENT.match(value, position) if value.startswith("<!--", position) else None
            if comment is not None:
                position = comment.end()
            elif value.startswith("<!--", position):
                break  # a comment never closed: the rest is comment
            elif (bogus := _BOGUS_COMMENT.match(value, position)) is not None:
                if not bogus.group().endswith(">"):
                    break
                position = bogus.end()
            elif value[position + 1] != "/" or value[position + 2:position + 3].isalpha():
                break  # the text ends inside a tag: the tokenizer drops it, and nothing follows
            else:
                position += 2  # "</>", which the tokenizer drops
            continue
        position = tag.end()
        closing, name = tag.group(1), tag.group(2).lower()
        if closing:
            count.end(name)
            continue
        if name in NOT_FOLLOWED:
            if name == "plaintext":
                count.close_p()
            _count_rest_as_open(count, value, opening)
            break
        if name in RAW_TEXT:
            if name == "xmp":
                count.close_p()
            ends = re.compile(rf"</{name}(?=[{_SPACE}/>])", re.IGNORECASE).search(value, position)
            if name == "script" and "<!--" in value[position:ends.start() if ends else length]:
                _count_rest_as_open(count, value, opening)
                break
            # Its text is read as text, but it and what looks like a tag in it are counted as open for good, in
            # case the parser reads them otherwise (<noscript>, or a <title> or <style> inside SVG).
            count.never_closing += 1 + len(_OPENING.findall(value, position, ends.start() if ends else length))
            count.note()
            if ends is None:
                break
            position = ends.start()
            continue
        count.start(name)
    return Work(depth=count.deepest, reopened=count.reopened)


def _count_rest_as_open(count: _Count, value: str, position: int) -> None:
    count.never_closing += len(_OPENING.findall(value, position))
    count.note()
