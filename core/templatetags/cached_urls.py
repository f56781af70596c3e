"""``{% cached_url "lifecycle:detail" policy.reference %}``: ``{% url %}`` for the links every page, or every row of a
list, prints (issue 16: "caching what is the same for every user").

``{% url %}`` resolves the URL pattern again each time: about 20 of them on every page (the header, the footer, a
policy's sections) and one per row of a list (25 on the register, up to 140 in PCU's My work) were a tenth of what
those pages cost in Python. Here each name is reversed once per process (and script prefix and URL conf) with
markers for its arguments; the fixed parts are kept, and each argument is quoted into them as ``reverse()`` quotes
it. So the result is the same string ``{% url %}`` gives. An argument that could change which pattern matches (empty,
or holding a "/") and a name whose pattern refuses the markers (``<int:...>``) go through ``reverse()`` itself.
``{% cached_url "home" as home_url %}`` assigns, as ``{% url ... as ... %}`` does."""

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

register = template.Library()

# What reverse() leaves unquoted (django.urls.resolvers.URLResolver._reverse_with_prefix).
_SAFE = RFC3986_SUBDELIMS + "/~:@"


def _marker(index: int) -> str:
    return f"cachedurlargument{index}z"


@lru_cache(maxsize=512)
def _fixed_parts(name: str, arguments: int, prefix: str, urlconf) -> tuple[str, ...] | None:
    """The URL of ``name`` cut around its arguments' places, or None when the markers do not fit its pattern."""
    try:
        url = reverse(name, args=[_marker(index) for index in range(arguments)], urlconf=urlconf)
    except NoReverseMatch:
        return None
    parts, rest = [], url
    for index in range(arguments):
        before, found, rest = rest.partition(_marker(index))
        if not found:
            return None
        parts.append(before)
    return (*parts, rest)


def cached_reverse(name: str, *args) -> str:
    """``reverse(name, args=args)``, from the parts resolved once."""
    texts = [str(argument) for argument in args]
    parts = _fixed_parts(name, len(texts), get_script_prefix(), get_urlconf())
    if parts is None or any(not text or "/" in text for text in texts):
        return reverse(name, args=args)
    url = parts[0]
    for text, after in zip(texts, parts[1:], strict=True):
        url += quote(text, safe=_SAFE) + after
    return url


def cached_reverser(name: str, arguments: int = 1) -> Callable[..., str]:
    """``cached_reverse`` for the many URLs of one name in a list (one per row): the script prefix and the URL conf
    are read once, when it is made, so make it for the request that prints them."""
    parts = _fixed_parts(name, arguments, get_script_prefix(), get_urlconf())

    def url(*args) -> str:
        texts = [str(argument) for argument in args]
        if parts is None or len(texts) != arguments or any(not text or "/" in text for text in texts):
            return reverse(name, args=args)
        built = parts[0]
        for text, after in zip(texts, parts[1:], strict=True):
            built += quote(text, safe=_SAFE) + after
        return built

    return url


@lru_cache(maxsize=256)
def _static_url(path: str, prefix: str) -> str:
    return static(path)


@receiver(setting_changed)
def _static_settings_changed(*, setting, **kwargs):
    if setting in {"STATIC_URL", "STORAGES", "STATIC_ROOT"}:
        _static_url.cache_clear()


@register.simple_tag
def cached_static(path) -> str:
    """``{% static path %}``, worked out once per process (and script prefix): the layout's four files on every page
    asked the storage each time (issue 16). A change of the static settings (tests) forgets them."""
    return _static_url(str(path), get_script_prefix())


@register.simple_tag
def cached_url(name, *args):
    return cached_reverse(name, *args)
