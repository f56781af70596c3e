"""Statements Django compiles once per process, for the reads every request makes (issue 16).

Django compiles a queryset anew each time it runs: for a statement whose shape never changes but for a few values (the
signed-in person, the register's rows for one Viewer, a policy's versions) that Python took longer than PostgreSQL took
to answer (make bench, 100,000 policies: the policy, the versions shown, the person's part in them and their grants
took about 15,000 Python calls a request to compile). Here the statement is compiled once, with markers standing for
the values that change, and sent with each call's values in their places. The SQL is still Django's own, compiled from
the same querysets and expressions as the rest of the code: none of it is written by hand, and a change to a model or
an expression changes it on the next start. Nothing is spliced into the SQL but what a caller appends after it, itself
with parameters.

- ``CompiledSelect.of(queryset)`` keeps what Django's compiler produced (the SQL, its parameters, each column's name
  and converters); ``rows`` sends it through Django's cursor and converts each value as Django would.
- ``compiled_per_key(maxsize)``: a decorator for ``build(*key)``, a queryset built from hashable arguments and nothing
  else (a Viewer, a day, ids); the decorated function gives its ``CompiledSelect``, compiled once per key in this
  process, the least recently used of ``maxsize`` keys dropped first (My work's queues, the versions to confirm).
- ``CompiledValues``: a ``values()`` read compiled once per database, with int markers; rows as lists.
- ``CompiledRead``: a read of model instances, as ``Model.objects.raw`` reads them (every column of the model, each
  annotation an attribute); how a row maps to an instance (which ``RawQuerySet`` works out again on every read, from
  the cursor's description) is worked out once, on the first read. ``joined`` relations (forward foreign keys) come in
  the same statement, as ``select_related`` would bring them. The queryset compiled must otherwise select its model's
  columns and annotations only (no ``select_related``, ``values``, ``only`` or ``defer``); ``CompiledRead`` refuses
  one that does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, wraps

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import F, Model, QuerySet
from django.db.models.expressions import Col
from django.db.models.sql import RawQuery


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


def compiled_per_key(maxsize: int) -> Callable[[Callable[..., QuerySet]], Callable[..., CompiledSelect | None]]:
    """``build(*key)``'s statement compiled once per key (``CompiledSelect.of``; None when it can select nothing).
    ``build`` must read nothing but its arguments: the statement kept for a key is right for every later call with
    an equal one. The cache is the decorated function's (``cache_info``, ``cache_clear``)."""

    def decorator(build: Callable[..., QuerySet]) -> Callable[..., CompiledSelect | None]:
        @lru_cache(maxsize=maxsize)
        @wraps(build)
        def compiled(*key) -> CompiledSelect | None:
            return CompiledSelect.of(build(*key))

        return compiled

    return decorator


# Markers stand for the values given at each read: no row has these ids or this text, and no statement holds them
# otherwise.
_FIRST_INT_MARKER = -7_919_101
_TEXT_MARKER = "\x1fcompiled read marker {}\x1f"


class _Markers:
    """The keywords of a compiled statement's values: each of ``ints`` and ``texts`` has a marker of its own, which
    must appear in the compiled statement's parameters; every place it appears gets the value of each call."""

    def __init__(self, ints: tuple[str, ...] = (), texts: tuple[str, ...] = ()) -> None:
        self.by_name: dict[str, int | str] = {name: _FIRST_INT_MARKER - index for index, name in enumerate(ints)}
        self.by_name.update({name: _TEXT_MARKER.format(name) for name in texts})

    def check(self, parameters: Sequence) -> None:
        """Refuse a compiled statement that does not use every marker."""
        missing = [name for name, marker in self.by_name.items() if marker not in parameters]
        if missing:
            raise ValueError(f"The compiled statement does not use {', '.join(missing)}.")

    def place(self, parameters: Sequence, values: dict) -> list:
        """The compiled parameters with each marker replaced by its value in ``values`` (all of them, by keyword)."""
        if values.keys() != self.by_name.keys():
            raise TypeError(f"This compiled read takes {', '.join(self.by_name)}.")
        by_marker = {self.by_name[name]: value for name, value in values.items()}
        # A marker is an int (or psycopg's Int8 of it, for a bigint column) or a str of its own; a bool equal to an
        # int marker is not one (True == 1).
        return [by_marker[parameter] if isinstance(parameter, int | str) and not isinstance(parameter, bool)
                and parameter in by_marker else parameter for parameter in parameters]


