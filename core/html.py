"""Rich text: edited in the browser with django-prose-editor (ProseMirror/Tiptap), sanitised on the way in with
nh3 (the Ammonia sanitiser) so that only structural markup survives.

The sanitiser is the authority: services call `sanitise_rich_text` whatever the form did, so text that arrives
without the editor (JavaScript off, a script, an old draft) is held to the same rule. The editor and the
sanitiser allow the same markup (checked both ways in tests/core/test_rich_text.py): nothing formatted in the
editor is dropped on save, and nothing saved without the editor loses its formatting when the editor opens it.
"""

import re

import nh3
from django import forms
from django.core.exceptions import ValidationError
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import ProseEditorWidget

from core.exceptions import ApplicationError
from core.html_bounds import Work, rich_text_work

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "u", "s", "ul", "ol", "li", "h2", "h3", "h4",
    "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
    # Older spellings of bold and italic, which the editor reads as strong and em.
    "b", "i",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    # The editor's list properties: where the numbering starts and its style (1, a, A, i, I).
    "ol": {"start", "type", "data-type"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_RICH_TEXT_LENGTH = 500_000

# What the editor offers. Headings start at level 2: the page's own heading is the level 1.
RICH_TEXT_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    # Policy authors want the browser's spelling check, which the editor turns off by default.
    "NoSpellCheck": False,
}


# ProseMirror always keeps one (empty) paragraph: an editor with nothing typed in it is an empty text.
EMPTY_EDITOR = {"<p></p>", "<p><br></p>"}


# Elements whose content the sanitiser drops with them (nh3 drops script and style content; html5ever puts
# template, svg and math content where the sanitiser cannot keep it).
DROPPED_WITH_CONTENT = {"script", "style", "template", "svg", "math"}
# What the editor itself writes that the sanitiser drops with nothing lost: Tiptap's table column widths, and
# a link's rel (the sanitiser sets its own). Not worth telling the author about.
EDITOR_NOISE_TAGS = {"colgroup", "col"}
EDITOR_NOISE_ATTRIBUTES = {("a", "rel"), ("a", "target"), ("table", "style"), ("td", "colwidth"),
                           ("th", "colwidth"), ("td", "style"), ("th", "style")}
# An opening <script> or <style> with no closing tag after it makes the browser's parser (and nh3's) read
# everything to the end as script: the rest of the text used to vanish. Such an opening is escaped instead,
# so it and the text after it are kept as text. The same for a comment that is never closed.
_UNCLOSED = {
    name: (re.compile(rf"<{name}(?=[\s/>]|$)", re.IGNORECASE), re.compile(rf"</{name}[\s/>]", re.IGNORECASE))
    for name in ("script", "style")
}
_COMMENT_OPEN = re.compile(r"<!--(?!-?>)")
_COMMENT_CLOSE = re.compile(r"--!?>")


