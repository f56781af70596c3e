"""EXPERIMENT, not app code: what would make ``notifications.services.chase_plan`` faster.

``python -m benchmarks --only chase-experiment`` times the app's chase_plan against scratch variants of it,
interleaved with the bare SQL baseline of scenario (e), and checks that every variant plans exactly the
same reminders, in the same order, as the app. Nothing here is used by the app; the changes it measures
are recommendations for notifications/services.py:

* schedules: ``_before_steps`` builds ``relativedelta`` objects for every candidate policy (about 41,000
  calls and 86,000 date subtractions a run at 100,000 policies) although the candidates share about 1,650
  (due date, schedule) pairs. The variant memoises it per (due date, months) for the length of one run.
* queries: the candidates query returns one row per (policy, named developer), grouped as now for the
  cycle, instead of a second query that sends the id of every candidate (about 24,000) in an IN list;
  monitoring reports in QA are loaded as the few rows in those two states (no IN list, and no join to the
  policy table that the model's default ordering adds); role holders are loaded without the developer
  role, which the chase never looks up by group (developers are named per policy), and without the
  models' default ORDER BY. Portable (SQLite runs the demo): no PostgreSQL-only aggregate.

Tried and dropped: the cycle and the developers as correlated subqueries in the SELECT list
(``Subquery`` + ``ArraySubquery``). The OR of the candidates' conditions is estimated at about 3 times the
rows it returns, so the subqueries push the plan's cost past PostgreSQL's jit_optimize_above_cost and JIT
compilation alone took about 0.7 s, more than the query.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from unittest import mock

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from assessments.models import MonitoringReport
from core.models import Role, RoleAssignment, User
from lifecycle.models import Policy, PolicyVersion
from lifecycle.states import Status
from notifications import services

VARIANTS = {
    "schedules": {"schedules": True, "queries": False},
    "queries": {"schedules": False, "queries": True},
    "schedules+queries": {"schedules": True, "queries": True},
}


class _LeanPeople(services.People):
    """services.People, with the developers the candidates query returned."""

    def __init__(self, developers_by_policy: dict[int, list[int]]):
        self.group_roles: dict[tuple[int | None, str], set[int]] = defaultdict(set)
        for user_id, role, group_id in (RoleAssignment.objects.filter(user__is_active=True)
                                        .exclude(role=Role.DEVELOPER).order_by()
                                        .values_list("user_id", "role", "business_group_id")):
            self.group_roles[(group_id, role)].add(user_id)
        self.active = set(User.objects.filter(is_active=True).order_by().values_list("pk", flat=True))
        self.developers: dict[int, set[int]] = defaultdict(set)
        self.inactive_developers: dict[int, set[int]] = defaultdict(set)
        for policy_id, user_ids in developers_by_policy.items():
            for user_id in user_ids:
                (self.developers if user_id in self.active else self.inactive_developers)[policy_id].add(user_id)


def _memoised_before_steps():
    """services._before_steps with a cache for one run: the steps depend only on (due date, months)."""
    original = services._before_steps
    cache: dict[tuple, list] = {}

    def before_steps(due: datetime.date, months: list[int]) -> list[tuple[datetime.date, str]]:
        key = (due, tuple(months))
        steps = cache.get(key)
        if steps is None:
            steps = cache[key] = original(due, months)
        return steps

    return before_steps


def chase_plan_variant(*, today: datetime.date, schedules: bool, queries: bool) -> list[services.PlannedReminder]:
    """The app's chase_plan, or (queries) a scratch copy of it with the lean queries; (schedules) with
    _before_steps memoised for the run. _plan_for, the reminders' rules, is the app's in every variant."""
    def plan() -> list[services.PlannedReminder]:
        return _lean_plan(today) if queries else services.chase_plan(today=today)

    if schedules:
        with mock.patch.object(services, "_before_steps", _memoised_before_steps()):
            return plan()
    return plan()


def _lean_plan(today: datetime.date) -> list[services.PlannedReminder]:
    """services.chase_plan with the candidates, people and reports loaded as the module docstring says."""
    config = settings.POLICYHUB_CHASE
    horizon = today + relativedelta(months=max(config["review_months_before"]))
    stuck_since = timezone.make_aware(datetime.datetime.combine(
        today - datetime.timedelta(days=config["stuck_after_working_days"]), datetime.time.max))
    rows = (
        Policy.objects.exclude(status=Status.WITHDRAWN)
        .filter(services._could_be_due(horizon, today, stuck_since))
        # Grouped by policy and developer: one row per named developer, each with the policy's cycle.
        .values(*services.POLICY_FIELDS, "developers")
        .annotate(cycle=Max("versions__major"))
        .order_by("pk")
    )
    policies: list[dict] = []
    developers: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        developer_id = row.pop("developers")
        if not policies or policies[-1]["pk"] != row["pk"]:
            policies.append(row)
        if developer_id is not None:
            developers[row["pk"]].append(developer_id)
    ids = {row["pk"] for row in policies}
    people = _LeanPeople(developers)
    # The rows the app keeps: for each policy, the last of its reports in QA in the order -period_end.
    reports_in_qa = {
        row["policy_id"]: row for row in MonitoringReport.objects.filter(
            status__in=[MonitoringReport.Status.SUBMITTED, MonitoringReport.Status.QA_PASSED]
        ).order_by("-period_end").values("policy_id", "status", "submitted_at", "pk")
        if row["policy_id"] in ids
    }
    submitted = [row["pk"] for row in policies if row["status"] == Status.SUBMITTED_FOR_QA]
    submitted_on = dict(PolicyVersion.objects.filter(policy_id__in=submitted).order_by()
                        .values_list("policy_id").annotate(last=Max("submitted_at"))) if submitted else {}
    missing_disciplines = services._missing_disciplines(submitted)
    plan: list[services.PlannedReminder] = []
    for row in policies:
        plan.extend(services._plan_for(row, today, people, config, reports_in_qa, submitted_on, missing_disciplines))
    return plan


def measure(*, repeat: int, warmup: int) -> list:
    """The app's chase_plan and each variant, interleaved with the bare SQL baseline of scenario (e)."""
    from benchmarks.dataset import dataset_day
    from benchmarks.scenarios import Row, chase_cases
    from benchmarks.timing import Case, capture_queries, time_interleaved

    day = dataset_day()
    baseline, app = chase_cases(day, "experiment")
    variants = {name: Case(f"chase-experiment:{name}", lambda _, switches=switches: chase_plan_variant(
        today=day, **switches)) for name, switches in VARIANTS.items()}
    timings = time_interleaved([baseline, app, *variants.values()], repeat=repeat, warmup=warmup)
    base, app_timing = timings[baseline.name], timings[app.name]
    expected = app.run(None)
    app_sql = capture_queries(app)
    rows = [
        Row("chase-experiment: bare SQL of the due items", "(daily task)", base.p50, base.p95, base.p50, 1.0, 1,
            "baseline", None),
        Row("chase-experiment: the app's chase_plan", "(daily task)", app_timing.p50, app_timing.p95, base.p50,
            app_timing.p50 / base.p50, len(app_sql), "information", None,
            f"{len(expected):,} reminders", app_sql),
    ]
    for name, case in variants.items():
        timing = timings[case.name]
        statements = capture_queries(case)
        same = case.run(None) == expected
        rows.append(Row(
            f"EXPERIMENT (not app code): chase_plan, {name}", "(daily task)", timing.p50, timing.p95, base.p50,
            timing.p50 / base.p50, len(statements), "information; plan = the app's",
            None if same else False,
            f"{1 - timing.p50 / app_timing.p50:.0%} less time than the app's; "
            + ("the same reminders" if same else "DIFFERENT REMINDERS FROM THE APP'S"), statements,
        ))
    return rows
