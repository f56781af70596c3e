"""Found by the QA crawl of the demo (finding 10): an officer confirmed they had read POL-0003 ("You have confirmed you
read POL-0003 Domestic Abuse, version 1.0."), and the inbox still counted the request to read it as new ("Notifications
1", "New · Policy to read and acknowledge: POL-0003 Domestic Abuse"), its words ending "... confirm you have read it
at /library/POL-0003/" with the raw path as the link's text.

Confirming now marks the request read, in the confirmation's transaction: the item of that policy, and the chase's
one item for all a person is to read once nothing is left to read. The inbox names the page in words, a link."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acknowledgements.services import acknowledgement_confirm
from core.exceptions import ApplicationError
from notifications import services
from notifications.models import Digest, Notification
from tests.factories import reload
from tests.library.helpers import published, staff

pytestmark = pytest.mark.django_db

ASKED = "Policy to read and acknowledge"
ALL_TO_READ = "policies to read and confirm"


def relay(capture) -> None:
    with capture(execute=True):
        services.outbox_relay()


def confirm(client, user, policy):
    client.force_login(user)
    version = reload(policy).current_version
    return client.post(reverse("acknowledgements:confirm"), {
        "version": version.pk, "version_hash": version.content_hash, "reference": policy.reference}, follow=True)


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def asked(user, policy) -> Notification:
    return Notification.objects.get(recipient=user, policy=policy, title__startswith=ASKED)


def test_confirming_marks_the_request_to_read_that_policy_read(client, people, django_capture_on_commit_callbacks):
    reader = staff("reader", people.unit)
    domestic = published(people, title="Domestic Abuse", audience={"business_groups": [people.group]})
    taser = published(people, title="Taser extension", audience={"business_groups": [people.group]})
    relay(django_capture_on_commit_callbacks)
    assert asked(reader, domestic).read_at is None and asked(reader, taser).read_at is None

    response = confirm(client, reader, domestic)
    assert f"You have confirmed you read {domestic.reference} Domestic Abuse, version 1.0." in plain(
        response.content.decode())
    assert asked(reader, domestic).read_at is not None
    # Only the request it answers: the other policy is still to read.
    assert asked(reader, taser).read_at is None
    page = plain(client.get(reverse("notifications:list")).content.decode())
    assert f"New {ASKED}: {domestic.reference} Domestic Abuse" not in page
    assert f"New {ASKED}: {taser.reference} Taser extension" in page
    # Nobody else's request is touched.
    assert asked(people.developer, domestic).read_at is None


def test_a_refused_confirmation_leaves_the_request_unread(people, django_capture_on_commit_callbacks):
    reader = staff("reader", people.unit)
    policy = published(people, title="Domestic Abuse", audience={"business_groups": [people.group]})
    relay(django_capture_on_commit_callbacks)
    version = reload(policy).current_version
    with pytest.raises(ApplicationError):
        acknowledgement_confirm(user=reader, version=version.pk, version_hash="0" * 64, reference=policy.reference)
    assert asked(reader, policy).read_at is None


def test_marked_read_in_the_confirmations_transaction(people, django_capture_on_commit_callbacks):
    """Rolled back with the confirmation: no request marked read for a confirmation that was not kept."""
    reader = staff("reader", people.unit)
    policy = published(people, title="Domestic Abuse", audience={"business_groups": [people.group]})
    relay(django_capture_on_commit_callbacks)
    version = reload(policy).current_version

    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        acknowledgement_confirm(user=reader, version=version.pk, version_hash=version.content_hash,
                                reference=policy.reference)
        assert asked(reader, policy).read_at is not None
        raise Undone
    assert asked(reader, policy).read_at is None


def test_the_chases_item_for_all_to_read_is_marked_read_once_nothing_is_left(client, people,
                                                                            django_capture_on_commit_callbacks):
    first = published(people, title="Domestic Abuse", audience={"business_groups": [people.group]})
    second = published(people, title="Taser extension", audience={"business_groups": [people.group]})
    relay(django_capture_on_commit_callbacks)
    joined_later = staff("joiner", people.unit)
    services.chase_run()
    [item] = Notification.objects.filter(recipient=joined_later)
    assert item.title == f"You have 2 {ALL_TO_READ}"

    confirm(client, joined_later, first)
    item.refresh_from_db()
    assert item.read_at is None  # one still to read
    confirm(client, joined_later, second)
    item.refresh_from_db()
    assert item.read_at is not None


def test_the_inbox_names_the_page_to_read_it_on_in_words(client, people, django_capture_on_commit_callbacks):
    reader = staff("reader", people.unit)
    policy = published(people, title="Domestic Abuse", audience={"business_groups": [people.group]})
    relay(django_capture_on_commit_callbacks)
    library_page = reverse("library:policy", args=[policy.reference])
    client.force_login(reader)
    page = client.get(reverse("notifications:list")).content.decode()
    assert (f'and confirm you have read it on <a class="govuk-link" href="{library_page}">its page in the '
            "library</a>.") in page
    assert f">{library_page}</a>" not in page
    assert library_page not in plain(page)


def digest_run() -> list:
    """The day's digests prepared and sent (the chase's last steps); the e-mails sent."""
    for digest_id in services.digests_prepare(today=timezone.localdate()):
        services.digest_send(digest_id=digest_id)
    return mail.outbox


def test_a_request_confirmed_before_the_digest_runs_is_not_in_it(client, people, django_capture_on_commit_callbacks):
    """Found by the previous session's follow-ups: confirming marked the request read, and the day's digest still
    e-mailed it ("Policy to read and acknowledge: ...") to someone who had confirmed it hours before. A read item is
    not digested: the only request they had was confirmed, so they get no e-mail at all."""
    reader = staff("reader", people.unit, email="reader@example.org")
    policy = published(people, title="Domestic Abuse", audience={"business_groups": [people.group]})
    relay(django_capture_on_commit_callbacks)
    confirm(client, reader, policy)

    assert not [message for message in digest_run() if message.to == ["reader@example.org"]]


def test_the_digest_lists_what_is_still_to_read_and_not_what_was_confirmed_after_it_was_filed(
        client, people, django_capture_on_commit_callbacks):
    """The digest, filed and then sent (a send waiting for its retry): a request confirmed in between is left out; one
    still to confirm is listed, and the digest counts what it listed."""
    reader = staff("reader", people.unit, email="reader@example.org")
    domestic = published(people, title="Domestic Abuse", audience={"business_groups": [people.group]})
    taser = published(people, title="Taser extension", audience={"business_groups": [people.group]})
    relay(django_capture_on_commit_callbacks)
    digest_ids = services.digests_prepare(today=timezone.localdate())
    confirm(client, reader, domestic)
    for digest_id in digest_ids:
        services.digest_send(digest_id=digest_id)

    [message] = [message for message in mail.outbox if message.to == ["reader@example.org"]]
    assert f"{ASKED}: {taser.reference} Taser extension" in message.body
    assert f"{domestic.reference} Domestic Abuse" not in message.body
    assert message.subject.startswith("PolicyHub: 1 item for you")
    assert Digest.objects.get(recipient=reader).item_count == 1


def test_leaving_read_items_out_costs_no_query(client, people, django_capture_on_commit_callbacks):
    """The same queries to send a digest whether or not some of its items were read."""
    unread = staff("unread", people.unit, email="unread@example.org")
    reader = staff("reader", people.unit, email="reader@example.org")
    policies = [published(people, title=f"Policy {number}", audience={"business_groups": [people.group]})
                for number in range(3)]
    relay(django_capture_on_commit_callbacks)
    services.digests_prepare(today=timezone.localdate())
    for policy in policies[:2]:
        confirm(client, reader, policy)
    with CaptureQueriesContext(connection) as none_read:
        services.digest_send(digest_id=Digest.objects.get(recipient=unread).pk)
    with CaptureQueriesContext(connection) as some_read:
        services.digest_send(digest_id=Digest.objects.get(recipient=reader).pk)
    assert len(some_read) == len(none_read)
    [message] = [message for message in mail.outbox if message.to == ["reader@example.org"]]
    assert f"{policies[2].reference} Policy 2" in message.body and "Policy 0" not in message.body
