"""Opening an inbox item, and items whose reminder is no longer needed (QA walk).

Following an item's link left it "New": only "Mark all as read" marked anything read. Each item's link now goes
through ``/notifications/<id>/open/``, which marks that item read (its reader's own, and only one they are shown now:
anyone else's, or one withheld from them, is 404) and leads to the page the item is about, worked out from the item
itself, never from the request.

A reminder the chase closed (an orphan reminder once the gap is filled, ``_orphan_reminders_close``; one handed over
with the work, ``reminders_hand_over``; one stopped on withdrawal: ``Reminder.superseded_at``) stayed "New" in the
inbox, in the header's count and in the next e-mail. Its item now says "No longer needed", is not counted and is not
e-mailed; it stays in the list, as the record of what was asked."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail

from core.models import Role, User
from lifecycle.services import people as people_services
from notifications import services
from notifications.links import for_links, with_links
from notifications.models import Notification, Reminder
from tests.factories import user_with_role
from tests.notifications.test_chase_clearance import at, chase, digests_sent, mailed_to, role_removed
from tests.notifications.test_inbox_clearance import chased_while_cleared, unread_in_header
from tests.notifications.test_orphans import MONDAY, left, published

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + datetime.timedelta(days=1)


def inbox(client, user, path: str = "/notifications/") -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def orphan_item(people):
    """A published policy whose developer left: the chase tells its co-ordinator, once, to reassign it."""
    policy = published(people)
    left(people.developer)
    chase(MONDAY)
    return policy, Notification.objects.get(recipient=people.coordinator, reminder__kind="orphan")


def leading_to(page: str) -> str:
    """``page`` (an inbox) with each item's open link replaced by the page it leads to, worked out as the open link
    works it out (``with_links``, for the item's own reader), without following it (which marks the item read)."""

    def target(found: re.Match) -> str:
        item = Notification.objects.select_related("recipient").get(pk=int(found.group(1)))
        [item] = with_links(for_links(Notification.objects.filter(pk=item.pk)), user=item.recipient)
        assert item.link, "an item that leads nowhere is not a link"
        return item.link

    return re.sub(r"/notifications/(\d+)/open/", target, page)


def item_line(page: str, item: Notification) -> str:
    """The inbox's line of ``item`` (its ``<li>``), found by its open link."""
    found = re.search(rf'<li class="app-notifications__item">((?:(?!</li>).)*?/notifications/{item.pk}/open/.*?)</li>',
                      page, re.S)
    assert found, f"item {item.pk} is not in the inbox"
    return found.group(1)


def test_following_an_items_link_marks_it_read_and_leads_to_its_page(client, people):
    policy, item = orphan_item(people)
    page = inbox(client, people.coordinator)
    assert unread_in_header(page) == 1
    line = item_line(page, item)
    assert f'href="/notifications/{item.pk}/open/"' in line and "New" in line

    assert f'href="/policies/{policy.reference}/"' in leading_to(line)
    response = client.get(f"/notifications/{item.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/policies/{policy.reference}/"
    item.refresh_from_db()
    assert item.read_at is not None
    page = inbox(client, people.coordinator)
    assert unread_in_header(page) == 0 and "New" not in item_line(page, item)

    # Again (a second click, the back button): the same page, and the time it was first read kept.
    read_at = item.read_at
    response = client.get(f"/notifications/{item.pk}/open/?next=https://example.com/")
    assert response.status_code == 302 and response["Location"] == f"/policies/{policy.reference}/"
    item.refresh_from_db()
    assert item.read_at == read_at


def test_someone_elses_item_is_404_and_stays_unread(client, people):
    policy, item = orphan_item(people)
    for stranger in (people.developer, people.lead, user_with_role(Role.PCU, None, username="pcu_two")):
        User.objects.filter(pk=stranger.pk).update(is_active=True)
        client.force_login(stranger)
        assert client.get(f"/notifications/{item.pk}/open/").status_code == 404
    assert client.get("/notifications/999999/open/").status_code == 404
    item.refresh_from_db()
    assert item.read_at is None


def test_an_item_withheld_from_its_reader_is_404_at_its_open_link_and_stays_unread(client, people):
    sensitive, official, colleague = chased_while_cleared(people)
    role_removed(people, people.developer, Role.DEVELOPER)
    withheld = Notification.objects.filter(recipient=people.developer, policy=sensitive)
    assert withheld.count() == 2
    client.force_login(people.developer)
    for item in withheld:
        assert client.get(f"/notifications/{item.pk}/open/").status_code == 404
    assert not withheld.filter(read_at__isnull=False).exists()
    # The colleague, cleared, opens theirs.
    item = Notification.objects.filter(recipient=colleague, policy=sensitive).first()
    client.force_login(colleague)
    assert client.get(f"/notifications/{item.pk}/open/").status_code == 302


def test_opening_is_a_get_only_link(client, people):
    policy, item = orphan_item(people)
    client.force_login(people.coordinator)
    assert client.post(f"/notifications/{item.pk}/open/").status_code == 405
    item.refresh_from_db()
    assert item.read_at is None


def test_a_closed_reminder_says_no_longer_needed_is_not_counted_and_is_not_emailed(client, people):
    policy, item = orphan_item(people)
    # The developer is back (the gap filled): the next chase closes the orphan reminder.
    User.objects.filter(pk=people.developer.pk).update(is_active=True)
    chase(TUESDAY)
    assert Reminder.objects.get(pk=item.reminder_id).superseded_at is not None

    page = inbox(client, people.coordinator)
    line = item_line(page, item)
    assert "No longer needed" in line and "govuk-tag--grey" in line and "New" not in line
    assert policy.reference in line  # kept in the list, as the record it is
    assert unread_in_header(page) == 0
    assert unread_in_header(inbox(client, people.coordinator, "/")) == 0
    assert f"/notifications/{item.pk}/open/" not in inbox(client, people.coordinator, "/notifications/?show=unread")
    # "Mark all as read" counts only what was new.
    assert "0 notifications marked as read." in client.post("/notifications/read/", follow=True).content.decode()

    mail.outbox.clear()
    with at(TUESDAY):
        digests_sent()
    assert not mailed_to(people.coordinator, policy.reference)


def test_a_reminder_handed_over_or_resolved_by_a_reassignment_says_no_longer_needed(client, people):
    """The policy's co-ordinator is replaced: their open orphan reminder follows the work to the new co-ordinator
    (``reminders_hand_over``) and their own item needs nothing more of them. The new co-ordinator names a developer in
    place of the one who left: the gap is filled and the reminder closed (``_orphan_reminders_resolve``)."""
    policy, item = orphan_item(people)
    successor = user_with_role(Role.COORDINATOR, people.group, username="next_coordinator")
    with at(MONDAY):
        people_services.policy_reassign(policy=policy, actor=people.pcu, role="coordinator", new_holder=successor,
                                        reason="Moved to another unit.")
    assert Reminder.objects.get(pk=item.reminder_id).handed_to_id == successor.pk
    page = inbox(client, people.coordinator)
    line = item_line(page, item)
    assert "No longer needed" in line and "New" not in line and unread_in_header(page) == 0

    services.reminders_to_inbox()
    handed = Notification.objects.get(recipient=successor, reminder__kind="orphan")
    assert "New" in item_line(inbox(client, successor), handed)
    with at(MONDAY):
        people_services.policy_replace_developer(policy=policy, actor=successor, old=people.developer,
                                                 new=user_with_role(Role.DEVELOPER, people.group, username="dev2"),
                                                 reason="Left the force.")
    page = inbox(client, successor)
    assert "No longer needed" in item_line(page, handed) and unread_in_header(page) == 0
