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
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role, RoleAssignment, User
from core.services import role_revoke
from lifecycle.due import orphaned
from lifecycle.models import Policy
from lifecycle.permissions import forget_roles
from notifications import services
from notifications.models import Reminder
from notifications.services import ledger
from notifications.services.plan import policy_plan
from notifications.services.reminders import open_tasks_for
from tests.factories import advance_to, user_with_role
from tests.notifications.test_chase_clearance import PUBLISHED_ON, SENSITIVE, at, chase

pytestmark = pytest.mark.django_db

# Three months after publication nothing else is due (the review in 2026, the monitoring report in March 2024).
MONDAY = datetime.date(2023, 6, 5)


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


def test_an_orphan_reminder_to_a_coordinator_no_longer_chased_for_the_policy_is_closed(people):
    """The policy keeps its gap (a developer who left), but the co-ordinator first reminded loses their role: the
    plan now reminds the group's other co-ordinator, and the first one's reminder is closed (their handover preview
    no longer lists it). The other co-ordinator's stays open."""
    other_coordinator = user_with_role(Role.COORDINATOR, people.group, username="other_coordinator")
    policy = published(people, **SENSITIVE)
    left(people.developer)
    chase(MONDAY)
    first = Reminder.objects.get(kind="orphan", policy=policy)
    assert first.recipient_id == people.coordinator.pk
    with at(MONDAY):
        role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=people.coordinator,
                                                                            role=Role.COORDINATOR))
    forget_roles(people.coordinator)
    tuesday = MONDAY + datetime.timedelta(days=1)
    assert orphan_recipients(policy, tuesday) == {other_coordinator.pk}
    chase(tuesday)
    first.refresh_from_db()
    assert first.superseded_at is not None and first.closed_because == "orphan_resolved"
    assert open_tasks_for(user=people.coordinator, policy_ids=[policy.pk]) == []
    second = Reminder.objects.get(kind="orphan", policy=policy, recipient=other_coordinator)
    assert second.superseded_at is None
    chase(tuesday + datetime.timedelta(days=1))
    second.refresh_from_db()
    assert second.superseded_at is None


def test_an_empty_plan_closes_every_open_orphan_reminder(people):
    policy = published(people)
    left(people.developer)
    chase(MONDAY)
    orphan = Reminder.objects.get(kind="orphan", policy=policy)
    User.objects.filter(pk=people.developer.pk).update(is_active=True)
    assert services.chase_plan(today=MONDAY + datetime.timedelta(days=1)) == []
    chase(MONDAY + datetime.timedelta(days=1))
    orphan.refresh_from_db()
    assert orphan.superseded_at is not None


def test_the_demos_sqlite_path_closes_by_pair_too(people):
    """``make run``'s SQLite has no staged plan: the open orphan reminders are compared with the plan's pairs in
    Python (run here on PostgreSQL, the function the SQLite branch calls)."""
    user_with_role(Role.COORDINATOR, people.group, username="other_coordinator")
    policy = published(people, **SENSITIVE)
    left(people.developer)
    chase(MONDAY)
    first = Reminder.objects.get(kind="orphan", policy=policy)
    with at(MONDAY):
        assert ledger._orphan_reminders_close_listed(policy_plan(MONDAY)) == 0
    first.refresh_from_db()
    assert first.superseded_at is None
    with at(MONDAY):
        role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=people.coordinator,
                                                                            role=Role.COORDINATOR))
    forget_roles(people.coordinator)
    tuesday = MONDAY + datetime.timedelta(days=1)
    with at(tuesday):
        assert ledger._orphan_reminders_close_listed(policy_plan(tuesday)) == 1
        assert ledger._orphan_reminders_close_listed([]) == 0
    first.refresh_from_db()
    assert first.superseded_at is not None and first.closed_because == "orphan_resolved"


def test_closing_by_pair_adds_no_query_to_the_chase(people):
    """chase_run's statements stay as many (28 here) with a gap chased and an orphan reminder closed as without. (27
    until the plan read the business groups of the OFFICIAL-SENSITIVE local work instructions supplementing corporate
    policies, one statement for the whole plan, for a Designated Lead not cleared for them: test_orphan_instruction_
    lead.)"""
    other_coordinator = user_with_role(Role.COORDINATOR, people.group, username="other_coordinator")
    policy = published(people, **SENSITIVE)
    left(people.developer)

    def counted(day):
        with at(day), CaptureQueriesContext(connection) as plan_queries:
            services.chase_plan(today=day)
        with at(day), CaptureQueriesContext(connection) as run_queries:
            services.chase_run(today=day)
        return len(plan_queries), len(run_queries)

    assert counted(MONDAY) == (8, 28)
    RoleAssignment.objects.filter(user=people.coordinator, role=Role.COORDINATOR).delete()
    forget_roles(people.coordinator)
    assert counted(MONDAY + datetime.timedelta(days=1)) == (8, 28)
    assert set(Reminder.objects.filter(kind="orphan", policy=policy, superseded_at__isnull=True)
               .values_list("recipient_id", flat=True)) == {other_coordinator.pk}


def test_the_group_s_only_co_ordinator_gone_the_orphan_reminder_goes_to_pcu(people):
    """A leaver named as the policy's co-ordinator who was their business group's only one: the dashboard shows the
    policy orphaned, and the chase told nobody to reassign it (the group has no co-ordinator left to tell). PCU, who
    name co-ordinators and see every group's material, are told instead (review of 2026-12-05)."""
    policy = published(people)
    assert set(RoleAssignment.objects.filter(role=Role.COORDINATOR, business_group=people.group)
               .values_list("user_id", flat=True)) == {people.coordinator.pk}
    left(people.coordinator)
    assert Policy.objects.filter(orphaned(), pk=policy.pk).exists()
    pcu = set(RoleAssignment.objects.filter(role=Role.PCU, business_group__isnull=True, user__is_active=True)
              .values_list("user_id", flat=True))
    assert pcu
    assert orphan_recipients(policy, MONDAY) == pcu
    # While the group has a co-ordinator, they are told, not PCU.
    other = user_with_role(Role.COORDINATOR, people.group, username="new_coordinator")
    forget_roles(other)
    assert orphan_recipients(policy, MONDAY) == {other.pk}
