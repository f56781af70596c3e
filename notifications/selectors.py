"""What a reader is shown of the items written for them: the inbox, its unread count in the header, and the digest
e-mail read their items here, so that each surface shows the same items and counts what it shows.

OFFICIAL-SENSITIVE material never reaches anyone not cleared for it (security probe F2). The relay and the chase write
an item about an OFFICIAL-SENSITIVE policy only for those cleared for its business group, but an item is read long
after it is written: its reader may since have lost the role that cleared them, or moved to another business group,
and the policy may since have been re-marked OFFICIAL by a review, retitled, while the item keeps the title (and the
reasons) of when it was written. So the item records its policy's marking when it is written
(``Notification.protective_marking``), and is read by that and by the policy's marking now (security review of
2026-12-06: an item of version 1.0, OFFICIAL-SENSITIVE, came back to a co-ordinator whose role was revoked once the
review's version was published OFFICIAL, though version 1.0 was withheld from them everywhere else).
Such an item is left out, from the list and from the count alike, while its reader is not cleared for it now; the
rule is ``lifecycle.selectors.roles_cleared_for`` (``user_may_see_sensitive``: a role on the policy's business group,
or a force-wide role), read from the roles loaded with the reader (workspace.backends): no query per item, and none
for the count.

Why left out, rather than shown as "a notification about an OFFICIAL-SENSITIVE policy you are no longer cleared to
see": such a line could not be opened or acted on (the policy answers 404, and its work has passed to those cleared
for it: the chase tells the co-ordinator to reassign it), yet it would still say that there is such a policy, when
and what kind of news it was, which is itself more than someone without clearance is told; and it would stand in the
unread count and the e-mail as something to do that cannot be done. Left out, the list, the count and the e-mail
agree by construction, and each reads as it would for someone never told. The item itself is evidence and is kept as
it was written, unread (``notifications_mark_read`` marks only what its reader is shown): it is seen again, as it
was, if its reader is cleared again.

An item about a monitoring report (a remedial action's reminder, which quotes what the Lead directed; a reminder of
its quality assurance; an event the relay told of it) records the report when it is written (``Notification.report``)
and is read by the report's own marking as well, as it is marked now (assessments.selectors): one made
OFFICIAL-SENSITIVE stays so when a review re-marks its policy OFFICIAL, and such an item is left out, as the pages leave
the report out, while its reader is not cleared for its policy's business group now (``withheld_unless_cleared``;
review of 2026-12-05, finding 4). In the same query, and in the same subquery of the count, by one join: none per
item.

A leaver's handover notice is about no policy but names several (``Notification.listed_policies``); there, a policy
its reader is not cleared for now is neither listed nor named, and is counted, as the notice would have been written
for someone never cleared for it (notifications.services.handover)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Coalesce

from assessments.selectors import report_frozen_sensitive
from lifecycle.models import Policy
from lifecycle.permissions import role_index
from lifecycle.selectors import cleared_business_groups, roles_cleared_for
from lifecycle.states import ProtectiveMarking
from notifications.models import Notification


def about_sensitive_report() -> Q:
    """The Q of an item about a monitoring report made OFFICIAL-SENSITIVE (``report_frozen_sensitive``: its own
    marking, whatever its policy is marked now): the report the item tells of, recorded when it was written
    (``Notification.report``): an event the relay told of the report (``links.report_named``), a remedial action's
    reminder, quoting what the Lead directed after the report, and a reminder of the report waiting for quality
    assurance. One join, to the report, read as it is marked now (a report is raised to its policy's marking when
    it is submitted and published)."""
    return report_frozen_sensitive(report="report__")


def written_sensitive() -> Q:
    """The Q of the items written while their policy was not OFFICIAL (``Notification.protective_marking``, recorded
    when each is written): their title is the policy's title then, and their body may quote what was recorded then
    (the reasons of notifications.services.outbox.REASON_SAID), whatever the policy is marked since. Anything but
    OFFICIAL is read as not OFFICIAL. No join: the item's own column."""
    return ~Q(protective_marking=ProtectiveMarking.OFFICIAL)


