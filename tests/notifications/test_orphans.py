"""The orphan reminder and the dashboard's "Orphaned" figure read one declaration of the parts a leaver can be left
holding (lifecycle.due.NAMED_PARTS), and the chase closes an open orphan reminder by the (policy, recipient) pair its
plan no longer calls for.

Review findings: the dashboard, the register's filter and the attention list's "reassign" link counted a leaver
named as a policy's co-ordinator as orphaned, while the chase (``rules.NAMED_PARTS``, ``orphaned_parts``,
``plan._could_be_due``) read only the owner, the Designated Lead, the policy manager and the developers: the
co-ordinator's gap was shown but never chased, and ``_orphan_reminders_close`` closed a reminder that was open for it.
And ``_orphan_reminders_close`` closed by policy only: an orphan reminder to a co-ordinator no longer chased for the
policy (their role revoked; the plan now reminds the group's other co-ordinators) stayed open while the policy had a
gap, and their handover preview kept listing it."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from core.models import Role, User
from lifecycle.due import orphaned
from lifecycle.models import Policy
from notifications import services
from notifications.models import Reminder
from tests.factories import advance_to, user_with_role

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2023, 3, 1)
# Three months after publication nothing else is due (the review in 2026, the monitoring report in March 2024).
MONDAY = datetime.date(2023, 6, 5)
SENSITIVE = {"protective_marking": "official_sensitive", "suitable_for_publication_scheme": False}


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


def chase(day: datetime.date) -> services.ChaseResult:
    with at(day):
        return services.chase_run(today=day)


def published(people, **overrides) -> Policy:
    with at(PUBLISHED_ON - datetime.timedelta(days=20)):
        policy = people.policy(**overrides)
    with at(PUBLISHED_ON):
        return advance_to(policy, "implementation", people)


def left(user: User) -> None:
    """``user``'s account deactivated while still named (a shell, a data fix: ``user_deactivate`` refuses)."""
    User.objects.filter(pk=user.pk).update(is_active=False)


def orphan_recipients(policy: Policy, day: datetime.date) -> set[int]:
    return {item.recipient_id for item in services.chase_plan(today=day)
            if item.kind == "orphan" and item.policy_id == policy.pk}


@pytest.mark.parametrize("part", ["owner", "lead", "manager", "coordinator", "developer"])
def test_the_dashboard_and_the_chase_agree_on_each_part_a_leaver_can_hold(people, part):
    """The only leaver named on the policy holds ``part``: the dashboard counts it orphaned exactly when the chase
    tells a co-ordinator to reassign it."""
    other_coordinator = user_with_role(Role.COORDINATOR, people.group, username="other_coordinator")
    policy = published(people)
    left(getattr(people, part))
    assert Policy.objects.filter(orphaned(), pk=policy.pk).exists()
    told = orphan_recipients(policy, MONDAY)
    assert told, f"a leaver named as {part} is shown orphaned but never chased"
    # A co-ordinator who has left is passed over for the group's other co-ordinators.
    assert told == ({other_coordinator.pk} if part == "coordinator" else {people.coordinator.pk})


def test_a_leaving_coordinator_is_chased_to_the_groups_other_coordinators_and_stays_open(people):
    other_coordinator = user_with_role(Role.COORDINATOR, people.group, username="other_coordinator")
    policy = published(people)
    left(people.coordinator)
    chase(MONDAY)
    [orphan] = Reminder.objects.filter(kind="orphan", policy=policy)
    assert orphan.recipient_id == other_coordinator.pk
    assert "its co-ordinator account is no longer active" in orphan.message
    assert orphan.get_kind_display() == ("Policy with an inactive or uncleared owner, Lead, manager, co-ordinator or "
                                         "developer")
    # The next day's chase plans it still (weekly): it is not closed as if the gap were filled.
    chase(MONDAY + datetime.timedelta(days=1))
    orphan.refresh_from_db()
    assert orphan.superseded_at is None
