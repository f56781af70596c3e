"""Form media (the editor's import map and scripts) rendered with the response's CSP nonce."""

from django import template
from js_asset import Media

register = template.Library()


@register.filter
def with_csp_nonce(media, nonce):
    """``{{ form.media|with_csp_nonce:CSP_NONCE }}``: the import map is an inline script, which the
    Content-Security-Policy runs only when it carries the nonce."""
    return Media.from_media(media, nonce=str(nonce))