def withheld_unless_cleared() -> Q:
    """The Q of the items shown only to a reader cleared now for their policy's business group: those about a policy
    that is not OFFICIAL now, or was not when the item was written (``written_sensitive``: a review that re-marks
    the policy OFFICIAL and retitles it leaves its items of before withheld, as its versions of before are; security
    review of 2026-12-06), or about a monitoring report made OFFICIAL-SENSITIVE (``about_sensitive_report``). The list
    (``shown_to``) and the header's count (``sensitive_unread_of_outer_user``) both read it."""
    return (~Q(policy__protective_marking=ProtectiveMarking.OFFICIAL) | written_sensitive()
            | about_sensitive_report())


def shown_to(queryset: QuerySet[Notification], *, user) -> QuerySet[Notification]:
    """``queryset`` of ``user``'s items without those about a policy that is not OFFICIAL (now, or when the item was
    written), or about a monitoring report made OFFICIAL-SENSITIVE (``withheld_unless_cleared``), that ``user`` is not
    cleared for now. The reader's
    clearance is read once (``cleared_business_groups``, from their roles, cached on them for the request): one
    condition in the same query, whatever the number of items."""
    cleared = cleared_business_groups(user)
    if cleared is None:  # a force-wide role: cleared for every business group
        return queryset
    shown = Q(policy__isnull=True) | ~withheld_unless_cleared()
    if cleared:
        shown |= Q(policy__business_group_id__in=sorted(cleared))
    return queryset.filter(shown)


def no_longer_needed() -> Q:
    """The Q of the items whose reminder the ledger has closed (``Reminder.superseded_at``): an orphan reminder once its
    gap is filled (notifications.services.ledger ``_orphan_reminders_close``, ``reminders._orphan_reminders_resolve``),
    one handed over with the work to the new holder (``reminders_hand_over``), stopped when its policy was withdrawn
    (``reminders_stop_for``), or answered: the annual report's by the report due (``monitoring_reminders_answered``),
    the review's by the publication that completes it or a date brought forward (``review_reminders_close``). Such an
    item asks nothing more of its reader: the inbox keeps it, as the record of what was asked, tagged "No longer
    needed"; it is not new, not counted in the header and not e-mailed. So is an item told of an event that asked its
    reader to act on a review draft since withdrawn (``Notification.closed_at``, services.inbox.draft_items_close)."""
    return Q(reminder__superseded_at__isnull=False) | Q(closed_at__isnull=False)


def new_items() -> Q:
    """The Q of the items that are new: not read, and not ``no_longer_needed``. The inbox's "New" tag and its unread
    filter, the header's count, "Mark all as read" and the digest e-mail all read it (one join, the reminder's, in
    the query each already makes)."""
    return Q(read_at__isnull=True, closed_at__isnull=True) & (
        Q(reminder__isnull=True) | Q(reminder__superseded_at__isnull=True))


def inbox_items(*, user) -> QuerySet[Notification]:
    """``user``'s items as they are shown to them: the inbox's list, and what "Mark all as read" marks."""
    return shown_to(Notification.objects.filter(recipient_id=user.pk), user=user)


def may_be_told_of(policy: Policy, roles) -> bool:
    """Whether someone holding ``roles`` (``role_index``) may be told of ``policy`` now: ``shown_to``'s rule, for a
    policy already read (a handover notice's listed policies)."""
    return policy.protective_marking == ProtectiveMarking.OFFICIAL or roles_cleared_for(roles, policy.business_group_id)


# --- the header's count, loaded with the signed-in person (workspace.backends) ------------------------------------


def unread_count_of_outer_user() -> Coalesce:
    """The unread items of the user of the outer query, every one: loaded in the query that loads the user instead of
    a query of its own on every page. ``unread_count_seen`` takes from it those its reader may not be shown."""
    unread = (Notification.objects.filter(new_items(), recipient_id=OuterRef("pk")).order_by()
              .values("recipient_id").annotate(count=Count("pk")).values("count"))
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


class _CountsByGroup(Subquery):
    """A subquery's rows of (``business_group``, ``items``) as one text, "group id:count,..."; None for no row."""

    template = ("(SELECT STRING_AGG(counted.business_group || ':' || counted.items, ',') FROM (%(subquery)s) "
                "AS counted)")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=self.template.replace("STRING_AGG", "GROUP_CONCAT"),
                           **extra_context)


