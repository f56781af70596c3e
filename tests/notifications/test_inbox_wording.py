"""The inbox names people as the rest of the service does (their name, not their sign-in name) and says what each of
an item's two times is: when it happened, and when it reached the inbox."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from lifecycle import services as lifecycle_services
from notifications import services
from notifications.models import Notification
from tests.factories import advance_to, fill_development

pytestmark = pytest.mark.django_db


def test_an_event_names_who_did_it_by_name_and_each_time_says_what_it_is(client, people):
    policy = advance_to(people.policy(), "development", people)
    fill_development(policy, people)
    submitted = timezone.make_aware(datetime.datetime(2026, 11, 28, 9, 2))
    with time_machine.travel(submitted, tick=False):
        lifecycle_services.policy_submit_for_qa(policy=policy, actor=people.developer)
    with time_machine.travel(submitted + datetime.timedelta(days=6, hours=6, minutes=23), tick=False):
        services.outbox_relay()
    item = Notification.objects.get(recipient=people.coordinator, title__startswith="Submitted for quality assurance")
    name = people.developer.get_full_name()
    assert name and name != people.developer.username
    assert item.body == f"By {name} on 28 November 2026, 09:02."
    client.force_login(people.coordinator)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", client.get("/notifications/").content.decode()))
    assert f"By {name} on 28 November 2026, 09:02. Received 4 December 2026, 15:25" in text
