"""Migrations notifications 0019 and 0020: the inbox items already written take the marking their policy had when each
was written (Notification.protective_marking), erring towards OFFICIAL-SENSITIVE
(notifications/migrations/0020_notification_protective_marking_backfill.py says how)."""

from __future__ import annotations

import pytest
from django.db import connection

from core.models import Role, RoleAssignment
from core.services import role_assign, role_revoke
from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from notifications import services
from notifications.models import Notification
from tests.factories import advance_to, reload
from tests.library.helpers import published, staff
from tests.lifecycle.migrating import migrate
from tests.lifecycle.test_details import update
from tests.lifecycle.test_details_downgrade import downgraded, media_root, publish_reviewed  # noqa: F401

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the other migration tests are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

BEFORE = ("notifications", "0018_report_qa_items_closed")
OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE


def markings() -> dict[int, str]:
    return dict(Notification.objects.values_list("pk", "protective_marking"))


def relayed(capture) -> set[int]:
    """The items the relay writes now."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with capture(execute=True):
        services.outbox_relay()
    return set(Notification.objects.values_list("pk", flat=True)) - before


def test_items_already_written_take_the_marking_they_were_written_under(
        downgraded, people, django_capture_on_commit_callbacks):  # noqa: F811
    capture = django_capture_on_commit_callbacks
    # The review's case: POL-0001, OFFICIAL-SENSITIVE, told to a co-ordinator since revoked, then retitled and
    # published OFFICIAL; the items of its new version are written under OFFICIAL.
    x = staff("xcoord", people.unit)
    role_assign(actor=people.pcu, user=x, role=Role.COORDINATOR, business_group=people.group)
    update(reload(downgraded), people.developer, title="Deployment guidance")
    under_sensitive = relayed(capture)
    role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=x, role=Role.COORDINATOR))
    policy, _ = publish_reviewed(reload(downgraded), people, capture)
    after_downgrade = relayed(capture)
    assert reload(policy).protective_marking == OFFICIAL

    # An OFFICIAL policy whose review re-marks it OFFICIAL-SENSITIVE (in force at once), then OFFICIAL again (the
    # version in force was published OFFICIAL: at once too).
    with capture(execute=True):
        raised = advance_to(published(people, title="Stop and search"), Status.MONITORING, people)
    s.policy_start_review(policy=raised, actor=people.coordinator, reason="Three-year review.")
    before_raise = relayed(capture)
    update(reload(raised), people.developer, protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    during_raise = relayed(capture)
    update(reload(raised), people.developer, protective_marking=OFFICIAL)
    after_raise = relayed(capture)
    assert reload(raised).protective_marking == OFFICIAL

    # A policy created OFFICIAL-SENSITIVE and re-marked OFFICIAL before its first publication; and one always OFFICIAL.
    early = people.policy(title="Early covert", protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    advance_to(early, Status.DEVELOPMENT, people)
    early_sensitive = relayed(capture)
    update(reload(early), people.developer, protective_marking=OFFICIAL)
    advance_to(reload(early), Status.QA_PASSED, people)
    early_official = relayed(capture)
    plain = advance_to(people.policy(title="Plain"), Status.DEVELOPMENT, people)
    plain_items = relayed(capture)

    written = markings()
    for items in (under_sensitive, during_raise, early_sensitive, after_downgrade, before_raise, after_raise,
                  early_official, plain_items):
        assert items, "every step above writes items"
    assert {written[pk] for pk in under_sensitive | during_raise | early_sensitive} == {SENSITIVE}
    assert {written[pk] for pk in after_downgrade | before_raise | after_raise | early_official | plain_items} \
        == {OFFICIAL}
    assert Notification.objects.filter(policy=plain).exists()
    try:
        migrate(BEFORE)  # the column dropped, and with it what the code recorded
        migrate()
        backfilled = markings()
    finally:
        migrate()
    assert backfilled.keys() == written.keys()
    # Never less than the code recorded: what was written under OFFICIAL-SENSITIVE is so again.
    assert all(backfilled[pk] == SENSITIVE for pk, marking in written.items() if marking == SENSITIVE)
    # Where the record is clear, OFFICIAL stays OFFICIAL: after the downgrade was published, before the review's
    # re-marking up, a policy never marked OFFICIAL-SENSITIVE, an item about no policy.
    for pk in after_downgrade | before_raise | plain_items:
        assert backfilled[pk] == OFFICIAL
    assert all(backfilled[pk] == OFFICIAL for pk in Notification.objects.filter(policy__isnull=True)
               .values_list("pk", flat=True))
    # Where it is not, OFFICIAL-SENSITIVE: re-marked back down within the review that raised it, or before the first
    # publication of a policy created OFFICIAL-SENSITIVE.
    for pk in after_raise | early_official:
        assert backfilled[pk] == SENSITIVE
