"""Where an inbox item leads (the inbox and the daily digest): the page of what it is about, and only when its reader
may open that page now.

An item is written when something happens and read later, by when the policy may have moved on out of the reader's
sight: a developer is told their draft passed quality assurance, but sees a draft "only while the policy is in
scoping or development" (issue 4). A link there answered 404. Such an item is not a link and says why; once the
policy is published, every item about it leads to it again. Once withdrawn, an item about a policy that was published
leads to its page in the library, whose archive keeps its last version, where its reader may read it there.
(QA crawl, finding 18: such an item said the policy was out of sight, while the archive showed it to its reader.)"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import Resolver404, resolve, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from assessments.models import MonitoringReport
from core.events import AuditAction
from lifecycle.models import Policy
from lifecycle.selectors import visible_policy_ids
from lifecycle.signals import library_readable_requested
from lifecycle.states import DRAFT_EDITABLE_STATUSES, Status
from notifications.models import Notification, ReminderKind
from notifications.selectors import listed_shown

# The page of a reminder's kind, besides the policy's overview (the default).
REMINDER_PAGES = {
    ReminderKind.MONITORING_DUE: "assessments:monitoring",
    ReminderKind.MONITORING_QA: "assessments:monitoring",
    ReminderKind.REMEDIAL_ACTION: "assessments:monitoring",
    ReminderKind.EMERGENCY_EIA: "assessments:eia",
    ReminderKind.ACKNOWLEDGEMENT: "library:policy",
}
# The page of an event's action, where it is not the overview and not a monitoring report's own page.
EVENT_PAGES = {
    AuditAction.POLICY_ADVICE_INVITED: "lifecycle:advice",
    AuditAction.POLICY_ADVICE_WITHDRAWN_NOT_CLEARED: "lifecycle:advice",
    # Where PCU names another Designated Lead.
    AuditAction.POLICY_LEAD_NOT_CLEARED_FOR_INSTRUCTIONS: "lifecycle:people",
    AuditAction.POLICY_EIA_COMPLETED_RETROSPECTIVELY: "assessments:eia",
    AuditAction.MONITORING_REMEDIAL_ACTION_COMPLETED: "assessments:monitoring",
    # The Publication page shows the schedule cancelled and why, and the stored files with their hashes.
    AuditAction.POLICY_PUBLICATION_CANCELLED: "publication_staff:list",
    AuditAction.PUBLICATION_FILE_TAMPERED: "publication_staff:list",
    AuditAction.PUBLICATION_FILES_NOT_STORED: "publication_staff:list",
}
# The page of an item about no policy, event or reminder: the chase's one item per person telling of all their
# reminders to read and confirm ("You have 3 policies to read and confirm", notifications.services.ledger), which are
# listed on their Acknowledgements page (issue 14: "/acknowledgements/: a person's outstanding ... acknowledgements").
UNSOURCED_PAGE = "acknowledgements:list"

WHILE_CHECKED = ("You cannot open this policy while others check and approve it. You see it again if it is returned "
                 "to you, and once it is published.")
OUT_OF_SIGHT = "You cannot open this policy now: it is no longer among the policies you see."
WITHDRAWN = "This policy has been withdrawn: it is no longer among the policies you see."
IN_ARCHIVE = "This policy has been withdrawn. Its last version is in the library's archive."
LISTED_IN_ARCHIVE = "withdrawn, its last version in the library's archive"
ARCHIVE_PAGE = "library:policy"


def for_links(queryset):
    """``queryset`` of notifications with what ``with_links`` reads of each, joined: no query per item (the events
    that notify are steps and decisions: their recorded changes are a few fields, not documents)."""
    return queryset.select_related("policy", "source_event__audit_event", "reminder")


@dataclass(frozen=True)
class ListedPolicy:
    """A policy an item lists (``Notification.listed_policies``): a link to its overview where the reader may open it
    (then named with its title), or to its page in the library's archive once withdrawn (``note`` says so), otherwise
    its reference and why it cannot be opened."""

    reference: str
    title: str
    link: str
    unavailable: str
    note: str = ""


def with_links(items: Iterable[Notification], *, user) -> list[Notification]:
    """``items`` (read with ``for_links``: their policy, source event and reminder), each
    given ``link`` (a path, or "" when it has none), ``unavailable`` (why its policy cannot be opened, or ""),
    ``note`` (what else to know of where it leads: a withdrawn policy's archive, or "") and ``listed`` (the policies it
    lists, ``ListedPolicy``, by reference). Four queries at most, whatever the number of items and of the policies they
    list: the policies a handover's items list (only when some item is a handover's), the policies the reader sees
    among all these, and, if some are out of sight, those they are named on as a developer and (if some of those
    were withdrawn after they were published) those they may read in the library's archive."""
    items = list(items)
    # A handover notice neither lists nor names a policy its reader may not be told of now (notifications.selectors).
    listed = listed_shown(items, _listed(items), user=user)
    policies = {item.policy_id: item.policy for item in items if item.policy_id}
    policies.update((policy.pk, policy) for rows in listed.values() for policy in rows)
    seen = visible_policy_ids(user=user, ids=policies)
    hidden = set(policies) - seen
    developing = set(Policy.developers.through.objects.filter(user_id=user.pk, policy_id__in=hidden)
                     .values_list("policy_id", flat=True)) if hidden else set()
    archived = _in_archive(user, [policies[pk] for pk in hidden])
    for item in items:
        item.link, item.unavailable, item.note = "", "", ""
        # Out of sight, a listed policy is named by its reference only (its item's body names it so already).
        item.listed = [_listed_policy(policy, seen, developing, archived) for policy in listed.get(item.pk, [])]
        if item.policy_id is None:
            if not item.source_event_id and not item.reminder_id:
                item.link = reverse(UNSOURCED_PAGE)
            continue
        if item.policy_id in seen:
            item.link = _page(item)
        elif item.policy_id in archived:
            item.link, item.note = reverse(ARCHIVE_PAGE, args=[item.policy.reference]), IN_ARCHIVE
        else:
            item.unavailable = _unavailable(item.policy, developing)
    return items