class CompiledValues:
    """A ``values()`` read of ``model`` whose statement has the same shape on every request but for a few ids (a
    policy's), compiled once per process and database (``CompiledSelect``) with markers standing for them.
    ``build(**markers)`` gives its queryset; each of ``ints`` is a keyword standing for the value ``rows(**values)``
    is given at each call, and must appear in the compiled statement's parameters (every place it appears gets the
    value)."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], *, ints: tuple[str, ...]) -> None:
        self.model = model
        self.build = build
        self.markers = _Markers(ints)
        self._compiled: dict[str, CompiledSelect | None] = {}

    def compiled(self, alias: str) -> CompiledSelect | None:
        """The statement for the database ``alias``, compiled on first use (None: it can select nothing)."""
        if alias not in self._compiled:
            compiled = CompiledSelect.of(self.build(**self.markers.by_name).using(alias))
            if compiled is not None:
                self.markers.check(compiled.params)
            self._compiled[alias] = compiled
        return self._compiled[alias]

    def rows(self, *, suffix: str = "", suffix_params: Sequence = (), **values: int) -> list[list]:
        """The rows, each a list of its converted values in the order of the queryset's ``values``; ``suffix`` and
        ``suffix_params`` as ``CompiledSelect.rows`` takes them (e.g. a page's " LIMIT %s OFFSET %s")."""
        compiled = self.compiled(router.db_for_read(self.model) or DEFAULT_DB_ALIAS)
        if compiled is None:
            self.markers.place((), values)  # the keywords are checked all the same
            return []
        return compiled.rows(self.markers.place(compiled.params, values), suffix=suffix, suffix_params=suffix_params)


class CompiledRead:
    """A read of ``model`` compiled once per process and database. ``build(**markers)`` gives its queryset: each of
    ``ints`` and ``texts`` is a keyword standing for a value ``read(**values)`` is given at each call, and must appear
    in the compiled statement (every place it appears gets the value). ``joined``: forward relations to bring with
    each row."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], *, ints: tuple[str, ...] = (),
                 texts: tuple[str, ...] = (), joined: tuple[str, ...] = ()) -> None:
        self.model = model
        self.build = build
        self.markers = _Markers(ints, texts)
        self.joined = {relation: model._meta.get_field(relation) for relation in joined}
        self._statements: dict[str, tuple[str, tuple]] = {}
        self._plans: dict[str, tuple] = {}

    def _columns(self, relation: str) -> dict[str, str]:
        """{attribute name of the related model's column: the alias it is selected under}."""
        related = self.joined[relation].related_model
        return {column.attname: f"joined_{relation}_{column.attname}" for column in related._meta.concrete_fields}

    def statement(self, alias: str) -> tuple[str, tuple]:
        """(SQL, parameters with the markers) for the database ``alias``, compiled on first use."""
        if alias not in self._statements:
            queryset = self.build(**self.markers.by_name)
            query = queryset.query
            if (query.model is not self.model or query.select_related or query.values_select
                    or query.deferred_loading != (frozenset(), True)):
                raise ValueError(f"A compiled read of {self.model.__name__} selects its columns and annotations only.")
            joined = {name: F(f"{relation}__{attname}") for relation in self.joined
                      for attname, name in self._columns(relation).items()}
            sql, parameters = queryset.annotate(**joined).query.get_compiler(alias).as_sql()
            self.markers.check(parameters)
            self._statements[alias] = (sql, tuple(parameters))
        return self._statements[alias]

    def read(self, **values) -> Iterator[Model]:
        """The rows of the statement, with ``values`` in the markers' places."""
        alias = router.db_for_read(self.model) or DEFAULT_DB_ALIAS
        sql, parameters = self.statement(alias)
        placed = self.markers.place(parameters, values)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, placed)
            plan = self._plans.get(alias) or self._plan(alias, cursor.description)
            rows = cursor.fetchall()
        init_names, init_positions, annotation_fields, compiler, converters = plan
        if converters:
            rows = compiler.apply_converters(rows, converters)
        for values in rows:
            row = self.model.from_db(alias, init_names, [values[position] for position in init_positions])
            for column, position in annotation_fields:
                setattr(row, column, values[position])
            for relation, field in self.joined.items():
                self._attach(row, relation, field, alias)
            yield row

    def _plan(self, alias: str, description) -> tuple:
        """How a row of the statement becomes a model instance, worked out as ``RawQuerySet`` works it out on every
        read (django.db.models.query.RawModelIterable): the model's columns by name, each other column an attribute
        (an annotation), and each value's converters. The statement is the same on every read, so its columns are:
        this is worked out once per process, from the first read's cursor description."""
        connection = connections[alias]
        converter = connection.introspection.identifier_converter
        columns = [converter(column[0]) for column in description]
        model_fields = {converter(field.column): field for field in self.model._meta.fields}
        init_fields = [field for field in self.model._meta.fields if converter(field.column) in columns]
        init_names = [field.attname for field in init_fields]
        if self.model._meta.pk.attname not in init_names:
            raise FieldDoesNotExist("Raw query must include the primary key")
        init_positions = [columns.index(converter(field.column)) for field in init_fields]
        annotation_fields = [(column, position) for position, column in enumerate(columns)
                             if column not in model_fields]
        compiler = connection.ops.compiler("SQLCompiler")(RawQuery(sql="", using=alias), connection, alias)
        fields = [model_fields.get(column) for column in columns]
        cols = [field.get_col(field.model._meta.db_table) if field else None for field in fields]
        if compiler.has_composite_fields(cols):
            raise ValueError(f"A compiled read of {self.model.__name__} cannot have a composite field.")
        plan = (init_names, init_positions, annotation_fields, compiler, compiler.get_converters(cols))
        self._plans[alias] = plan
        return plan

    def _attach(self, row: Model, relation: str, field, alias: str) -> None:
        """Build the related instance of ``relation`` from its columns on ``row`` (None for a null foreign key)."""
        columns = self._columns(relation)
        values = [row.__dict__.pop(name) for name in columns.values()]
        related = None
        if getattr(row, field.attname) is not None:
            related = field.related_model.from_db(alias, list(columns), values)
        setattr(row, relation, related)
