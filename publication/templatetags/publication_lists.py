"""The lists of publication's pages, written here rather than in their templates' loops, as the register's rows are
(lifecycle.templatetags.register_rows): 50 rows of template nodes, each with a {% url %} and a |date, cost more Python
than the pages' SQL could afford (make bench, 100,000 policies: Notices took 3.2-3.5 times its own SQL, the Scheme's
index 1.8-3.5 times). Every value is escaped as the template engine escapes it (html.escape, which
django.utils.html.escape calls: the values are plain text), the links made from their pattern resolved once
(core.templatetags.cached_urls) and the dates by core.dates.

- ``{% notice_days days %}``: the Notices page's days (publication/notices.html), each its date as a heading and its
  notices (``publication.notices.Notice``) as a list, newest first.
- ``{% scheme_rows rows %}``: the Publication Scheme's index (publication/scheme_index.html), a line for each policy
  (``publication.scheme_index.SchemeRow``)."""

from html import escape

from django import template
from django.utils.safestring import SafeString

from core.dates import date_shown
from core.templatetags.cached_urls import cached_reverser
from core.text import truncated_chars
from lifecycle.states import Status

register = template.Library()

# How much of a summary the page shows (the template's |truncatechars:400).
SUMMARY_CHARACTERS = 400
# Each kind's tag: GOV.UK's tag colours, each with its text at the contrast WCAG 2.2 AA asks; the label says what the
# colour does, for a reader who cannot tell the colours apart.
_TAGS = {"withdrawn": "govuk-tag--grey", "revised": "govuk-tag--blue", "published": "govuk-tag--green",
         "reviewed": "govuk-tag--turquoise", "report": "govuk-tag--purple"}
_KINDS = {"withdrawn": "Withdrawn", "revised": "Revised", "published": "Published", "reviewed": "Reviewed",
          "report": "Monitoring report"}


def _notice(notice, at, detail_url, report_url) -> str:
    title = escape(notice.policy_title)
    withdrawn = notice.kind == "withdrawn"
    if withdrawn or not notice.readable:
        name = f'<span class="govuk-!-font-weight-bold">{title}</span>'
    else:
        # A report's notice, its page: listed only for those who may open it (publication.notices._staff_reads).
        url = (report_url(notice.reference, notice.report_id) if notice.kind == "report"
               else detail_url(notice.reference))
        name = f'<a class="govuk-link govuk-!-font-weight-bold" href="{escape(url)}">{title}</a>'
    version = f", version {escape(notice.version_number)}" if notice.version_number else ""
    summary = notice.summary
    summary = (f'<p class="govuk-body govuk-!-margin-bottom-0">{escape(truncated_chars(summary, SUMMARY_CHARACTERS))}'
               "</p>" if summary else "")
    since = (f'<p class="govuk-body govuk-!-margin-bottom-0"><a class="govuk-link" href="#withdrawal-'
             f'{notice.policy_id}">Since withdrawn: it is no longer in force.</a></p>'
             if not withdrawn and notice.policy_status == Status.WITHDRAWN else "")
    return (f'\n  <li class="govuk-!-margin-bottom-4" id="{escape(notice.key)}">'
            f'\n    <strong class="govuk-tag {_TAGS[notice.kind]}">{_KINDS[notice.kind]}</strong>'
            f"\n    {name}"
            f'\n    <br><span class="govuk-body-s">{escape(notice.reference)}{version} · '
            f"{escape(notice.business_group)} · {at:%H:%M}</span>"
            f"\n    {summary}\n    {since}\n  </li>\n  ")


@register.simple_tag
def notice_days(days) -> str:
    """``days``: [(day, [(notice, its time in the service's time zone), ...])], as publication.notices_views
    .notices_page groups them (by the day in the service's time zone)."""
    detail_url = cached_reverser("lifecycle:detail")
    report_url = cached_reverser("assessments:monitoring_report", 2)
    return SafeString("".join(
        f'\n<h2 class="govuk-heading-m">{date_shown(day)}</h2>\n<ul class="govuk-list">\n  '
        + "".join(_notice(notice, at, detail_url, report_url) for notice, at in notices)
        + "\n</ul>\n" for day, notices in days))  # each value escaped, or the markup above


@register.simple_tag
def scheme_rows(rows) -> str:
    entry_url = cached_reverser("publication:scheme_detail")
    return SafeString("".join(
        f'\n      <li class="govuk-!-margin-bottom-4"><a class="govuk-link govuk-!-font-weight-bold" '
        f'href="{escape(entry_url(row.reference))}">{escape(row.title)}</a><br>'
        f'\n        <span class="govuk-body-s">{escape(row.reference)} · {escape(row.business_group)}'
        f'{f" · {escape(row.subject)}" if row.subject else ""} · published {date_shown(row.published_on)}</span></li>'
        "\n      " for row in rows))  # each value escaped, or the markup above
