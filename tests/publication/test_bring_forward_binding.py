"""Publishing a scheduled publication now binds to the version read (rule 17), as every publication does: a post whose
hidden version and hash were left out is refused as a page that does not say what was read, not published unbound.
Found by the integrity review of 2026-12-06 (MEDIUM 5): publication.views passed "... or None", which the service
takes as a caller that showed no page (a scheduled job)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from lifecycle.states import Status
from publication.models import Publication
from publication.services import policy_publish
from tests.factories import reload

pytestmark = pytest.mark.django_db


def _scheduled(policy_in, people):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    publication = policy_publish(policy=policy, actor=people.pcu,
                                 publish_on=timezone.localdate() + datetime.timedelta(days=30))
    assert publication.status == Publication.Status.SCHEDULED
    return reload(policy), publication


def _url(policy, publication) -> str:
    return f"/policies/{policy.reference}/publication/{publication.pk}/publish-now/"


def _said(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def test_bring_forward_with_a_wrong_hash_is_refused(client, people, policy_in):
    policy, publication = _scheduled(policy_in, people)
    client.force_login(people.pcu)
    response = client.post(_url(policy, publication), {"version": policy.current_version.pk, "version_hash": "0" * 64})
    assert response.status_code == 302
    assert Publication.objects.get(pk=publication.pk).status == Publication.Status.SCHEDULED
    assert "has changed since you opened the page" in _said(response)


@pytest.mark.parametrize("posted", [{}, {"version": ""}, {"version_hash": ""}])
def test_bring_forward_without_the_binding_is_refused(client, people, policy_in, posted):
    policy, publication = _scheduled(policy_in, people)
    client.force_login(people.pcu)
    if "version_hash" in posted:
        posted = {"version": policy.current_version.pk, "version_hash": ""}
    response = client.post(_url(policy, publication), posted)
    assert response.status_code == 302, response.status_code
    assert Publication.objects.get(pk=publication.pk).status == Publication.Status.SCHEDULED, "published unbound"
    assert "does not say which version you read" in _said(response)


def test_bring_forward_with_the_binding_publishes(client, people, policy_in):
    policy, publication = _scheduled(policy_in, people)
    client.force_login(people.pcu)
    version = policy.current_version
    response = client.post(_url(policy, publication), {"version": version.pk, "version_hash": version.read_hash})
    assert response.status_code == 302
    assert Publication.objects.get(pk=publication.pk).status == Publication.Status.PUBLISHED
