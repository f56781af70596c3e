"""The rich-text editor and the sanitiser agree: everything the editor can produce survives sanitising, and
the sanitiser keeps nothing the editor cannot edit. The editor's own static files are served by the app (no CDN)."""

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django_prose_editor.config import allowlist_from_extensions, expand_extensions

from core.html import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    RICH_TEXT_EXTENSIONS,
    URL_SCHEMES,
    clean_rich_text,
    sanitise_rich_text,
    sanitise_rich_text_report,
)
from lifecycle.forms import SOPEditForm, StatementForm


def editor_allowlist() -> dict:
    return allowlist_from_extensions(expand_extensions(RICH_TEXT_EXTENSIONS))


def test_every_tag_the_editor_can_produce_survives_sanitising():
    allowlist = editor_allowlist()
    assert allowlist["tags"] <= ALLOWED_TAGS, allowlist["tags"] - ALLOWED_TAGS
    # Headings below the page's own h1 only, and no images, spans or classes.
    assert {"h1", "img", "span", "div"}.isdisjoint(allowlist["tags"])


def test_the_sanitiser_keeps_nothing_the_editor_cannot_edit():
    # b and i are read by the editor as strong and em; every other tag kept must be one the editor offers.
    assert ALLOWED_TAGS - editor_allowlist()["tags"] == {"b", "i"}
    # th scope is kept for accessibility (a header's direction); the editor writes th without it, harmlessly.
    for tag, attributes in ALLOWED_ATTRIBUTES.items():
        assert attributes - {"scope"} <= set(editor_allowlist()["attributes"].get(tag, ())), tag


def test_every_attribute_the_editor_can_produce_survives_sanitising():
    for tag, attributes in editor_allowlist()["attributes"].items():
        # rel on links is set by the sanitiser itself (noopener noreferrer), whatever the editor wrote.
        kept = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        assert set(attributes) <= kept, (tag, set(attributes) - kept)


def test_the_editor_links_only_to_the_schemes_the_sanitiser_keeps():
    assert editor_allowlist()["url_schemes"] == URL_SCHEMES


@pytest.mark.parametrize("html", [
    # What Tiptap's getHTML() writes for each thing on the toolbar (tables less the colgroup and inline
    # min-width styles it adds, which the sanitiser drops without losing any content).
    "<h2>Policy</h2><h3>Scope</h3><h4>Exceptions</h4>",
    "<p>Officers <strong>must</strong> <em>always</em> <u>record</u> <s>note</s> the grounds.</p>",
    "<ul><li><p>one</p></li><li><p>two</p></li></ul><ol><li><p>first</p></li></ol>",
    '<ol start="3" type="a" data-type="lower-alpha"><li><p>third</p></li></ol>',
    "<blockquote><p>Quoted from the Code of Ethics.</p></blockquote><hr><p>line<br>break</p>",
    '<p><a href="https://intranet.example/policy" rel="noopener noreferrer">guidance</a></p>',
    '<table><tbody><tr><th colspan="1" rowspan="1"><p>Role</p></th></tr>'
    '<tr><td colspan="1" rowspan="1"><p>Inspector</p></td></tr></tbody></table>',
])
def test_editor_output_is_kept_exactly(html):
    assert sanitise_rich_text(html) == html
    assert sanitise_rich_text_report(html) == (html, [])


def test_what_the_editor_adds_and_the_sanitiser_drops_harmlessly_is_not_reported():
    table = ('<table style="min-width: 50px"><colgroup><col style="min-width: 25px"></colgroup><tbody><tr>'
             '<td colspan="1" rowspan="1" colwidth="120"><p>x</p></td></tr></tbody></table>'
             '<p><a target="_blank" rel="noopener noreferrer nofollow" href="https://intranet.example/">g</a></p>')
    clean, removed = sanitise_rich_text_report(table)
    assert removed == []
    assert clean == ('<table><tbody><tr><td colspan="1" rowspan="1"><p>x</p></td></tr></tbody></table>'
                     '<p><a href="https://intranet.example/" rel="noopener noreferrer">g</a></p>')


