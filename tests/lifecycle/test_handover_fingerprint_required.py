"""A handover confirmed from its page is bound to the preview the page showed (its fingerprint): one posted without
the fingerprint is refused, and moves nothing, rather than moving policies the preview never showed. Found by the
integrity review of 2026-12-06 (LOW 8): the view passed "... or None", which the service took as a caller that showed
no preview."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.exceptions import ApplicationError
from core.models import Role
from lifecycle.models import Policy
from lifecycle.services import people as people_services
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaver(people):
    return user_with_role(Role.DEVELOPER, people.group, username="leaver")


@pytest.fixture
def successor(people):
    return user_with_role(Role.DEVELOPER, people.group, username="successor")


def _said(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def test_handover_without_the_preview_fingerprint_is_refused(client, people, leaver, successor):
    first = people.policy(actor=leaver, developers=[leaver])
    url = reverse("people:handover", args=[leaver.username])
    client.force_login(people.pcu)
    seen = client.get(url).context["plan"].fingerprint
    # Meanwhile the leaver is named on a second policy, which the preview did not show.
    second = people.policy(actor=people.developer, developers=[people.developer, leaver])
    stale = client.post(url, {"developer": successor.username, "reason": "Left", "expected": seen})
    assert stale.status_code == 302 and not Policy.objects.filter(developers=successor).exists()  # control: refused
    missing = client.post(url, {"developer": successor.username, "reason": "Left"})  # the hidden fingerprint left out
    moved = set(Policy.objects.filter(developers=successor).values_list("reference", flat=True))
    assert second.reference not in moved, f"moved {sorted(moved)}, though the preview showed only {first.reference}"
    assert not moved
    assert missing.status_code == 302
    assert "does not say which preview" in _said(missing)


def test_handover_with_the_preview_fingerprint_moves_the_portfolio(client, people, leaver, successor):
    policy = people.policy(actor=leaver, developers=[leaver])
    url = reverse("people:handover", args=[leaver.username])
    client.force_login(people.pcu)
    seen = client.get(url).context["plan"].fingerprint
    assert client.post(url, {"developer": successor.username, "reason": "Left", "expected": seen}).status_code == 302
    assert Policy.objects.filter(pk=policy.pk, developers=successor).exists()


def test_a_script_with_no_preview_hands_over_without_a_fingerprint(people, leaver, successor):
    """``expected`` None: a caller that showed no preview (a script, a command), as before."""
    policy = people.policy(actor=leaver, developers=[leaver])
    result = people_services.person_handover(actor=people.pcu, leaver=leaver, reason="Left the force",
                                             replacements={"developer": successor})
    assert result.policies == 1 and Policy.objects.filter(pk=policy.pk, developers=successor).exists()


def test_an_empty_fingerprint_is_refused_by_the_service(people, leaver, successor):
    people.policy(actor=leaver, developers=[leaver])
    with pytest.raises(ApplicationError) as refused:
        people_services.person_handover(actor=people.pcu, leaver=leaver, reason="Left the force",
                                        replacements={"developer": successor}, expected="")
    assert refused.value.code == "stale"
    assert not Policy.objects.filter(developers=successor).exists()
