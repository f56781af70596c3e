"""A review that re-titles a policy (issue 12, "Document details"): until the reviewed version is published, the
policy is known by its title in force. The register, My work, notifications (event and chase), the library and
the Publication Scheme show that title; the proposed one is shown where the draft is worked on (the policy page's
document-control block, the details page, the Lead's redline). Publication makes the new title the one in force.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle.selectors import read_versions, version_in_force
from lifecycle.states import Status
from notifications import services as notifications
from notifications.models import Notification
from publication.services import policy_publish
from tests.factories import advance_to, reload, what_was_read
from tests.lifecycle.test_details import published_under_review, update

pytestmark = pytest.mark.django_db

IN_FORCE, PROPOSED = "Stop and search", "Searches in public places"


def _pages(client, user, policy) -> dict[str, str]:
    client.force_login(user)
    return {path: client.get(path).content.decode() for path in (
        "/", "/policies/", f"/policies/?q={policy.reference}", "/notifications/", "/library/",
        f"/library/{policy.reference}/")}


def test_a_retitled_review_is_known_by_its_title_in_force_until_published(client, people):
    policy = published_under_review(people, title=IN_FORCE)
    notifications.outbox_relay()
    policy = advance_to(policy, Status.DEVELOPMENT, people)
    update(policy, people.developer, title=PROPOSED)
    # Those who see the submitted draft (its co-ordinator) see it proposed there too.
    client.force_login(people.coordinator)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f"<h1 class=\"govuk-heading-l\">{IN_FORCE}</h1>" in page
    assert "Proposed title" in page and PROPOSED in page
    assert PROPOSED not in page[:page.index("</h1>")]
    assert PROPOSED in client.get(f"/policies/{policy.reference}/details/").content.decode()
    policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
    notifications.outbox_relay()
    assert reload(policy).title == IN_FORCE

    # Every list and message names the policy by its title in force, to those drafting it and to everyone else.
    for user in (people.developer, people.coordinator, people.pcu, people.developer2):
        for path, html in _pages(client, user, policy).items():
            assert PROPOSED not in html, f"{user.username}: {path} shows the proposed title"
    client.force_login(people.pcu)
    assert IN_FORCE in client.get("/policies/").content.decode()
    assert not Notification.objects.filter(title__contains=PROPOSED).exists()
    assert Notification.objects.filter(title__contains=f"{policy.reference} {IN_FORCE}").exists()
    # The chase too: waiting in quality assurance past its deadline.
    late = datetime.datetime.now() + datetime.timedelta(days=30)
    with time_machine.travel(late, tick=False):
        notifications.chase_run()
        notifications.reminders_to_inbox()
    assert Notification.objects.filter(reminder__isnull=False, title__contains=IN_FORCE).exists()
    assert not Notification.objects.filter(body__contains=PROPOSED).exists()
    client.logout()
    for path in ("/publication-scheme/", f"/publication-scheme/{policy.reference}/"):
        assert PROPOSED not in client.get(path).content.decode()

    # Those who see the submitted draft (its co-ordinator) see it proposed there too.
    client.force_login(people.coordinator)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f"<h1 class=\"govuk-heading-l\">{IN_FORCE}</h1>" in page
    assert "Proposed title" in page and PROPOSED in page
    assert PROPOSED not in page[:page.index("</h1>")]

    # Published: the new title is the one in force, everywhere.
    policy = advance_to(reload(policy), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True, **what_was_read(policy))
    policy = reload(policy)
    assert policy.title == PROPOSED and not policy.proposed_title
    client.force_login(people.developer2)
    assert PROPOSED in client.get("/policies/").content.decode()
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f"<h1 class=\"govuk-heading-l\">{PROPOSED}</h1>" in page and "Proposed title" not in page
    client.logout()
    assert PROPOSED in client.get(f"/publication-scheme/{policy.reference}/").content.decode()


def test_a_title_changed_before_first_publication_is_the_title_at_once(people, policy_in):
    """Nothing is in force yet: the working title is the policy's title."""
    policy = policy_in(Status.SCOPING, title="Body-worn video")
    update(policy, people.developer, title="Body-worn cameras")
    policy = reload(policy)
    assert policy.title == "Body-worn cameras" and not policy.proposed_title


def test_a_proposed_title_set_back_to_the_one_in_force_is_no_longer_proposed(people):
    policy = advance_to(published_under_review(people, title=IN_FORCE), Status.DEVELOPMENT, people)
    update(policy, people.developer, title=PROPOSED)
    assert reload(policy).proposed_title == PROPOSED
    update(reload(policy), people.developer, title=IN_FORCE)
    policy = reload(policy)
    assert policy.title == IN_FORCE and policy.proposed_title == ""
    assert policy.details_snapshot()["title"] == IN_FORCE


def test_forgetting_the_cached_versions_forgets_the_version_in_force_too(policy_in):
    """read_versions keeps the newest version and the version in force on the instance; a service that forgets the
    first (a new version opened, a publication) must not leave the second behind, stale, for the rest of the
    request."""
    policy = policy_in(Status.MONITORING)
    read_versions(policy=policy)
    assert version_in_force(policy=policy) is not None
    policy.forget_cached_version()
    with CaptureQueriesContext(connection) as queries:
        in_force = version_in_force(policy=policy)
    assert len(queries) == 1 and in_force is not None
