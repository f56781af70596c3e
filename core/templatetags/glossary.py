"""``{% abbr "PCU" %}``: an abbreviation from ``core.glossary``, expanded in words the first time a page uses it
("Policy Co-ordination Unit (PCU)") and an <abbr> titled with its expansion after that. ``{% abbreviate text %}``
does the same for each abbreviation in a text (a step's label, a form's label or error, a message).

"The first time a page uses it" is counted per request (or, for an e-mail rendered without one, per rendering), in
the order the page is rendered, which is the order it reads in. A page's every abbreviation is checked against
this by the page walk (tests/web/test_every_page.py, and the axe walk in the browser)."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeData, mark_safe

from core.glossary import GLOSSARY, PLURALS

register = template.Library()


def _holder(context):
    """What a page's first uses are kept on: the request, or the rendering's context."""
    holder = context.get("request") if hasattr(context, "get") else None
    return context if holder is None else holder


def _seen(context) -> set[str]:
    """The abbreviations this page has already expanded."""
    holder = _holder(context)
    seen = getattr(holder, "_glossary_seen", None)
    if seen is None:
        seen = set()
        holder._glossary_seen = seen
    return seen


def expanded_on_page(context) -> set[str]:
    """The abbreviations the page being rendered has expanded so far: the set itself, to which a part of the page
    written from memory adds the first uses its rendering made (core.templatetags.form_fields)."""
    return _seen(context)


def _remembered(context) -> dict[tuple[bool, str], str]:
    """The texts this page has abbreviated that read the same from now on ({(safe, text): html})."""
    holder = _holder(context)
    remembered = getattr(holder, "_glossary_remembered", None)
    if remembered is None:
        remembered = {}
        holder._glossary_remembered = remembered
    return remembered


def expand(context, short: str, *, plural: bool = False, capital: bool = False) -> str:
    expansion = (PLURALS.get(short) if plural else None) or GLOSSARY.get(short)
    if expansion is None:
        return short
    shown = f"{short}s" if plural else short
    seen = _seen(context)
    if short in seen:
        return format_html('<abbr title="{}">{}</abbr>', expansion, shown)
    seen.add(short)
    words = expansion[:1].upper() + expansion[1:] if capital else expansion
    return format_html('{} (<abbr title="{}">{}</abbr>)', words, expansion, shown)


@register.simple_tag(takes_context=True)
def abbr(context, short: str, plural: bool = False) -> str:
    return expand(context, short, plural=plural)


# Each abbreviation as a word, and the plurals the glossary knows ("SOPs", "EIAs").
_ABBREVIATION = re.compile(r"\b(" + "|".join(sorted(GLOSSARY, key=len, reverse=True)) + r")(s?)\b")
_TAG = re.compile(r"(<[^>]*>)")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)$")


def _in_text(context, text: str, first_part: bool) -> str:
    def replace(match: re.Match) -> str:
        short, plural = match.group(1), bool(match.group(2))
        if plural and short not in PLURALS:
            return match.group(0)
        before = text[:match.start()]
        # Already after its own words ("Diversity and Citizen Focus Directorate (DCFD)"): marked up, not expanded
        # again, and counted as its first use.
        expansion = (PLURALS.get(short) if plural else None) or GLOSSARY.get(short)
        if expansion and before.lower().endswith(f"{escape(expansion).lower()} ("):
            _seen(context).add(short)
            return format_html('<abbr title="{}">{}</abbr>', expansion, match.group(0))
        capital = bool(_SENTENCE_START.search(before)) and (bool(before.strip()) or first_part)
        return expand(context, short, plural=plural, capital=capital)

    return _ABBREVIATION.sub(replace, text)


def abbreviated(context, text) -> str:
    """``text`` escaped (markup already safe kept as it is), each abbreviation in its words marked up as
    ``{% abbr %}`` does, expanded on its first use on the page; never inside a tag or an <abbr> the text already
    has. What ``{% abbreviate %}`` writes, for a tag or a page's Python that writes many texts (the timeline).

    A page repeats its texts (the timeline's 50 events: the same sentences, roles and field labels): a text whose
    abbreviations the page has all expanded already reads the same every time after, so it is worked out once per
    page and remembered beside the page's first uses."""
    key = (isinstance(text, SafeData), str(text) if text is not None else "")
    remembered = getattr(_holder(context), "_glossary_remembered", None)
    html = remembered.get(key) if remembered is not None else None
    if html is not None:
        return html
    seen = _seen(context)
    remembered = _remembered(context)
    expanded_before = len(seen)
    html = _abbreviated(context, text)
    if len(seen) == expanded_before:  # no first use in it: the same words wherever the page repeats it
        remembered[key] = html
    return html


def _abbreviated(context, text) -> str:
    html = str(conditional_escape(text if text is not None else ""))
    parts, inside_abbr, first = [], 0, True
    for part in _TAG.split(html):
        if part.startswith("<"):
            lowered = part.lower()
            inside_abbr += 1 if lowered.startswith("<abbr") else -1 if lowered.startswith("</abbr") else 0
            parts.append(part)
        elif part:
            parts.append(part if inside_abbr else _in_text(context, part, first))
            first = first and not part.strip()
    # Escaped above; the only tags are those of markup that was already safe.
    return mark_safe("".join(parts))  # noqa: S308


@register.simple_tag(takes_context=True)
def abbreviate(context, text) -> str:
    """``{% abbreviate step.taken_by %}``: the text escaped (markup already safe kept as it is), each abbreviation
    in its words marked up as ``{% abbr %}`` does, expanded on its first use on the page. Never inside a tag or an
    <abbr> the text already has."""
    return abbreviated(context, text)


@register.filter
def lowerfirst(text) -> str:
    """"Submit for QA" -> "submit for QA": a title inside a sentence, its abbreviations and names kept."""
    text = str(text)
    return text[:1].lower() + text[1:]
