"""Typed rich text is refused before it is parsed when it would take the parser more work than any document needs
(STYLE rule 19; review of 2026-12-06). The count read end tags the parser ignores as closing something, so
"<ul></x>" * 62,000 passed as one level deep and took 35 s to sanitise and 107 s to report on; comments, attribute
values and <li><dd> in turn hid depth the same way; and formatting left open, re-opened by the parser in each of
60,000 paragraphs, took 15.9 s and came out 10.2 MB. No timing is asserted: the tests assert what is counted and
that the parser is never called."""

from __future__ import annotations

import re

import nh3
import pytest
from django.core.exceptions import ValidationError

from core.exceptions import ApplicationError
from core.html import (
    MAX_REOPENED_FORMATTING,
    MAX_TYPED_NESTING,
    clean_rich_text,
    refuse_unbounded_rich_text,
    sanitise_rich_text,
    sanitise_rich_text_bounded,
    typed_depth,
)
from core.html_bounds import rich_text_work

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SERIALISED_TAG = re.compile(r"<(/?)([a-zA-Z][^\s/>]*)(?:\s+[^\s=\"'>/]+(?:=\"[^\"]*\")?)*\s*/?>")

REOPENING = "<p>" + "<b><i><u><s><strong><em>" * 3 + "</p>" + "<p>x</p>" * 60_000


def parser_depth(value: str) -> int:
    """How deep html5ever nests ``value``'s elements, every element kept, and the row groups and rows it opens for
    cells typed straight into a table (a small input only)."""
    names = {name.lower() for name in re.findall(r"</?([a-zA-Z][a-zA-Z0-9-]*)", value)}
    parsed = nh3.clean(value, tags=names | {"tbody", "tr"}, attributes={}, link_rel=None, clean_content_tags=set())
    depth = deepest = 0
    for match in _SERIALISED_TAG.finditer(parsed):
        if match.group(2).lower() not in VOID:
            depth += -1 if match.group(1) else 1
            deepest = max(deepest, depth)
    return deepest


@pytest.fixture
def never_parsed(monkeypatch):
    """Fails the test if the sanitiser's parser is called."""
    def parse(*args, **kwargs):
        raise AssertionError("the text was parsed")

    monkeypatch.setattr("core.html.nh3.clean", parse)


HIDING_DEPTH = {
    "end tags the parser ignores": "<blockquote></x>",
    "an end tag in a comment": "<blockquote><!--</blockquote>-->",
    "an end tag in an attribute value": '<blockquote title="</blockquote>">',
    "list items and descriptions in turn": "<li><dd>",
    "option groups": "<optgroup>",
    "end tags behind list items and descriptions": "<span><li></span><span><dd></span>",
    "a heading closing another": "<h2><div><h3></h2>",
    "a form's end tag": "<form><div></form>",
    "a formatting element's end tag behind an object": "<b><object></b>",
    "a new paragraph closed by a rule": "<hr><x></section><p title='</div>'>",
    "a cell closed by the row group the parser opened": "<table><td></tbody><tt></big><u></menu><td>",
}


@pytest.mark.parametrize("cycle", HIDING_DEPTH.values(), ids=HIDING_DEPTH.keys())
def test_the_count_is_never_shallower_than_the_parser_nests(cycle):
    assert typed_depth(cycle * 50) >= parser_depth(cycle * 50) >= 50
    assert typed_depth(cycle * 1000) > MAX_TYPED_NESTING


@pytest.mark.parametrize("typed", [
    "<p>One<p>Two<br><hr><ul><li>a<li>b</ul>" * 50,
    "<ul><li><ol><li>x</ol></ul></ul></ul><div>",
    "<table><tr><td>a<td>b<tr><td><p>c</table>" * 20,
    "<p>Kept for <strong>31 days</strong>, <a href=x>see</a>.</p><blockquote><p>q</blockquote>" * 20,
    "<ul><li><p>Item</p>" * 12 + "</li></ul>" * 12,
])
def test_plain_typed_html_is_counted_as_deep_as_the_parser_nests_it(typed):
    assert typed_depth(typed) == parser_depth(typed)