def sensitive_unread_of_outer_user() -> Subquery:
    """The unread items of the user of the outer query shown only to those cleared for their policy's business group
    (``withheld_unless_cleared``), counted by that business group, as one text ("group id:count,..."; None for none):
    at most one entry per business group, however many items. The reader's clearance for each group is decided in
    Python, by the one rule (``unread_count_seen``)."""
    per_group = (Notification.objects.filter(new_items(), recipient_id=OuterRef("pk"), policy__isnull=False)
                 .filter(withheld_unless_cleared()).order_by()
                 .annotate(business_group=F("policy__business_group_id")).values("business_group")
                 .annotate(items=Count("pk")).values("business_group", "items"))
    return _CountsByGroup(per_group, output_field=TextField())


def unread_count_seen(user, unread: int, sensitive: str | None) -> int:
    """The header's count: ``unread`` (``unread_count_of_outer_user``) less the unread items ``user`` is not shown
    (``sensitive``, from ``sensitive_unread_of_outer_user``, read by the rule ``shown_to`` reads): what the inbox lists
    as new. No query (the roles are loaded with the person)."""
    if not sensitive:
        return unread
    roles = role_index(user)
    withheld = 0
    for entry in sensitive.split(","):
        group, count = entry.split(":")
        if not roles_cleared_for(roles, int(group)):
            withheld += int(count)
    return unread - withheld


def inbox_unread_count(*, user) -> int:
    """The header's count where it was not loaded with the person (one query)."""
    return inbox_items(user=user).filter(new_items()).count()


# --- a leaver's handover notice: the policies it names -----------------------------------------------------------


def references_named(references: list[str], more: int) -> str:
    """How a handover notice names its policies: "POL-0001, POL-0002 and 3 more" (notifications.services.handover
    writes it; ``listed_shown`` reads it back)."""
    return f"{', '.join(references)}{f' and {more} more' if more > 0 else ''}"


# Said instead of a notice's words when they name a policy withheld from its reader other than where the notice
# lists its policies (not written so by this service; a safeguard).
WITHHELD_WORDS = "This notice names policies that are not shown to you."


def listed_shown(items: Iterable[Notification], listed: dict[int, list[Policy]], *, user) -> dict[int, list[Policy]]:
    """``listed`` ({item id: the policies it lists, read with their marking and business group}) without the policies
    ``user`` may not be told of now (``may_be_told_of``). An item that names such a policy in its words is given, in
    memory only, the words it would have been written with for someone never cleared for it: the policy counted, not
    named ("3 policies handed over from Sam Lee: POL-0001, POL-0002 and 1 more."). Nothing is saved: the item is
    kept as it was written. No query (the reader's roles are loaded with them)."""
    if not listed:
        return listed
    roles = role_index(user)
    shown: dict[int, list[Policy]] = {}
    for item in items:
        policies = listed.get(item.pk)
        if not policies:
            continue
        withheld = {policy.reference for policy in policies if not may_be_told_of(policy, roles)}
        shown[item.pk] = [policy for policy in policies if policy.reference not in withheld]
        if withheld:
            item.body = _without(item.body, [policy.reference for policy in policies], withheld)
    return shown


def _without(words: str, listed: list[str], withheld: set[str]) -> str:
    """``words`` with the ``withheld`` references taken out of where they name the ``listed`` ones, and counted."""
    reference = "|".join(re.escape(each) for each in sorted(listed, key=len, reverse=True))
    named = re.compile(rf": ((?:{reference})(?:, (?:{reference}))*)(?: and (\d+) more)?\.")

    def counted(found: re.Match) -> str:
        references = found.group(1).split(", ")
        kept = [each for each in references if each not in withheld]
        more = int(found.group(2) or 0) + len(references) - len(kept)
        return f": {references_named(kept, more)}." if kept else "."

    shown = named.sub(counted, words)
    if any(re.search(rf"(?<![\w-]){re.escape(each)}(?![\w-])", shown) for each in withheld):
        return WITHHELD_WORDS
    return shown
