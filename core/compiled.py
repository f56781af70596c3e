"""A SELECT compiled once and sent as it is, for the statements every request sends (issue 16).

Django compiles a queryset anew each time it runs: for a statement whose shape never changes (the signed-in person,
the register's rows for one Viewer) that Python took longer than PostgreSQL took to answer. ``CompiledSelect.of``
keeps what Django's compiler produced (the SQL, its parameters, each column's name and converters); ``rows`` sends
it through Django's cursor with the parameters given (or those it was compiled with) and converts each value as
Django would (a date from SQLite's text, ...). Nothing is spliced into the SQL but what the caller appends after
it, itself with parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import Col


@dataclass(frozen=True)
class CompiledSelect:
    alias: str
    sql: str
    params: tuple
    # Each column's name: the attname of a model's field, else the name it was selected as (an annotation).
    columns: tuple[str, ...]
    # (position, converters, expression) as SQLCompiler.get_converters gives them.
    converters: tuple

    @classmethod
    def of(cls, queryset: QuerySet) -> CompiledSelect | None:
        """``queryset``'s SELECT, compiled; None when it can select nothing (Django would not query)."""
        alias = queryset.db
        compiler = queryset.query.get_compiler(alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        selected = compiler.select[:compiler.col_count]
        columns = tuple(expression.target.attname if isinstance(expression, Col) and name is None else name
                        for expression, _sql, name in selected)
        converters = tuple(compiler.get_converters([expression for expression, _sql, _name in selected]).items())
        return cls(alias, sql, tuple(params), columns, converters)

    def rows(self, params: Sequence | None = None, *, suffix: str = "", suffix_params: Sequence = ()) -> list[list]:
        """Every row, each a list of its converted values. ``params`` replace those compiled in (same places);
        ``suffix`` (e.g. " LIMIT %s OFFSET %s") is appended after the statement, with ``suffix_params``."""
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql + suffix, (*(self.params if params is None else params), *suffix_params))
            rows = cursor.fetchall()
        if not self.converters:
            return [list(row) for row in rows]
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in self.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(row)
        return converted
