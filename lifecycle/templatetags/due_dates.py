"""Due dates as people should read them, in any template: ``{% due_state policy|review_state "Review due" %}`` (or
``{% include "includes/due_state.html" with state=policy|review_state label="Review due" %}``, which says the same).
The one rule is ``lifecycle.due``'s; these filters only ask it (from the policy's own fields: no query)."""

import functools
from html import escape

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from core.dates import DATE_STRFTIME
from lifecycle.due import MONITORING, REVIEW, DueStatus

register = template.Library()


@register.filter
def review_state(policy):
    """The review date's ``DueState`` (overdue, due within 6 months, in date), or None before first publication."""
    return REVIEW.state_of(policy) if policy is not None else None


@register.filter
def monitoring_state(policy):
    """The annual monitoring report's ``DueState``, or None before first publication."""
    return MONITORING.state_of(policy) if policy is not None else None


# Overdue is red, due within the warning period amber; in date is plain text.
_DUE_TAG = {DueStatus.OVERDUE: '<strong class="govuk-tag govuk-tag--red app-due-tag">{}</strong> ',
            DueStatus.DUE_SOON: '<strong class="govuk-tag govuk-tag--yellow app-due-tag">{}</strong> '}


@register.simple_tag
def due_state(state, label="", inline=False):
    """A ``DueState`` as a person should read it: "Overdue by 3 days" in a red tag (amber when due soon), then the
    date, named by ``label`` (which may be empty, in a table column that names it) and marked "(in date)" when it
    is. Nothing for no state. Python rather than a template, so that the register's 25 rows and My work's lists
    do not pay for an include in each (issue 16). The date is in small print, as in lists of many policies, unless
    ``inline``: in a summary list's row or running text it keeps the size of the text around it."""
    if not state:
        return ""
    tag = _DUE_TAG.get(state.status)
    # Each part escaped (the label unless it is safe markup already), as the template engine would.
    phrase = state.phrase
    html = tag.format(escape(phrase[:1].upper() + phrase[1:])) if tag else ""
    named = f"{conditional_escape(label)} " if label else ""
    in_date = " (in date)" if state.status == DueStatus.IN_DATE else ""
    if inline:
        return SafeString(f"{html}{named}{date_text(state.due)}{in_date}")
    return SafeString(f'{html}<span class="govuk-body-s">{named}{date_text(state.due)}{in_date}</span>')


@functools.lru_cache(maxsize=4096)
def date_text(day) -> str:
    """``2 March 2026`` (core.dates), each day worked out once: lists print the same few hundred dates again."""
    return f"{day:{DATE_STRFTIME}}"
