"""``{% work_items queue.policies %}``: My work's policies as list items (core/home.html); ``{% report_items %}``,
``{% entry_items %}`` and ``{% asked_items %}`` its monitoring reports, its other entries and the versions someone is
asked to confirm.

PCU and the co-ordinators see up to 140 of them (seven queues of 20): written by the template engine, each item's link,
next step, due state and expected date took more Python than the queue's SQL (make bench, 100,000 policies). Here
each is one f-string, with the same markup, escaping and words the template wrote: the link by ``cached_reverser``,
the next step through the glossary (``abbreviated``: an abbreviation expanded on its first use on the page), the due
state by ``due_state`` (lifecycle/templatetags/due_dates.py), the date in the one format (core.dates), each value by
html.escape (which django.utils.html.escape calls, without its wrapper for lazy text that tested every argument of
some 400 calls a page: these values are text). The other kinds were written by the template engine until their
queues' SQL was read from indexes: then they took most of the page's Python (make bench, a co-ordinator's 21 reports:
a URL resolved and two dates formatted for each)."""

from html import escape

from django import template
from django.utils.safestring import SafeString

from core.templatetags.cached_urls import cached_reverser
from core.templatetags.glossary import abbreviated, lowerfirst
from lifecycle.deadlines import SCHEDULED_FOR
from lifecycle.templatetags.due_dates import date_text, due_state

register = template.Library()


# A draft whose submission came back (workspace.role_queues._returned): its overview says why.
_RETURNED = '<strong class="govuk-tag govuk-tag--orange app-due-tag">Returned for changes</strong>'
_LATE = '<strong class="govuk-tag govuk-tag--red app-due-tag">Waiting too long</strong>: expected by '


@register.simple_tag(takes_context=True)
def work_items(context, policies) -> str:
    """Each policy (``workspace.selectors.my_work``'s, with ``next_label`` and ``next_by``, ``due_state`` and
    ``due_label``, or the date its publication is scheduled for (``SCHEDULED_FOR``), or ``expected_by`` and
    ``expected_late``) as ``<li class="app-work-item">``."""
    url = cached_reverser("lifecycle:detail")
    items = []
    for policy in policies:
        item = (f'<li class="app-work-item"><a class="govuk-link" href="{escape(url(policy.reference))}">'
                f"{escape(policy.reference)} {escape(policy.title)}</a>")
        if getattr(policy, "returned", False):
            item += f" {_RETURNED}"
        if getattr(policy, "next_label", ""):
            next_step = abbreviated(context, policy.next_label)
            # Who takes it, where it is not the reader's own work (workspace.selectors._each_once).
            by = getattr(policy, "next_by", "")
            by = f", by {abbreviated(context, by)}" if by else ""
            # Who has done their part, a sentence of its own as the overview says it ("PCU has signed off.").
            done = getattr(policy, "next_done", "")
            done = f". {abbreviated(context, done)}" if done else ""
            item += f'<br><span class="govuk-body-s">Next: <strong>{next_step}</strong>{by}{done}</span>'
        state = getattr(policy, "due_state", None)
        expected_by = getattr(policy, "expected_by", None)
        scheduled_for = getattr(policy, SCHEDULED_FOR, None)
        if state:
            item += f" {due_state(state, getattr(policy, 'due_label', ''))}"
        elif scheduled_for:
            # It waits on the date PCU scheduled its publication for, not on a deadline (the overview's words).
            item += f' <span class="govuk-body-s">Scheduled for publication on {date_text(scheduled_for)}</span>'
        elif expected_by:
            item += _waiting(policy.expected_late, expected_by)
        items.append(item + "</li>")
    return SafeString("".join(items))


def _waiting(late: bool, due) -> str:
    return f' <span class="govuk-body-s">{_LATE if late else "by "}{date_text(due)}</span>'


@register.simple_tag
def report_items(reports) -> str:
    """Each monitoring report (``workspace.report_queues.ReportItem``: its policy's reference and title, its status,
    period and by when it is expected) as ``<li>``."""
    url = cached_reverser("assessments:monitoring_report", 2)
    items = []
    for report in reports:
        item = (f'<li><a class="govuk-link" href="{escape(url(report.reference, report.pk))}">'
                f"{escape(report.reference)} {escape(report.title)}: report to {date_text(report.period_end)}</a> "
                f"({escape(lowerfirst(report.status_label))})")
        if report.waiting:
            item += _waiting(report.waiting.is_overdue, report.waiting.due)
        items.append(item + "</li>")
    return SafeString("".join(items))


@register.simple_tag(takes_context=True)
def entry_items(context, entries) -> str:
    """Each entry ({"url", "label", "state", "due_label"}: a report to respond to, a remedial action) as ``<li>``; one
    with no url (a submitted draft its developer may not open) as text."""
    items = []
    for entry in entries:
        label = abbreviated(context, entry["label"])
        url = entry["url"]
        item = f'<li><a class="govuk-link" href="{escape(url)}">{label}</a>' if url else f"<li>{label}"
        if entry["state"]:
            item += f" {due_state(entry['state'], entry['due_label'])}"
        items.append(item + "</li>")
    return SafeString("".join(items))


@register.simple_tag
def asked_items(asked) -> str:
    """Each version someone is asked to confirm (``acknowledgements.selectors.OutstandingRow``) as ``<li>``."""
    url = cached_reverser("library:policy")
    return SafeString("".join(
        f'<li><a class="govuk-link" href="{escape(url(row.reference))}">{escape(row.reference)} {escape(row.title)}, '
        f"version {escape(row.number)}</a></li>" for row in asked))
