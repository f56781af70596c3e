"""``manage.py db_roles --database owner --app-role policyhub_app``: create (or bring back into line) the
PostgreSQL role the app connects as.

STYLE rule 18, "the app's database role cannot disable triggers or truncate". The append-only triggers are only
as strong as the role that could switch them off: ``ALTER TABLE ... DISABLE TRIGGER`` needs the table's owner,
``SET session_replication_role`` a superuser, ``TRUNCATE`` its own privilege. So the app's role owns no table,
is no superuser, is granted no TRUNCATE, and on the records of evidence that are insert-only it holds only
SELECT and INSERT. Migrations run as the owner (``MIGRATION_DATABASE_URL``); run this command after each
``migrate`` (docker-compose and ``make run-prod`` do) so new tables are granted as they should be.
"""

from __future__ import annotations

import os

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from psycopg import sql

# Records of evidence that are never updated or deleted once written, whatever their state (their trigger refuses
# every UPDATE and DELETE): the app may only read and add. Other evidence (versions, SOP texts, assessments,
# consultation, monitoring reports, publications) is a draft first and frozen later, and some decisions are filled in
# once later (a withdrawal carried out, an emergency request answered, a no-change review's EIA confirmed and its
# re-publication, a remedial action done: core.db.written_once_when); the app keeps UPDATE on them and their
# triggers refuse any other change.
INSERT_ONLY_MODELS = [
    "core.AuditEvent",
    "lifecycle.CommissioningDecision",
    "lifecycle.QASignOff",
    "lifecycle.ApprovalDecision",
    "lifecycle.LocalAgreement",
    "publication.PublishedFile",
    "acknowledgements.Acknowledgement",
    "assessments.MonitoringReportReading",
]
# Django's record of applied migrations: the app reads it (the unapplied-migrations check), never writes it.
READ_ONLY_TABLES = ["django_migrations"]
# Derived data the database keeps by trigger, through a function that runs as the tables' owner: the app reads it,
# so that nothing but the trigger can make it disagree with what it is derived from.
READ_ONLY_MODELS = ["core.RolesHeld", "assessments.MonitoringReportAwaitingResponse"]


def _tables(labels: list[str]) -> list[str]:
    tables = []
    for label in labels:
        try:
            tables.append(apps.get_model(label)._meta.db_table)
        except LookupError:
            continue
    return tables


def insert_only_tables() -> list[str]:
    return _tables(INSERT_ONLY_MODELS)


def read_only_tables() -> list[str]:
    return [*READ_ONLY_TABLES, *_tables(READ_ONLY_MODELS)]


class Command(BaseCommand):
    help = "Create or update the PostgreSQL role the app connects as: owns nothing, cannot disable triggers."

    def add_arguments(self, parser):
        parser.add_argument("--app-role", required=True, help="Name of the app's login role, e.g. policyhub_app.")
        parser.add_argument("--password-env", default="POLICYHUB_APP_DB_PASSWORD",
                            help="Environment variable holding the role's password (never on the command line). "
                                 "Unset: an existing role keeps its password; a new one gets none.")
        parser.add_argument("--database", default="default",
                            help="Connection to run as: the owner of the tables (e.g. 'owner').")

    def handle(self, *args, app_role, password_env, database, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            self.stdout.write("db_roles: not PostgreSQL; nothing to do (SQLite has no roles).")
            return
        password = os.environ.get(password_env) or None
        with transaction.atomic(using=database), connection.cursor() as cursor:
            owner = self._check_names(cursor, app_role)
            self._ensure_role(cursor, app_role, password)
            self._grant(cursor, app_role, connection.settings_dict["NAME"])
            self._check_owns_nothing(cursor, app_role)
        self.stdout.write(self.style.SUCCESS(
            f"db_roles: {app_role} may read and write the app's tables as owned by {owner}; it owns none, may not "
            f"truncate, and may only read and insert on {', '.join(insert_only_tables())}."))

    def _check_names(self, cursor, app_role: str) -> str:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        if app_role == owner:
            raise CommandError(f"The app's role must not be the owner of the tables ({owner}): name another role.")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [app_role])
        row = cursor.fetchone()
        if row and row[0]:
            raise CommandError(f"{app_role} is a superuser: it could switch the triggers off. Use another name.")
        return owner

    def _ensure_role(self, cursor, app_role: str, password: str | None) -> None:
        role = sql.Identifier(app_role)
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role])
        verb = sql.SQL("ALTER") if cursor.fetchone() else sql.SQL("CREATE")
        attributes = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT")
        statement = sql.SQL("{} ROLE {} {}").format(verb, role, attributes)
        if password is not None:
            statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
        cursor.execute(statement)
        # Membership of another role would lend it that role's ownership (SET ROLE): take every one away.
        cursor.execute("SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
                       "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s", [app_role])
        for (granted,) in cursor.fetchall():
            cursor.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(granted), role))

    def _grant(self, cursor, app_role: str, database_name: str) -> None:
        role = sql.Identifier(app_role)
        statements = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database_name), role),
            sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
            sql.SQL("REVOKE ALL ON SCHEMA public FROM {}").format(role),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role),
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(role),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(role),
            sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(role),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role),
            # Tables a later migration adds are usable at once; re-running this command narrows them again.
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES "
                    "TO {}").format(role),
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}").format(role),
        ]
        for table in insert_only_tables():
            statements.append(sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), role))
        for table in read_only_tables():
            statements.append(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table),
                                                                                          role))
        for statement in statements:
            cursor.execute(statement)

    def _check_owns_nothing(self, cursor, app_role: str) -> None:
        cursor.execute("SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE r.rolname = %s AND n.nspname NOT IN ('pg_catalog', 'information_schema') LIMIT 5",
                       [app_role])
        owned = [name for (name,) in cursor.fetchall()]
        if owned:
            raise CommandError(f"{app_role} owns {', '.join(owned)}: an owner can disable its triggers. Reassign "
                               f"them to the migration role (REASSIGN OWNED BY {app_role} TO <owner>) first.")
