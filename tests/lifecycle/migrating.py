"""For the tests of a migration that rewrites rows (lifecycle 0019, 0020): move the test database's schema to a
migration and back, and run SQL as the owner that runs migrations."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor


def migrate(target=None) -> None:
    """To ``target``, or with None to the newest migrations (the models' schema, which later tests expect). The
    executor's loader reads the graph and what is applied as it is made; with nothing to apply or unapply, nothing is
    done (Django would still build the whole project state, migration by migration, to return it)."""
    executor = MigrationExecutor(connection)
    targets = [target] if target else executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(targets)
    if plan:
        executor.migrate(targets, plan=plan)


def sql(statement: str, params=()) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount
