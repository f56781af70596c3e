"""Scheduling a publication is not publishing it (walk B: the confirmation after scheduling read "Publication
recorded. Told in their notifications...", as if it had gone out). What happens, and when: scheduling audits
``policy.publication_scheduled``, which notifies no one; on the day, the scheduled job publishes it, and the
publish step's event tells the policy's developers and manager, the co-ordinator, the Lead and the owner; the staff
chosen on the publish page are asked to confirm they have read it once it is in force (SOP, stage 5: publication
may "coincide with a wider implementation plan")."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from acknowledgements.selectors import outstanding_for
from core.models import Role
from lifecycle.states import Status
from notifications.models import Notification
from notifications.services import outbox_relay
from publication.models import Publication
from publication.services import publication_publish_due
from tests.factories import reload

pytestmark = pytest.mark.django_db


def told(policy) -> dict[str, set[str]]:
    """Who has been told what of ``policy`` in their notifications: {audit action: usernames}."""
    outbox_relay()
    told: dict[str, set[str]] = {}
    for action, username in Notification.objects.filter(policy=policy).values_list(
            "source_event__audit_event__action", "recipient__username"):
        told.setdefault(action, set()).add(username)
    return told


def publish_page_post(client, policy, **data) -> str:
    """The publish page filled in and sent, as PCU; the confirmation shown after it."""
    version = policy.current_version
    response = client.post(f"/policies/{policy.reference}/actions/publish/", {
        "expected_status": policy.status, "version": version.pk, "version_hash": version.content_hash,
        "on_intranet": "on", "in_notices": "on", **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", " ".join(str(m) for m in get_messages(response.wsgi_request))))
                    .split())


def test_scheduling_tells_no_one_now_and_the_people_of_the_policy_on_the_day(client, people, policy_in):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    before = told(policy)
    day = timezone.localdate() + datetime.timedelta(days=40)
    client.force_login(people.pcu)

    confirmation = publish_page_post(client, policy, **{
        "publish_on-day": day.day, "publish_on-month": day.month, "publish_on-year": day.year,
        "audience_roles": [Role.DEVELOPER]})

    publication = policy.publications.get()
    assert publication.status == Publication.Status.SCHEDULED and publication.scheduled_for == day
    assert told(policy) == before  # nobody is told when it is scheduled
    assert not outstanding_for(user=people.developer).exists()  # nor asked to confirm they have read it
    # The confirmation says it was scheduled, for when, and that the people the step names are told on the day.
    assert confirmation.startswith(
        f"Publication recorded. Scheduled for publication on {day:%-d %B %Y}. No one is told now: on that day the "
        "policy's developers and manager, the business group's co-ordinator, the Designated Lead and the Management "
        "Board owner are told in their notifications and daily e-mail, and the staff chosen are asked to confirm "
        "they have read it.")
    assert "Told in their notifications" not in confirmation

    publication_publish_due(today=day)

    assert reload(policy).status == Status.IMPLEMENTATION
    assert told(policy)["policy.published"] == {
        people.developer.username, people.manager.username, people.coordinator.username, people.lead.username,
        people.owner.username}
    assert outstanding_for(user=people.developer).exists()  # those chosen are asked now


def test_publishing_now_tells_the_people_of_the_policy_at_once(client, people, policy_in):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    client.force_login(people.pcu)

    confirmation = publish_page_post(client, policy)

    assert reload(policy).status == Status.IMPLEMENTATION
    assert told(policy)["policy.published"] == {
        people.developer.username, people.manager.username, people.coordinator.username, people.lead.username,
        people.owner.username}
    assert ("Told in their notifications and daily e-mail: the policy's developers and manager, the business "
            "group's co-ordinator, the Designated Lead and the Management Board owner.") in confirmation