def test_end_tags_the_parser_ignores_leave_the_text_refused_unparsed(never_parsed):
    for deep in ("<ul></x>" * 62_000, "<blockquote></x>" * 1000):
        with pytest.raises(ValidationError) as refused:
            clean_rich_text(deep, label="Policy Statement")
        assert refused.value.code == "too_deep"


def test_formatting_left_open_across_paragraphs_is_refused_unparsed_with_a_clear_message(never_parsed):
    assert rich_text_work(REOPENING, stop_depth=10**9, stop_reopened=10**9).reopened == 18 * 60_000
    with pytest.raises(ValidationError) as refused:
        clean_rich_text(REOPENING, label="Policy Statement")
    assert refused.value.code == "formatting_left_open"
    assert refused.value.messages == [
        f"Policy Statement leaves bold, italic, underline or other formatting open where a paragraph, list item or "
        f"table cell ends, so it would be carried into each one after it (over {MAX_REOPENED_FORMATTING:,} times). "
        "Close each formatting tag in the paragraph where it opens (for example </strong> before </p>), or use the "
        "editor."]


def test_formatting_closed_where_it_opens_is_not_reopened():
    assert rich_text_work("<p><strong>a</strong> <em>b</em></p>" * 1000, stop_depth=10**9,
                          stop_reopened=10**9).reopened == 0
    # One left open is re-opened in each paragraph after it, as the parser does: counted, and kept under the limit.
    assert rich_text_work("<p><b>bold" + "<p>x</p>" * 100, stop_depth=10**9, stop_reopened=10**9).reopened == 100
    assert clean_rich_text("<p><b>bold</p>" + "<p>x</p>" * 100).count("<b>") == 101


def test_the_text_is_read_as_the_tokenizer_reads_it_in_linear_time():
    # A tag the text ends inside is dropped by the tokenizer, with everything after it.
    assert typed_depth('<div title="' + "<blockquote>" * 500) == 0
    # Script and style hide no closing tags (and an unclosed one is kept as text, as the sanitiser keeps it).
    assert typed_depth("<blockquote><style></blockquote></style>" * 300) > MAX_TYPED_NESTING
    assert typed_depth("<p>a</p><script>x" + "<blockquote>" * 300) > MAX_TYPED_NESTING
    for hostile in ("<" * 500_000, "<a " * 166_000, "<!--" * 125_000, "</" * 250_000, '<p x="' * 80_000):
        refuse_unbounded_rich_text(hostile, "The text")


def test_every_service_entry_point_refuses_unbounded_text_before_parsing(never_parsed):
    with pytest.raises(ApplicationError) as refused:
        sanitise_rich_text_bounded("<ul></x>" * 20_000, label="The SOP text", field="text")
    assert (refused.value.field, refused.value.code) == ("text", "too_deep")
    with pytest.raises(ApplicationError) as refused:
        sanitise_rich_text_bounded("x" * 500_001, label="“Introduction”", field="intro")
    assert refused.value.message == "“Introduction” must be 500,000 characters or fewer"
    assert refused.value.field == "intro"


def test_bounded_text_is_sanitised_as_before():
    typed = '<p onclick="x()">Kept</p>'
    kept = sanitise_rich_text_bounded(typed, label="The text", field="text")
    assert kept == sanitise_rich_text(typed) == "<p>Kept</p>"


def test_the_sanitisers_themselves_refuse_unbounded_text_before_parsing(never_parsed):
    """The refusal lives in the sanitisers, not with each caller (the last note's re-read: a new caller of
    ``sanitise_rich_text`` had to remember the bounded variant, or hand the parser unbounded work)."""
    from core.html import sanitise_rich_text_report

    for sanitise in (sanitise_rich_text, sanitise_rich_text_report):
        for unbounded, code in (("<ul></x>" * 20_000, "too_deep"), (REOPENING, "formatting_left_open"),
                                ("x" * 500_001, "too_long")):
            with pytest.raises(ValidationError) as refused:
                sanitise(unbounded, label="The SOP text")
            assert refused.value.code == code, sanitise.__name__
            assert refused.value.messages[0].startswith("The SOP text "), refused.value.messages
