"""The path converters of the two things an address names that are looked up as text: a policy's reference
(``<reference:reference>``) and a person's username (``<username:username>``).

Every route taking one uses its converter, so an address with anything a reference or a username cannot hold in that
place (a NUL byte, which PostgreSQL refuses in a query's text, a space, a quote) is not found (404) before any view
runs or any query is made (integrity review of 2026-12-06: /publication-scheme/POL%00/ was a 500, even signed out).
Registered when this module is imported: each URLconf that uses them imports it."""

from __future__ import annotations

import re

from django.urls import register_converter

# A policy reference as allocated (core.services.reference_allocate: "POL-0042"), in either case: a reference typed
# in lower case reaches core.middleware.reference_case's redirect to capitals, which matches the same pattern. ASCII
# digits only ("\d" would take any script's digits).
REFERENCE_PATTERN = r"[A-Za-z]{2,5}-[0-9]{1,9}"
# A username as the user model allows one (django.contrib.auth.validators.UnicodeUsernameValidator, "letters, digits
# and @/./+/-/_ only", at most 150 characters: AbstractUser.username).
USERNAME_PATTERN = r"[\w.@+-]{1,150}"

# A reference no policy has, for building a URL with the reference's place marked (cut around it, then filled in).
REFERENCE_MARKER = "REFQZ-791900000"

_REFERENCE = re.compile(REFERENCE_PATTERN)
_USERNAME = re.compile(USERNAME_PATTERN)


def is_reference(text: str) -> bool:
    return _REFERENCE.fullmatch(text) is not None


def is_username(text: str) -> bool:
    return _USERNAME.fullmatch(text) is not None


class ReferenceConverter:
    regex = REFERENCE_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class UsernameConverter:
    regex = USERNAME_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(ReferenceConverter, "reference")
register_converter(UsernameConverter, "username")
