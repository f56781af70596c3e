"""Where an inbox item leads (the inbox and the daily digest): the page of what it is about, and only when its reader
may open that page now.

An item is written when something happens and read later, by when the policy may have moved on out of the reader's
sight: a developer is told their draft passed quality assurance, but sees a draft "only while the policy is in
scoping or development" (issue 4). A link there answered 404. Such an item is not a link and says why; once the
policy is published, every item about it leads to it again."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from core.events import AuditAction
from lifecycle.models import Policy
from lifecycle.selectors import visible_policies
from lifecycle.states import DRAFT_EDITABLE_STATUSES, Status
from notifications.models import Notification, ReminderKind

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
    AuditAction.POLICY_EIA_COMPLETED_RETROSPECTIVELY: "assessments:eia",
    AuditAction.MONITORING_REMEDIAL_ACTION_COMPLETED: "assessments:monitoring",
    # The Publication page shows the schedule cancelled and why, and the stored files with their hashes.
    AuditAction.POLICY_PUBLICATION_CANCELLED: "publication_staff:list",
    AuditAction.PUBLICATION_FILE_TAMPERED: "publication_staff:list",
}
MONITORING_REPORT = "assessments.monitoringreport"

WHILE_CHECKED = ("You cannot open this policy while others check and approve it. You see it again if it is returned "
                 "to you, and once it is published.")
OUT_OF_SIGHT = "You cannot open this policy now: it is no longer among the policies you see."
WITHDRAWN = "This policy has been withdrawn: it is no longer among the policies you see."


def for_links(queryset):
    """``queryset`` of notifications with what ``with_links`` reads of each, joined: no query per item (the events
    that notify are steps and decisions: their recorded changes are a few fields, not documents)."""
    return queryset.select_related("policy", "source_event__audit_event", "reminder")


def with_links(items: Iterable[Notification], *, user) -> list[Notification]:
    """``items`` (read with ``for_links``: their policy, source event and reminder), each
    given ``link`` (a path, or "" when it has none) and ``unavailable`` (why its policy cannot be opened, or "").
    Two queries at most, whatever the number of items: the policies the reader sees among theirs, and, if some are
    out of sight, those they are named on as a developer."""
    items = list(items)
    policy_ids = {item.policy_id for item in items if item.policy_id}
    seen = set(visible_policies(user=user).filter(pk__in=policy_ids).values_list("pk", flat=True)) if policy_ids \
        else set()
    hidden = policy_ids - seen
    developing = set(Policy.developers.through.objects.filter(user_id=user.pk, policy_id__in=hidden)
                     .values_list("policy_id", flat=True)) if hidden else set()
    for item in items:
        item.link, item.unavailable = "", ""
        if item.policy_id is None:
            continue
        if item.policy_id in seen:
            item.link = _page(item)
        elif item.policy_id in developing and _being_checked(item.policy):
            item.unavailable = WHILE_CHECKED
        elif item.policy.status == Status.WITHDRAWN:
            item.unavailable = WITHDRAWN
        else:
            item.unavailable = OUT_OF_SIGHT
    return items


def _being_checked(policy: Policy) -> bool:
    """Out of a developer's sight because it is checked, approved or published next: not a draft, not in force."""
    return policy.status not in DRAFT_EDITABLE_STATUSES and policy.status != Status.WITHDRAWN \
        and policy.first_published_on is None


def _page(item: Notification) -> str:
    reference = item.policy.reference
    audit = item.source_event.audit_event if item.source_event_id else None
    if audit is not None and audit.object_type == MONITORING_REPORT and audit.object_id.isdigit():
        return reverse("assessments:monitoring_report", args=[reference, int(audit.object_id)])
    # A response to a report and its remedial action name the report in their changes.
    report = audit.changes.get("report") if audit is not None and isinstance(audit.changes, dict) else None
    if isinstance(report, int):
        return reverse("assessments:monitoring_report", args=[reference, report])
    name = EVENT_PAGES.get(audit.action) if audit is not None else None
    if name is None and item.reminder_id:
        name = REMINDER_PAGES.get(item.reminder.kind)
    return reverse(name or "lifecycle:detail", args=[reference])
