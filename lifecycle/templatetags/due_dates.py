"""Due dates as people should read them, in any template: ``{% include "includes/due_state.html" with
state=policy|review_state label="Review due" %}``. The one rule is ``lifecycle.due``'s; these filters only ask it
(from the policy's own fields: no query)."""

from django import template

from lifecycle.due import MONITORING, REVIEW

register = template.Library()


@register.filter
def review_state(policy):
    """The review date's ``DueState`` (overdue, due within 6 months, in date), or None before first publication."""
    return REVIEW.state_of(policy) if policy is not None else None


@register.filter
def monitoring_state(policy):
    """The annual monitoring report's ``DueState``, or None before first publication."""
    return MONITORING.state_of(policy) if policy is not None else None
