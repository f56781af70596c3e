"""Rich text: edited in the browser with django-prose-editor (ProseMirror/Tiptap), sanitised on the way in with
nh3 (the Ammonia sanitiser) so that only structural markup survives.

The sanitiser is the authority: services call `sanitise_rich_text` whatever the form did, so text that arrives
without the editor (JavaScript off, a script, an old draft) is held to the same rule. The editor and the
sanitiser allow the same markup (checked both ways in tests/core/test_rich_text.py): nothing formatted in the
editor is dropped on save, and nothing saved without the editor loses its formatting when the editor opens it.
"""

import nh3
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import ProseEditorWidget

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


def sanitise_rich_text(value: str | None) -> str:
    if not value:
        return ""
    clean = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()
    return "" if clean in EMPTY_EDITOR else clean


class RichTextField(ProseEditorFormField):
    """A form field edited with the rich-text editor; without JavaScript it is a plain textarea of HTML."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_RICH_TEXT_LENGTH)
        kwargs.setdefault("widget", ProseEditorWidget(attrs={"rows": 18}))
        super().__init__(*args, extensions=dict(RICH_TEXT_EXTENSIONS), sanitize=sanitise_rich_text, **kwargs)
