"""core.compiled.CompiledSelect: a queryset's SELECT compiled once answers as the queryset does, values converted as
Django converts them, with other parameters in the same places."""

import pytest

from core.compiled import CompiledSelect, CompiledValues, compiled_per_key
from lifecycle.models import Policy

pytestmark = pytest.mark.django_db

FIELDS = ("reference", "business_group__name", "not_impact_assessed", "review_due_on", "created_at")


def test_it_answers_as_the_queryset(people, policy_in):
    policy_in("implementation")
    people.policy()
    queryset = Policy.objects.order_by("reference").values_list(*FIELDS)
    compiled = CompiledSelect.of(queryset)
    assert [tuple(row) for row in compiled.rows()] == list(queryset)
    assert [tuple(row) for row in compiled.rows(suffix=" LIMIT %s OFFSET %s", suffix_params=(1, 1))] == list(
        queryset[1:2])


def test_other_parameters_in_the_same_places(people):
    first, second = people.policy(), people.policy()
    compiled = CompiledSelect.of(Policy.objects.filter(reference=first.reference).values_list("pk"))
    assert compiled.params == (first.reference,)
    assert compiled.rows() == [[first.pk]] and compiled.rows([second.reference]) == [[second.pk]]


def test_nothing_to_select_is_none():
    assert CompiledSelect.of(Policy.objects.filter(pk__in=[])) is None


def test_compiled_values_answer_as_the_queryset_with_each_call_s_ids(people):
    first, second = people.policy(), people.policy()

    def build(*, group_id: int):
        return Policy.objects.filter(business_group_id=group_id).order_by("reference").values(*FIELDS)

    compiled = CompiledValues(Policy, build, ints=("group_id",))
    for policy in (first, second):
        expected = [tuple(row.values()) for row in build(group_id=policy.business_group_id)]
        assert expected and [tuple(row) for row in compiled.rows(group_id=policy.business_group_id)] == expected
    assert compiled.rows(group_id=-1) == []
    with pytest.raises(TypeError):
        compiled.rows(policy_id=first.pk)


def test_compiled_values_refuse_a_statement_without_their_marker():
    compiled = CompiledValues(Policy, lambda *, group_id: Policy.objects.values("pk"), ints=("group_id",))
    with pytest.raises(ValueError, match="does not use group_id"):
        compiled.rows(group_id=1)


def test_compiled_per_key_compiles_each_key_once_and_keeps_the_latest(people):
    built = []

    @compiled_per_key(2)
    def titles(group_id: int):
        built.append(group_id)
        return Policy.objects.filter(business_group_id=group_id).order_by("reference").values_list("title")

    people.policy(title="Ours")
    first = titles(people.group.pk)
    assert first.rows() == [["Ours"]] and titles(people.group.pk) is first and built == [people.group.pk]
    people.policy(title="Ours too")
    # The statement is kept, not its rows: a later read sees the new policy.
    assert titles(people.group.pk).rows() == [["Ours"], ["Ours too"]] and built == [people.group.pk]
    titles(people.group2.pk), titles(-1)
    titles(people.group.pk)  # dropped, the least recently used of two: compiled again
    assert built == [people.group.pk, people.group2.pk, -1, people.group.pk]
    assert titles.cache_info().currsize == 2


def test_compiled_per_key_is_none_where_nothing_can_be_selected(db):
    @compiled_per_key(4)
    def nothing(ids: tuple):
        return Policy.objects.filter(pk__in=list(ids)).values_list("pk")

    assert nothing(()) is None