@pytest.mark.parametrize(("typed", "kept", "reported"), [
    # An unclosed <style> or <script> used to swallow everything after it.
    ("<p>Before</p><style>p {color: red}<p>After the style</p>",
     "<p>Before</p>&lt;style&gt;p {color: red}<p>After the style</p>",
     ["an unclosed <style> tag (kept as text, with what follows it)"]),
    ("<p>Before</p><SCRIPT src=x><p>After the script</p>",
     '<p>Before</p>&lt;SCRIPT src=x&gt;<p>After the script</p>',
     ["an unclosed <script> tag (kept as text, with what follows it)"]),
    ("<p>Before<!-- a note never closed <p>After the comment</p>",
     "<p>Before&lt;!-- a note never closed </p><p>After the comment</p>",
     ["an unclosed comment (kept as text, with what follows it)"]),
    ("<p>One</p><script>x</script><p>Two</p><script>y",
     "<p>One</p><p>Two</p>&lt;script&gt;y",
     ["an unclosed <script> tag (kept as text, with what follows it)", "<script> element and everything in it"]),
    ('<p style="color:red">A <a href="javascript:alert(1)">link</a><span>s</span></p><!-- note -->',
     '<p>A <a rel="noopener noreferrer">link</a>s</p>',
     ["style attribute on <p>", "link to a javascript: address", "<span> tag", "comment"]),
])
def test_the_sanitiser_reports_what_it_removed_and_keeps_the_text_after_an_unclosed_tag(typed, kept, reported):
    assert sanitise_rich_text_report(typed) == (kept, reported)
    assert sanitise_rich_text(typed) == kept


@pytest.mark.parametrize("hostile", ["<!--" * 125_000, "</" * 250_000, "<a " * 166_000, "<script>" * 62_000,
                                     '<p x="' * 80_000, "<" * 500_000,
                                     # One long word, no ":" after it: looking for a link's scheme from every
                                     # letter of it took 8.5 s at 20,000 letters and froze the server for minutes
                                     # at 450,000 (QA walk of 2026-12-06).
                                     "<p>" + "A" * 60_000 + "</p>", "a.b-+" * 12_000, "x" * 499_990 + ":"])
def test_the_report_takes_linear_time_on_hostile_input(hostile):
    # stdlib HTMLParser took 90 s on the first two, and escaping openings one copy at a time 76 s on the first.
    import time

    started = time.perf_counter()
    sanitise_rich_text_report(hostile)
    assert time.perf_counter() - started < 5


def test_a_scheme_is_looked_for_only_at_the_start_of_a_word():
    # What keeps the search linear: from inside a word the pattern fails at once instead of reading the rest.
    from core.html import _URL_SCHEME

    assert _URL_SCHEME.match("xjavascript:", 1) is None
    assert [m.group(1) for m in _URL_SCHEME.finditer('<a href="javascript:x">mailto: a; b(https:</a>')] == [
        "javascript", "mailto", "https"]


def nested_lists(levels: int) -> str:
    return "<ul><li><p>Item</p>" * levels + "</li></ul>" * levels


def test_lists_nested_deeper_than_a_pdf_can_print_are_refused_with_a_clear_message():
    # 70 lists inside one another made the draft's PDF a 500 (WeasyPrint's recursion; QA walk of 2026-12-06).
    with pytest.raises(ValidationError) as refused:
        clean_rich_text(nested_lists(70), label="Policy Statement")
    assert refused.value.messages == [
        "Policy Statement has lists, quotes or tables nested more than 12 deep. Nest them less deeply: PolicyHub "
        "could not print it."]
    assert refused.value.code == "too_deep"
    assert clean_rich_text(nested_lists(12), label="Policy Statement") == nested_lists(12)
    with pytest.raises(ValidationError):
        clean_rich_text(nested_lists(13), label="Policy Statement")


def test_nesting_is_counted_and_not_fooled_by_markup_in_an_attribute():
    from core.html import nesting_depth

    assert nesting_depth('<p><a title="<ul><ul><ul>" href="https://x.example/">x</a></p><hr><p>a<br>b</p>') == 0
    assert nesting_depth('<ul><li><a title="<ol><ol>">x</a></li></ul><blockquote><table><tbody><tr><td><ol><li>'
                         'y</li></ol></td></tr></tbody></table></blockquote>') == 3
    assert nesting_depth(sanitise_rich_text("<blockquote>" * 20)) == 20


