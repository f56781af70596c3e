"""``{% register_rows page.object_list %}``: the register's table rows (lifecycle/policy_register_results.html), from
its rows of values (``lifecycle.register_views.REGISTER_ROW_FIELDS``): the policy's title as a link, its reference,
business group and marking; its status tag (``status_tag``), and for a policy in force whose review is under way that
its published version stays in force; its review date's state (lifecycle.due, shown by
``due_state``), the date alone before it applies, "Not applicable" once the policy is withdrawn, or "Not yet
published".

The markup is written here rather than in the template's loop: 25 rows of Django template nodes cost more Python
than the page's SQL could afford (issue 16, make bench: about 0.5 ms of the register, against 0.2 ms here). Every
value is escaped as the template engine escapes it (html.escape, which django.utils.html.escape calls: the values are
plain text from the database)."""

from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString

from core.templatetags.cached_urls import cached_reverser
from lifecycle.due import REVIEW
from lifecycle.states import PUBLISHED_STATUSES, ProtectiveMarking, Status
from lifecycle.templatetags.due_dates import date_text, due_state
from lifecycle.templatetags.status_tags import status_tag

register = template.Library()

SENSITIVE = " · OFFICIAL-SENSITIVE"
NOT_YET_PUBLISHED = '<span class="govuk-body-s">Not yet published</span>'
# A withdrawn policy is not reviewed (lifecycle.due: the rule applies to policies not withdrawn). Its last review date,
# often past, read as an overdue review nobody had flagged (QA crawl): the library's document control says this too.
NOT_APPLICABLE = '<span class="govuk-body-s">Not applicable</span>'
# A policy once published and not withdrawn, whose status is its review's stage: its published version is in force
# meanwhile (walk: staff read "Development" beside a policy they read in the library, as if it were a draft).
IN_FORCE_MEANWHILE = '<br><span class="govuk-body-s">Under review: the published version stays in force.</span>'


def _review(row, today) -> str:
    state = REVIEW.state_of(row, today)
    if state:
        return due_state(state)
    if row.status == Status.WITHDRAWN:
        return NOT_APPLICABLE
    if row.review_due_on:
        return f'<span class="govuk-body-s">{date_text(row.review_due_on)}</span>'
    return NOT_YET_PUBLISHED


@register.simple_tag(takes_context=True)
def register_rows(context, rows) -> str:
    today = timezone.localdate()
    detail_url = cached_reverser("lifecycle:detail")
    html = []
    for row in rows:
        marking = SENSITIVE if row.protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE else ""
        # The status tags are asked in the order the rows read: an abbreviation in one is expanded on its first use.
        status = status_tag(context, row.status, row.not_impact_assessed)
        if row.first_published_on and row.status not in PUBLISHED_STATUSES and row.status != Status.WITHDRAWN:
            status += IN_FORCE_MEANWHILE
        html.append(
            f'\n    <tr class="govuk-table__row">'
            f'\n      <td class="govuk-table__cell"><a class="govuk-link" href="{escape(detail_url(row.reference))}">'
            f'{escape(row.title)}</a><br><span class="govuk-body-s">{escape(row.reference)} · '
            f'{escape(row.business_group__name)}{marking}</span></td>'
            f'\n      <td class="govuk-table__cell">{status}</td>'
            f'\n      <td class="govuk-table__cell">{_review(row, today)}</td>'
            f'\n    </tr>')
    return SafeString("".join(html))  # each value escaped, or the markup of the tags above
