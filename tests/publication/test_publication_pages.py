"""PCU cancels a scheduled publication, or publishes it now, from the policy's Publication page (issue 11,
finding 7). Each is audited; the pages bind to the version scheduled; others may look but not act."""

import datetime

import pytest
from django.utils import timezone

from core.models import AuditEvent
from lifecycle.states import Status
from publication.models import Publication
from publication.services import policy_publish
from tests.factories import reload

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(policy_in, people):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    publication = policy_publish(policy=policy, actor=people.pcu,
                                 publish_on=timezone.localdate() + datetime.timedelta(days=10))
    return policy, publication


def test_the_policy_page_links_to_the_publication_page_with_the_two_actions_for_pcu(client, people, scheduled):
    policy, publication = scheduled
    client.force_login(people.pcu)
    overview = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f'href="/policies/{policy.reference}/publication/"' in overview

    page = client.get(f"/policies/{policy.reference}/publication/").content.decode()
    assert f"/policies/{policy.reference}/publication/{publication.pk}/cancel/" in page
    assert f"/policies/{policy.reference}/publication/{publication.pk}/publish-now/" in page

    client.force_login(people.coordinator)
    page = client.get(f"/policies/{policy.reference}/publication/").content.decode()
    assert "scheduled for" in page and "/cancel/" not in page
    assert client.get(f"/policies/{policy.reference}/publication/{publication.pk}/cancel/").status_code == 404


def test_someone_not_pcu_finds_no_publication_to_cancel_or_publish_now(client, people, scheduled, policy_in):
    """Out-of-scope objects are "not found" (STYLE.md): someone who is not PCU, though they may see the policy, gets
    the same 404 for its scheduled publication as for one that does not exist or belongs to another policy, so the
    answer does not tell them which ids exist. PCU still gets 404 for the last two."""
    policy, publication = scheduled
    other = policy_publish(policy=policy_in(Status.AWAITING_PUBLICATION), actor=people.pcu,
                           publish_on=timezone.localdate() + datetime.timedelta(days=10))
    base = f"/policies/{policy.reference}/publication"
    for user in (people.coordinator, people.pcu):
        client.force_login(user)
        for publication_id in (publication.pk, other.pk, 999999):
            if user == people.pcu and publication_id == publication.pk:
                continue
            for action in ("cancel", "publish-now"):
                url = f"{base}/{publication_id}/{action}/"
                assert client.get(url).status_code == 404, (user.username, url)
                assert client.post(url, {"reason": "Not theirs."}).status_code == 404, (user.username, url)
    assert set(Publication.objects.filter(pk__in=[publication.pk, other.pk]).values_list("status", flat=True)) == {
        Publication.Status.SCHEDULED}


def test_pcu_cancels_with_a_reason_through_the_page(client, people, scheduled):
    policy, publication = scheduled
    client.force_login(people.pcu)
    url = f"/policies/{policy.reference}/publication/{publication.pk}/cancel/"

    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and "Enter the reason for cancelling" in empty.content.decode()

    response = client.post(url, {"reason": "The implementation plan moved."})
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.status == Publication.Status.CANCELLED
    event = AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence")
    assert (event.action, event.actor, event.changes["reason"]) == (
        "policy.publication_cancelled", people.pcu, "The implementation plan moved.")
    # The page again (back, a second click): said as it is, not "No such scheduled publication" (a 404).
    again = client.post(url, {"reason": "The implementation plan moved."}, follow=True)
    assert again.status_code == 200 and "was already cancelled" in again.content.decode()
    assert AuditEvent.objects.filter(policy_id=policy.pk, action="policy.publication_cancelled").count() == 1


def test_pcu_publishes_now_through_the_page_bound_to_the_version(client, people, scheduled):
    policy, publication = scheduled
    client.force_login(people.pcu)
    url = f"/policies/{policy.reference}/publication/{publication.pk}/publish-now/"
    page = client.get(url).content.decode()
    version = policy.current_version
    assert f'name="version" value="{version.pk}"' in page and f'value="{version.content_hash}"' in page

    stale = client.post(url, {"version": version.pk, "version_hash": "0" * 64}, follow=True)
    assert "has changed since you opened the page" in stale.content.decode()
    assert reload(policy).status == Status.AWAITING_PUBLICATION

    for hostile in ["9" * 40, "abc"]:
        assert client.post(url, {"version": hostile, "version_hash": version.content_hash}).status_code == 302
    assert reload(policy).status == Status.AWAITING_PUBLICATION

    response = client.post(url, {"version": version.pk, "version_hash": version.content_hash})
    assert response.status_code == 302
    assert reload(policy).status == Status.IMPLEMENTATION
    assert AuditEvent.objects.filter(policy_id=policy.pk, action="policy.publication_brought_forward").exists()
    # Publish now posted again (back and resubmit) was a 404, "No such scheduled publication" (found by the twelfth
    # session's Chromium walk): it says the version is published already, and publishes nothing more.
    for again in (client.post(url, {"version": version.pk, "version_hash": version.content_hash}, follow=True),
                  client.get(url, follow=True)):
        assert again.status_code == 200
        assert f"Version {version.number} was already published on" in again.content.decode()
    assert AuditEvent.objects.filter(policy_id=policy.pk, action="policy.publication_brought_forward").count() == 1


def test_a_version_scheduled_already_is_not_offered_for_publication_again(client, people, scheduled):
    # The overview offered "Publish" while the version was scheduled, and the form, filled in, was refused ("already
    # scheduled") with everything entered lost (found by the twelfth session's Chromium walk).
    policy, publication = scheduled
    client.force_login(people.pcu)
    overview = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f'href="/policies/{policy.reference}/actions/publish/"' not in overview
    page = client.get(f"/policies/{policy.reference}/actions/publish/", follow=True).content.decode()
    assert "this version is already scheduled for publication: publish it now, or cancel the schedule" in page
    assert f'href="/policies/{policy.reference}/publication/"' in page


def test_the_overview_says_when_a_scheduled_publication_is_due_not_that_pcu_is_late(client, people, scheduled):
    policy, publication = scheduled
    client.force_login(people.coordinator)
    overview = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f"Scheduled for publication on {publication.scheduled_for:%-d %B %Y}" in overview
    assert "Waiting too long" not in overview and "Expected by" not in overview


def test_the_overview_asks_for_the_schedule_once(client, people, scheduled):
    # Asked both for the Publish step's offer and for what comes next: read once per page.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    policy, _ = scheduled
    client.force_login(people.pcu)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/policies/{policy.reference}/").status_code == 200
    asked = [query["sql"] for query in queries.captured_queries
             if '"publication_publication"' in query["sql"] and "'scheduled'" in query["sql"]]
    assert len(asked) == 1, asked
