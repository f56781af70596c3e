"""``{% service_navigation %}``: the items of the service navigation on every signed-in page (templates/base.html),
the one this page is under marked active, ``aria-current="page"`` on that very page, and the unread count on
Notifications. The URLs are reversed once per process (issue 16: caching what is the same for every user); the items
are written here, not by template nodes: three conditions and three values for each of eight items cost more than
the rest of the layout."""

from functools import lru_cache
from html import escape

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe

register = template.Library()

# In order: the URL's name, its label, and whether the pages under it are part of it (a policy's pages are the
# register's).
SERVICE_NAVIGATION = (
    ("home", "My work", False),
    ("lifecycle:register", "Policy register", True),
    ("notices:index", "Notices", False),
    ("library:index", "Library", True),
    ("acknowledgements:list", "Acknowledgements", False),
    ("notifications:list", "Notifications", False),
    ("guidance:help", "Help", True),
    ("password_change", "Change password", False),
)
UNREAD_ON = "notifications:list"

ITEM = ('\n              <li class="govuk-service-navigation__item{active}">'
        '\n                <a class="govuk-service-navigation__link" href="{url}"{current}>{label}{unread}</a>'
        '\n              </li>')
ACTIVE = " govuk-service-navigation__item--active"
CURRENT = ' aria-current="page"'
UNREAD = (' <span class="govuk-tag govuk-tag--blue app-count">{}'
          '<span class="govuk-visually-hidden"> unread</span></span>')


@lru_cache(maxsize=8)
def _navigation(prefix: str, urlconf) -> tuple[tuple[str, str, str, bool], ...]:
    """(name, URL, label, with the pages under it) of each item, resolved once per script prefix and URL conf."""
    return tuple((name, reverse(name, urlconf=urlconf), escape(label), under)
                 for name, label, under in SERVICE_NAVIGATION)


@register.simple_tag(takes_context=True)
def service_navigation(context) -> str:
    request = context["request"]
    path = request.path
    unread = context.get("unread_notifications")
    if callable(unread):  # the count not loaded with the person: asked here, as the template would
        unread = unread()
    items = []
    for name, url, label, under in _navigation(get_script_prefix(), get_urlconf()):
        items.append(ITEM.format(
            active=ACTIVE if path == url or (under and path.startswith(url)) else "", url=escape(url),
            current=CURRENT if path == url else "", label=label,
            unread=UNREAD.format(int(unread)) if name == UNREAD_ON and unread else "",
        ))
    return mark_safe("".join(items))  # noqa: S308 (the URLs and labels escaped, the count an integer)
