"""``{% work_items queue.policies %}``: My work's policies as list items (core/home.html).

PCU and the co-ordinators see up to 140 of them (seven queues of 20): written by the template engine, each item's link,
next step, due state and expected date took more Python than the queue's SQL (make bench, 100,000 policies). Here
each is one f-string, with the same markup, escaping and words the template wrote: the link by ``cached_reverser``,
the next step through the glossary (``abbreviated``: an abbreviation expanded on its first use on the page), the due
state by ``due_state`` (lifecycle/templatetags/due_dates.py), the date in the one format (core.dates)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

from core.templatetags.cached_urls import cached_reverser
from core.templatetags.glossary import abbreviated
from lifecycle.templatetags.due_dates import date_text, due_state

register = template.Library()

_LATE = '<strong class="govuk-tag govuk-tag--red app-due-tag">Waiting too long</strong> expected by '


@register.simple_tag(takes_context=True)
def work_items(context, policies) -> str:
    """Each policy (``workspace.selectors.my_work``'s, with ``next_label``, ``due_state`` and ``due_label``, or
    ``expected_by`` and ``expected_late``) as ``<li class="app-work-item">``."""
    url = cached_reverser("lifecycle:detail")
    items = []
    for policy in policies:
        item = (f'<li class="app-work-item"><a class="govuk-link" href="{escape(url(policy.reference))}">'
                f"{escape(policy.reference)} {escape(policy.title)}</a>")
        if getattr(policy, "next_label", ""):
            next_step = abbreviated(context, policy.next_label)
            item += f'<br><span class="govuk-body-s">Next: <strong>{next_step}</strong></span>'
        state = getattr(policy, "due_state", None)
        expected_by = getattr(policy, "expected_by", None)
        if state:
            item += f" {due_state(state, getattr(policy, 'due_label', ''))}"
        elif expected_by:
            item += (f' <span class="govuk-body-s">{_LATE if policy.expected_late else "by "}'
                     f"{date_text(expected_by)}</span>")
        items.append(item + "</li>")
    return SafeString("".join(items))
