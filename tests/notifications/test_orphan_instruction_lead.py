"""The orphan reminder reads a corporate policy's Designated Lead not cleared for an OFFICIAL-SENSITIVE local work
instruction that supplements it (the role that cleared them taken away since it was started): its "prior agreement
with the corporate lead" (SOP, "Local Work Instructions") waits on someone who cannot read it, a gap in the policy's
parts as a leaver's is. The co-ordinator is told weekly until PCU names a cleared Lead, or the Lead is cleared again;
the one rule is ``rules.orphaned_parts``, and the chase's queries do not grow with such policies."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Role, RoleAssignment
from core.services import role_revoke
from lifecycle.models import Policy
from lifecycle.permissions import forget_roles
from lifecycle.services import people as people_services
from lifecycle.states import PolicyKind, Status
from notifications import services
from notifications.models import Reminder
from tests.factories import user_with_role
from tests.notifications.test_chase_clearance import PUBLISHED_ON, at, chase
from tests.notifications.test_orphans import MONDAY, orphan_recipients, published

pytestmark = pytest.mark.django_db

TITLE = "ZEBRA covert custody"
GAP = ("its Designated Lead is not cleared for the OFFICIAL-SENSITIVE local work instructions that supplement it, so "
       "cannot give them the \"prior agreement with the corporate lead\"")


def sensitive_instruction(people, corporate: Policy, *, title: str = TITLE) -> Policy:
    """Specialist Crime & Operations' OFFICIAL-SENSITIVE local work instruction supplementing ``corporate`` (started
    through the service, which asks its corporate Lead to be cleared for it)."""
    with at(PUBLISHED_ON + datetime.timedelta(days=10)):
        return people.policy(actor=people.developer2, kind=PolicyKind.LOCAL, business_group=people.group2,
                             owning_unit=people.unit2, designated_lead=people.lead2, coordinator=people.coordinator2,
                             owner=None, policy_manager=None, developers=[people.developer2],
                             protective_marking="official_sensitive", suitable_for_publication_scheme=False,
                             supports=corporate.reference, title=title)


def role_in_group2(people, user, role: str = Role.DEVELOPER) -> RoleAssignment:
    assignment = RoleAssignment.objects.create(user=user, role=role, business_group=people.group2)
    forget_roles(user)
    return assignment


def test_the_coordinator_is_chased_until_pcu_names_a_lead_cleared_for_the_instruction(people):
    corporate = published(people)
    clearing = role_in_group2(people, people.lead)
    local = sensitive_instruction(people, corporate)
    # Cleared: no gap.
    assert not orphan_recipients(corporate, MONDAY)

    role_revoke(actor=people.pcu, assignment=clearing)
    forget_roles(people.lead)

    # Nothing else is due on the corporate policy (an OFFICIAL one): read for this gap alone.
    assert orphan_recipients(corporate, MONDAY) == {people.coordinator.pk}
    chase(MONDAY)
    [orphan] = Reminder.objects.filter(kind="orphan", policy=corporate)
    assert orphan.recipient_id == people.coordinator.pk
    assert GAP in orphan.message and f"/policies/{corporate.reference}/people/" in orphan.message
    assert TITLE not in orphan.message and local.reference not in orphan.message
    # The instruction itself is not the one chased.
    assert not Reminder.objects.filter(kind="orphan", policy=local).exists()

    # PCU names a Designated Lead cleared for it: the reminder stops at once, and is not planned again.
    successor = user_with_role(Role.LEAD, people.group, username="lead.cleared")
    role_in_group2(people, successor, Role.DEVELOPER)
    people_services.policy_reassign(policy=corporate, actor=people.pcu, role="designated_lead", new_holder=successor,
                                    reason="Cleared for Specialist Crime & Operations.")
    orphan.refresh_from_db()
    assert orphan.superseded_at is not None
    assert not orphan_recipients(corporate, MONDAY + datetime.timedelta(days=7))


def test_the_gap_closes_when_the_lead_is_cleared_again_or_the_instruction_is_withdrawn(people):
    corporate = published(people)
    clearing = role_in_group2(people, people.lead)
    local = sensitive_instruction(people, corporate)
    role_revoke(actor=people.pcu, assignment=clearing)
    forget_roles(people.lead)
    chase(MONDAY)
    assert Reminder.objects.filter(kind="orphan", policy=corporate, superseded_at__isnull=True).count() == 1

    role_in_group2(people, people.lead, Role.DEVELOPER)
    chase(MONDAY + datetime.timedelta(days=7))
    assert not Reminder.objects.filter(kind="orphan", policy=corporate, superseded_at__isnull=True).exists()

    RoleAssignment.objects.filter(user=people.lead, business_group=people.group2).delete()
    forget_roles(people.lead)
    assert orphan_recipients(corporate, MONDAY + datetime.timedelta(days=14)) == {people.coordinator.pk}
    # A withdrawn instruction asks for no agreement again.
    Policy.objects.filter(pk=local.pk).update(status=Status.WITHDRAWN)
    assert not orphan_recipients(corporate, MONDAY + datetime.timedelta(days=14))


def test_the_chases_queries_do_not_grow_with_such_policies(people):
    def counted(day: datetime.date) -> tuple[int, int, int]:
        with at(day), CaptureQueriesContext(connection) as plan_queries:
            plan = services.chase_plan(today=day)
        with at(day), CaptureQueriesContext(connection) as run_queries:
            services.chase_run(today=day)
        return len(plan_queries), len(run_queries), len([item for item in plan if item.kind == "orphan"])

    def corporate_policies(how_many: int) -> None:
        """``how_many`` more corporate policies led by ``lead``, each supplemented by an OFFICIAL-SENSITIVE
        instruction started while the Lead was cleared for it; then the role that cleared them taken away."""
        clearing = role_in_group2(people, people.lead)
        for number in range(how_many):
            sensitive_instruction(people, published(people), title=f"{TITLE} {how_many}.{number}")
        role_revoke(actor=people.pcu, assignment=clearing)
        forget_roles(people.lead)

    corporate_policies(1)
    few_plan, few_run, few_planned = counted(MONDAY)
    corporate_policies(3)
    many_plan, many_run, many_planned = counted(MONDAY + datetime.timedelta(days=7))
    assert (few_planned, many_planned) == (1, 4)
    assert (many_plan, many_run) == (few_plan, few_run)
