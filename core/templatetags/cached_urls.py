"""``{% cached_url "lifecycle:detail" policy.reference %}``: ``{% url %}`` for the links every page, or every row of a
list, prints (issue 16: "caching what is the same for every user").

``{% url %}`` resolves the URL pattern again each time: about 20 of them on every page (the header, the footer, a
policy's sections) and one per row of a list (25 on the register, up to 140 in PCU's My work) were a tenth of what
those pages cost in Python. Here each name is reversed once per process (and script prefix and URL conf) with
markers for its arguments; the fixed parts are kept, and each argument is quoted into them as ``reverse()`` quotes
it. So the result is the same string ``{% url %}`` gives. What each place takes is told by which marker its pattern
takes there (``_PLACES``: a ``<str:...>``, ``<username:...>``, ``<slug:...>``, ``<int:...>`` or ``<reference:...>``).
An argument that could change which pattern matches (empty, or holding a "/"), one its place's converter would refuse
(not digits for ``<int:...>``, not a reference for ``<reference:...>``: core.converters), and a name whose pattern
refuses every marker go through ``reverse()`` itself.
``{% cached_url "home" as home_url %}`` assigns, as ``{% url ... as ... %}`` does."""

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import product
from urllib.parse import quote

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

from core.converters import REFERENCE_MARKER, is_reference, is_username

register = template.Library()

# What reverse() leaves unquoted (django.urls.resolvers.URLResolver._reverse_with_prefix).
_SAFE = RFC3986_SUBDELIMS + "/~:@"


class _Place:
    """What an argument's place takes, told by the marker its pattern takes there, and the check an argument must pass
    to be quoted into the cached parts: at least as strict as every converter that takes the marker, so that anything
    reverse() would refuse goes through reverse() itself."""

    def __init__(self, marker: Callable[[int], str], allowed: Callable[[str], bool]):
        self.marker, self.allowed = marker, allowed


# Tried in this order at each place; the first marker its pattern takes says what the place is.
_PLACES = (
    # <str:...>: anything but "/" ("~" is in no other converter's pattern, and reverse() leaves it unquoted).
    _Place(lambda index: f"cachedurl~argument{index}z", lambda text: "/" not in text),
    # <username:...> (core.converters): "." is in no slug.
    _Place(lambda index: f"cachedurl.argument{index}z", is_username),
    # <slug:...>: letters, digits, "-" and "_".
    _Place(lambda index: f"cachedurlargument{index}z", lambda text: _SLUG.fullmatch(text) is not None),
    # <int:...>: digits only (its converter's [0-9]+).
    _Place(lambda index: str(_NUMBER_MARKER + index), lambda text: text.isascii() and text.isdigit()),
    # <reference:...> (core.converters): POL-0042.
    _Place(lambda index: f"{REFERENCE_MARKER[:-1]}{index}", is_reference),
)
_NUMBER_MARKER = 7_919_000_101
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@lru_cache(maxsize=512)
def _fixed_parts(name: str, arguments: int, prefix: str, urlconf) -> tuple[tuple[str, ...], tuple[_Place, ...]] | None:
    """The URL of ``name`` cut around its arguments' places, and what each place takes; None when no markers fit its
    pattern."""
    for places in product(_PLACES, repeat=arguments):
        markers = [place.marker(index) for index, place in enumerate(places)]
        try:
            url = reverse(name, args=markers, urlconf=urlconf)
        except NoReverseMatch:
            continue
        parts, rest = [], url
        for marker in markers:
            before, found, rest = rest.partition(marker)
            if not found:
                return None
            parts.append(before)
        return (*parts, rest), places
    return None


def _built(fixed: tuple[tuple[str, ...], tuple[_Place, ...]], texts: list[str]) -> str | None:
    """The URL from the cached parts, or None when an argument is one they cannot take: empty, or holding a "/"
    (either could change which pattern matches), or one its place's converter refuses."""
    parts, places = fixed
    url = parts[0]
    for text, place, after in zip(texts, places, parts[1:], strict=True):
        if not text or "/" in text or not place.allowed(text):
            return None
        url += quote(text, safe=_SAFE) + after
    return url


def cached_reverse(name: str, *args) -> str:
    """``reverse(name, args=args)``, from the parts resolved once."""
    texts = [str(argument) for argument in args]
    fixed = _fixed_parts(name, len(texts), get_script_prefix(), get_urlconf())
    built = None if fixed is None else _built(fixed, texts)
    return reverse(name, args=args) if built is None else built


def cached_reverser(name: str, arguments: int = 1) -> Callable[..., str]:
    """``cached_reverse`` for the many URLs of one name in a list (one per row): the script prefix and the URL conf
    are read once, when it is made, so make it for the request that prints them."""
    fixed = _fixed_parts(name, arguments, get_script_prefix(), get_urlconf())

    def url(*args) -> str:
        texts = [str(argument) for argument in args]
        built = None if fixed is None or len(texts) != arguments else _built(fixed, texts)
        return reverse(name, args=args) if built is None else built

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
