"""An inbox item is read by the marking its policy had when the item was written, as well as by the policy's marking
now (security review of 2026-12-06, LOW; /work/scratch/rev-sens/test_rs_inbox.py).

The case: ``xcoord``, a Territorial Policing co-ordinator, is told "Policy to read and acknowledge: POL-0001 Covert
tasking" while the policy is OFFICIAL-SENSITIVE; their role is revoked; a review retitles the policy "Deployment
guidance" and publishes it OFFICIAL. Everywhere else version 1.0 (and its title) is withheld from them, but
/notifications/ showed them the item again, its title and body version 1.0's: ``withheld_unless_cleared`` read the
policy's marking now, not the marking the item was written under. An item's body can carry more than the title: the
reasons recorded with the event (notifications.services.outbox.REASON_SAID).

Now every writer records the policy's marking on the item (``Notification.protective_marking``), and the list, the
header's count, the item's own link and the digest e-mail withhold an item written under OFFICIAL-SENSITIVE from a
reader not cleared for its business group now, whatever the policy is marked since (notifications.selectors)."""

from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.utils import timezone

from core.models import Role, RoleAssignment
from core.services import role_assign, role_revoke
from lifecycle.permissions import forget_roles
from lifecycle.selectors import user_may_see_sensitive, version_history
from lifecycle.states import ProtectiveMarking
from notifications import services as nservices
from notifications.models import Notification, ReminderKind
from notifications.services.inbox import _reminders_to_inbox_in_batches
from tests.factories import reload
from tests.library.helpers import staff
from tests.lifecycle.test_details import update
from tests.lifecycle.test_details_downgrade import downgraded, media_root, publish_reviewed  # noqa: F401
from tests.notifications.test_chase_clearance import SENSITIVE as SENSITIVE_DETAILS
from tests.notifications.test_chase_clearance import chase, published
from tests.notifications.test_inbox_clearance import inbox, unread_in_header

pytestmark = pytest.mark.django_db

OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE
OLD_TITLE = "Covert tasking"


