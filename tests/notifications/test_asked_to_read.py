"""Staff asked to read and acknowledge a policy were not told (found by a user walk): the request was on their My work
and the Acknowledgements page only, and the chase, hours later or (in `make run`) never, told them "You have 1
policy to read and confirm" with no link. Each person a published version asks is now told when it is published: an
inbox item (filed in their daily digest) linking to the policy's library page, where they read and confirm it. Only
those it asks (OFFICIAL-SENSITIVE: only those cleared for it), once: it is their reminder in the chase's ledger, so the
chase does not tell them again. Written in bulk, a fixed number of queries however many are asked (issue 16)."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import Role
from lifecycle import services as lifecycle_services
from lifecycle.states import ProtectiveMarking, Status
from notifications import services
from notifications.models import Notification, Reminder, ReminderKind
from publication.services import policy_publish, publication_publish_due
from tests.factories import advance_to, what_was_read
from tests.library.helpers import published, staff
from tests.notifications.test_inbox_open import leading_to

pytestmark = pytest.mark.django_db

ASKED = "Policy to read and acknowledge"


def relay(capture) -> None:
    """The outbox relayed (beat's relay_outbox), and what it queues once committed run (the test is one transaction)."""
    with capture(execute=True):
        services.outbox_relay()


def told(policy) -> dict[str, Notification]:
    return {item.recipient.username: item for item in Notification.objects.filter(
        policy=policy, title__startswith=ASKED).select_related("recipient")}


def library(policy) -> str:
    return reverse("library:policy", args=[policy.reference])


def test_each_person_asked_is_told_at_publication_with_a_link_to_the_policy(client, people,
                                                                           django_capture_on_commit_callbacks):
    reader = staff("reader", people.unit, email="reader@example.org")
    staff("elsewhere", people.unit2)
    policy = published(people, title="Stop and search", audience={"business_groups": [people.group]})
    relay(django_capture_on_commit_callbacks)

    items = told(policy)
    # Territorial Policing's staff and role holders; never Specialist Crime & Operations' staff.
    assert "reader" in items and "developer" in items and "coordinator" in items
    assert "elsewhere" not in items and "developer2" not in items
    assert items["reader"].title == f"{ASKED}: {policy.reference} Stop and search"
    assert library(policy) in items["reader"].body
    client.force_login(reader)
    page = leading_to(client.get("/notifications/").content.decode())  # each item's link, where it leads
    assert f'href="{library(policy)}">{ASKED}: {policy.reference} Stop and search</a>' in page
    assert client.get(library(policy)).status_code == 200

    # In the daily e-mail, linked.
    for digest_id in services.digests_prepare(today=timezone.localdate()):
        services.digest_send(digest_id=digest_id)
    [message] = [message for message in mail.outbox if message.to == ["reader@example.org"]]
    assert f"{settings.POLICYHUB_BASE_URL}{library(policy)}" in message.body

    # Once: the chase finds them told (their reminder is in the ledger) and tells them nothing more of it.
    reminders = Reminder.objects.filter(kind=ReminderKind.ACKNOWLEDGEMENT, policy=policy)
    assert reminders.filter(recipient=reader).count() == 1
    assert items["reader"].reminder == reminders.get(recipient=reader)
    services.chase_run()
    relay(django_capture_on_commit_callbacks)
    assert reminders.filter(recipient=reader).count() == 1
    assert Notification.objects.filter(recipient=reader).count() == 1
    assert len(told(policy)) == len(items)


def test_only_those_cleared_are_told_of_an_official_sensitive_policy(people, django_capture_on_commit_callbacks):
    policy = published(people, title="Covert sources", marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                       audience={"roles": [Role.DEVELOPER]})
    relay(django_capture_on_commit_callbacks)
    assert set(told(policy)) == {"developer"}
    assert not Notification.objects.filter(recipient=people.developer2, title__contains="Covert").exists()


def test_a_scheduled_publication_asks_on_its_day(people, django_capture_on_commit_callbacks):
    policy = advance_to(people.policy(title="Scheduled"), Status.AWAITING_PUBLICATION, people)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    policy_publish(policy=policy, actor=people.pcu, publish_on=tomorrow,
                   asked_to_acknowledge={"business_groups": [people.group]}, **what_was_read(policy))
    relay(django_capture_on_commit_callbacks)
    assert not told(policy)
    publication_publish_due(today=tomorrow)
    relay(django_capture_on_commit_callbacks)
    assert "developer" in told(policy) and "coordinator" in told(policy)


def test_telling_them_costs_the_same_however_many_are_asked(people):
    few = published(people, title="Few", audience={"units": [people.unit2]})
    staff("one", people.unit2)
    with CaptureQueriesContext(connection) as queries:
        services.acknowledgement_requests_tell(policy_ids=[few.pk])
    assert set(told(few)) == {"one"}
    for number in range(30):
        staff(f"many{number}", people.unit)
    many = published(people, title="Many", audience={"units": [people.unit]})
    with CaptureQueriesContext(connection) as more:
        services.acknowledgement_requests_tell(policy_ids=[many.pk])
    assert len(told(many)) == 30
    assert len(more) == len(queries)
    # Safe to run twice: nobody is told twice.
    services.acknowledgement_requests_tell(policy_ids=[many.pk])
    assert Notification.objects.filter(policy=many, title__startswith=ASKED).count() == 30


def test_a_request_to_read_told_at_publication_and_read_stops_when_the_policy_is_withdrawn(
        people, django_capture_on_commit_callbacks):
    """Review (2026-12-05): a reminder to read and confirm told at publication has an inbox item of its own; once its
    reader had read the item, withdrawing the policy no longer stopped the reminder (``superseded_at``), as it stops
    those the chase tells in one item per person."""
    reader = staff("reader2", people.unit)
    policy = published(people, title="Paper notebooks", audience={"business_groups": [people.group]})
    with django_capture_on_commit_callbacks(execute=True):
        services.outbox_relay()
    services.notifications_mark_read(user=reader)
    lifecycle_services.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="Replaced.")
    lifecycle_services.policy_withdraw(policy=policy, actor=people.pcu)
    reminder = Reminder.objects.get(recipient=reader, kind=ReminderKind.ACKNOWLEDGEMENT, policy=policy)
    assert reminder.superseded_at is not None
