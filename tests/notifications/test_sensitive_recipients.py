"""Defence in depth (security probe F2): the outbox relay, where an event's recipients are resolved, never puts an
OFFICIAL-SENSITIVE policy's title in front of someone not cleared for it (a role on its business group, or a
force-wide role: ``lifecycle.selectors.user_may_see_sensitive``), whoever the event names. Nothing reaches their inbox,
so nothing reaches their digest e-mail either. The marking is read when the event is relayed: a policy re-marked
between the event and the relay is told as it is marked now."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core.audit import audit_log
from core.events import AuditAction
from lifecycle import services as lifecycle_services
from lifecycle.details import details_hash
from notifications import services
from notifications.models import Notification
from tests.factories import UserFactory, reload

pytestmark = pytest.mark.django_db

TITLE = "ZEBRA covert surveillance authorities"


def named_event(policy, actor, *recipients) -> None:
    """An event of ``policy`` naming ``recipients`` (as an invitation to advise, or a local work instruction's
    request for agreement, names whom it tells)."""
    with transaction.atomic():
        audit_log(actor=actor, action=AuditAction.POLICY_ADVICE_INVITED, obj=policy,
                  changes={"notify_user_ids": [person.pk for person in recipients]})


def told(policy) -> set[str]:
    """Who was told of the event ``named_event`` wrote."""
    return set(Notification.objects.filter(policy=policy, source_event__topic=AuditAction.POLICY_ADVICE_INVITED)
               .values_list("recipient__username", flat=True))


@pytest.fixture
def outsider(people):
    return UserFactory(username="patrol_officer", unit=people.unit)


def test_an_official_sensitive_policys_event_reaches_only_those_cleared_for_its_business_group(people, outsider):
    policy = people.policy(title=TITLE, protective_marking="official_sensitive",
                           suitable_for_publication_scheme=False)
    # Named: another group's developer and Lead, a member of staff with no role, a force-wide role, its co-ordinator.
    named_event(policy, people.developer, people.developer2, people.lead2, outsider, people.doi, people.coordinator)
    services.outbox_relay()
    assert told(policy) == {"doi", "coordinator"}
    assert not Notification.objects.filter(title__contains="ZEBRA").exclude(
        recipient__in=[people.doi, people.coordinator]).exists()
    # Nor in a digest e-mail.
    for digest_id in services.digests_prepare(today=timezone.localdate()):
        services.digest_send(digest_id=digest_id)
    assert [message.to for message in mail.outbox if "ZEBRA" in message.body] in (
        [[people.doi.email], [people.coordinator.email]], [[people.coordinator.email], [people.doi.email]])


def test_an_official_policys_event_reaches_everyone_it_names(people, outsider):
    policy = people.policy(title="Stop and search")
    named_event(policy, people.developer, people.developer2, outsider, people.doi)
    services.outbox_relay()
    assert told(policy) == {"developer2", "patrol_officer", "doi"}


def test_a_policy_re_marked_before_the_relay_is_told_as_it_is_marked_now(people, outsider):
    policy = people.policy(title=TITLE)
    named_event(policy, people.developer, people.developer2, outsider, people.coordinator)
    details = reload(policy).details_snapshot()
    lifecycle_services.policy_update_details(
        policy=policy, actor=people.developer, expected_details=details_hash(details),
        **{**details, "protective_marking": "official_sensitive", "suitable_for_publication_scheme": False})
    services.outbox_relay()
    assert told(policy) == {"coordinator"}
