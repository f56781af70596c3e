"""Publishing an approved version (SOP, stage 5): PCU publishes on the Corporate Policy Intranet, in Notices and
on the Publication Scheme, at once or on a date that suits the implementation plan."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.states import Status
from publication.models import Publication
from publication.services import (
    policy_publish,
    publication_bring_forward,
    publication_cancel,
    publication_publish_due,
)
from publication.tasks import publish_due_publications
from tests.factories import refused, reload

TODAY = datetime.date(2024, 6, 3)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=datetime.UTC), tick=False)


@pytest.fixture(autouse=True)
def frozen_today():
    with at(TODAY):
        yield


@pytest.fixture
def ready(policy_in):
    return policy_in(Status.AWAITING_PUBLICATION)


def published_events(policy):
    return AuditEvent.objects.filter(policy_id=policy.pk, action="policy.published")


def test_publish_now_on_every_channel(ready, people):
    publication = policy_publish(policy=ready, actor=people.pcu, on_publication_scheme=True)

    assert publication.status == Publication.Status.PUBLISHED
    assert (publication.published_by, publication.scheduled_for) == (people.pcu, None)
    assert publication.channels == ["Corporate Policy Intranet", "Notices", "MPS Publication Scheme"]
    assert publication.policy_version == ready.current_version
    policy = reload(ready)
    assert policy.status == Status.IMPLEMENTATION
    assert policy.first_published_on == policy.last_published_on == TODAY
    assert (policy.review_due_on, policy.monitoring_report_due_on) == (
        datetime.date(2027, 6, 3), datetime.date(2025, 6, 3))
    event = published_events(policy).get()
    assert event.actor == people.pcu
    assert event.changes["channels"] == publication.channels
    assert event.changes["status"] == [Status.AWAITING_PUBLICATION, Status.IMPLEMENTATION]


def test_publish_on_intranet_only(ready, people):
    publication = policy_publish(policy=ready, actor=people.pcu, in_notices=False)
    assert publication.channels == ["Corporate Policy Intranet"]


@pytest.mark.parametrize(
    "create_kwargs,publish_kwargs,fragment",
    [
        ({}, {"on_intranet": False, "in_notices": False}, "Choose at least one channel"),
        ({"protective_marking": "official_sensitive", "suitable_for_publication_scheme": False},
         {"on_publication_scheme": True}, "OFFICIAL-SENSITIVE policy cannot go on the public Publication Scheme"),
        ({"suitable_for_publication_scheme": False}, {"on_publication_scheme": True},
         "not marked suitable for the Publication Scheme"),
        ({}, {"publish_on": TODAY - datetime.timedelta(days=1)}, "cannot be in the past"),
    ],
    ids=["no-channel", "official-sensitive-on-scheme", "unsuitable-on-scheme", "date-in-past"],
)
def test_refused_publications_change_nothing(policy_in, people, create_kwargs, publish_kwargs, fragment):
    policy = policy_in(Status.AWAITING_PUBLICATION, **create_kwargs)
    events_before = AuditEvent.objects.count()

    with refused("refused", fragment):
        policy_publish(policy=policy, actor=people.pcu, **publish_kwargs)

    assert reload(policy).status == Status.AWAITING_PUBLICATION
    assert not Publication.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_official_sensitive_policy_is_published_internally(policy_in, people):
    policy = policy_in(Status.AWAITING_PUBLICATION, protective_marking="official_sensitive",
                       suitable_for_publication_scheme=False)
    publication = policy_publish(policy=policy, actor=people.pcu)
    assert publication.channels == ["Corporate Policy Intranet", "Notices"]
    assert reload(policy).status == Status.IMPLEMENTATION


def test_official_sensitive_cannot_be_marked_suitable_for_the_scheme(people):
    with refused("refused", "cannot be marked suitable for the Publication Scheme"):
        people.policy(protective_marking="official_sensitive", suitable_for_publication_scheme=True)


def test_scheduled_publication_is_published_by_the_job_on_its_date(ready, people):
    publish_on = TODAY + datetime.timedelta(days=7)
    publication = policy_publish(policy=ready, actor=people.pcu, publish_on=publish_on)

    assert (publication.status, publication.scheduled_for) == (Publication.Status.SCHEDULED, publish_on)
    assert reload(ready).status == Status.AWAITING_PUBLICATION
    assert AuditEvent.objects.filter(policy_id=ready.pk).latest("sequence").action == "policy.publication_scheduled"
    with refused("stale", "already scheduled for publication"):
        policy_publish(policy=ready, actor=people.pcu)

    assert publication_publish_due(today=publish_on - datetime.timedelta(days=1)) == []
    assert reload(ready).status == Status.AWAITING_PUBLICATION

    with at(publish_on):
        assert publication_publish_due(today=publish_on) == [publication.pk]
        assert publication_publish_due(today=publish_on) == []  # safe to run twice

    policy = reload(ready)
    assert policy.status == Status.IMPLEMENTATION
    assert policy.first_published_on == publish_on
    assert policy.review_due_on == datetime.date(2027, 6, 10)
    publication.refresh_from_db()
    assert (publication.status, publication.published_by) == (Publication.Status.PUBLISHED, None)
    event = published_events(policy).get()
    assert event.actor is None and event.changes["scheduled_for"] == publish_on.isoformat()


def test_celery_task_publishes_what_is_due(ready, people):
    publish_on = TODAY + datetime.timedelta(days=1)
    publication = policy_publish(policy=ready, actor=people.pcu, publish_on=publish_on)

    with at(publish_on):
        assert publish_due_publications.delay().get() == [publication.pk]
        assert publish_due_publications() == []

    assert reload(ready).status == Status.IMPLEMENTATION
    assert published_events(ready).count() == 1


def test_scheduled_publication_of_a_withdrawn_policy_is_cancelled(ready, people):
    publish_on = TODAY + datetime.timedelta(days=3)
    publication = policy_publish(policy=ready, actor=people.pcu, publish_on=publish_on)
    s.policy_decide_withdrawal(policy=ready, actor=people.lead, reason="Superseded by national APP.")
    # Cancelled already by the decision, in its transaction: a policy its Lead decided to withdraw is not published
    # before PCU carries the withdrawal out (lifecycle.steps.HALTS), not left for the scheduler to find.
    publication.refresh_from_db()
    assert publication.status == Publication.Status.CANCELLED
    event = AuditEvent.objects.filter(policy_id=ready.pk).latest("sequence")
    assert (event.action, event.actor) == ("policy.publication_cancelled", people.lead)
    assert f"its withdrawal was decided by {people.lead}" in event.changes["reason"]
    s.policy_withdraw(policy=ready, actor=people.pcu)
    assert AuditEvent.objects.filter(policy_id=ready.pk, action="policy.publication_cancelled").count() == 1

    with at(publish_on):
        assert publication_publish_due() == []

    policy = reload(ready)
    assert (policy.status, policy.first_published_on) == (Status.WITHDRAWN, None)
    assert not published_events(policy).exists()


def test_pcu_cancels_a_scheduled_publication_and_publishes_now(ready, people):
    publication = policy_publish(policy=ready, actor=people.pcu, publish_on=TODAY + datetime.timedelta(days=5))

    with refused("forbidden", "Only the Policy Co-ordination Unit"):
        publication_cancel(publication=publication, actor=people.coordinator, reason="Wrong date.")
    with refused("refused", "reason for cancelling"):
        publication_cancel(publication=publication, actor=people.pcu, reason="")
    publication_cancel(publication=publication, actor=people.pcu, reason="Implementation brought forward.")
    with refused("stale", "no longer scheduled"):
        publication_cancel(publication=publication, actor=people.pcu, reason="Again.")

    now = policy_publish(policy=ready, actor=people.pcu)

    assert now.status == Publication.Status.PUBLISHED
    assert list(Publication.objects.order_by("pk").values_list("status", flat=True)) == ["cancelled", "published"]
    with at(TODAY + datetime.timedelta(days=5)):
        assert publication_publish_due() == []
    assert published_events(ready).count() == 1


def test_publishing_twice_is_refused(ready, people):
    policy_publish(policy=ready, actor=people.pcu)
    with refused("stale", "already"):
        policy_publish(policy=ready, actor=people.pcu)
    assert Publication.objects.count() == 1


def test_a_publication_date_more_than_two_years_ahead_is_refused(ready, people):
    with refused("refused", "within 2 years", "3 June 2026"):
        policy_publish(policy=ready, actor=people.pcu, publish_on=datetime.date(9999, 12, 31))
    with refused("refused", "within 2 years"):
        policy_publish(policy=ready, actor=people.pcu, publish_on=datetime.date(2026, 6, 4))
    publication = policy_publish(policy=ready, actor=people.pcu, publish_on=datetime.date(2026, 6, 3))
    assert publication.scheduled_for == datetime.date(2026, 6, 3)


def test_publish_binds_to_the_version_and_hash_that_were_read(ready, people):
    version = ready.current_version
    with refused("stale", "changed since you opened the page", "Nothing was changed"):
        policy_publish(policy=ready, actor=people.pcu, version=version.pk, version_hash="0" * 64)
    older = ready.versions.exclude(pk=version.pk).first()
    if older is not None:
        with refused("stale", f"You read version {older.number}", f"is {version.number}"):
            policy_publish(policy=ready, actor=people.pcu, version=older.pk, version_hash=older.content_hash)
    with refused("stale", "not this policy's"):
        policy_publish(policy=ready, actor=people.pcu, version=10**9, version_hash=version.content_hash)
    assert not Publication.objects.exists()

    publication = policy_publish(policy=ready, actor=people.pcu, version=str(version.pk),
                                 version_hash=version.content_hash)
    assert publication.status == Publication.Status.PUBLISHED


def test_pcu_brings_a_scheduled_publication_forward(ready, people):

    publication = policy_publish(policy=ready, actor=people.pcu, publish_on=TODAY + datetime.timedelta(days=30))
    with refused("forbidden", "Only the Policy Co-ordination Unit"):
        publication_bring_forward(publication=publication, actor=people.coordinator)
    with refused("stale", "changed since you opened the page"):
        publication_bring_forward(publication=publication, actor=people.pcu, version=ready.current_version.pk,
                                  version_hash="f" * 64)

    publication_bring_forward(publication=publication, actor=people.pcu, version=ready.current_version.pk,
                              version_hash=ready.current_version.content_hash)

    publication.refresh_from_db()
    assert (publication.status, publication.published_by) == (Publication.Status.PUBLISHED, people.pcu)
    policy = reload(ready)
    assert (policy.status, policy.first_published_on) == (Status.IMPLEMENTATION, TODAY)
    actions = list(AuditEvent.objects.filter(policy_id=policy.pk).order_by("sequence")
                   .values_list("action", flat=True))[-2:]
    assert actions == ["policy.publication_brought_forward", "policy.published"]
    brought = AuditEvent.objects.get(policy_id=policy.pk, action="policy.publication_brought_forward")
    assert brought.changes["scheduled_for"] == (TODAY + datetime.timedelta(days=30)).isoformat()
    with refused("stale", "no longer scheduled"):
        publication_bring_forward(publication=publication, actor=people.pcu)
    with at(TODAY + datetime.timedelta(days=30)):
        assert publication_publish_due() == []


def test_whoever_signed_the_versions_qa_may_not_bring_its_publication_forward(ready, people, client):
    # Separation of duties (lifecycle.duties): the member of PCU who recorded PCU's quality assurance of a version
    # does not publish it. The publish page refused them, but "Publish now" on a scheduled publication published it.
    from django.urls import reverse

    publication = policy_publish(policy=ready, actor=people.pcu, publish_on=TODAY + datetime.timedelta(days=30))
    version = ready.current_version
    with refused("forbidden", "You cannot publish", "quality assurance", "separation of duties"):
        publication_bring_forward(publication=publication, actor=people.pcu_qa, version=version.pk,
                                  version_hash=version.content_hash)
    assert reload(ready).status == Status.AWAITING_PUBLICATION
    assert Publication.objects.get(pk=publication.pk).status == Publication.Status.SCHEDULED

    # The publication page offers them no "Publish now", and says why; they may still cancel it.
    client.force_login(people.pcu_qa)
    page = client.get(reverse("publication_staff:list", args=[ready.reference])).content.decode()
    assert reverse("publication_staff:bring_forward", args=[ready.reference, publication.pk]) not in page
    assert reverse("publication_staff:cancel", args=[ready.reference, publication.pk]) in page
    assert "Someone else in the Policy Co-ordination Unit must publish it now" in page
    # Posted anyway: refused with the reason, nothing published.
    response = client.post(reverse("publication_staff:bring_forward", args=[ready.reference, publication.pk]),
                           {"version": version.pk, "version_hash": version.content_hash}, follow=True)
    assert "quality assurance" in response.content.decode()
    assert Publication.objects.get(pk=publication.pk).status == Publication.Status.SCHEDULED
    # Another member of PCU brings it forward.
    publication_bring_forward(publication=publication, actor=people.pcu, version=version.pk,
                              version_hash=version.content_hash)
    assert reload(ready).status == Status.IMPLEMENTATION


def test_cancelling_a_scheduled_publication_tells_pcu_and_the_lead(ready, people):
    from notifications.models import Notification
    from notifications.services import outbox_relay

    publication = policy_publish(policy=ready, actor=people.pcu, publish_on=TODAY + datetime.timedelta(days=9))
    with refused("refused", "2,000 characters or fewer"):
        publication_cancel(publication=publication, actor=people.pcu, reason="x" * 2001)
    publication_cancel(publication=publication, actor=people.pcu, reason="The plan moved.")
    outbox_relay()

    told = set(Notification.objects.filter(title__startswith="Scheduled publication cancelled")
               .values_list("recipient_id", flat=True))
    assert ready.designated_lead_id in told
    other_pcu = {user.pk for user in people.__dict__.values() if getattr(user, "pk", None) and user != people.pcu
                 and getattr(user, "role_assignments", None) is not None
                 and user.role_assignments.filter(role="pcu").exists()}
    assert other_pcu <= told and people.pcu.pk not in told  # the one who cancelled is not told of it
    # The Lead's item leads to the Publication page, where the cancelled schedule and its reason are shown.
    from django.test import Client

    lead = Client()
    lead.force_login(people.lead)
    from tests.notifications.test_inbox_open import leading_to

    inbox = leading_to(lead.get("/notifications/").content.decode())
    assert f'href="/policies/{ready.reference}/publication/"' in inbox
    assert lead.get(f"/policies/{ready.reference}/publication/").status_code == 200
