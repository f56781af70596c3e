"""``{% abbr "PCU" %}``: an abbreviation from ``core.glossary``, expanded in words the first time a page uses it
("Policy Co-ordination Unit (PCU)") and an <abbr> titled with its expansion after that."""

import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from core.glossary import GLOSSARY

register = template.Library()


@register.simple_tag(takes_context=True)
def abbr(context, short: str) -> str:
    expansion = GLOSSARY.get(short)
    if expansion is None:
        return short
    request = context.get("request")
    seen = getattr(request, "_glossary_seen", None) if request is not None else None
    if request is not None and seen is None:
        seen = request._glossary_seen = set()
    if seen is not None and short not in seen:
        seen.add(short)
        return format_html('{} (<abbr title="{}">{}</abbr>)', expansion, expansion, short)
    return format_html('<abbr title="{}">{}</abbr>', expansion, short)


_ABBREVIATION = re.compile(r"\b(" + "|".join(sorted(GLOSSARY, key=len, reverse=True)) + r")\b")


@register.simple_tag(takes_context=True)
def abbreviate(context, text) -> str:
    """``{% abbreviate step.taken_by %}``: the text escaped, each abbreviation in it marked up as ``{% abbr %}``
    does (expanded on its first use on the page)."""
    escaped = str(conditional_escape(text))
    return mark_safe(_ABBREVIATION.sub(lambda match: abbr(context, match.group(1)), escaped))  # noqa: S308
