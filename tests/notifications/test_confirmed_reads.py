"""Found by the QA crawl of the demo (finding 10): an officer confirmed they had read POL-0003 ("You have confirmed you
read POL-0003 Domestic Abuse, version 1.0."), and the inbox still counted the request to read it as new ("Notifications
1", "New · Policy to read and acknowledge: POL-0003 Domestic Abuse"), its words ending "... confirm you have read it
at /library/POL-0003/" with the raw path as the link's text.

Confirming now marks the request read, in the confirmation's transaction: the item of that policy, and the chase's
one item for all a person is to read once nothing is left to read. The inbox names the page in words, a link."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse

from acknowledgements.services import acknowledgement_confirm
from core.exceptions import ApplicationError
from notifications import services
from notifications.models import Notification
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
