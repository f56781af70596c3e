"""Items already in someone's inbox, about an OFFICIAL-SENSITIVE policy they are no longer cleared for (security probe
F2, the reading side; the writing side is test_sensitive_recipients.py and test_chase_clearance.py). The relay and the
chase tell such a policy only to those cleared for its business group, but an item written while its reader was
cleared stayed: after their role was removed, or they moved to another business group, the inbox, the header's
unread count and a leaver's handover notice (in the inbox and the digest e-mail) still showed the policy's reference
and title.

Now every surface reads the items through notifications.selectors, which leaves out an item about an
OFFICIAL-SENSITIVE policy its reader is not cleared for now (``lifecycle.selectors.roles_cleared_for``), from the list
and from the count alike, and a handover notice neither names nor lists such a policy (it counts it). The item itself
is kept as it was written, unread: it is evidence, and is seen again if the clearance comes back."""

from __future__ import annotations

import re

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Role
from core.services import role_assign
from lifecycle.models import Policy
from notifications import services
from notifications.models import Digest, Notification
from notifications.selectors import WITHHELD_WORDS, listed_shown
from tests.factories import user_with_role
from tests.notifications.test_chase_clearance import (
    SENSITIVE,
    TITLE,
    chase,
    digests_sent,
    mailed_to,
    published,
    role_removed,
)
from tests.notifications.test_handover_notice import hand_over, notice, two_groups_portfolio

pytestmark = pytest.mark.django_db

OFFICIAL_TITLE = "Stop and search"


def inbox(client, user, path: str = "/notifications/") -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def unread_in_header(page: str) -> int:
    found = re.search(r'(\d+)<span class="govuk-visually-hidden"> unread</span>', page)
    return int(found.group(1)) if found else 0


def chased_while_cleared(people):
    """An OFFICIAL-SENSITIVE policy and an OFFICIAL one, both developed by ``people.developer`` and a cleared
    colleague; the chase tells both of both reviews while they are cleared."""
    colleague = user_with_role(Role.DEVELOPER, people.group, username="cleared_developer")
    sensitive = published(people, developers=[people.developer, colleague], **SENSITIVE)
    official = published(people, title=OFFICIAL_TITLE, developers=[people.developer, colleague])
    chase(sensitive.review_due_on - relativedelta(months=6))  # each review, each monitoring report
    for user in (people.developer, colleague):
        assert Notification.objects.filter(recipient=user, policy=sensitive, title__contains=TITLE).exists()
        assert Notification.objects.filter(recipient=user, policy=official).exists()
    return sensitive, official, colleague


def about(user, policy) -> int:
    return Notification.objects.filter(recipient=user, policy=policy).count()


def shows_nothing_of(page: str, policy) -> bool:
    return TITLE not in page and policy.reference not in page


def test_an_item_written_while_cleared_is_not_shown_once_the_role_is_removed(client, people):
    sensitive, official, colleague = chased_while_cleared(people)
    written = {item.pk: (item.title, item.body, item.read_at)
               for item in Notification.objects.filter(recipient=people.developer)}
    role_removed(people, people.developer, Role.DEVELOPER)

    page = inbox(client, people.developer)
    assert shows_nothing_of(page, sensitive)
    # The OFFICIAL policy's item is shown as before, and the count in the header counts it alone.
    assert f"{official.reference} {OFFICIAL_TITLE}" in page
    assert unread_in_header(page) == about(people.developer, official) == 2
    assert shows_nothing_of(inbox(client, people.developer, "/notifications/?show=unread"), sensitive)
    assert unread_in_header(inbox(client, people.developer, "/")) == 2
    # The cleared colleague still sees theirs.
    page = inbox(client, colleague)
    assert f"{sensitive.reference} {TITLE}" in page and unread_in_header(page) == 4

    # Marking all as read marks what they were shown: the item they may not see stays as it was written, unread.
    client.force_login(people.developer)
    client.post("/notifications/read/")
    assert unread_in_header(inbox(client, people.developer)) == 0
    for item in Notification.objects.filter(recipient=people.developer):
        title, body, read_at = written[item.pk]
        assert (item.title, item.body) == (title, body)
        assert (item.read_at is None) == (item.policy_id == sensitive.pk)

    # The next digest e-mail names nothing of it either; the colleague's does.
    digests_sent()
    assert not mailed_to(people.developer, TITLE) and not mailed_to(people.developer, sensitive.reference)
    assert mailed_to(colleague, TITLE)

    # Cleared again (a role given back), they see the item again: it was kept, never rewritten.
    role_assign(actor=people.pcu, user=people.developer, role=Role.DEVELOPER, business_group=people.group)
    page = inbox(client, people.developer)
    assert f"{sensitive.reference} {TITLE}" in page and unread_in_header(page) == about(people.developer, sensitive)