@pytest.mark.parametrize("deep", ["<blockquote>" * 40_000, "<div>" * 80_000, "<b><i>" * 70_000])
def test_text_nested_deeper_than_any_document_is_refused_before_it_is_parsed(deep):
    # The parser takes time in the square of the depth: 100,000 <blockquote>s took over a minute to sanitise. (Within
    # MAX_RICH_TEXT_LENGTH: longer text is refused for its length first.)
    import time

    started = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        clean_rich_text(deep, label="Policy Statement")
    assert time.perf_counter() - started < 5
    assert refused.value.messages == ["Policy Statement has markup nested more than 200 deep (elements inside one "
                                      "another). Nest it less deeply."]


def test_typed_html_is_not_counted_deeper_than_the_parser_nests_it():
    from core.html import typed_depth

    # Paragraphs and items the parser closes by itself, void elements and links do not nest: counted as the parser
    # nests them (a list and its item are two deep; tests/core/test_rich_text_work.py compares with the parser).
    assert typed_depth("<p>One<p>Two<br><hr><ul><li>a<li>b</ul>" * 1000 + "<a href=x>l" * 500) == 2
    assert typed_depth("<ul><li><ol><li>x</ol></ul></ul></ul><div>") == 4


def test_the_statement_form_sanitises_and_treats_an_empty_editor_as_empty():
    form = StatementForm(data={"statement": "<p></p>", "summary_of_changes": "", "base_revision": 3})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["statement"] == ""

    # Markup the sanitiser would remove is named to the author, not dropped silently; the form keeps it typed.
    hostile = '<p onclick="steal()">Kept<script>alert(1)</script></p><img src=x onerror=alert(2)>'
    form = StatementForm(data={"statement": hostile, "summary_of_changes": "", "base_revision": 3})
    assert not form.is_valid()
    assert form.errors["statement"] == [
        "Policy Statement contains markup PolicyHub does not keep: onclick attribute on <p>; <script> element "
        "and everything in it; <img> tag. Remove it, or use the editor, which offers only what is kept."]
    assert "&lt;script&gt;alert(1)" in str(form["statement"])
    # What the services store is sanitised whatever the form did.
    assert sanitise_rich_text(hostile) == "<p>Kept</p>"


def test_the_statement_form_refuses_text_over_the_limit():
    form = StatementForm(data={"statement": "x" * 500_001, "base_revision": 1})
    assert not form.is_valid()
    assert "statement" in form.errors


def test_the_editor_widget_is_a_labelled_textarea_with_its_configuration():
    form = SOPEditForm(initial={"title": "Recording", "text": "<p>Start recording.</p>", "base_revision": 1})
    html = str(form["text"])
    # Without JavaScript this textarea is the editor: it carries the GOV.UK class and the current text.
    assert html.startswith("<textarea")
    assert 'class="govuk-textarea"' in html
    assert 'id="id_text"' in html
    assert "&lt;p&gt;Start recording.&lt;/p&gt;" in html
    assert "data-django-prose-editor-configurable" in html
    assert "&quot;Heading&quot;:{&quot;levels&quot;:[2,3,4]}" in html


def test_the_editor_media_is_served_by_the_app():
    media = str(StatementForm().media)
    assert '<script type="importmap"' in media
    assert "http://" not in media and "https://" not in media and "//cdn" not in media
    for path in ("django_prose_editor/editor.js", "django_prose_editor/configurable.js",
                 "django_prose_editor/editor.css", "django_prose_editor/material-icons.css",
                 "django_prose_editor/material-icons.woff2"):
        assert f"/static/{path}" in media or path.endswith(".woff2")
        assert finders.find(path), path


@pytest.mark.parametrize("empty", ["<p></p>", "<p><br></p>", " <p></p> ", "<p><script>x</script></p>"])
def test_an_empty_editor_is_an_empty_text_whichever_way_it_arrives(empty):
    # The sanitiser itself decides this, so the services store "" for a blank editor however it was posted.
    assert sanitise_rich_text(empty) == ""
