"""Integrity review of 2026-12-06, MEDIUM 2: a NUL byte (%00) in a policy reference or a username in an address was a
500 on PostgreSQL (psycopg refuses a NUL in a query's text), even signed out: /publication-scheme/POL%00/,
/policies/POL%00/people/, /people/x%00/handover/. A reference (core.converters.ReferenceConverter) and a username
(core.converters.UsernameConverter) are each one registered path converter, used by every route that takes one: an
address with anything else in their place is not found (404) before any query. What still holds: a reference typed in
lower case is redirected to capitals (core.middleware.reference_case), and links are built from cached parts
(core.templatetags.cached_urls) for the converters too."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.converters import ReferenceConverter, UsernameConverter
from core.templatetags.cached_urls import _fixed_parts, cached_reverse, cached_reverser

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/publication-scheme/POL%00/", "/publication-scheme/POL%00/pdf/",
                                  "/publication-scheme/POL-0001%00/pdf/", "/library/POL%00/"])
def test_public_nul_reference_is_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404, (path, response.status_code)


@pytest.mark.parametrize("suffix", ["/", "/people/", "/publication/", "/pdf/", "/eia/", "/timeline/",
                                    "/versions/1.0/revisions/"])
def test_staff_nul_reference_is_not_found(client, people, suffix):
    client.force_login(people.pcu)
    for reference in ("POL%00", "POL-0001%00", "%00"):
        response = client.get(f"/policies/{reference}{suffix}")
        assert response.status_code == 404, (reference, suffix, response.status_code)
    assert client.post("/policies/POL%00/people/", {"part": "developer"}).status_code == 404


def test_handover_nul_username_is_not_found(client, people):
    client.force_login(people.pcu)
    for username in ("x%00", "%00", "a%20b", "x%0A"):
        response = client.get(f"/people/{username}/handover/")
        assert response.status_code == 404, (username, response.status_code)
    # A username as Django allows them (letters, digits and @.+-_) still reaches the page.
    assert client.get(f"/people/{people.developer.username}/handover/").status_code == 200


def test_a_nul_version_number_is_not_a_500(client, people, policy_in):
    policy = policy_in("development")
    client.force_login(people.pcu)
    for path in (f"/policies/{policy.reference}/versions/1.0%00/revisions/",
                 f"/library/{policy.reference}/versions/1.0%00/"):
        assert client.get(path).status_code == 404, path


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_every_reference_and_username_route_uses_its_converter():
    """No route takes a reference or a username as a plain <str:...>: each new one must use the converter."""
    plain = [route for route, _ in _patterns() if "<str:reference>" in route or "<str:username>" in route]
    assert plain == []
    routes = [route for route, _ in _patterns()]
    assert sum("<reference:reference>" in route for route in routes) >= 20
    assert any("<username:username>" in route for route in routes)


@pytest.mark.parametrize("text", ["POL-0001", "pol-0001", "ABCDE-123456789"])
def test_a_reference_is_matched(text):
    assert ReferenceConverter().to_python(text) == text


def test_the_reference_and_username_patterns_refuse_what_they_cannot_be():
    import re
    reference = re.compile(ReferenceConverter.regex)
    username = re.compile(UsernameConverter.regex)
    for text in ("POL\x00", "POL-1\x00", "POL-\u0667", "POL-0001/x", "new", "POL-1234567890", "P-1", ""):
        assert reference.fullmatch(text) is None, text
    for text in ("x\x00", "a b", "x\n", "", "x" * 151):
        assert username.fullmatch(text) is None, text
    for text in ("asmith", "a.smith@met.police.uk", "oneill", "jos\u00e9", "a+b-c_d"):
        assert username.fullmatch(text) is not None, text


def test_links_are_still_built_from_cached_parts(monkeypatch):
    """The cached markers fit the converters' patterns (otherwise every link would go through reverse())."""
    from django.urls import get_script_prefix, get_urlconf

    for name, arguments in (("lifecycle:detail", 1), ("publication:scheme_pdf", 1), ("people:handover", 1),
                            ("assessments:monitoring_report", 2), ("library:version", 2)):
        assert _fixed_parts(name, arguments, get_script_prefix(), get_urlconf()) is not None, name
    assert cached_reverse("people:handover", "a.smith") == reverse("people:handover", args=["a.smith"])
    assert cached_reverse("library:version", "POL-0001", "1.2") == reverse("library:version", args=["POL-0001", "1.2"])


def test_a_cached_link_refuses_what_reverse_refuses():
    from django.urls import NoReverseMatch

    for bad in ("POL\x00", "POL-1 ", "é", 'POL-"1"'):
        with pytest.raises(NoReverseMatch):
            reverse("lifecycle:detail", args=[bad])
        with pytest.raises(NoReverseMatch):
            cached_reverse("lifecycle:detail", bad)
        with pytest.raises(NoReverseMatch):
            cached_reverser("lifecycle:detail")(bad)
    with pytest.raises(NoReverseMatch):
        cached_reverse("people:handover", "a b")


def test_a_lower_case_reference_still_reaches_the_redirect(client):
    response = client.get("/publication-scheme/pol-0001/pdf/")
    assert response.status_code == 301 and response["Location"] == "/publication-scheme/POL-0001/pdf/"
