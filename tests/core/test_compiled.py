"""core.compiled.CompiledSelect: a queryset's SELECT compiled once answers as the queryset does, values converted as
Django converts them, with other parameters in the same places."""

import pytest

from core.compiled import CompiledSelect
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
