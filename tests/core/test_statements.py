"""A read compiled once per process (core.compiled) gives what its queryset gives, with the values of each call in
its markers' places and its joined relations built as ``select_related`` builds them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.compiled import CompiledRead
from core.models import User
from lifecycle.models import Policy

pytestmark = pytest.mark.django_db


def _by_reference(*, reference):
    return Policy.objects.filter(reference=reference).order_by()


def _of_group(*, group_id, reference):
    return Policy.objects.filter(business_group_id=group_id, reference=reference).order_by()


def test_it_reads_the_rows_of_its_queryset_with_each_calls_values_and_compiles_once(people):
    first, second = people.policy(title="First"), people.policy(title="Second")
    read = CompiledRead(Policy, _of_group, ints=("group_id",), texts=("reference",))

    assert [policy.pk for policy in read.read(group_id=people.group.pk, reference=first.reference)] == [first.pk]
    statement = read.statement(connection.alias)
    assert [policy.title for policy in read.read(group_id=people.group.pk, reference=second.reference)] == ["Second"]
    assert read.statement(connection.alias) is statement
    # Another group's id in the marker's place: the same statement, no row.
    assert list(read.read(group_id=people.group2.pk, reference=first.reference)) == []


def test_a_value_is_a_parameter_never_spliced_into_the_sql(people):
    people.policy(title="Quoted")
    read = CompiledRead(Policy, _by_reference, texts=("reference",))
    assert list(read.read(reference="POL-0001' OR '1'='1")) == []
    sql, parameters = read.statement(connection.alias)
    assert "POL-" not in sql and "%s" in sql


def test_joined_relations_come_in_the_same_statement_as_select_related_brings_them(people):
    named = people.policy(title="Named")
    Policy.objects.filter(pk=named.pk).update(designated_lead=people.lead)
    unnamed = people.policy(title="Unnamed")
    Policy.objects.filter(pk=unnamed.pk).update(designated_lead=None)
    read = CompiledRead(Policy, _by_reference, texts=("reference",),
                        joined=("business_group", "owning_unit", "designated_lead"))

    with CaptureQueriesContext(connection) as queries:
        policy = next(read.read(reference=named.reference))
        lead, group, unit = policy.designated_lead, policy.business_group, policy.owning_unit
        without = next(read.read(reference=unnamed.reference))
        assert without.designated_lead is None
    assert len(queries) == 2
    expected = User.objects.get(pk=people.lead.pk)
    assert (lead.pk, str(lead), lead.email, lead.get_deferred_fields()) == (expected.pk, str(expected), expected.email,
                                                                           set())
    assert (group.name, unit.name) == (people.group.name, people.unit.name)
    # The joined columns' aliases are not left on the row.
    assert not any(name.startswith("joined_") for name in vars(policy))


def test_a_queryset_it_cannot_read_as_model_rows_or_a_marker_it_does_not_use_is_refused(people):
    joined = CompiledRead(Policy, lambda *, reference: _by_reference(reference=reference).select_related("owner"),
                          texts=("reference",))
    with pytest.raises(ValueError, match="columns and annotations only"):
        list(joined.read(reference="POL-0001"))
    unused = CompiledRead(Policy, lambda *, reference, policy_id: _by_reference(reference=reference),
                          ints=("policy_id",), texts=("reference",))
    with pytest.raises(ValueError, match="does not use policy_id"):
        list(unused.read(reference="POL-0001", policy_id=1))
    with pytest.raises(TypeError, match="takes reference"):
        list(CompiledRead(Policy, _by_reference, texts=("reference",)).read(title="x"))


def _annotated(*, reference):
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    return _by_reference(reference=reference).annotate(group_name=F("business_group__name"),
                                                       said=Concat(F("title"), Value("!")))


def test_its_rows_are_those_raw_gives_with_annotations_and_converted_values_the_mapping_worked_out_once(people):
    """The row-to-instance mapping RawQuerySet works out on every read is worked out on the first, and gives the same
    instances: every field's value (dates, decimals and JSON converted), each annotation an attribute."""
    first, second = people.policy(title="First"), people.policy(title="Second")
    read = CompiledRead(Policy, _annotated, texts=("reference",))
    for policy in (first, second):
        row = next(read.read(reference=policy.reference))
        sql, parameters = read.statement(connection.alias)
        expected = next(iter(Policy.objects.raw(sql, [policy.reference if p == read.markers.by_name["reference"] else p
                                                      for p in parameters])))
        fields = [field.attname for field in Policy._meta.concrete_fields]
        assert [getattr(row, name) for name in fields] == [getattr(expected, name) for name in fields]
        assert (row.group_name, row.said) == (people.group.name, f"{policy.title}!") == (expected.group_name,
                                                                                         expected.said)
        assert row._state.db == expected._state.db and not row._state.adding and row.get_deferred_fields() == set()
    assert len(read._plans) == 1
