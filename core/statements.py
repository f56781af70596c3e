"""Reads whose SQL Django compiles once per process (issue 16).

Compiling a queryset (``as_sql``: its columns, joins and subqueries) costs Django more Python than the database takes
to run the statement, for the small reads every policy page makes (make bench, 100,000 policies: the policy, the
versions shown, the person's part in them and their grants took about 15,000 Python calls a request to compile). A
read whose statement has the same shape on every request, but for a few values, is compiled once per process and
database with markers standing for those values, and sent with the request's values in their places, as
workspace.backends does for the signed-in person. The SQL is still Django's own, compiled from the same querysets and
expressions as the rest of the code: none of it is written by hand, and a change to a model or an expression changes
it on the next start.

A statement is read as ``Model.objects.raw`` reads it: model instances with every column of the model, and each
annotation as an attribute; how a row maps to an instance (which ``RawQuerySet`` works out again on every read, from
the cursor's description) is worked out once, on the first read. ``joined`` relations (forward foreign keys) come in
the same statement, as ``select_related`` would bring them: each related row's columns are selected under an alias,
and the related instance is built from them. The queryset compiled must otherwise select its model's columns and
annotations only (no ``select_related``, ``values``, ``only`` or ``defer``); ``CompiledRead`` refuses one that does
not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.core.exceptions import FieldDoesNotExist
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import F, Model, QuerySet
from django.db.models.sql import RawQuery

# Markers stand for the values given at each read: no row has these ids or this text, and no statement holds them
# otherwise.
_FIRST_INT_MARKER = -7_919_101
_TEXT_MARKER = "\x1fcompiled read marker {}\x1f"


class CompiledRead:
    """A read of ``model`` compiled once per process and database. ``build(**markers)`` gives its queryset: each of
    ``ints`` and ``texts`` is a keyword standing for a value ``read(**values)`` is given at each call, and must appear
    in the compiled statement (every place it appears gets the value). ``joined``: forward relations to bring with
    each row."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet], *, ints: tuple[str, ...] = (),
                 texts: tuple[str, ...] = (), joined: tuple[str, ...] = ()) -> None:
        self.model = model
        self.build = build
        self.markers: dict[str, int | str] = {name: _FIRST_INT_MARKER - index for index, name in enumerate(ints)}
        self.markers.update({name: _TEXT_MARKER.format(name) for name in texts})
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
            queryset = self.build(**self.markers)
            query = queryset.query
            if (query.model is not self.model or query.select_related or query.values_select
                    or query.deferred_loading != (frozenset(), True)):
                raise ValueError(f"A compiled read of {self.model.__name__} selects its columns and annotations only.")
            joined = {name: F(f"{relation}__{attname}") for relation in self.joined
                      for attname, name in self._columns(relation).items()}
            sql, parameters = queryset.annotate(**joined).query.get_compiler(alias).as_sql()
            missing = [name for name, marker in self.markers.items() if marker not in parameters]
            if missing:
                raise ValueError(f"The compiled statement does not use {', '.join(missing)}.")
            self._statements[alias] = (sql, tuple(parameters))
        return self._statements[alias]

    def read(self, **values) -> Iterator[Model]:
        """The rows of the statement, with ``values`` in the markers' places."""
        if values.keys() != self.markers.keys():
            raise TypeError(f"This compiled read takes {', '.join(self.markers)}.")
        alias = router.db_for_read(self.model) or DEFAULT_DB_ALIAS
        sql, parameters = self.statement(alias)
        by_marker = {self.markers[name]: value for name, value in values.items()}
        # A marker is an int or a str of its own; a bool equal to an int marker is not one (True == 1).
        placed = [by_marker[parameter] if type(parameter) in (int, str) and parameter in by_marker else parameter
                  for parameter in parameters]
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
