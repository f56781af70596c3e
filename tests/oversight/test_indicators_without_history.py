"""Policies with no history in the audit trail (loaded before it, or by a bulk import) keep their present values
throughout, and are counted by one grouped statement (oversight.indicators.counts_without_history): the same figures
as their replay (a history each, of their present values), checked by hand and over many periods."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from lifecycle.models import Policy
from lifecycle.states import Status
from oversight.histories import _history, local_day
from oversight.indicators import Indicators, Period, _count_history, _Counter, corporate_health_indicators

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 2)
Q4_2025 = Period(datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))


def load(people, name: str, *, group=None, created: datetime.date = datetime.date(2020, 1, 6), **fields) -> Policy:
    """A policy written straight into the register, as a bulk import would, without an audit event."""
    group = group or people.group
    unit = people.unit if group == people.group else people.unit2
    moment = timezone.make_aware(datetime.datetime.combine(created, datetime.time(23, 30)))
    with time_machine.travel(moment, tick=False):
        return Policy.objects.create(
            reference=f"POL-LOAD-{name}", title=f"Loaded {name}", purpose="Consistent practice.",
            relevant_to="All officers and staff.", business_group=group, owning_unit=unit, owner=people.owner,
            designated_lead=people.lead, policy_manager=people.manager, coordinator=people.coordinator, **fields)


@pytest.fixture
def loaded(people):
    in_force = {"status": Status.IMPLEMENTATION}
    return {
        # In force all year, in date; its monitoring report fell due on 15 November 2025 and was never answered.
        "L1": load(people, "L1", first_published_on=datetime.date(2023, 5, 1), review_due_on=datetime.date(2026, 5, 1),
                   monitoring_report_due_on=datetime.date(2025, 11, 15), **in_force),
        # Its review fell overdue on 21 November 2025.
        "L2": load(people, "L2", first_published_on=datetime.date(2022, 1, 10),
                   review_due_on=datetime.date(2025, 11, 20), **in_force),
        # Withdrawn: counted nowhere, whatever its dates.
        "L3": load(people, "L3", status=Status.WITHDRAWN, first_published_on=datetime.date(2020, 2, 1),
                   review_due_on=datetime.date(2027, 1, 1), monitoring_report_due_on=datetime.date(2025, 12, 1)),
        # Never published: counted nowhere.
        "L4": load(people, "L4", status=Status.DEVELOPMENT),
        # Published on 5 November but loaded (created) on 15 December: in force from the later, so at December's end
        # only; its monitoring date is next year's.
        "L5": load(people, "L5", created=datetime.date(2025, 12, 15), first_published_on=datetime.date(2025, 11, 5),
                   review_due_on=datetime.date(2028, 11, 5), monitoring_report_due_on=datetime.date(2026, 11, 5),
                   **in_force),
        # Specialist Crime & Operations: in date, its monitoring report due on 20 October 2025.
        "L6": load(people, "L6", group=people.group2, first_published_on=datetime.date(2024, 1, 1),
                   review_due_on=datetime.date(2027, 1, 1), monitoring_report_due_on=datetime.date(2025, 10, 20),
                   **in_force),
        # Loaded at half past eleven at night on 31 December (London, GMT): there at December's end.
        "L7": load(people, "L7", created=datetime.date(2025, 12, 31), first_published_on=datetime.date(2025, 12, 31),
                   review_due_on=datetime.date(2028, 12, 31), **in_force),
    }


def figures(tally) -> tuple:
    return tally.in_force, tally.in_date, tally.monitoring_due, tally.monitoring_on_time


def replayed(policies, period: Period, today: datetime.date) -> Indicators:
    """The indicators with every policy replayed as a history of its present values, as they were counted before
    the statement counted them."""
    counter, trend = _Counter(), [_Counter() for _ in period.months]
    measured = period.windows(today)
    windows = [(start, end, tallies)
               for (start, end), tallies in zip(measured, [counter, *trend][:len(measured)], strict=True)]
    rows = policies.order_by("pk").values_list("pk", local_day("created_at"), "first_published_on", "status",
                                               "business_group_id", "review_due_on", "monitoring_report_due_on")
    for row in rows:
        _count_history(_history(row, []), period, windows, counter)
    return Indicators(period=period, by_group=dict(counter.by_group), force=counter.total,
                      months=[(first, dict(month.by_group), month.total)
                              for (first, _last), month in zip(period.months, trend, strict=True)])


def test_present_values_stand_for_the_whole_past(people, loaded):
    result = corporate_health_indicators(policies=Policy.objects.all(), period=Q4_2025, today=TODAY)
    tp, sco = result.by_group[people.group.pk], result.by_group[people.group2.pk]
    # At the end of December: L1, L2 (overdue), L5, L7 in force; L1's report due (never answered).
    assert figures(tp) == (4, 3, 1, 0)
    assert figures(sco) == (1, 1, 1, 0)
    assert set(result.by_group) == {people.group.pk, people.group2.pk}
    by_month = {first: figures(total) for first, _groups, total in result.months}
    assert by_month[datetime.date(2025, 10, 1)] == (3, 3, 1, 0)  # L1, L2, L6; L6's report
    assert by_month[datetime.date(2025, 11, 1)] == (3, 2, 1, 0)  # L2 overdue; L1's report
    assert by_month[datetime.date(2025, 12, 1)] == (5, 4, 0, 0)  # L5 and L7 loaded in December
    assert by_month[datetime.date(2025, 1, 1)] == (3, 3, 0, 0)


def test_a_local_day_is_the_force_s(people):
    """Created at 00:30 on 1 April 2026 in London (23:30 UTC on 31 March): not yet there at the end of March."""
    moment = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        Policy.objects.create(
            reference="POL-LOAD-BST", title="Loaded at night", purpose="p", relevant_to="r",
            business_group=people.group, owning_unit=people.unit, owner=people.owner, designated_lead=people.lead,
            policy_manager=people.manager, coordinator=people.coordinator, status=Status.IMPLEMENTATION,
            first_published_on=datetime.date(2026, 3, 1), review_due_on=datetime.date(2029, 3, 1))
    march = corporate_health_indicators(policies=Policy.objects.all(),
                                        period=Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
                                        today=datetime.date(2026, 4, 30))
    april = corporate_health_indicators(policies=Policy.objects.all(),
                                        period=Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 1)),
                                        today=datetime.date(2026, 4, 30))
    assert (march.force.in_force, april.force.in_force) == (0, 1)


@pytest.mark.parametrize("period", [
    Q4_2025, Period(datetime.date(2025, 11, 10), datetime.date(2025, 11, 20)),
    Period(datetime.date(2025, 11, 21), datetime.date(2025, 12, 15)), Period(datetime.date(2021, 3, 2), TODAY),
    Period(datetime.date(2026, 2, 1), TODAY), Period(datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)),
])
def test_the_statement_counts_as_the_replay(people, loaded, period):
    """Periods ending mid-month, on today, years back: the statement's figures and the replay's are the same."""
    policies = Policy.objects.all()
    assert corporate_health_indicators(policies=policies, period=period, today=TODAY) == replayed(
        policies, period, TODAY)