def _escape_unclosed(value: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    positions: list[int] = []
    for name, (opening, closing) in _UNCLOSED.items():
        last_close = max((match.start() for match in closing.finditer(value)), default=-1)
        unclosed = [match.start() for match in opening.finditer(value) if match.start() > last_close]
        if unclosed:
            notes.append(f"an unclosed <{name}> tag (kept as text, with what follows it)")
            positions += unclosed
    last_close = max((match.start() for match in _COMMENT_CLOSE.finditer(value)), default=-1)
    unclosed = [match.start() for match in _COMMENT_OPEN.finditer(value) if match.start() > last_close]
    if unclosed:
        notes.append("an unclosed comment (kept as text, with what follows it)")
        positions += unclosed
    pieces, start = [], 0
    for position in sorted(positions):  # one pass, not a copy of the text per opening (that was quadratic)
        pieces += [value[start:position], "&lt;"]
        start = position + 1
    pieces.append(value[start:])
    return "".join(pieces), notes


_CANDIDATE_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)")
_CANDIDATE_ATTRIBUTE = re.compile(r"""[\s"'/]([a-zA-Z_:][-a-zA-Z0-9_:.]*)""")
# A scheme starts a word: from inside one the look-behind fails at once. Without it the search read the rest of the
# word from each of its letters, looking for a ":" (quadratic: one 450,000-letter word froze the server for
# minutes, QA walk of 2026-12-06; STYLE rule 19).
_URL_SCHEME = re.compile(r"(?<![a-zA-Z0-9+.-])([a-zA-Z][a-zA-Z0-9+.-]*):")
# html5ever's serialisation (what nh3 returns) is canonical: text has < escaped, attribute values are always
# double-quoted with " escaped, comments and raw-text elements are always closed. So one linear pass of this
# pattern over it finds every comment, raw-text element and start tag exactly.
_CANONICAL_TOKEN = re.compile(
    r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1>|<([a-zA-Z][^\s/>]*)(?:\s+[^\s=\"'>/]+(?:=\"[^\"]*\")?)*\s*/?>",
    re.DOTALL,
)


def _census(value: str) -> list[str]:
    """What the sanitiser will remove, in the order it first appears: elements, attributes, links to
    addresses it does not keep, comments. Read from a permissive pass of the same parser (so it is exactly what
    the browser would parse), in linear time whatever the input (stdlib HTMLParser is quadratic on some)."""
    removed: dict[str, None] = {}
    tag_names = {name.lower() for name in _CANDIDATE_TAG.findall(value)}
    attribute_names = {name.lower() for name in _CANDIDATE_ATTRIBUTE.findall(value)}
    # Every scheme-like word, so the permissive pass keeps a javascript: link for the filter to see.
    schemes = {scheme.lower() for scheme in _URL_SCHEME.findall(value)} | URL_SCHEMES

    def attribute_seen(tag: str, name: str, attr_value: str) -> str:
        if tag in DROPPED_WITH_CONTENT or tag not in ALLOWED_TAGS:
            return attr_value
        if tag == "a" and name == "href":
            scheme = _URL_SCHEME.match(re.sub(r"[\x00-\x20]", "", attr_value))
            if scheme and scheme.group(1).lower() not in URL_SCHEMES:
                removed.setdefault(f"link to a {scheme.group(1).lower()}: address")
        elif name not in ALLOWED_ATTRIBUTES.get(tag, set()) and (tag, name) not in EDITOR_NOISE_ATTRIBUTES:
            removed.setdefault(f"{name} attribute on <{tag}>")
        return attr_value

    canonical = nh3.clean(value, tags=tag_names, attributes={"*": attribute_names}, link_rel=None,
                          strip_comments=False, clean_content_tags=set(), url_schemes=schemes,
                          attribute_filter=attribute_seen)
    for match in _CANONICAL_TOKEN.finditer(canonical):
        tag = (match.group(1) or match.group(2) or "").lower()
        if not tag:
            removed.setdefault("comment")
        elif tag in DROPPED_WITH_CONTENT:
            removed.setdefault(f"<{tag}> element and everything in it")
        elif tag not in ALLOWED_TAGS and tag not in EDITOR_NOISE_TAGS:
            removed.setdefault(f"<{tag}> tag")
    return list(removed)


# Lists, quotes and tables inside one another, as deep as a document may nest them. WeasyPrint, which prints every
# PDF, recurses once per level: about 70 lists deep it failed and the draft's PDF was a 500 (QA walk of
# 2026-12-06). No policy needs a twelfth list inside a list.
MAX_NESTING = 12
NESTING_TAGS = {"ul", "ol", "blockquote", "table"}
_CANONICAL_TAG = re.compile(
    r"<!--.*?-->|<(/?)([a-zA-Z][^\s/>]*)(?:\s+[^\s=\"'>/]+(?:=\"[^\"]*\")?)*\s*/?>", re.DOTALL)


def nesting_depth(clean: str) -> int:
    """How deep lists, quotes and tables lie inside one another in sanitised text (html5ever's canonical
    serialisation: every such element closed, text's < escaped, attribute values double-quoted), in one pass."""
    depth = deepest = 0
    for match in _CANONICAL_TAG.finditer(clean):
        if (match.group(2) or "").lower() in NESTING_TAGS:
            depth += -1 if match.group(1) else 1
            deepest = max(deepest, depth)
    return deepest


# The parser itself (html5ever, in nh3) takes time in the square of how deep elements lie inside one another:
# 20,000 <blockquote>s took 2.5 s to sanitise and 3.6 s to report on, 100,000 over a minute. And it re-opens each
# formatting element left open in every paragraph after it: six left open three times over, then 60,000 short
# paragraphs, took 15.9 s and came out 10.2 MB (review of 2026-12-06). So before anything is parsed, the typed text is
# read once (core.html_bounds) for how deep the parser could nest it and how much it could re-open, and text beyond
# what any document needs is refused unparsed, at every entry point: the forms, the services, and a form's text shown
# back when nothing was saved (lifecycle.typed_back).
MAX_TYPED_NESTING = 200
MAX_REOPENED_FORMATTING = 10_000


def _work(value: str) -> Work:
    return rich_text_work(_escape_unclosed(value)[0], stop_depth=MAX_TYPED_NESTING,
                          stop_reopened=MAX_REOPENED_FORMATTING)


def typed_depth(value: str) -> int:
    """How deep the parser could nest the elements of ``value`` (once over MAX_TYPED_NESTING, a depth over it)."""
    return _work(value).depth


def refuse_unbounded_rich_text(value: str, label: str) -> None:
    """A ValidationError, before any parsing, for typed rich text that would take the parser more work than any
    document needs: longer than MAX_RICH_TEXT_LENGTH, nested too deep, or re-opening formatting too often."""
    if len(value) > MAX_RICH_TEXT_LENGTH:
        raise ValidationError(f"{label} must be {MAX_RICH_TEXT_LENGTH:,} characters or fewer", code="too_long")
    work = _work(value)
    if work.depth > MAX_TYPED_NESTING:
        raise ValidationError(f"{label} has markup nested more than {MAX_TYPED_NESTING} deep (elements inside one "
                              "another). Nest it less deeply.", code="too_deep")
    if work.reopened > MAX_REOPENED_FORMATTING:
        raise ValidationError(
            f"{label} leaves bold, italic, underline or other formatting open where a paragraph, list item or table "
            f"cell ends, so it would be carried into each one after it (over {MAX_REOPENED_FORMATTING:,} times). "
            "Close each formatting tag in the paragraph where it opens (for example </strong> before </p>), or use "
            "the editor.", code="formatting_left_open")


def sanitise_rich_text_bounded(value: str | None, *, label: str, field: str) -> str:
    """What a service stores: ``sanitise_rich_text``, its refusal of unbounded text as an ApplicationError on
    ``field``. The services call it whatever the form did (STYLE rule 19)."""
    try:
        return sanitise_rich_text(value, label=label)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], code=error.code, field=field) from error


