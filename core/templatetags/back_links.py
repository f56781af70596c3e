"""``{% back_link "url-name" business_group=... %}``: a GOV.UK back link on a form page or a sub-page, to the page of
this service the person came from (its Referer, as ``core.middleware.page_posted_from`` reads it: never another
site's), else to the page above it, named here with its query (QA10 item 13: form pages had no way back but the
browser's). Never the page itself, as after a post with errors, which is drawn again with its own Referer, nor the
sign-in page; no JavaScript history."""

from urllib.parse import urlencode, urlsplit

from django import template
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.html import format_html

from core.middleware import referer_path

register = template.Library()


def came_from(request) -> str:
    """The path and query of the service's page the person came from; empty when none may be named."""
    path = referer_path(request)
    if urlsplit(path).path in {request.path, resolve_url(settings.LOGIN_URL)}:
        return ""
    return path


@register.simple_tag(takes_context=True)
def back_link(context, above: str, **query) -> str:
    """The link; ``above`` (a URL name) with ``query`` (its empty values left out) when the Referer names nothing."""
    wanted = {name: value for name, value in query.items() if value not in (None, "")}
    href = came_from(context["request"]) or reverse(above) + (f"?{urlencode(wanted)}" if wanted else "")
    # Above <main>, as GOV.UK places it, and within a landmark of its own (axe: all content in landmarks).
    return format_html('<nav aria-label="Back"><a href="{}" class="govuk-back-link">Back</a></nav>', href)
