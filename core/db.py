"""PostgreSQL-only hardening, applied by migrations when the database is PostgreSQL (SQLite is only the
zero-set-up default of ``make run``), and SQL written for each database where both must have it."""

from dataclasses import dataclass

from django.db import migrations


def _run_on_postgres(sql: str):
    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return forward


def postgres_only(forward_sql: str, reverse_sql: str) -> migrations.RunPython:
    return migrations.RunPython(_run_on_postgres(forward_sql), _run_on_postgres(reverse_sql), elidable=False)


def _run_for_vendor(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def per_database(*, postgresql: tuple[list[str], list[str]], sqlite: tuple[list[str], list[str]]
                 ) -> migrations.RunPython:
    """(forward, reverse) statements for each database, where ``make run`` on SQLite needs the same behaviour as
    PostgreSQL (a trigger that keeps derived data): one statement a call, as SQLite's driver takes them."""
    return migrations.RunPython(_run_for_vendor({"postgresql": postgresql[0], "sqlite": sqlite[0]}),
                                _run_for_vendor({"postgresql": postgresql[1], "sqlite": sqlite[1]}), elidable=False)


def append_only_trigger_sql(table: str, *, when: str | None = None, message: str) -> tuple[str, str]:
    """A trigger that refuses UPDATE and DELETE on ``table`` (optionally only for rows matching ``when``,
    a condition on OLD)."""
    function = f"{table}_append_only"
    condition = f"IF {when} THEN" if when else "IF TRUE THEN"
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    {condition}
        RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {function}_trigger ON {table};
CREATE TRIGGER {function}_trigger BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    reverse = f"DROP TRIGGER IF EXISTS {function}_trigger ON {table}; DROP FUNCTION IF EXISTS {function}();"
    return forward, reverse


@dataclass(frozen=True)
class Fill:
    """A one-way step that fills in part of a record written once (``written_once_when``): the columns it writes, the
    first the one it always sets (NULL until the step is taken), and what else must hold when it is taken (a condition
    on OLD and NEW: the step before it taken, its own columns complete)."""

    columns: tuple[str, ...]
    requires: str = "TRUE"


def written_once_when(*fills: Fill) -> str:
    """The ``when`` of ``append_only_trigger_sql`` for a record written once by a service and then filled in only by
    the one-way steps its services take (``fills``): refused, a DELETE; a change to any column no step fills (what was
    decided, by whom and when: every column, those added later too, but the ones named); a change to a step's columns
    other than by the one UPDATE that takes it (its first column NULL before, set after, with what it requires).
    Writing a row back unchanged (a lock, a save of the same values) is no change, and is not refused."""
    filled = ", ".join(f"'{column}'" for fill in fills for column in fill.columns)
    unfilled = f"ARRAY[{filled}]::text[]" if filled else "ARRAY[]::text[]"
    refused = ["TG_OP = 'DELETE'", f"(to_jsonb(NEW) - {unfilled}) IS DISTINCT FROM (to_jsonb(OLD) - {unfilled})"]
    for fill in fills:
        new = ", ".join(f"NEW.{column}" for column in fill.columns)
        old = ", ".join(f"OLD.{column}" for column in fill.columns)
        changed = f"ROW({new}) IS DISTINCT FROM ROW({old})"
        # COALESCE: a requirement that comes out NULL is not met (IF NULL would let the change through).
        first = fill.columns[0]
        taken = f"OLD.{first} IS NULL AND NEW.{first} IS NOT NULL AND COALESCE({fill.requires}, FALSE)"
        refused.append(f"({changed} AND NOT ({taken}))")
    return "(" + " OR ".join(refused) + ")"
