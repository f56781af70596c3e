"""Issue 11, finding 3: the app's database role cannot cheat. docker-compose ran the app as the database
superuser, so ``ALTER TABLE ... DISABLE TRIGGER``, ``session_replication_role = replica`` and ``TRUNCATE`` all
succeeded. ``manage.py db_roles`` makes a role that owns nothing; these tests connect as it with psycopg
directly and try each of them against the test database."""

from __future__ import annotations

import secrets
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from core.audit import audit_log
from core.models import AuditEvent
from tests.factories import BusinessGroupFactory, UserFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def app_role(monkeypatch):
    """A fresh login role with a random password, made by the command, dropped afterwards (roles outlive the
    test database)."""
    name = f"policyhub_app_test_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(24)
    monkeypatch.setenv("TEST_APP_DB_PASSWORD", password)
    call_command("db_roles", "--app-role", name, "--password-env", "TEST_APP_DB_PASSWORD", stdout=StringIO())
    yield name, password
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{name}"; DROP ROLE IF EXISTS "{name}"')


def connect_as(role: str, password: str) -> psycopg.Connection:
    settings_dict = connection.settings_dict
    return psycopg.connect(
        dbname=settings_dict["NAME"], host=settings_dict["HOST"] or "127.0.0.1", port=settings_dict["PORT"] or 5432,
        user=role, password=password, autocommit=True,
    )


def refused(app: psycopg.Connection, statement: str, params=()) -> str:
    """Run ``statement`` as the app role; return PostgreSQL's refusal (failing the test if it succeeds)."""
    with pytest.raises(psycopg.Error) as refusal:
        app.execute(statement, params)
    return str(refusal.value)


@pytest.fixture
def audited():
    group = BusinessGroupFactory()
    with transaction.atomic():
        return audit_log(actor=None, action="test.recorded", obj=group, changes={"n": 1})


def test_app_role_cannot_update_delete_or_truncate_audit_events(app_role, audited):
    with connect_as(*app_role) as app:
        assert app.execute("SELECT count(*) FROM core_auditevent").fetchone()[0] == 1
        assert "permission denied" in refused(app, "UPDATE core_auditevent SET actor_username = 'x'")
        assert "permission denied" in refused(app, "DELETE FROM core_auditevent")
        assert "permission denied" in refused(app, "TRUNCATE core_auditevent CASCADE")
    assert AuditEvent.objects.get().actor_username == ""


def test_app_role_cannot_disable_triggers_or_replication_role(app_role, audited):
    with connect_as(*app_role) as app:
        assert "must be owner" in refused(app, "ALTER TABLE core_auditevent DISABLE TRIGGER ALL")
        assert "must be owner" in refused(app, "ALTER TABLE lifecycle_policyversion DISABLE TRIGGER ALL")
        assert "permission denied" in refused(app, "SET session_replication_role = replica")
        assert "must be owner" in refused(app, "DROP TRIGGER core_auditevent_append_only_trigger ON core_auditevent")
        assert "must be owner" in refused(app, "DROP TABLE core_auditevent CASCADE")
        assert "permission denied" in refused(app, "CREATE TABLE mine (id int)")


def test_app_role_cannot_truncate_ordinary_tables_or_write_the_migration_record(app_role):
    with connect_as(*app_role) as app:
        assert "permission denied" in refused(app, "TRUNCATE lifecycle_policy CASCADE")
        assert "permission denied" in refused(app, "DELETE FROM django_migrations")
        assert "permission denied" in refused(app, "INSERT INTO django_migrations (app, name, applied) "
                                                    "VALUES ('x', 'y', now())")


def test_app_role_can_do_the_apps_ordinary_work(app_role, audited):
    with connect_as(*app_role) as app:
        app.execute("INSERT INTO core_businessgroup (name, code, is_active) VALUES ('Roles test', 'RT', true)")
        app.execute("UPDATE core_businessgroup SET is_active = false WHERE code = 'RT'")
        app.execute("DELETE FROM core_businessgroup WHERE code = 'RT'")
        # Appending to the chain's tables: an event (its id from the sequence) and the head.
        app.execute(
            "INSERT INTO core_auditevent (sequence, occurred_at, actor_username, action, object_type, object_id, "
            "object_repr, changes, previous_hash, hash, mac_algorithm, key_id) VALUES (2, now(), '', 't', 't', '1', "
            "'t', '{}', %s, %s, 'hmac-sha256', 'k')", [audited.hash, "e" * 64])
        app.execute("UPDATE core_auditchainhead SET last_sequence = last_sequence WHERE id = 1")


def test_db_roles_is_idempotent_and_takes_away_borrowed_ownership(app_role):
    name, password = app_role
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT "{connection.settings_dict["USER"] or "postgres"}" TO "{name}"')

    call_command("db_roles", "--app-role", name, stdout=StringIO())

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member "
                       "WHERE u.rolname = %s", [name])
        assert cursor.fetchone()[0] == 0
    with connect_as(name, password) as app:
        assert "must be owner" in refused(app, "ALTER TABLE core_auditevent DISABLE TRIGGER ALL")


def test_db_roles_refuses_to_make_the_owner_or_a_superuser_the_app_role():
    with pytest.raises(CommandError, match="must not be the owner"):
        call_command("db_roles", "--app-role", connection.settings_dict["USER"] or "postgres", stdout=StringIO())