def _refuse_too_deep(clean: str, label: str) -> str:
    if nesting_depth(clean) > MAX_NESTING:
        raise ValidationError(
            f"{label} has lists, quotes or tables nested more than {MAX_NESTING} deep. Nest them less deeply: "
            "PolicyHub could not print it.", code="too_deep")
    return clean


def _clean(value: str) -> str:
    clean = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()
    return "" if clean in EMPTY_EDITOR else clean


# Every way into the parser (the two sanitisers below) refuses, before parsing, text that would take it more work than
# any document needs (``refuse_unbounded_rich_text``; review of 2026-12-06, HIGH: one POST held a worker 10-100 s).
# The refusal lives here, not with each caller, so that no new caller can forget it.


def sanitise_rich_text_report(value: str | None, *, label: str = "The text") -> tuple[str, list[str]]:
    """The sanitised text, and what was removed from it (or changed to keep the text), described for the
    author: nothing is dropped silently. A ValidationError, before any parsing, for unbounded text."""
    if not value:
        return "", []
    refuse_unbounded_rich_text(value, label)
    escaped, notes = _escape_unclosed(value)
    return _clean(escaped), notes + _census(escaped)


def sanitise_rich_text(value: str | None, *, label: str = "The text") -> str:
    """What services store: the report's text, without the census (the services do not talk to the author). A
    ValidationError, before any parsing, for unbounded text (a service's refusal: ``sanitise_rich_text_bounded``)."""
    if not value:
        return ""
    refuse_unbounded_rich_text(value, label)
    return _clean(_escape_unclosed(value)[0])


def clean_rich_text(value: str | None, *, label: str = "The text") -> str:
    """A form's check of rich text typed without the editor: the sanitised text, or a ValidationError naming
    what the sanitiser would remove, so the author decides (the form keeps what was typed)."""
    clean, removed = sanitise_rich_text_report(value, label=label)
    if removed:
        listed = "; ".join(removed[:8]) + ("; and more" if len(removed) > 8 else "")
        raise ValidationError(
            f"{label} contains markup PolicyHub does not keep: {listed}. Remove it, or use the editor, which "
            "offers only what is kept.", code="removed_markup")
    return _refuse_too_deep(clean, label)


class RichTextField(ProseEditorFormField):
    """A form field edited with the rich-text editor; without JavaScript it is a plain textarea of HTML.
    Markup the sanitiser would remove is refused with a message naming it (``refuse_removed=False`` to
    sanitise quietly instead); the editor only writes what is kept."""

    def __init__(self, *args, refuse_removed: bool = True, **kwargs):
        kwargs.setdefault("max_length", MAX_RICH_TEXT_LENGTH)
        kwargs.setdefault("widget", ProseEditorWidget(attrs={"rows": 18}))
        self.refuse_removed = refuse_removed
        super().__init__(*args, extensions=dict(RICH_TEXT_EXTENSIONS), sanitize=sanitise_rich_text, **kwargs)

    def clean(self, value):
        text = forms.CharField.clean(self, value)
        if not self.refuse_removed:
            return _refuse_too_deep(sanitise_rich_text(text, label=self.label or "The text"), self.label or "The text")
        return clean_rich_text(text, label=self.label or "The text")
