"""{% policy_sections %} (lifecycle/templatetags/policy_frame.py): the policy pages' section links, written in Python,
are the links the template wrote: each section's URL as reverse() gives it, the page's own marked current, "SOPs" and
"EIA" expanded on their first use on the page."""

from __future__ import annotations

import re

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from lifecycle.templatetags.policy_frame import SECTIONS

LINK = re.compile(r'<li class="app-sub-navigation__item"><a class="app-sub-navigation__link" href="([^"]+)"'
                  r'( aria-current="page")?>(.*?)</a></li>')


def _sections(reference: str, section: str, *, before: str = "") -> str:
    template = Template('{% load glossary policy_frame %}' + before + '{% policy_sections reference section %}')
    return template.render(Context({"request": RequestFactory().get("/"), "reference": reference,
                                    "section": section}))


def test_each_section_links_to_its_page_and_the_page_shown_is_current():
    for name, url_name, _label in SECTIONS:
        links = LINK.findall(_sections("POL-0042", name))
        assert [href for href, _current, _label in links] == [reverse(url, args=["POL-0042"]) for _, url, _ in SECTIONS]
        assert [current != "" for _href, current, _label in links] == [other == name for other, _, _ in SECTIONS]


def test_the_abbreviations_are_expanded_on_their_first_use_on_the_page_only():
    labels = [label for _href, _current, label in LINK.findall(_sections("POL-0042", "overview"))]
    assert labels[1] == ('Statement and Standard Operating Procedures (<abbr title="Standard Operating Procedures">'
                         'SOPs</abbr>)')
    assert labels[2] == 'Equality Impact Assessment (<abbr title="Equality Impact Assessment">EIA</abbr>)'
    # Used earlier on the page: abbreviated only.
    labels = [label for _href, _current, label in LINK.findall(_sections("POL-0042", "eia", before='{% abbr "EIA" %}'))]
    assert labels[2] == '<abbr title="Equality Impact Assessment">EIA</abbr>'


def test_a_reference_is_written_as_the_template_would_write_it():
    # A reference in lower case (an address typed so, before core.middleware.reference_case's redirect) is linked as
    # reverse() gives it. One that cannot be a reference (quotes, markup) has no URL at all since the path converter
    # (core.converters, integrity review of 2026-12-06): no page draws such links.
    html = _sections("pol-0042", "overview")
    assert f'href="{reverse("lifecycle:detail", args=["pol-0042"])}"' in html