def test_app_role_reads_the_roles_held_which_only_their_trigger_writes(app_role):
    """core.RolesHeld is derived from the role assignments by a trigger (migration core 0010) whose function runs as
    the tables' owner: the app's role gives a role and the text follows, but cannot write the text itself."""
    group = BusinessGroupFactory()
    person = UserFactory()
    with connect_as(*app_role) as app:
        app.execute("INSERT INTO core_roleassignment (user_id, role, business_group_id, created_at) "
                    "VALUES (%s, 'developer', %s, now())", [person.pk, group.pk])
        assert app.execute("SELECT key FROM core_rolesheld WHERE user_id = %s", [person.pk]).fetchone() == (
            f"developer:{group.pk}",)
        assert "permission denied" in refused(app, "UPDATE core_rolesheld SET key = 'pcu:'")
        assert "permission denied" in refused(app, "DELETE FROM core_rolesheld")
        assert "permission denied" in refused(app, "INSERT INTO core_rolesheld (user_id, key) VALUES (%s, 'pcu:')",
                                              [UserFactory().pk])
        app.execute("DELETE FROM core_roleassignment WHERE user_id = %s", [person.pk])
        assert app.execute("SELECT count(*) FROM core_rolesheld WHERE user_id = %s", [person.pk]).fetchone() == (0,)


def test_app_role_reads_the_reports_awaiting_response_which_only_their_trigger_writes(app_role, people, policy_in):
    """assessments.MonitoringReportAwaitingResponse is derived from the monitoring reports and the Lead's responses by
    triggers (migration assessments 0008) whose function runs as the tables' owner: the app's role quality-assures a
    report and records a response, and the row follows, but it cannot write the row itself."""
    policy = policy_in("monitoring")
    with connect_as(*app_role) as app:
        [report_id] = app.execute(
            "INSERT INTO assessments_monitoringreport (policy_id, period_start, period_end, compliance, benefits, "
            "performance, diversity_impact, author_id, status, qa_at, qa_comments, created_at, protective_marking, "
            "draft_revision) VALUES (%s, '2024-01-10', '2025-01-10', 'c', 'b', 'p', 'd', %s, 'qa_passed', now(), '', "
            "now(), 'official', 1) RETURNING id",
            [policy.pk, people.developer.pk]).fetchone()
        table = "assessments_monitoringreportawaitingresponse"
        assert app.execute(f"SELECT policy_id FROM {table} WHERE report_id = %s", [report_id]).fetchone() == (
            policy.pk,)
        assert "permission denied" in refused(app, f"UPDATE {table} SET qa_at = now()")
        assert "permission denied" in refused(app, f"DELETE FROM {table}")
        assert "permission denied" in refused(app, f"INSERT INTO {table} (report_id, policy_id) VALUES (%s, %s)",
                                              [report_id, policy.pk])
        app.execute("INSERT INTO assessments_monitoringresponse (report_id, policy_id, outcome, reasons, "
                    "decided_by_id, decided_at, remedial_action, remedial_outcome) "
                    "VALUES (%s, %s, 'no_action', 'Fine.', %s, now(), '', '')", [report_id, policy.pk, people.lead.pk])
        assert app.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


def test_app_role_adds_readings_and_answers_but_rewrites_neither(app_role, people, policy_in):
    """Integrity review of 2026-12-06, MEDIUM 7. A review's reading of a monitoring report is never changed: the app's
    role may only read and add it (``INSERT_ONLY_MODELS``). The Lead's response is filled in once later (a remedial
    action done), so the role keeps UPDATE on it, and its trigger (assessments 0013) refuses any other change."""
    policy = policy_in("monitoring")
    with connect_as(*app_role) as app:
        [report_id] = app.execute(
            "INSERT INTO assessments_monitoringreport (policy_id, period_start, period_end, compliance, benefits, "
            "performance, diversity_impact, author_id, status, qa_at, qa_comments, created_at, protective_marking, "
            "draft_revision) VALUES (%s, '2024-01-10', '2025-01-10', 'c', 'b', 'p', 'd', %s, 'qa_passed', now(), '', "
            "now(), 'official', 1) RETURNING id",
            [policy.pk, people.developer.pk]).fetchone()
        app.execute("INSERT INTO assessments_monitoringresponse (report_id, policy_id, outcome, reasons, "
                    "decided_by_id, decided_at, remedial_action, remedial_outcome) "
                    "VALUES (%s, %s, 'no_action', 'Fine.', %s, now(), '', '')", [report_id, policy.pk, people.lead.pk])
        assert "refused" in refused(app, "UPDATE assessments_monitoringresponse SET reasons = 'Rewritten.' "
                                         "WHERE report_id = %s", [report_id])
        assert "refused" in refused(app, "DELETE FROM assessments_monitoringresponse WHERE report_id = %s",
                                    [report_id])
        app.execute("INSERT INTO assessments_monitoringreportreading (report_id, policy_id, cycle, read_by_id, "
                    "read_at, changes_in_response) VALUES (%s, %s, 2, %s, now(), 'Noted.')",
                    [report_id, policy.pk, people.developer.pk])
        table = "assessments_monitoringreportreading"
        assert "permission denied" in refused(app, f"UPDATE {table} SET changes_in_response = 'Rewritten.'")
        assert "permission denied" in refused(app, f"DELETE FROM {table}")
