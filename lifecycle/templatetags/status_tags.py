"""``{% status_tag policy.status policy.not_impact_assessed %}``: a policy's status as a GOV.UK tag coloured by where
it stands (STATUS_TAG_CLASS), and the red "Not impact assessed" tag beside it when an emergency approval skipped the
impact assessment. From the two values, so that a Policy and the register's rows of values are shown alike.
includes/status_tag.html says the same of ``policy``.

Python rather than an include, so that the 25 rows of the register do not pay for a template each (issue 16)."""

from functools import cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.glossary import GLOSSARY
from core.templatetags.glossary import abbreviate
from lifecycle.states import Status

register = template.Library()

# Each status's tag colour; the rest, from submission until published (lifecycle.states.APPROVAL_PIPELINE), is
# yellow: approved and with PCU for publication are stage 5 but not yet in force, so not the published green.
STATUS_TAG_CLASS = {
    Status.WITHDRAWN: "govuk-tag--grey",
    Status.IMPLEMENTATION: "govuk-tag--green",
    Status.MONITORING: "govuk-tag--green",
    Status.SCOPING: "govuk-tag--turquoise",
    Status.COMMISSIONING: "govuk-tag--turquoise",
    Status.DEVELOPMENT: "govuk-tag--blue",
}
APPROVAL_TAG_CLASS = "govuk-tag--yellow"


@cache
def _tag(status: str, not_impact_assessed: bool, shown: str | None = None) -> str:
    """The tags' markup, ``shown`` (safe) in place of the label when given. Kept for each status without it."""
    html = format_html('<strong class="govuk-tag app-stage-tag {}">{}</strong>',
                       STATUS_TAG_CLASS.get(status, APPROVAL_TAG_CLASS), shown or Status(status).label)
    if not_impact_assessed:
        html += mark_safe(' <strong class="govuk-tag govuk-tag--red app-stage-tag">Not impact assessed</strong>')
    return html


@cache
def _may_abbreviate(status: str) -> bool:
    """Whether the status's label holds an abbreviation of the glossary (a word of it as a substring, at least):
    only those go through ``{% abbreviate %}``, whose first use on a page is counted and so cannot be kept."""
    label = Status(status).label
    return any(short in label for short in GLOSSARY)


@register.simple_tag(takes_context=True)
def status_tag(context, status, not_impact_assessed=False):
    not_impact_assessed = bool(not_impact_assessed)
    if _may_abbreviate(status):
        return _tag(status, not_impact_assessed, abbreviate(context, Status(status).label))
    return _tag(status, not_impact_assessed)
