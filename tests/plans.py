"""PostgreSQL's plans of the statements a page sends, for the tests that pin how a list is read: from the index that
serves it, in that index's order and stopped at the page, not every row read and sorted. A test's tables hold a few
rows, where a sequential scan and a sort cost nothing: pricing them out (``SET LOCAL enable_... = off``) asks whether
the page *can* be read without them, which is what an index gives at 100,000 policies."""

from __future__ import annotations

from django.db import connection, transaction

SEQUENTIAL_SCANS_PRICED_OUT = ("enable_seqscan",)
SORTS_PRICED_OUT = ("enable_seqscan", "enable_sort")


def plans_of(statements: list[str], *, priced_out: tuple[str, ...] = SEQUENTIAL_SCANS_PRICED_OUT) -> list[str]:
    """Each statement's plan (EXPLAIN's text), with ``priced_out`` (planner settings) turned off."""
    plans = []
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in priced_out:
            cursor.execute(f"SET LOCAL {setting} = off")
        for statement in statements:
            cursor.execute(f"EXPLAIN {statement}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def statements_reading(captured, table: str) -> list[str]:
    """The SELECTs of ``captured`` (a CaptureQueriesContext) reading ``table``."""
    return [query["sql"] for query in captured.captured_queries
            if query["sql"].startswith("SELECT") and f'FROM "{table}"' in query["sql"]]


def sorts_in(plan: str) -> list[str]:
    """The plan's Sort nodes (not an aggregate's or a window's own ordering)."""
    return [line.strip() for line in plan.splitlines() if line.strip().removeprefix("->  ").startswith("Sort  (")]
