"""Integrity review of 2026-12-06.

MEDIUM 3: a PCU administrator (staff and PCU, not a superuser) could tick "superuser status" in /admin/ for anyone,
themselves included, and give groups and permissions. Only a superuser may now change those three: for anyone else
they are shown read-only, and a post naming them changes nothing. A superuser's own account is not changed by anyone
else (its password set would be the same escalation). Each change of "staff status" or "superuser status" is recorded
in the audit event with its value before and after.

LOW 10a: the admin moved a unit to another business group, under the policies it owns and the role assignments that
name it (a policy owned by a unit of another group). A unit's business group is read-only once the unit exists."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from core.models import AuditEvent, Role, RoleAssignment, Unit, User
from tests.factories import reload, user_with_role


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)

pytestmark = pytest.mark.django_db


def _pcu_admin(username="pcuadmin"):
    return user_with_role(Role.PCU, None, username=username, is_staff=True)


def _form(user: User, **overrides) -> dict:
    data = {"username": user.username, "first_name": user.first_name, "last_name": user.last_name,
            "email": user.email, "job_title": user.job_title, "unit": user.unit_id or "",
            "is_active": "on", "last_login_0": "", "last_login_1": "",
            "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "00:00:00"}
    if user.is_staff:
        data["is_staff"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_pcu_administrator_cannot_grant_superuser(client, people):
    pcu_admin = _pcu_admin()
    client.force_login(pcu_admin)
    url = f"/admin/core/user/{pcu_admin.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()  # shown, not offered
    client.post(url, _form(pcu_admin, is_superuser="on"))
    assert not fresh(pcu_admin).is_superuser, "a PCU administrator made themselves a superuser through the admin"


def test_pcu_administrator_cannot_make_someone_else_superuser_or_give_permissions(client, people):
    pcu_admin = _pcu_admin()
    group = Group.objects.create(name="Everything")
    permission = Permission.objects.get(codename="change_group")
    client.force_login(pcu_admin)
    target = people.developer
    response = client.post(f"/admin/core/user/{target.pk}/change/", _form(
        target, is_superuser="on", groups=str(group.pk), user_permissions=str(permission.pk),
        job_title="Policy officer"))
    assert response.status_code == 302
    target = fresh(target)
    assert not target.is_superuser and not target.groups.exists() and not target.user_permissions.exists()
    assert target.job_title == "Policy officer"  # the rest of the form is saved


def test_pcu_administrator_cannot_change_a_superusers_account(client, people):
    pcu_admin = _pcu_admin()
    boss = User.objects.create_user(username="boss", password="x-Long-password-1", is_staff=True, is_superuser=True)
    client.force_login(pcu_admin)
    client.post(f"/admin/core/user/{boss.pk}/change/", _form(boss, is_superuser=None, is_staff=None,
                                                            first_name="Changed"))
    boss = fresh(boss)
    assert boss.is_superuser and boss.is_staff and boss.first_name == ""
    response = client.post(f"/admin/core/user/{boss.pk}/password/",
                           {"password1": "an-Other-password-2", "password2": "an-Other-password-2"})
    assert response.status_code == 403
    assert fresh(boss).check_password("x-Long-password-1")


def test_a_superuser_still_grants_superuser_and_it_is_audited_before_and_after(client, people):
    boss = User.objects.create_user(username="boss", password="x-Long-password-1", is_staff=True, is_superuser=True)
    client.force_login(boss)
    target = people.pcu
    assert not target.is_staff and not target.is_superuser
    response = client.post(f"/admin/core/user/{target.pk}/change/", _form(target, is_staff="on", is_superuser="on"))
    assert response.status_code == 302
    target = fresh(target)
    assert target.is_staff and target.is_superuser
    event = AuditEvent.objects.filter(action="user.changed", object_id=str(target.pk)).latest("sequence")
    assert event.actor == boss
    assert event.changes["is_staff"] == {"before": False, "after": True}
    assert event.changes["is_superuser"] == {"before": False, "after": True}


def test_staff_status_given_by_a_pcu_administrator_is_audited_before_and_after(client, people):
    pcu_admin = _pcu_admin()
    client.force_login(pcu_admin)
    target = people.pcu_qa
    client.post(f"/admin/core/user/{target.pk}/change/", _form(target, is_staff="on"))
    assert fresh(target).is_staff
    event = AuditEvent.objects.filter(action="user.changed", object_id=str(target.pk)).latest("sequence")
    assert event.changes["is_staff"] == {"before": False, "after": True}
    assert event.changes["is_superuser"] == {"before": False, "after": False}


def test_admin_cannot_move_a_unit_out_from_under_its_policies(client, people, policy_in):
    policy = policy_in("development")
    assert policy.owning_unit_id == people.unit.pk and policy.business_group_id == people.group.pk
    pcu_admin = _pcu_admin()
    client.force_login(pcu_admin)
    url = f"/admin/core/unit/{people.unit.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "cannot be moved to another business group" in page.content.decode()
    response = client.post(url, {"business_group": people.group2.pk, "name": "Renamed unit", "is_active": "on"})
    assert response.status_code < 500
    unit = Unit.objects.get(pk=people.unit.pk)
    assert unit.business_group_id == people.group.pk
    assert unit.name == "Renamed unit"  # the rest of the form is saved
    assert reload(policy).business_group_id == unit.business_group_id
    manager_role = RoleAssignment.objects.filter(user=people.manager, role=Role.MANAGER).first()
    assert manager_role is None or manager_role.unit_id != unit.pk or manager_role.business_group_id == \
        unit.business_group_id


def test_a_new_unit_still_chooses_its_business_group(client, people):
    client.force_login(_pcu_admin())
    response = client.post("/admin/core/unit/add/", {"business_group": people.group2.pk, "name": "New unit",
                                                      "is_active": "on"})
    assert response.status_code == 302
    assert Unit.objects.get(name="New unit").business_group_id == people.group2.pk