def test_someone_who_moved_to_another_business_group_no_longer_sees_its_items(client, people):
    sensitive, official, colleague = chased_while_cleared(people)
    role_removed(people, people.developer, Role.DEVELOPER)
    role_assign(actor=people.pcu, user=people.developer, role=Role.DEVELOPER, business_group=people.group2)
    page = inbox(client, people.developer)
    assert shows_nothing_of(page, sensitive) and unread_in_header(page) == 2
    assert f"{official.reference} {OFFICIAL_TITLE}" in page


def test_a_force_wide_role_is_cleared_for_every_group(client, people):
    """As ``user_may_see_sensitive``: a force-wide role clears for every business group's material."""
    sensitive, official, colleague = chased_while_cleared(people)
    role_removed(people, people.developer, Role.DEVELOPER)
    role_assign(actor=people.pcu, user=people.developer, role=Role.DOI)
    page = inbox(client, people.developer)
    assert f"{sensitive.reference} {TITLE}" in page and unread_in_header(page) == 4


def test_an_official_policys_items_are_shown_whatever_roles_their_reader_holds_now(client, people):
    official = published(people, title=OFFICIAL_TITLE)
    chase(official.review_due_on - relativedelta(months=6))
    role_removed(people, people.developer, Role.DEVELOPER)
    page = inbox(client, people.developer)
    assert f"{official.reference} {OFFICIAL_TITLE}" in page and unread_in_header(page) == 2


def test_a_handover_notice_no_longer_names_a_policy_its_reader_is_not_cleared_for(client, people):
    """The co-ordinator was told of the handover, the OFFICIAL-SENSITIVE policy named and listed; their role is
    removed: the notice reads as it would have for someone never cleared for it (named nowhere, counted), in the inbox
    and the digest e-mail. The Lead, still cleared, sees it named."""
    leaver, ours, covert, theirs, successor = two_groups_portfolio(people)
    hand_over(people, leaver, successor)
    services.outbox_relay()
    territorial = sorted(policy.reference for policy in (*ours, covert))
    written = notice(people.coordinator).body
    assert f"3 policies handed over from Sam Lee: {', '.join(territorial)}." in written
    role_removed(people, people.coordinator, Role.COORDINATOR)

    page = inbox(client, people.coordinator)
    official = sorted(policy.reference for policy in ours)
    assert f"3 policies handed over from Sam Lee: {', '.join(official)} and 1 more." in page
    assert covert.reference not in page and "Covert sources" not in page
    assert notice(people.coordinator).body == written
    page = inbox(client, people.lead)
    assert covert.reference in page and "Covert sources" in page

    people.coordinator.email = "coordinator@example.org"
    people.coordinator.save(update_fields=["email"])
    mail.outbox.clear()
    for digest_id in services.digests_prepare(today=timezone.localdate()):
        services.digest_send(digest_id=digest_id)
    [message] = [message for message in mail.outbox if message.to == ["coordinator@example.org"]]
    assert covert.reference not in message.body and "Covert sources" not in message.body
    assert f"3 policies handed over from Sam Lee: {', '.join(official)} and 1 more." in message.body
    assert mailed_to(people.lead, covert.reference)


def test_a_handover_notice_naming_only_such_policies_names_none(client, people):
    leaver, ours, covert, theirs, successor = two_groups_portfolio(people, territorial=0)
    hand_over(people, leaver, successor)
    services.outbox_relay()
    assert f"1 policy handed over from Sam Lee: {covert.reference}." in notice(people.coordinator).body
    role_removed(people, people.coordinator, Role.COORDINATOR)
    page = inbox(client, people.coordinator)
    assert "1 policy handed over from Sam Lee. " in page and covert.reference not in page