def _in_archive(user, hidden: list[Policy]) -> set[int]:
    """Which of the ``hidden`` policies (out of ``user``'s sight in the register) were withdrawn after they were
    published and are in the library's archive for ``user`` to read, by the library's own rule (asked by signal: the
    library builds on what this app builds on). No query when none was withdrawn after publication."""
    ids = [policy.pk for policy in hidden if policy.status == Status.WITHDRAWN and policy.first_published_on]
    if not ids:
        return set()
    return set().union(*(found or set() for _, found in library_readable_requested.send(
        sender=Policy, user=user, policy_ids=ids)))


def _listed_policy(policy: Policy, seen: set[int], developing: set[int], archived: set[int]) -> ListedPolicy:
    if policy.pk in seen:
        return ListedPolicy(policy.reference, policy.title, reverse("lifecycle:detail", args=[policy.reference]), "")
    if policy.pk in archived:
        return ListedPolicy(policy.reference, policy.title, reverse(ARCHIVE_PAGE, args=[policy.reference]), "",
                            LISTED_IN_ARCHIVE)
    # Out of sight, a listed policy is named by its reference only (its item's body names it so already).
    return ListedPolicy(policy.reference, "", "", _unavailable(policy, developing))


def _unavailable(policy: Policy, developing: set[int]) -> str:
    """Why the reader cannot open ``policy`` now (it is out of their sight)."""
    if policy.pk in developing and _being_checked(policy):
        return WHILE_CHECKED
    if policy.status == Status.WITHDRAWN:
        return WITHDRAWN
    return OUT_OF_SIGHT


def _listed(items: list[Notification]) -> dict[int, list[Policy]]:
    """{item id: the policies it lists, by reference} for the items of a leaver's handover (the only ones that list
    policies): one query for them all, none when there is none."""
    ids = [item.pk for item in items if item.source_event_id and item.source_event.audit_event.action
           == AuditAction.PERSON_HANDED_OVER]
    if not ids:
        return {}
    listed: dict[int, list[Policy]] = defaultdict(list)
    for row in (Notification.listed_policies.through.objects.filter(notification_id__in=ids)
                .select_related("policy")
                .only("notification_id", "policy", *(f"policy__{name}" for name in LISTED_FIELDS))
                .order_by("policy__reference")):
        listed[row.notification_id].append(row.policy)
    return listed


# What a listed policy's link and its reason read of it, and whether its reader may be told of it.
LISTED_FIELDS = ("id", "reference", "title", "status", "first_published_on", "protective_marking", "business_group")


def _being_checked(policy: Policy) -> bool:
    """Out of a developer's sight because it is checked, approved or published next: not a draft, not in force."""
    return policy.status not in DRAFT_EDITABLE_STATUSES and policy.status != Status.WITHDRAWN \
        and policy.first_published_on is None


# An audit event's object_type for a monitoring report.
MONITORING_REPORT = MonitoringReport._meta.label_lower


def report_named(audit) -> int | None:
    """The id of the monitoring report an audit event is about: its object, or, for a response to a report and its
    remedial action, the report their changes name; None for any other event."""
    if audit.object_type == MONITORING_REPORT and audit.object_id.isdigit():
        return int(audit.object_id)
    report = audit.changes.get("report") if isinstance(audit.changes, dict) else None
    return report if isinstance(report, int) else None


