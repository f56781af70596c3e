"""A policy's history, its two long lists:

- ``{% timeline_entries entries evidence=shows_evidence %}``: the timeline's events (``lifecycle.timeline.entries``),
  each a list item: what happened, by whom and when, what changed and, with ``evidence`` (PCU), the recorded event;
- ``{% version_rows versions policy %}``: the versions page's table rows, each version's number, author, dates, hash
  and interim revisions (issue 12).

Written here rather than as template loops: the loops over a page of 50 events or versions were most of those pages'
time (make bench; benchmarks.profile timeline versions: on the timeline 4,000 ``{% abbreviate %}`` and 3,000
``|date`` calls a page, 45,000 variable lookups). The markup is the loops', unchanged. Every value goes through
``_html`` (``format_html``: escaped unless it is markup already safe); the abbreviations through the glossary's
``abbreviated``, in the page's order, so each is still expanded on its first use on the page
(tests/web/test_every_page.py); dates through core.dates, the one format."""

from __future__ import annotations

import html
import re

from django import template
from django.utils import timezone
from django.utils.safestring import SafeData, SafeString

from core.dates import datetime_shown
from core.templatetags.cached_urls import cached_reverser
from core.templatetags.glossary import abbreviated
from lifecycle.states import ProtectiveMarking
from lifecycle.timeline import Change, Entry

register = template.Library()

ENTRY = (
    '\n  <li class="app-timeline__item">'
    '\n    <h3 class="govuk-heading-s govuk-!-margin-bottom-1">{heading}{version}</h3>'
    '\n    <p class="govuk-body-s govuk-!-margin-bottom-1">By {actor}{role}, '
    '<time datetime="{occurred_iso}">{occurred}</time></p>'
    "{changes}{evidence}"
    "\n  </li>"
)
VERSION = " (version {})"
ROLE = " ({})"
# A role spelled out where the page first uses its abbreviation ("Policy Co-ordination Unit (PCU)") follows the name
# between commas: in brackets it read "By Jonah Whitcombe (Policy Co-ordination Unit (PCU))" (QA crawl). The comma
# after it is ENTRY's own, before the date (with one here too it read "(PCU),, 13 April 2024", QA walk 52).
ROLE_SPELLED_OUT = ", {}"
# What changed, each field by its label, folded away: the sentence and time name it for a screen reader.
CHANGES = (
    '\n    <details class="govuk-details govuk-!-margin-bottom-2"><summary class="govuk-details__summary">'
    '<span class="govuk-details__summary-text">What changed'
    '<span class="govuk-visually-hidden">: {sentence}, {occurred}</span></span></summary>'
    '\n      <div class="govuk-details__text">'
    '\n        <dl class="govuk-summary-list govuk-summary-list--no-border app-changes">{rows}'
    "\n        </dl>"
    "\n      </div>"
    "\n    </details>"
)
CHANGE = (
    '\n          <div class="govuk-summary-list__row">'
    '\n            <dt class="govuk-summary-list__key">{label}</dt>'
    '\n            <dd class="govuk-summary-list__value app-user-text">{value}</dd>'
    "\n          </div>"
)
BEFORE_AFTER = (
    '<span class="app-changes__before"><span class="govuk-visually-hidden">Before: </span><del>{}</del></span> '
    '<span aria-hidden="true">→</span> '
    '<span class="app-changes__after"><span class="govuk-visually-hidden">After: </span>{}</span>'
)
# The recorded event itself, for PCU's evidence: its action code, number, account, object, hash and changes.
EVIDENCE = (
    '\n    <details class="govuk-details govuk-!-margin-bottom-2 app-evidence">'
    '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">Recorded event'
    '<span class="govuk-visually-hidden"> {sequence}</span></span></summary>'
    '\n      <div class="govuk-details__text">'
    '\n        <dl class="govuk-summary-list govuk-summary-list--no-border">'
    '\n          <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Event</dt>'
    '<dd class="govuk-summary-list__value"><code>{action}</code>, number {sequence}</dd></div>'
    '\n          <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Account</dt>'
    '<dd class="govuk-summary-list__value"><code>{account}</code></dd></div>'
    '\n          <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Object</dt>'
    '<dd class="govuk-summary-list__value"><code>{object_type}:{object_id}</code> {object_repr}</dd></div>'
    '\n          <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Hash</dt>'
    '<dd class="govuk-summary-list__value"><code class="app-hash">{hash}</code></dd></div>'
    "\n        </dl>"
    '\n        <pre class="app-changes__raw">{recorded}</pre>'
    "\n      </div>"
    "\n    </details>"
)


