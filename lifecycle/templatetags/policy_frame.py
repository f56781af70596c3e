"""``{% policy_sections policy.reference section %}``: the sections of a policy's pages, the one shown marked
``aria-current="page"`` (lifecycle/templates/lifecycle/policy_base.html, around every policy page).

Written here rather than by template nodes: eleven links, each a ``{% cached_url %}`` and a condition, were a third of
the policy frame's rendering (issue 16, make bench: overview, timeline and versions). The markup is the template's,
unchanged; "SOPs" and "EIA" go through the glossary's ``expand`` in the page's order, so each is still expanded on its
first use on the page (tests/web/test_every_page.py)."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString

from core.templatetags.cached_urls import cached_reverse
from core.templatetags.glossary import expand
from lifecycle.details import marking_pending as marking_pending_words
from lifecycle.details import marking_raised as marking_raised_words

register = template.Library()

# In order: the section's name (a view's ``section``), its URL's name and its label ("" for those in words below).
SECTIONS = (
    ("overview", "lifecycle:detail", "Overview"),
    ("statement", "lifecycle:statement", ""),
    ("eia", "assessments:eia", ""),
    ("workbook", "assessments:workbook", "Workbook"),
    ("consultation", "lifecycle:consultation", "Consultation"),
    ("monitoring", "assessments:monitoring", "Monitoring"),
    ("versions", "lifecycle:versions", "Versions"),
    ("publication", "publication_staff:list", "Publication"),
    ("advice", "lifecycle:advice", "Advice"),
    ("people", "lifecycle:people", "People"),
    ("timeline", "lifecycle:timeline", "Timeline"),
)
# The template's lines before the items (where it assigned the URLs) are kept, so that the page reads as before.
BEFORE = "\n    " * 4
ITEM = ('\n    <li class="app-sub-navigation__item"><a class="app-sub-navigation__link" href="{url}"{current}>'
        "{label}</a></li>")
CURRENT = ' aria-current="page"'


@register.simple_tag(takes_context=True)
def policy_sections(context, reference: str, section: str) -> SafeString:
    items = [BEFORE]
    for name, url_name, label in SECTIONS:
        if name == "statement":
            label = "Statement and " + expand(context, "SOP", plural=True)
        elif name == "eia":
            label = expand(context, "EIA")
        items.append(ITEM.format(url=escape(cached_reverse(url_name, reference)),
                                 current=CURRENT if section == name else "", label=label))
    # The URLs escaped, the labels the glossary's markup or plain words.
    return SafeString("".join(items))


@register.simple_tag
def marking_pending(policy, version_in_force) -> str:
    """The sentence of a review's pending downgrade (lifecycle.details.marking_pending), escaped by the engine."""
    return marking_pending_words(policy, version_in_force)


@register.simple_tag
def marking_raised(policy, version, version_in_force, details) -> str:
    """What the version in force was published as, the policy re-marked since (lifecycle.details.marking_raised),
    escaped by the engine."""
    return marking_raised_words(policy, version, version_in_force, details)
