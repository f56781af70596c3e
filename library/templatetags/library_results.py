"""``{% library_results results.documents %}``: the library's results (library/index.html), a list item each: the
document's title linked to its place on its policy's library page, what it is, whether it is superseded or withdrawn,
its marking when OFFICIAL-SENSITIVE, its policy, version, business group and day published, and a search's extract
(or, for a statement listed without a search, whom it is relevant to).

Written here rather than in the template's loop, as the register's rows are (lifecycle.templatetags.register_rows):
20 results of template nodes, each a model instance whose link was resolved by reverse() and whose date went through
|date, cost more Python than the page's SQL could afford (make bench, 100,000 policies: the library took about twice
its own SQL). Every value is escaped as the template engine escapes it (html.escape, which django.utils.html.escape
calls; a search's extract is already escaped, its matches marked)."""

from html import escape

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from core.dates import date_shown
from core.templatetags.cached_urls import cached_reverser
from core.text import truncated_chars
from library.models import DocumentKind, document_url
from lifecycle.states import ProtectiveMarking

register = template.Library()

KINDS = dict(DocumentKind.choices)
# How much of whom a statement is relevant to the list shows (the template's |truncatechars:200).
RELEVANT_TO_CHARACTERS = 200
WITHDRAWN = '<strong class="govuk-tag govuk-tag--red">Withdrawn</strong>'
SUPERSEDED = '<strong class="govuk-tag govuk-tag--yellow">Superseded</strong>'
SENSITIVE = '<strong class="govuk-tag govuk-tag--orange">OFFICIAL-SENSITIVE</strong>'


def _result(document, policy_url, version_url) -> str:
    kind = document.kind
    status = WITHDRAWN if document.is_withdrawn else "" if document.is_current else SUPERSEDED
    marking = SENSITIVE if document.protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE else ""
    policy_title = f" {escape(document.policy_title)}" if kind != DocumentKind.STATEMENT else ""
    version = f", version {escape(document.version_number)}" if document.version_number else ""
    published = f" · published {date_shown(document.published_on)}" if document.published_on else ""
    if document.headline:
        extract = f'<p class="govuk-body app-library-extract">{conditional_escape(document.headline)}</p>'
    elif kind == DocumentKind.STATEMENT:
        extract = (f'<p class="govuk-body-s">{escape(truncated_chars(document.relevant_to, RELEVANT_TO_CHARACTERS))}'
                   "</p>")
    else:
        extract = ""
    url = document_url(document, policy_url=policy_url, version_url=version_url)
    return (f'\n      <li class="app-library-results__item">'
            f'\n        <h2 class="govuk-heading-s govuk-!-margin-bottom-1">'
            f'\n          <a class="govuk-link" href="{escape(url)}">{escape(document.title)}</a>'
            f"\n        </h2>"
            f'\n        <p class="govuk-body-s govuk-!-margin-bottom-1">'
            f'\n          <strong class="govuk-tag govuk-tag--grey">{escape(KINDS.get(kind, kind))}</strong>'
            f"\n          {status}\n          {marking}"
            f"\n          {escape(document.reference)}{policy_title}{version} · {escape(document.business_group_name)}"
            f"{published}\n        </p>\n        {extract}\n      </li>\n      ")


@register.simple_tag
def library_results(documents) -> str:
    policy_url = cached_reverser("library:policy")
    version_url = cached_reverser("library:version", 2)
    return SafeString("".join(_result(document, policy_url, version_url) for document in documents))
