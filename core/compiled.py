"""A SELECT compiled once and sent as it is, for the statements every request sends (issue 16).

Django compiles a queryset anew each time it runs: for a statement whose shape never changes (the signed-in person,
the register's rows for one Viewer) that Python took longer than PostgreSQL took to answer. ``CompiledSelect.of``
keeps what Django's compiler produced (the SQL, its parameters, each column's name and converters); ``rows`` sends
it through Django's cursor with the parameters given (or those it was compiled with) and converts each value as
Django would (a date from SQLite's text, ...). Nothing is spliced into the SQL but what the caller appends after
it, itself with parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model, QuerySet
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


# Markers stand for the values given at each read (no row has these ids, and no statement holds them otherwise).
_FIRST_INT_MARKER = -7_919_301


class CompiledValues:
    """A ``values()`` read of ``model`` whose statement has the same shape on every request but for a few ids (a
    policy's), compiled once per process and database (``CompiledSelect``) with markers standing for them.
    ``build(**markers)`` gives its queryset; each of ``ints`` is a keyword standing for the value ``rows(**values)``
    is given at each call, and must appear in the compiled statement's parameters (every place it appears gets the
    value)."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], *, ints: tuple[str, ...]) -> None:
        self.model = model
        self.build = build
        self.markers = {name: _FIRST_INT_MARKER - index for index, name in enumerate(ints)}
        self._compiled: dict[str, CompiledSelect | None] = {}

    def compiled(self, alias: str) -> CompiledSelect | None:
        """The statement for the database ``alias``, compiled on first use (None: it can select nothing)."""
        if alias not in self._compiled:
            compiled = CompiledSelect.of(self.build(**self.markers).using(alias))
            missing = [name for name, marker in self.markers.items()
                       if compiled is not None and marker not in compiled.params]
            if missing:
                raise ValueError(f"The compiled statement does not use {', '.join(missing)}.")
            self._compiled[alias] = compiled
        return self._compiled[alias]

    def rows(self, *, suffix: str = "", suffix_params: Sequence = (), **values: int) -> list[list]:
        """The rows, each a list of its converted values in the order of the queryset's ``values``; ``suffix`` and
        ``suffix_params`` as ``CompiledSelect.rows`` takes them (e.g. a page's " LIMIT %s OFFSET %s")."""
        if values.keys() != self.markers.keys():
            raise TypeError(f"This compiled read takes {', '.join(self.markers)}.")
        compiled = self.compiled(router.db_for_read(self.model) or DEFAULT_DB_ALIAS)
        if compiled is None:
            return []
        by_marker = {self.markers[name]: value for name, value in values.items()}
        # A marker is an int of its own (or psycopg's Int8 of it, for a bigint column); a bool equal to an int marker
        # is not one (True == 1).
        return compiled.rows([by_marker[parameter] if isinstance(parameter, int) and not isinstance(parameter, bool)
                              and parameter in by_marker
                              else parameter for parameter in compiled.params],
                             suffix=suffix, suffix_params=suffix_params)
