"""For the tests of a migration that rewrites rows (lifecycle 0019, 0020): move the test database's schema to a
migration and back, and run SQL as the owner that runs migrations."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor


def migrate(target=None) -> None:
    """To ``target``, or with None to the newest migrations (the models' schema, which later tests expect)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


def sql(statement: str, params=()) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount
