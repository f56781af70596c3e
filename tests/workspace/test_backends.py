"""The signed-in person is loaded with their roles and unread count in one query (workspace.backends, issue 16), and
what that query answers is exactly what role_index, managed_scope and the header's count would ask for."""

import pytest
from django.contrib.auth import get_user
from django.utils import timezone

from core.models import Role, RoleAssignment
from core.services import role_revoke
from lifecycle.permissions import forget_roles, managed_scope, role_index
from notifications.models import Notification
from tests.factories import BusinessGroupFactory, RoleAssignmentFactory, UserFactory
from workspace.backends import PersonBackend

pytestmark = pytest.mark.django_db


def test_the_person_comes_with_their_roles_and_unread_count_in_one_query(people, django_assert_num_queries):
    person = UserFactory()
    other_group = BusinessGroupFactory(name="Met Operations")
    RoleAssignmentFactory(user=person, role=Role.DEVELOPER, business_group=people.group)
    RoleAssignmentFactory(user=person, role=Role.MANAGER, business_group=people.group, unit=people.unit)
    RoleAssignmentFactory(user=person, role=Role.COORDINATOR, business_group=other_group)
    RoleAssignmentFactory(user=person, role=Role.DCFD)
    for title in ("One", "Two", "Read"):
        Notification.objects.create(recipient=person, title=title,
                                    read_at=timezone.now() if title == "Read" else None)
    Notification.objects.create(recipient=people.developer, title="Someone else's")
    forget_roles(person)
    expected_roles, expected_scope = role_index(person), managed_scope(person)

    with django_assert_num_queries(1):
        loaded = PersonBackend().get_user(person.pk)
        assert role_index(loaded) == expected_roles == {
            (Role.DEVELOPER, people.group.pk), (Role.MANAGER, people.group.pk), (Role.COORDINATOR, other_group.pk),
            (Role.DCFD, None)}
        assert managed_scope(loaded) == expected_scope == (frozenset({people.unit.pk}), frozenset())
        assert loaded.policyhub_unread_notifications == 2


def test_a_manager_of_a_whole_group_and_a_person_with_no_role(people):
    manager = UserFactory()
    RoleAssignmentFactory(user=manager, role=Role.MANAGER, business_group=people.group2)
    loaded = PersonBackend().get_user(manager.pk)
    assert managed_scope(loaded) == (frozenset(), frozenset({people.group2.pk}))

    nobody = UserFactory()
    loaded = PersonBackend().get_user(nobody.pk)
    assert role_index(loaded) == frozenset() and managed_scope(loaded) == (frozenset(), frozenset())
    assert loaded.policyhub_unread_notifications == 0


def test_an_inactive_or_missing_person_is_not_signed_in(people):
    assert PersonBackend().get_user(UserFactory(is_active=False).pk) is None
    assert PersonBackend().get_user(10**9) is None


def test_each_request_reads_the_roles_afresh(client, people):
    """A role taken away is seen on the next request, as when role_index asked the database on every page."""
    person = UserFactory()
    assignment = RoleAssignmentFactory(user=person, role=Role.PCU)
    client.force_login(person)
    assert client.get("/dashboard/").status_code == 200
    role_revoke(actor=people.pcu, assignment=assignment)
    assert not RoleAssignment.objects.filter(user=person).exists()
    assert client.get("/dashboard/").status_code == 403


def test_the_header_counts_the_unread_notifications(client, people):
    Notification.objects.create(recipient=people.developer, title="New")
    Notification.objects.create(recipient=people.developer, title="Newer")
    client.force_login(people.developer)
    page = client.get("/").content.decode()
    assert '2<span class="govuk-visually-hidden"> unread</span>' in page
    assert client.post("/notifications/read/").status_code == 302
    assert " unread</span>" not in client.get("/").content.decode()


def test_the_session_names_this_backend(client, people):
    client.force_login(people.developer)
    request = type("Request", (), {"session": client.session})()
    assert isinstance(get_user(request), type(people.developer))
    assert client.session["_auth_user_backend"] == "workspace.backends.PersonBackend"


def test_the_person_is_the_user_django_would_load(people):
    """Built from its row (Model.from_db), the person has every field as the ORM reads it, and is a saved row."""
    from django.contrib.auth import get_user_model

    from workspace.backends import load_person

    expected = get_user_model().objects.get(pk=people.coordinator.pk)
    loaded = load_person(str(people.coordinator.pk))
    assert loaded == expected and not loaded._state.adding and loaded._state.db == "default"
    for field in get_user_model()._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert load_person(-1) is None


def test_the_header_count_reads_an_items_report_by_one_join_not_by_searching_the_audit_trail():
    """Issue 16, a regression measured by make bench: the header's count, in the statement every signed-in page sends,
    found the monitoring report an item tells of by four subqueries (the remedial action's response, the policy's
    reports, the outbox and the audit event, the report its changes name), which PostgreSQL planned afresh on every
    request (0.9 ms a page; the app's client-side cursors prepare nothing). The item records its report when it is
    written (Notification.report): the statement joins the report and nothing of the outbox, the audit trail or the
    responses."""
    from django.db import DEFAULT_DB_ALIAS

    from assessments.models import MonitoringResponse
    from core.models import AuditEvent, OutboxEvent
    from workspace.backends import _person_statement

    _person_statement.cache_clear()
    statement = _person_statement(DEFAULT_DB_ALIAS)[0].sql
    for model in (OutboxEvent, AuditEvent, MonitoringResponse):
        assert model._meta.db_table not in statement
    assert statement.count("EXISTS") == 0