def _page(item: Notification) -> str:
    reference = item.policy.reference
    # The report it tells of, recorded when it was written (the relay's ``report_named``; a remedial action's or
    # quality assurance's reminder, notifications.services.inbox.report_told_of): its own page.
    if item.report_id is not None:
        return reverse("assessments:monitoring_report", args=[reference, item.report_id])
    audit = item.source_event.audit_event if item.source_event_id else None
    name = EVENT_PAGES.get(audit.action) if audit is not None else None
    if name is None and item.reminder_id:
        name = REMINDER_PAGES.get(item.reminder.kind)
    return reverse(name or "lifecycle:detail", args=[reference])


# --- the page an item's words name (the inbox and the e-mail) ------------------------------------------------------

# Only the service's own sentences name a page in an item's words, at their start or their end ("Reassign at
# /policies/POL-0001/people/: ...", notifications.services.rules; "..., and confirm you have read it at
# /library/POL-0001/.", .plan and .ledger). That page is a link (named in words in the inbox, its full address in an
# e-mail); the rest of the words may hold what people typed (a policy's title, a name), which is never made a link,
# whatever page it names (review, 2026-12-05: a title "Guide /people/coordinator/handover/" was a link to that form,
# that leaver chosen, in the inbox and e-mail of everyone asked to read the policy). And only to the pages those
# sentences name, a policy's page only for the item's own policy.
_NAMED_PAGE = (re.compile(r"^Reassign at (/[\w\-.~%/]*[\w\-~%/]): "),
               re.compile(r"confirm you have read it at (/[\w\-.~%/]*[\w\-~%/])\.$"))
# Each page those sentences name, in words: in the inbox "at /library/POL-0001/" reads "on its page in the library",
# the words a link (QA crawl, finding 10: the link read "/library/POL-0003/", a raw path). An e-mail keeps the full
# address, which is where it leads and what a reader can check.
PAGE_NAMES = {
    "library:policy": "its page in the library",
    "lifecycle:people": "the policy's People page",
    "acknowledgements:list": "your Acknowledgements page",
}
NAMED_PAGES = frozenset(PAGE_NAMES)
_AT = "at "


def _named_page(text: str, reference: str | None) -> tuple[tuple[int, int], str] | None:
    """Where in ``text`` the service's sentence names its page, and which page, if it does (and the page is one it
    names, of the item's own policy ``reference``)."""
    for pattern in _NAMED_PAGE:
        found = pattern.search(text)
        if found is None:
            continue
        try:
            page = resolve(found.group(1))
        except Resolver404:
            return None
        if page.view_name in NAMED_PAGES and page.kwargs.get("reference", reference) == reference:
            return found.span(1), page.view_name
        return None
    return None


def _addresses(text: str, base_url: str, reference: str | None) -> list[tuple[str, str]]:
    """``text`` in pieces: (words, "") and (path, its full address) for the page the service's sentence names."""
    found = _named_page(text, reference)
    if found is None:
        return [(text, "")]
    span = found[0]
    path = text[span[0]:span[1]]
    return [(text[:span[0]], ""), (path, f"{base_url.rstrip('/')}{path}"), (text[span[1]:], "")]


def _reference(item: Notification) -> str | None:
    return item.policy.reference if item.policy_id else None


def in_email_text(item: Notification, text: str, *, base_url: str) -> str:
    """``text`` of ``item`` for an e-mail's plain text: the page its words name as its full address (``base_url``, the
    site's configured address), since a path leads nowhere from an e-mail."""
    return "".join(address or words for words, address in _addresses(text, base_url, _reference(item)))


def with_path_links(item: Notification) -> SafeString:
    """``item``'s words escaped for the inbox page, the page they name a link named in words: "Reassign at
    /policies/POL-0001/people/: ..." reads "Reassign on the policy's People page: ...", no raw path."""
    found = _named_page(item.body, _reference(item))
    if found is None:
        return escape(item.body)
    (start, end), page = found
    return format_html('{}on <a class="govuk-link" href="{}">{}</a>{}', item.body[:start - len(_AT)],
                       item.body[start:end], PAGE_NAMES[page], item.body[end:])


def in_page_words(text: str, reference: str | None) -> str:
    """``text`` for a page of the site that shows it as plain words (the handover page's open tasks), the page it
    names in words, not as a raw path (``with_path_links`` without the link)."""
    found = _named_page(text, reference)
    if found is None:
        return text
    (start, end), page = found
    return f"{text[:start - len(_AT)]}on {PAGE_NAMES[page]}{text[end:]}"


def in_email_html(item: Notification, *, base_url: str) -> SafeString:
    """``item``'s words escaped for an e-mail's HTML, the page they name a link to its full address."""
    return mark_safe("".join(  # noqa: S308 (each piece escaped here)
        format_html('<a href="{}">{}</a>', address, address) if address else escape(words)
        for words, address in _addresses(item.body, base_url, _reference(item))))
