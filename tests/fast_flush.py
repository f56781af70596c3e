"""The flush after each transactional test (``transaction=True``, the live server of every browser test), made cheap
on PostgreSQL: rows deleted, not tables truncated.

Django empties every table after such a test with one ``TRUNCATE`` of all of them, which on PostgreSQL makes a new
file for each table and index and throws the old ones away at commit: 1.6-2.3 s a test on this machine (67 tables),
for tables that hold a few dozen rows. There are over 200 such tests, so the suite spent several minutes of its
15-minute budget on the flush alone. ``DELETE`` of the same tables takes 0.02-0.05 s. The rows are deleted with the
session's triggers off (``session_replication_role = replica``, for this transaction only), as ``TRUNCATE`` skips
row triggers: the append-only triggers on the records of evidence (core.db.append_only_trigger_sql) would refuse the
deletes, and foreign keys are not checked, so the order of the tables does not matter. The tables end as a
``TRUNCATE`` leaves them: empty, their sequences where they were (Django's flush restarts them only when a test asks,
``reset_sequences``, and then this leaves it to Django). Only the test run's PostgreSQL superuser may switch the
triggers off; any other role keeps Django's own flush. The app's own roles are untouched (test_db_roles)."""

from __future__ import annotations

from django.db.backends.postgresql.operations import DatabaseOperations

_django_sql_flush = DatabaseOperations.sql_flush


def _sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences or not _superuser(self.connection):
        return _django_sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    return ["SET LOCAL session_replication_role = replica",
            *(f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}" for table in tables),
            "SET LOCAL session_replication_role = origin"]


def _superuser(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def install() -> None:
    """Flush by deleting, for this test process (called once, from tests/conftest.py's ``pytest_configure``)."""
    DatabaseOperations.sql_flush = _sql_flush
