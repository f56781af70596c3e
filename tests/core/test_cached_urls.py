"""``{% cached_url %}`` gives exactly what ``{% url %}`` / reverse() gives (core.templatetags.cached_urls)."""

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

from core.templatetags.cached_urls import cached_reverse, cached_reverser


@pytest.mark.parametrize(("name", "args"), [
    ("home", []),
    ("lifecycle:register", []),
    ("lifecycle:detail", ["POL-012345"]),
    ("lifecycle:timeline", ["POL-000001"]),
    ("publication_staff:list", ["POL-000001"]),
    # Characters reverse() quotes, and one it keeps, in a <str:...> place (a reference takes none of them:
    # core.converters).
    ("lifecycle:revisions", ["POL-000001", "a b?c#d%e&f=g~h:i@j"]),
    ("lifecycle:revisions", ["POL-000001", "é"]),
    ("library:version", ["POL-000001", "é"]),
    # A <username:...> place (core.converters): "é" is a letter, quoted.
    ("people:handover", ["a.smith@met"]),
    ("people:handover", ["josé"]),
    # A reference in lower case (core.middleware.reference_case redirects it).
    ("lifecycle:detail", ["pol-000001"]),
    # A pattern with a number in it: its place is found with a number for a marker.
    ("assessments:monitoring_report", ["POL-000001", 7]),
    ("assessments:monitoring_report", ["POL-000001", "7"]),
    ("assessments:monitoring_report", ["POL-7", 70]),
    ("lifecycle:revisions", ["POL-000001", "1.2"]),
])
def test_the_same_as_reverse(name, args):
    assert cached_reverse(name, *args) == reverse(name, args=args)
    assert cached_reverser(name, len(args))(*args) == reverse(name, args=args)


def test_an_argument_that_would_change_the_match_goes_through_reverse():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        cached_reverse("lifecycle:detail", "a/b")
    with pytest.raises(NoReverseMatch):
        cached_reverse("lifecycle:detail", "")
    with pytest.raises(NoReverseMatch):
        cached_reverser("lifecycle:detail")("a/b")
    # Where the pattern takes digits only, anything else is refused as reverse() refuses it.
    for report in ("seven", "-7", "7.0", "\u0667"):
        with pytest.raises(NoReverseMatch):
            cached_reverse("assessments:monitoring_report", "POL-1", report)
        with pytest.raises(NoReverseMatch):
            cached_reverser("assessments:monitoring_report", 2)("POL-1", report)
    # Where the pattern takes a reference or a username (core.converters), anything else is refused as reverse()
    # refuses it.
    for reference in ("7", "a b", "POL-1\x00", "é", "POL-\u0667", 'POL-"1"'):
        with pytest.raises(NoReverseMatch):
            cached_reverse("lifecycle:detail", reference)
        with pytest.raises(NoReverseMatch):
            cached_reverser("assessments:monitoring_report", 2)(reference, 7)
    for username in ("a b", "x\x00", "a~b", "x" * 151):
        with pytest.raises(NoReverseMatch):
            cached_reverse("people:handover", username)


def test_the_script_prefix_is_honoured():
    try:
        set_script_prefix("/intranet/")
        assert cached_reverse("lifecycle:detail", "POL-1") == "/intranet/policies/POL-1/" == reverse(
            "lifecycle:detail", args=["POL-1"])
        assert cached_reverser("lifecycle:detail")("POL-1") == "/intranet/policies/POL-1/"
    finally:
        set_script_prefix("/")
    assert cached_reverse("lifecycle:detail", "POL-1") == "/policies/POL-1/"


def test_the_tag_escapes_and_assigns_as_url_does():
    context = Context({"number": '1"2"&'})
    both = Template("{% load cached_urls %}{% cached_url 'library:version' 'POL-1' number %}|"
                    "{% url 'library:version' 'POL-1' number %}|"
                    "{% cached_url 'home' as home %}[{{ home }}]").render(context)
    cached, plain, assigned = both.split("|")
    assert cached == plain and assigned == "[/]"


def test_a_number_in_the_pattern_is_built_from_the_parts_not_reversed(monkeypatch):
    from core.templatetags import cached_urls

    url = cached_reverser("assessments:monitoring_report", 2)
    calls = []
    monkeypatch.setattr(cached_urls, "reverse", lambda *args, **kwargs: calls.append(args))
    assert url("POL-000001", 42) == "/policies/POL-000001/monitoring/42/"
    assert calls == []