def inbox_queries(client, user) -> tuple[int, int]:
    """The queries of the inbox page and of another page's header, for ``user``."""
    client.force_login(user)
    counts = []
    for path in ("/notifications/", "/notifications/?show=unread"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts.append(len(queries))
    return tuple(counts)


def test_the_inbox_costs_the_same_however_many_items_it_leaves_out(client, people):
    """The reader's clearance is worked out once a request, from the roles loaded with them: no query per item, and
    none more than for a reader whose items are all shown (tests/web/test_query_counts.py pins the page)."""
    sensitive, official, colleague = chased_while_cleared(people)
    more = [published(people, title=f"{TITLE} {number}", developers=[people.developer], **SENSITIVE)
            for number in range(4)]
    role_removed(people, people.developer, Role.DEVELOPER)
    few = inbox_queries(client, people.developer)
    cleared_reader = inbox_queries(client, colleague)
    for number, policy in enumerate(more):
        Notification.objects.create(recipient=people.developer, policy=policy, title=f"Review due: {TITLE} {number}")
        Notification.objects.create(recipient=people.developer, policy=official, title=f"{OFFICIAL_TITLE} {number}")
    many = inbox_queries(client, people.developer)
    # The session; the person, with their roles and unread counts; the page's count; its items; which of their
    # policies the reader may open (notifications.links).
    assert few == many == cleared_reader == (5, 5)
    page = inbox(client, people.developer)
    assert TITLE not in page and unread_in_header(page) == about(people.developer, official) == 6


def test_the_digest_costs_the_same_however_many_items_it_leaves_out(people):
    sensitive, official, colleague = chased_while_cleared(people)
    more = [published(people, title=f"{TITLE} {number}", developers=[people.developer], **SENSITIVE)
            for number in range(4)]
    role_removed(people, people.developer, Role.DEVELOPER)

    def sent(digest) -> int:
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as queries:
            assert services.digest_send(digest_id=digest.pk)
        [message] = mail.outbox
        assert TITLE not in message.body and sensitive.reference not in message.body
        assert official.reference in message.body and "2 items " in message.subject
        return len(queries)

    # The chase filed the two items in the day's digest.
    few = sent(Digest.objects.get(recipient=people.developer))
    for number, policy in enumerate(more):
        Notification.objects.create(recipient=people.developer, policy=policy, title=f"Review due: {TITLE} {number}")
    for number in range(2):
        Notification.objects.create(recipient=people.developer, policy=official, title=f"{official.reference} {number}")
    services.digests_prepare(today=timezone.localdate())
    assert sent(Digest.objects.get(recipient=people.developer, sent_at__isnull=True)) == few


def test_a_notices_words_count_what_they_no_longer_name(people):
    """The words a handover notice names its policies with, read back without those withheld from its reader (its
    other policies and its count of those beyond the first 20 kept); words naming a withheld reference anywhere else
    are not shown at all."""
    def policy(reference: str, marking: str = "official", group=None) -> Policy:
        return Policy(reference=reference, protective_marking=marking, business_group_id=(group or people.group).pk)

    listed = [policy("POL-0001"), policy("POL-0002", "official_sensitive"), policy("POL-0003"),
              policy("POL-0004", "official_sensitive", people.group2)]
    words = ("27 policies handed over from Sam Lee: POL-0001, POL-0002, POL-0003, POL-0004 and 23 more. "
             "Policy developer: Priya Shah. By Ali Khan on 5 December 2026, 09:00.")
    item = Notification(pk=1, body=words)
    reader = people.developer2  # cleared for the second group only
    [shown] = listed_shown([item], {1: listed}, user=reader).values()
    assert [each.reference for each in shown] == ["POL-0001", "POL-0003", "POL-0004"]
    assert item.body == words.replace("POL-0002, ", "").replace("23 more", "24 more")
    assert listed_shown([item], {1: listed}, user=people.pcu)[1] == listed  # force-wide: cleared for every group

    odd = Notification(pk=2, body="1 policy handed over from POL-0002: POL-0002. By Ali Khan.")
    listed_shown([odd], {2: [listed[1]]}, user=reader)
    assert odd.body == WITHHELD_WORDS