def told_while_sensitive(people, downgraded, django_capture_on_commit_callbacks):  # noqa: F811
    """The review's case: ``xcoord`` told of POL-0001 while it is OFFICIAL-SENSITIVE and they are cleared (its
    co-ordinator role), their role revoked, the review's version published OFFICIAL under a new title."""
    x = staff("xcoord", people.unit)
    role_assign(actor=people.pcu, user=x, role=Role.COORDINATOR, business_group=people.group)
    update(reload(downgraded), people.developer, title="Deployment guidance")
    with django_capture_on_commit_callbacks(execute=True):
        nservices.outbox_relay()
    written = list(Notification.objects.filter(recipient=x, title__contains=OLD_TITLE))
    assert written and {item.protective_marking for item in written} == {SENSITIVE}
    role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=x, role=Role.COORDINATOR))
    forget_roles(x)
    policy, _ = publish_reviewed(reload(downgraded), people, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        nservices.outbox_relay()
    policy = reload(policy)
    assert (policy.protective_marking, policy.title) == (OFFICIAL, "Deployment guidance")
    assert not user_may_see_sensitive(user=x, policy=policy)
    assert [row.number for row in version_history(policy=policy, user=x)] == ["2.0"]
    return x, policy, written


def test_an_item_written_under_official_sensitive_stays_withheld_once_the_policy_is_official(
        client, downgraded, people, django_capture_on_commit_callbacks):  # noqa: F811
    x, policy, written = told_while_sensitive(people, downgraded, django_capture_on_commit_callbacks)
    before = {item.pk: (item.title, item.body, item.read_at) for item in written}

    # An item of the policy written under OFFICIAL, since, is shown and counted.
    Notification.objects.create(recipient=x, policy=policy, title=f"Published: {policy.reference} {policy.title}")
    page = inbox(client, x)
    assert OLD_TITLE not in page
    assert f"Published: {policy.reference} Deployment guidance" in page
    shown = Notification.objects.filter(recipient=x).exclude(pk__in=before)
    assert set(shown.values_list("protective_marking", flat=True)) == {OFFICIAL}
    assert unread_in_header(page) == shown.filter(read_at__isnull=True).count() > 0
    assert unread_in_header(inbox(client, x, "/")) == unread_in_header(page)
    assert OLD_TITLE not in inbox(client, x, "/notifications/?show=unread")
    for item in written:
        assert client.get(f"/notifications/{item.pk}/open/").status_code == 404

    # "Mark all as read" marks what they were shown; the item withheld stays as written, unread.
    client.post("/notifications/read/")
    assert unread_in_header(inbox(client, x)) == 0
    for item in Notification.objects.filter(pk__in=before):
        assert (item.title, item.body, item.read_at) == before[item.pk]

    # The digest e-mail leaves it out too.
    x.email = "xcoord@example.org"
    x.save(update_fields=["email"])
    Notification.objects.filter(pk__in=before).update(digest=None)
    mail.outbox.clear()
    for digest_id in nservices.digests_prepare(today=timezone.localdate()):
        nservices.digest_send(digest_id=digest_id)
    assert not any(OLD_TITLE in message.body for message in mail.outbox if message.to == [x.email])

    # Cleared again, they see it again, as it was written.
    role_assign(actor=people.pcu, user=x, role=Role.COORDINATOR, business_group=people.group)
    page = inbox(client, x)
    assert OLD_TITLE in page and unread_in_header(page) == len(before)


def test_every_writer_records_the_marking_its_policy_has(people, django_capture_on_commit_callbacks):
    """The relay, the chase (its reminders' items, on PostgreSQL in one statement and elsewhere in batches), the staff
    asked to read a published version, and the chase's one item per person of their reminders to read (about no
    policy): each records the marking of the policy it is about when it writes the item."""
    sensitive = published(people, title="Covert authorities", **SENSITIVE_DETAILS)
    official = published(people, title="Stop and search")
    chase(sensitive.review_due_on - relativedelta(months=6))
    with django_capture_on_commit_callbacks(execute=True):
        nservices.outbox_relay()
    for policy, marking in ((sensitive, SENSITIVE), (official, OFFICIAL)):
        items = Notification.objects.filter(policy=policy)
        assert items.filter(reminder__isnull=False).exists() and items.filter(source_event__isnull=False).exists()
        assert set(items.values_list("protective_marking", flat=True)) == {marking}

    # The SQLite path of the chase's items (the demo's), run here on the reminders still without an item.
    Notification.objects.filter(reminder__isnull=False).delete()
    assert _reminders_to_inbox_in_batches() > 0
    for policy, marking in ((sensitive, SENSITIVE), (official, OFFICIAL)):
        assert set(Notification.objects.filter(policy=policy, reminder__isnull=False)
                   .values_list("protective_marking", flat=True)) == {marking}


def test_the_staff_asked_to_read_a_version_are_told_under_its_marking(
        downgraded, people, django_capture_on_commit_callbacks):  # noqa: F811
    """Version 1.0, published OFFICIAL-SENSITIVE and asked of Territorial Policing's staff (those cleared for it):
    their items record it; the chase's item counting a person's reminders to read is about no policy: OFFICIAL."""
    with django_capture_on_commit_callbacks(execute=True):
        nservices.outbox_relay()  # the publication's event asks its staff to read it (notifications.tasks.ask_to_read)
    asked = Notification.objects.filter(reminder__kind=ReminderKind.ACKNOWLEDGEMENT, policy=downgraded)
    assert asked.exists() and set(asked.values_list("protective_marking", flat=True)) == {SENSITIVE}
    reader = staff("plain_reader", people.unit)
    role_assign(actor=people.pcu, user=reader, role=Role.DEVELOPER, business_group=people.group)
    nservices.chase_run(today=timezone.localdate() + relativedelta(days=8))
    counted = Notification.objects.filter(policy__isnull=True, title__contains="to read and confirm")
    assert counted.exists() and set(counted.values_list("protective_marking", flat=True)) == {OFFICIAL}
