"""Role assignments: force-wide roles carry no business group, group roles must have one, duplicates are refused
with a clear message, and every change is audited."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from core.models import AuditEvent, Role, RoleAssignment
from core.services import role_assign, role_revoke
from lifecycle.permissions import forget_roles, is_group_lead, is_pcu
from tests.factories import BusinessGroupFactory, UnitFactory, UserFactory, refused


@pytest.fixture
def admin(db):
    return UserFactory(username="pcu_admin")


@pytest.fixture
def group(db):
    return BusinessGroupFactory(name="Territorial Policing", code="tp")


def test_force_wide_role_is_assigned_without_a_group_and_audited(admin):
    user = UserFactory(username="analyst")

    assignment = role_assign(actor=admin, user=user, role=Role.DCFD)

    assert (assignment.user, assignment.role, assignment.business_group) == (user, "dcfd", None)
    event = AuditEvent.objects.get(action="role.assigned")
    assert (event.actor, event.object_type, event.object_id) == (admin, "core.roleassignment", str(assignment.pk))
    assert event.changes == {"user": "analyst", "role": "dcfd", "business_group": None, "unit": None}


def test_group_role_is_assigned_with_its_group_and_unit(admin, group):
    unit = UnitFactory(business_group=group, name="Response")
    user = UserFactory()

    assignment = role_assign(actor=admin, user=user, role=Role.MANAGER, business_group=group, unit=unit)

    assert (assignment.business_group, assignment.unit) == (group, unit)
    assert AuditEvent.objects.get(action="role.assigned").changes == {
        "user": user.username, "role": "manager", "business_group": "Territorial Policing", "unit": "Response",
    }


@pytest.mark.parametrize("role", ["pcu", "dcfd", "doi", "shrmt"])
def test_force_wide_role_with_a_group_is_refused(admin, group, role):
    with refused("refused", "is a force-wide role: leave the business group empty") as refusal:
        role_assign(actor=admin, user=UserFactory(), role=role, business_group=group)
    assert refusal.error.field == "business_group"
    assert not RoleAssignment.objects.exists()


@pytest.mark.parametrize("role", ["developer", "manager", "coordinator", "lead", "owner"])
def test_group_role_without_a_group_is_refused(admin, role):
    with refused("refused", "is held for a business group: choose one") as refusal:
        role_assign(actor=admin, user=UserFactory(), role=role)
    assert refusal.error.field == "business_group"
    assert not AuditEvent.objects.exists()


def test_unknown_role_and_foreign_unit_are_refused(admin, group):
    with refused("refused", "'chief' is not a PolicyHub role"):
        role_assign(actor=admin, user=UserFactory(), role="chief", business_group=group)
    other_unit = UnitFactory(business_group=BusinessGroupFactory(name="Met Operations", code="mo"))
    with refused("refused", "The unit must belong to the chosen business group"):
        role_assign(actor=admin, user=UserFactory(), role=Role.MANAGER, business_group=group, unit=other_unit)
    assert not RoleAssignment.objects.exists()


def test_duplicate_group_role_is_refused_but_another_group_is_fine(admin, group):
    user = UserFactory(first_name="Sam", last_name="Patel")
    role_assign(actor=admin, user=user, role=Role.LEAD, business_group=group)

    with refused("refused", "Sam Patel already holds that role there."):
        role_assign(actor=admin, user=user, role=Role.LEAD, business_group=group)

    role_assign(actor=admin, user=user, role=Role.LEAD, business_group=BusinessGroupFactory(name="Other", code="ot"))
    assert RoleAssignment.objects.filter(user=user).count() == 2
    assert AuditEvent.objects.filter(action="role.assigned").count() == 2


def test_duplicate_force_wide_role_is_refused(admin):
    """The plain unique constraint treats NULL groups as distinct; the conditional one catches this."""
    user = UserFactory(first_name="Kim", last_name="Lee")
    role_assign(actor=admin, user=user, role=Role.PCU)

    with refused("refused", "Kim Lee already holds that role there."):
        role_assign(actor=admin, user=user, role=Role.PCU)

    assert RoleAssignment.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.filter(action="role.assigned").count() == 1


def test_database_refuses_a_mis_scoped_assignment(group):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.PCU, business_group=group)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.LEAD, business_group=None)


def test_revoke_removes_the_role_and_is_audited(admin, group):
    user = UserFactory(username="former_lead")
    assignment = role_assign(actor=admin, user=user, role=Role.LEAD, business_group=group)
    policy_like = type("PolicyStub", (), {"business_group_id": group.pk})()
    assert is_group_lead(user, policy_like)

    role_revoke(actor=admin, assignment=assignment)

    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    forget_roles(user)
    assert not is_group_lead(user, policy_like)
    event = AuditEvent.objects.get(action="role.revoked")
    assert event.actor == admin
    assert event.object_id == str(assignment.pk)
    assert event.changes == {"user": "former_lead", "role": "lead", "business_group": "Territorial Policing"}

    with refused("stale", "already been removed"):
        role_revoke(actor=admin, assignment=assignment)
    assert AuditEvent.objects.filter(action="role.revoked").count() == 1


def test_role_index_is_cached_until_forgotten(admin, django_assert_num_queries):
    user = UserFactory()
    role_assign(actor=admin, user=user, role=Role.PCU)
    forget_roles(user)
    with django_assert_num_queries(1):
        assert is_pcu(user) and is_pcu(user)
    assignment = RoleAssignment.objects.get(user=user)
    role_revoke(actor=admin, assignment=assignment)
    assert is_pcu(user)  # still the cached answer
    forget_roles(user)
    assert not is_pcu(user)


def test_inactive_user_has_no_roles(admin):
    user = UserFactory(is_active=False)
    role_assign(actor=admin, user=user, role=Role.PCU)
    forget_roles(user)
    assert not is_pcu(user)
