"""Issue 11, finding 3: "An admin changing another user's password leaves no audit event"; and sign-in, sign-out,
failed sign-ins, lockouts, and role and grant changes are audited. Changes made below the services (a shell, a
script, a data fix) are audited at commit unless a service audited them in the same transaction."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from core.audit import audit_log, audit_verify_chain
from core.models import AuditEvent, Role, RoleAssignment
from core.services import role_assign, role_revoke
from tests.factories import DEMO_PASSWORD, UserFactory


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's commit callbacks, as a real commit would (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- authentication --------------------------------------------------------------------------------------------


def test_sign_in_and_sign_out_are_audited(client, db):
    user = UserFactory(username="officer")

    client.post(reverse("login"), {"username": "officer", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.1.2.3")
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")

    (signed_in,) = events("auth.signed_in")
    (signed_out,) = events("auth.signed_out")
    assert (signed_in.actor, signed_in.object_type, signed_in.object_id) == (user, "core.user", str(user.pk))
    assert signed_in.policy_id is None
    assert signed_in.changes == {"address": "10.1.2.3"}
    assert signed_out.actor == user and signed_out.sequence > signed_in.sequence
    assert audit_verify_chain().ok


def test_failed_sign_in_for_an_account_is_audited_without_the_password(client, db):
    user = UserFactory(username="officer")

    client.post(reverse("login"), {"username": "officer", "password": "guess-1"}, REMOTE_ADDR="10.1.2.3")

    (failed,) = events("auth.sign_in_failed")
    assert (failed.actor, failed.object_id) == (None, str(user.pk))
    assert "guess-1" not in str(failed.changes)


def test_failed_sign_in_for_no_account_writes_nothing(client, db):
    client.post(reverse("login"), {"username": "nobody-here", "password": "guess"}, REMOTE_ADDR="10.1.2.3")
    assert not AuditEvent.objects.filter(action__startswith="auth.").exists()


def test_lockout_is_audited(client, db, settings):
    user = UserFactory(username="officer")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "officer", "password": f"guess-{attempt}"}, REMOTE_ADDR="10.9.9.9")

    (locked,) = events("auth.locked_out")
    assert locked.object_id == str(user.pk)
    assert locked.changes == {"address": "10.9.9.9"}


# --- passwords -------------------------------------------------------------------------------------------------


@pytest.fixture
def administrator(client, db):
    admin_user = UserFactory(username="pcu.admin", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    return admin_user


def test_admin_changing_another_users_password_is_audited_once(client, administrator, committed):
    target = UserFactory(username="officer")
    url = reverse("admin:auth_user_password_change", args=[target.pk])

    with committed():
        response = client.post(url, {"password1": "A-new-long-passphrase-41", "password2": "A-new-long-passphrase-41",
                                     "usable_password": "true"})

    assert response.status_code == 302
    (event,) = events("user.password_set_by_admin")
    assert (event.actor, event.object_id) == (administrator, str(target.pk))
    assert event.changes == {"username": "officer", "usable": True}
    assert not events("user.password_changed_outside_services")
    target.refresh_from_db()
    assert target.password not in str(event.changes)


def test_admin_password_form_with_errors_writes_nothing(client, administrator, committed):
    target = UserFactory(username="officer")
    with committed():
        client.post(reverse("admin:auth_user_password_change", args=[target.pk]),
                    {"password1": "A-new-long-passphrase-41", "password2": "different", "usable_password": "true"})
    assert not AuditEvent.objects.filter(action__startswith="user.password").exists()


def test_password_changed_in_a_shell_is_audited_at_commit(db, committed):
    user = UserFactory(username="officer")

    with committed(), transaction.atomic():
        user.set_password("Changed-behind-the-apps-back-7")
        user.save()
        assert not events("user.password_changed_outside_services")  # not before the commit

    (event,) = events("user.password_changed_outside_services")
    assert (event.actor, event.object_id, event.changes) == (None, str(user.pk), {"username": "officer",
                                                                                   "usable": True})


def test_password_change_audited_by_a_service_is_not_recorded_twice(db, committed):
    user = UserFactory(username="officer")
    with committed(), transaction.atomic():
        user.set_password("Changed-through-a-service-7")
        user.save(update_fields=["password"])
        audit_log(actor=user, action="user.password_changed", obj=user, changes={"username": user.username})

    assert [event.action for event in AuditEvent.objects.all()] == ["user.password_changed"]


def test_saving_a_user_without_changing_the_password_writes_nothing(db, committed):
    user = UserFactory(username="officer")
    with committed():
        user.first_name = "Renamed"
        user.save()
        user.save(update_fields=["last_login"])
    assert not AuditEvent.objects.exists()


def test_rolled_back_password_change_writes_nothing(db, committed):
    user = UserFactory(username="officer")
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        user.set_password("Never-committed-passphrase-7")
        user.save()
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()


# --- roles and grants ------------------------------------------------------------------------------------------


def test_role_assignment_through_the_service_is_audited_once(db, committed):
    admin_user, holder = UserFactory(), UserFactory(username="holder")
    with committed():
        assignment = role_assign(actor=admin_user, user=holder, role=Role.PCU)
    with committed():
        role_revoke(actor=admin_user, assignment=assignment)

    assert [event.action for event in AuditEvent.objects.order_by("sequence")] == ["role.assigned", "role.revoked"]


def test_role_assignment_made_below_the_services_is_audited(db, committed):
    holder = UserFactory(username="holder")
    with committed():
        assignment = RoleAssignment.objects.create(user=holder, role=Role.PCU)
    with committed():
        assignment.delete()

    assigned, revoked = AuditEvent.objects.order_by("sequence")
    assert (assigned.action, revoked.action) == ("role.assigned_outside_services", "role.revoked_outside_services")
    assert (assigned.object_type, assigned.object_id) == ("core.user", str(holder.pk))
    assert assigned.changes["role"] == "pcu" and assigned.changes["user"] == "holder"


@pytest.mark.django_db(transaction=True)
def test_guardian_grant_made_below_the_services_is_audited(people):
    """Real commits: the policy's own events are written in earlier transactions, as in production."""
    policy = people.policy()
    grantee = UserFactory(username="consultee")
    before = AuditEvent.objects.count()
    assign_perm("lifecycle.consult_policy", grantee, policy)
    with transaction.atomic():
        remove_perm("lifecycle.consult_policy", grantee, policy)
        assert AuditEvent.objects.count() == before + 1  # the removal waits for its transaction's commit

    added, removed = AuditEvent.objects.filter(sequence__gt=before).order_by("sequence")
    assert (added.action, removed.action) == ("grant.added_outside_services", "grant.removed_outside_services")
    assert added.object_id == str(grantee.pk)
    assert added.changes == {"object": f"lifecycle.policy:{policy.pk}", "permission": "consult_policy",
                             "holder": "consultee"}


@pytest.mark.django_db(transaction=True)
def test_guardian_grant_audited_by_a_service_is_not_recorded_twice(people):
    """What lifecycle's policy_grant_access does: the grant and its own event on the policy, one transaction."""
    policy = people.policy()
    grantee = UserFactory(username="consultee")
    before = AuditEvent.objects.count()
    with transaction.atomic():
        assign_perm("lifecycle.consult_policy", grantee, policy)
        audit_log(actor=people.developer, action="policy.access_granted", obj=policy,
                  changes={"user": grantee.username, "permission": "consult_policy"})

    assert [event.action for event in AuditEvent.objects.filter(sequence__gt=before)] == ["policy.access_granted"]


def test_other_models_are_not_mistaken_for_grants(db, committed):
    with committed():
        Permission.objects.filter(codename="consult_policy").first().save()
    assert not AuditEvent.objects.exists()
