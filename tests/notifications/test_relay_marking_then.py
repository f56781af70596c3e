"""An event is told under the marking of its time, not of its relay (security review, left unfixed by the last
session). The relay decided who is told of an event, and the marking its item records, from the policy's marking when
the event is relayed. A review can re-mark a policy OFFICIAL (lifecycle.services.details): until its version is
published the version in force keeps the policy OFFICIAL-SENSITIVE. An event of that time relayed only after the
publication (the relay runs from beat: with Redis down for a while, events wait in the outbox) was told to people not
cleared for the business group's OFFICIAL-SENSITIVE material, and written OFFICIAL, so the inbox showed it to them.

The relay now reads each event of such a policy by the rule the timeline reads it by (``lifecycle.selectors
.events_withheld_from_uncleared``): an event the timeline withholds from a reader not cleared is told only to those
cleared, and its item records OFFICIAL-SENSITIVE, as a leaver's handover notice of that time names such a policy only
to them."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.events import AuditAction
from core.models import AuditEvent, Role, RoleAssignment, User
from core.services import role_revoke
from lifecycle.permissions import forget_roles
from lifecycle.selectors import events_withheld_from_uncleared, timeline_events, user_may_see_sensitive
from lifecycle.services import people as people_services
from lifecycle.states import ProtectiveMarking
from notifications import services as nservices
from notifications.models import Notification
from tests.factories import RoleAssignmentFactory, reload, user_with_role
from tests.lifecycle.test_details_downgrade import IN_PURPOSE, downgraded, media_root, publish_reviewed  # noqa: F401
from tests.notifications.test_inbox_clearance import inbox

pytestmark = pytest.mark.django_db

OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE
# Words of the OFFICIAL-SENSITIVE time, in the reason a change of people records (and its item quotes).
REASON = f"Moved to Specialist Crime & Operations; the {IN_PURPOSE} deployments stay with Territorial Policing."


@pytest.fixture
def mover(people, downgraded):  # noqa: F811 (the fixture imported)
    """A developer of Territorial Policing (and of Specialist Crime & Operations) named on the policy under review,
    whose Territorial Policing role is then taken away: no longer cleared for its OFFICIAL-SENSITIVE material, still
    named on it. Everything written before is relayed."""
    person = user_with_role(Role.DEVELOPER, people.group, username="mover", first_name="Sam", last_name="Lee")
    RoleAssignmentFactory(user=person, role=Role.DEVELOPER, business_group=people.group2)
    people_services.policy_add_developer(policy=reload(downgraded), actor=people.coordinator, new=person,
                                         reason="More hands for the review.")
    nservices.outbox_relay()
    role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=person, business_group=people.group))
    forget_roles(person)
    assert not user_may_see_sensitive(user=person, policy=reload(downgraded))
    return person


@pytest.fixture
def successor(people):
    return user_with_role(Role.DEVELOPER, people.group, username="successor", first_name="Priya", last_name="Shah")


def downgrade_published(people, policy, capture):
    """The relay waits meanwhile (Redis down): the review's version is published OFFICIAL, its events left waiting
    with the rest."""
    nothing_relayed = Notification.objects.count()
    policy, _ = publish_reviewed(reload(policy), people, capture)
    assert policy.protective_marking == OFFICIAL and Notification.objects.count() == nothing_relayed
    return policy


def test_a_change_of_people_of_the_official_sensitive_time_relayed_after_the_downgrade_reaches_only_the_cleared(
        client, people, downgraded, mover, successor, django_capture_on_commit_callbacks):  # noqa: F811
    # While version 1.0 in force keeps the policy OFFICIAL-SENSITIVE: the co-ordinator replaces the mover, saying why.
    people_services.policy_replace_developer(policy=reload(downgraded), actor=people.coordinator, old=mover,
                                             new=successor, reason=REASON)
    policy = downgrade_published(people, downgraded, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        nservices.outbox_relay()

    told = Notification.objects.filter(source_event__topic=AuditAction.POLICY_REASSIGNED, body__contains=IN_PURPOSE)
    # The mover, not cleared, is not told; the successor, cleared, is, under OFFICIAL-SENSITIVE.
    assert set(told.values_list("recipient__username", flat=True)) == {"successor"}
    assert set(told.values_list("protective_marking", flat=True)) == {SENSITIVE}
    page = inbox(client, mover)
    assert IN_PURPOSE not in page and policy.reference not in page
    # Nor the daily e-mail.
    User.objects.filter(pk=mover.pk).update(email="mover@example.org")
    mail.outbox.clear()
    for digest_id in nservices.digests_prepare(today=timezone.localdate()):
        nservices.digest_send(digest_id=digest_id)
    assert not [message for message in mail.outbox if message.to == ["mover@example.org"]
                and (IN_PURPOSE in message.body or policy.reference in message.body)]

    # The relay's rule is the timeline's: what it withholds from a reader not cleared, and nothing else.
    every = set(AuditEvent.objects.filter(policy_id=policy.pk).values_list("pk", flat=True))
    readable = set(timeline_events(policy_id=policy.pk, drafts=True, sensitive=False).values_list("pk", flat=True))
    assert events_withheld_from_uncleared(policy_id=policy.pk, event_ids=every) == every - readable
    assert told.get().source_event.audit_event_id in every - readable

    # What happens once version 2.0 is in force is told under OFFICIAL.
    newcomer = user_with_role(Role.DEVELOPER, people.group, username="newcomer")
    people_services.policy_add_developer(policy=policy, actor=people.coordinator, new=newcomer,
                                         reason="More hands for the next review.")
    nservices.outbox_relay()
    added = Notification.objects.get(recipient=newcomer, source_event__topic=AuditAction.POLICY_REASSIGNED)
    assert added.protective_marking == OFFICIAL


def test_a_handover_of_the_official_sensitive_time_relayed_after_the_downgrade_names_the_policy_only_to_the_cleared(
        people, downgraded, mover, successor, django_capture_on_commit_callbacks):  # noqa: F811
    # The mover's other policy, of Specialist Crime & Operations, where they keep their role.
    other = people.policy(actor=people.developer2, title="Serious crime", business_group=people.group2,
                          owning_unit=people.unit2, designated_lead=people.lead2, coordinator=people.coordinator2,
                          owner=people.lead2, policy_manager=people.developer2, developers=[mover])
    RoleAssignmentFactory(user=successor, role=Role.DEVELOPER, business_group=people.group2)
    nservices.outbox_relay()
    people_services.person_handover(actor=User.objects.get(pk=people.pcu.pk), leaver=mover,
                                    reason="Moved to Specialist Crime & Operations",
                                    replacements={"developer": successor})
    downgrade_published(people, downgraded, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        nservices.outbox_relay()

    def notice(user) -> Notification:
        return Notification.objects.get(recipient=user, title__startswith="Work handed over")

    # The mover, not cleared for it when it was handed over, is told it is one of two, not which.
    item = notice(mover)
    assert f"2 policies handed over from Sam Lee: {other.reference} and 1 more." in item.body
    assert downgraded.reference not in item.body
    assert set(item.listed_policies.values_list("pk", flat=True)) == {other.pk}
    # Those cleared read it named.
    for person in (successor, people.coordinator):
        assert downgraded.reference in notice(person).body


def test_a_batch_of_plainly_official_policies_costs_the_same_however_many_policies(people):
    """The rule is asked only of a policy holding a record marked OFFICIAL-SENSITIVE (read with the policies, in the
    query that reads them): a batch of events of policies plainly OFFICIAL costs what it did, whatever their number."""
    def relay_queries(count: int) -> int:
        for number in range(count):
            people.policy(title=f"Stop and search {count}.{number}")
        with CaptureQueriesContext(connection) as queries:
            nservices.outbox_relay()
        return len(queries)

    nservices.outbox_relay()
    assert relay_queries(1) == relay_queries(4)
