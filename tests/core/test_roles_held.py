"""The roles each person holds, as one text (core.RolesHeld), kept by the database from core_roleassignment: the
acknowledgement rates group the staff by it (acknowledgements.selectors.staff_classes), where a subquery per person
aggregated their assignments (make bench, 20,000 staff: 110-245 ms, planned above jit_above_cost and JIT-compiled).
Whatever writes a role assignment, the service, the admin (a model save), a bulk insert (the bench's people), a COPY
(the bench's dataset) or plain SQL, the text follows: the database writes it, never the app."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from benchmarks.dataset import _copy
from core.models import Role, RoleAssignment, RolesHeld, User
from core.services import role_assign, role_revoke
from tests.factories import BusinessGroupFactory, UnitFactory, UserFactory


def held_key(user_id: int) -> str:
    """What the text must say: "role:business group id" of each assignment, sorted, joined by commas."""
    return ",".join(sorted(f"{role}:{group or ''}" for role, group in
                           RoleAssignment.objects.filter(user_id=user_id).values_list("role", "business_group_id")))


def stored() -> dict[int, str]:
    return dict(RolesHeld.objects.values_list("user_id", "key"))


def expected() -> dict[int, str]:
    """Every person holding a role, with their text; nobody else has a row."""
    return {user_id: held_key(user_id) for user_id in
            RoleAssignment.objects.order_by().values_list("user_id", flat=True).distinct()}


@pytest.mark.django_db
def test_the_text_follows_every_writer_of_role_assignments(people):
    group, other_group = BusinessGroupFactory(), BusinessGroupFactory()
    person = UserFactory(unit=UnitFactory(business_group=group))
    assert person.pk not in stored()

    # The service.
    role_assign(actor=people.pcu, user=person, role=Role.DEVELOPER, business_group=group)
    lead = role_assign(actor=people.pcu, user=person, role=Role.LEAD, business_group=other_group)
    assert stored()[person.pk] == f"developer:{group.pk},lead:{other_group.pk}"
    # A model save (the Django admin) and a bulk insert (the bench's people, a factory).
    RoleAssignment.objects.create(user=person, role=Role.DOI)
    RoleAssignment.objects.bulk_create([RoleAssignment(user=person, role=Role.MANAGER, business_group=group),
                                        RoleAssignment(user=people.developer, role=Role.SHRMT)])
    assert stored() == expected()
    assert stored()[person.pk] == f"developer:{group.pk},doi:,lead:{other_group.pk},manager:{group.pk}"
    # Plain SQL, an update that moves an assignment to someone else, a delete by queryset.
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_roleassignment (user_id, role, business_group_id, created_at) "
                       "VALUES (%s, 'coordinator', %s, now())", [person.pk, group.pk])
    RoleAssignment.objects.filter(user=person, role=Role.MANAGER).update(user=people.developer2)
    RoleAssignment.objects.filter(user=person, role=Role.DOI).delete()
    assert stored() == expected()
    assert stored()[person.pk] == f"coordinator:{group.pk},developer:{group.pk},lead:{other_group.pk}"
    # The service's revocation; the last one leaves the person without a row (nothing left to hold).
    role_revoke(actor=people.pcu, assignment=lead)
    RoleAssignment.objects.filter(user=person).delete()
    assert person.pk not in stored()
    assert stored() == expected()
    # A person without roles may still be deleted (no row holds them).
    person.delete()
    assert not User.objects.filter(pk=person.pk).exists()


@pytest.mark.django_db
def test_the_text_follows_the_bench_datasets_copy(people):
    group = BusinessGroupFactory()
    first, second = UserFactory(), UserFactory()
    next_id = RoleAssignment.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    now = timezone.now()
    copied = _copy(RoleAssignment, ["id", "user", "role", "business_group", "unit", "created_at"], [
        (next_id, first.pk, Role.DEVELOPER, group.pk, None, now), (next_id + 1, first.pk, Role.PCU, None, None, now),
        (next_id + 2, second.pk, Role.OWNER, group.pk, None, now)])
    assert copied == 3
    assert stored()[first.pk] == f"developer:{group.pk},pcu:"
    assert stored()[second.pk] == f"owner:{group.pk}"
    assert stored() == expected()


@pytest.mark.django_db
def test_every_person_the_factories_gave_a_role_has_their_text(people):
    assert stored() == expected()
    assert stored()[people.pcu.pk] == "pcu:"


@pytest.mark.django_db(transaction=True)
def test_two_roles_given_to_one_person_at_once_both_count():
    """Each change reads the person's assignments after any other change to them has committed: neither text
    overwrites the other with a list that misses the other's role."""
    group = BusinessGroupFactory()
    person, actor = UserFactory(), UserFactory()
    role_assign(actor=actor, user=person, role=Role.DOI)
    barrier = threading.Barrier(2)
    errors = []

    def give(role):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            role_assign(actor=actor, user=person, role=role, business_group=group)
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=give, args=(role,)) for role in (Role.DEVELOPER, Role.COORDINATOR)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert stored()[person.pk] == f"coordinator:{group.pk},developer:{group.pk},doi:"
