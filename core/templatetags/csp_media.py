"""Form media (the editor's import map and scripts) rendered with the response's CSP nonce."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from js_asset import Media

register = template.Library()

# The rich-text editor's (django-prose-editor's) icon font, and the stylesheet that asks for it.
EDITOR_ICONS_CSS = "django_prose_editor/material-icons.css"
EDITOR_ICONS_FONT = "django_prose_editor/material-icons.woff2"


@register.filter
def with_csp_nonce(media, nonce):
    """``{{ form.media|with_csp_nonce:CSP_NONCE }}``: the import map is an inline script, which the
    Content-Security-Policy runs only when it carries the nonce.

    With the editor, its icon font is preloaded first. Otherwise the browser asks for it only once the editor's
    script has built the toolbar, after the page has loaded; until the font arrives the buttons' icon ligatures are
    words ("format_bold", "undo"), faint and misnamed (CI's axe check met them). The preload runs nothing: no nonce."""
    rendered = Media.from_media(media, nonce=str(nonce)).render()
    if not any(EDITOR_ICONS_CSS in sheets for sheets in getattr(media, "_css", {}).values()):
        return SafeString(rendered)
    preload = format_html('<link rel="preload" href="{}" as="font" type="font/woff2" crossorigin>',
                          static(EDITOR_ICONS_FONT))
    return SafeString(f"{preload}\n{rendered}")