def _escaped(value) -> str:
    """``conditional_escape``: markup already safe as it is, anything else escaped (``django.utils.html.escape`` is
    ``html.escape``), without the lazy-string wrappers that were a fifth of the page's own time (50 events, ~25
    values each)."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


def _safe(text: str) -> SafeString:
    """``mark_safe`` of a str (never lazy here), without the wrapper that looks for a lazy argument in every call
    (make bench: 14,500 calls on PCU's timeline). Only for markup written from escaped values."""
    return SafeString(text)


def _html(template_text: str, *args, **values) -> SafeString:
    """``format_html``: the template with each value escaped unless already safe."""
    return _safe(template_text.format(*map(_escaped, args),
                                      **{name: _escaped(value) for name, value in values.items()}))


_NEWLINE = re.compile(r"\r\n|\r")


def _lines(text: str) -> SafeString:
    """``{{ text|linebreaksbr }}``: escaped, each line break a <br>."""
    return _safe(_escaped(_NEWLINE.sub("\n", str(text))).replace("\n", "<br>"))


def _change(context, change: Change) -> SafeString:
    value = _html(BEFORE_AFTER, change.before, change.after) if change.has_before else _lines(change.after)
    return _html(CHANGE, label=abbreviated(context, change.label), value=value)


def _evidence(entry: Entry) -> SafeString:
    event = entry.event
    return _html(EVIDENCE, sequence=event["sequence"], action=event["action"],
                 account=event["actor_username"] or "(system)", object_type=event["object_type"],
                 object_id=event["object_id"], object_repr=event["object_repr"], hash=event["hash"],
                 recorded=entry.recorded)


def entry_html(context, entry: Entry, *, evidence: bool = False) -> SafeString:
    """One event as the timeline's list item, its abbreviations counted on the page ``context`` renders."""
    heading = abbreviated(context, entry.sentence)
    role = ""
    if entry.role:
        role_html = abbreviated(context, entry.role)
        # A role's own words hold no bracket: one in its markup is an abbreviation spelled out on its first use.
        role = _html(ROLE_SPELLED_OUT if "(" in role_html else ROLE, role_html)
    changes = ""
    if entry.changes:
        rows = _safe("".join(_change(context, change) for change in entry.changes))
        changes = _html(CHANGES, sentence=entry.sentence, occurred=entry.occurred, rows=rows)
    return _html(ENTRY, heading=heading, version=_html(VERSION, entry.version) if entry.version else "",
                 actor=entry.actor, role=role, occurred_iso=entry.occurred_iso, occurred=entry.occurred,
                 changes=changes, evidence=_evidence(entry) if evidence else "")


@register.simple_tag(takes_context=True)
def timeline_entries(context, entries: list[Entry], evidence: bool = False) -> SafeString:
    """The entries' list items, in order (the <ol> is the template's)."""
    return _safe("".join(entry_html(context, entry, evidence=evidence) for entry in entries))


# --- versions ----------------------------------------------------------------------------------------------

VERSION_ROW = (
    '\n    <tr class="govuk-table__row"><td class="govuk-table__cell">{number}{sensitive}{withdrawn}</td>'
    '<td class="govuk-table__cell">{author}</td>'
    '\n      <td class="govuk-table__cell">{created}</td><td class="govuk-table__cell">{submitted}</td>'
    '\n      <td class="govuk-table__cell"><span class="app-hash">{content_hash}</span></td>'
    '\n      <td class="govuk-table__cell">{revisions}</td></tr>'
    "{inside}"
)
# A version that is OFFICIAL-SENSITIVE material though its policy is OFFICIAL now (published so before a review's
# downgrade, or withdrawn while the policy was: PolicyVersion.frozen_sensitive), said beside its number to those
# cleared, who alone are shown it (review of 2026-12-06: nothing on the page said so, under the policy's OFFICIAL).
SENSITIVE_TAG = ' <strong class="govuk-tag govuk-tag--red">OFFICIAL-SENSITIVE</strong>'
# A review draft the Designated Lead withdrew (PolicyVersion.withdrawn_at): kept, and said so beside its number.
WITHDRAWN_TAG = (' <strong class="govuk-tag govuk-tag--grey">Withdrawn</strong>'
                 '<br><span class="govuk-body-s">{when}</span>')
REVISIONS_LINK = (
    '<a class="govuk-link" href="{url}">{count} revision{plural}'
    '<span class="govuk-visually-hidden"> of version {number}</span></a>'
)
# The interim revisions inside a version (issue 12), the newest version's open.
REVISIONS_INSIDE = (
    '\n    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="6">'
    '\n      <details class="govuk-details govuk-!-margin-bottom-0"{open}>'
    '\n        <summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
    "Revisions inside version {number}</span></summary>"
    '\n        <div class="govuk-details__text">'
    '\n          <ol class="govuk-list app-revision-list">{items}'
    "\n          </ol>"
    "\n        </div>"
    "\n      </details>"
    "\n    </td></tr>"
)
REVISION = (
    "\n            <li>{sequence}. {document}, {saved_by}, {saved_at} "
    '<span class="app-hash" title="{content_hash}">{short_hash}</span>{changes}</li>'
)
REVISION_CHANGES = (
    ' · <a class="govuk-link" href="{url}?from={previous}&amp;to={sequence}">Changes'
    '<span class="govuk-visually-hidden"> in revision {sequence} of version {number}</span></a>'
)


def _revision_html(revision, *, url: str, number: str, zone=None) -> SafeString:
    saved_by = "starting point" if revision.starting_point else revision.saved_by_name or ""
    changes = _html(REVISION_CHANGES, url=url, previous=revision.previous_sequence, sequence=revision.sequence,
                    number=number) if revision.previous_sequence else ""
    return _html(REVISION, sequence=revision.sequence, document=revision.document_label, saved_by=saved_by,
                 saved_at=datetime_shown(revision.saved_at, zone=zone), content_hash=revision.content_hash,
                 short_hash=revision.short_hash, changes=changes)


def version_row_html(version, *, reference: str, first: bool = False, revisions_url=None, zone=None,
                     policy_official: bool = False) -> SafeString:
    """One version's row (``lifecycle.selectors.VersionHistoryRow``), and its interim revisions' row when it has any
    (``revisions_inside``). ``revisions_url`` (a ``cached_reverser`` of the revisions page) and ``zone`` (the
    service's time zone) when the caller writes many rows. ``policy_official``: the policy is OFFICIAL now, and a
    version that is OFFICIAL-SENSITIVE material is tagged so (``SENSITIVE_TAG``)."""
    number = version.number
    url = (revisions_url or cached_reverser("lifecycle:revisions", 2))(reference, number)
    # Counted only for those who see the drafts (lifecycle.selectors.version_history).
    count = getattr(version, "revision_count", None)
    revisions = "—" if count is None else _html(REVISIONS_LINK, url=url, count=count,
                                                 plural="" if count == 1 else "s", number=number)
    inside = getattr(version, "revisions_inside", None)
    if inside:
        items = _safe("".join(_revision_html(revision, url=url, number=number, zone=zone) for revision in inside))
        inside = _html(REVISIONS_INSIDE, open=_safe(" open") if first else "", number=number, items=items)
    withdrawn_at = getattr(version, "withdrawn_at", None)
    withdrawn = _html(WITHDRAWN_TAG, when=datetime_shown(withdrawn_at, zone=zone)) if withdrawn_at else ""
    sensitive = SENSITIVE_TAG if policy_official and getattr(version, "frozen_sensitive", False) else ""
    return _html(VERSION_ROW, number=number, sensitive=_safe(sensitive), withdrawn=withdrawn, author=version.author,
                 created=datetime_shown(version.created_at, zone=zone),
                 submitted=datetime_shown(version.submitted_at, zone=zone) or ("Not submitted" if withdrawn_at
                                                                               else "Draft"),
                 content_hash=version.content_hash or "—",
                 revisions=revisions, inside=inside or "")


@register.simple_tag
def version_rows(versions, policy) -> SafeString:
    """The versions' table rows, newest first as given (the <table> and its head are the template's)."""
    # The URL's parts and the time zone looked up once for the page's rows, not once or twice a row.
    revisions_url, zone = cached_reverser("lifecycle:revisions", 2), timezone.get_current_timezone()
    official = policy.protective_marking == ProtectiveMarking.OFFICIAL
    return _safe("".join(version_row_html(version, reference=policy.reference, first=index == 0,
                                          revisions_url=revisions_url, zone=zone, policy_official=official)
                         for index, version in enumerate(versions)))
