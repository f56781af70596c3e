"""The dashboard's reads: every figure in one aggregate query, counted with lifecycle.due's rules within what the
person may see in the register, so that each figure's link to the register lists exactly as many policies."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace
from urllib.parse import urlencode

import rules
from django.db import connection
from django.db.models import BooleanField, CharField, Count, ExpressionWrapper, F, Q, QuerySet, Value
from django.urls import reverse

from acknowledgements.selectors import AudienceAsking, AudienceRate, acknowledgement_rates, audiences_asking
from assessments.models import MonitoringResponse
from assessments.selectors import reports_readable_by
from core.compiled import compiled_per_key
from core.text import in_words
from lifecycle.deadlines import (
    STUCK_STAGES,
    WITHDRAWAL_DECIDED_AT,
    StageDeadline,
    stuck,
    stuck_stage,
    stuck_threshold_days,
    waiting_on,
    withdrawal_decided_column,
)
from lifecycle.due import (
    MONITORING,
    RAG_PARTS,
    RAG_RULES,
    REMEDIAL,
    REVIEW,
    Rag,
    emergency_eia_awaiting,
    orphaned,
    rag_condition,
    rag_of,
)
from lifecycle.models import Policy
from lifecycle.selectors import Viewer, policies_seen_by, viewer_of
from lifecycle.states import STAGE_OF, Stage, Status
from oversight.scope import Scope

ATTENTION_LIMIT = 25
# How many (Viewer, business groups, day) keys each process keeps the dashboard's statements compiled for, the least
# recently used dropped first (core.compiled): a few KB of SQL each. One dropped is compiled again on its next request.
COMPILED_DASHBOARDS = 256


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    # The register's filter that lists the policies behind the figure (lifecycle.filters).
    params: tuple[tuple[str, str], ...]
    condition: Callable[[datetime.date], Q] | None
    # The list behind the figure: the register, or (for what is not a policy) a list of its own.
    list_name: str = "lifecycle:register"
    # Whether a policy counts, read from its status and its answers to lifecycle.due.RAG_PARTS (``figure_counts``
    # asks each once per policy): the same rule as ``condition``, which tests/oversight holds it to.
    counts: Callable[[str, Mapping[str, bool]], bool] | None = None


def _answer(part: str) -> Callable[[str, Mapping[str, bool]], bool]:
    return lambda status, answers: answers[part]


def _stuck_in(stage: StageDeadline, status: str, answers: Mapping[str, bool]) -> bool:
    return stuck_stage(status, answers["stuck"], answers["withdrawal_decided"]) is stage


def _coloured(colour: Rag, status: str, answers: Mapping[str, bool]) -> bool:
    return rag_of(colour, answers)


FIGURES: tuple[Figure, ...] = (
    Figure("review_overdue", "Reviews overdue", (("review_status", "overdue"),), REVIEW.overdue,
           counts=_answer("review_overdue")),
    Figure("review_due_soon", f"Reviews due {REVIEW.warning_label}", (("review_status", "due_soon"),),
           REVIEW.due_soon, counts=_answer("review_due_soon")),
    Figure("monitoring_overdue", "Monitoring reports overdue", (("monitoring_status", "overdue"),),
           MONITORING.overdue, counts=_answer("monitoring_overdue")),
    Figure("monitoring_due_soon", f"Monitoring reports due {MONITORING.warning_label}",
           (("monitoring_status", "due_soon"),), MONITORING.due_soon, counts=_answer("monitoring_due_soon")),
    *(Figure(f"stuck_{stage.key}", f"Stuck past the threshold: {stage.label[:1].lower()}{stage.label[1:]}",
             (("stuck", stage.key),), partial(stuck, stage.key), counts=partial(_stuck_in, stage))
      for stage in STUCK_STAGES),
    Figure("emergency_eia", "Emergency approvals awaiting their impact assessment",
           (("emergency_eia", "awaiting"),), lambda today: emergency_eia_awaiting(),
           counts=_answer("emergency_eia_awaiting")),
    Figure("orphaned", "Orphaned: a leaver still named", (("orphaned", "yes"),), lambda today: orphaned(),
           counts=_answer("orphaned")),
    *(Figure(f"rag_{colour.value}", f"{colour.label} status", (("rag", colour.value),),
             partial(rag_condition, colour), counts=partial(_coloured, colour)) for colour in Rag),
)
FIGURE_KEYS = [figure.key for figure in FIGURES]
# Figures that count something other than policies, each listed on a page of its own (same filters, same scope):
# remedial actions the Lead directed after a monitoring report (issue 13; SOP, role of the Designated Lead: "review
# monitoring results and direct remedial action"), and read-and-acknowledge (issue 14).
REMEDIAL_FIGURE = Figure("remedial_overdue", "Remedial actions overdue", (), None,
                         "oversight:remedial_actions")
ACKNOWLEDGEMENT_FIGURES = (
    Figure("acknowledgements_asked", "Acknowledgements asked for (people × policies in force)", (), None,
           "oversight:acknowledgements"),
    Figure("acknowledgements_confirmed", "Acknowledgements confirmed", (), None, "oversight:acknowledgements"),
    Figure("acknowledgement_rate", "Acknowledgement rate (%)", (), None, "oversight:acknowledgements"),
)
ITEM_FIGURES = (REMEDIAL_FIGURE, *ACKNOWLEDGEMENT_FIGURES)
ALL_FIGURE_KEYS = [*FIGURE_KEYS, *(figure.key for figure in ITEM_FIGURES)]


def scoped_policies(*, user, scope: Scope) -> QuerySet[Policy]:
    """The policies the figures count: what ``user`` sees in the register, within the scope's business group."""
    return _scoped_seen_by(*_scope_key(user, scope))


def _scoped_seen_by(viewer: Viewer | None, group_ids: tuple[int, ...] | None) -> QuerySet[Policy]:
    """``scoped_policies`` built from the Viewer alone (``policies_seen_by``, the register's own rule), for a
    statement compiled once per Viewer, scope and day."""
    policies = policies_seen_by(viewer).select_related(None).order_by()
    return policies if group_ids is None else policies.filter(business_group_id__in=group_ids)


def _scope_key(user, scope: Scope) -> tuple[Viewer | None, tuple[int, ...] | None]:
    return viewer_of(user), None if scope.group_ids is None else tuple(scope.group_ids)


def register_url(figure: Figure, group_id: int | None) -> str:
    """The list behind ``figure`` for one business group (None: the whole scope), shareable by URL."""
    params = list(figure.params) + ([("business_group", str(group_id))] if group_id is not None else [])
    return f"{reverse(figure.list_name)}?{urlencode(params)}" if params else reverse(figure.list_name)


def remedial_actions_overdue(*, user, scope: Scope, today: datetime.date) -> QuerySet[MonitoringResponse]:
    """The remedial actions overdue (lifecycle.due.REMEDIAL: past the date the Lead set, not recorded as done, the
    policy not withdrawn) of the policies the figures count, the longest overdue first: of a monitoring report made
    OFFICIAL-SENSITIVE, only for those cleared for it (``reports_readable_by``: what it directs was read from the
    report, and a review's downgrade does not unmark the report)."""
    return _remedial_overdue(*_scope_key(user, scope), today)


def _remedial_overdue(viewer: Viewer | None, group_ids: tuple[int, ...] | None,
                      today: datetime.date) -> QuerySet[MonitoringResponse]:
    if viewer is None:
        return MonitoringResponse.objects.none()
    return (MonitoringResponse.objects.filter(REMEDIAL.overdue(today), policy__in=_scoped_seen_by(viewer, group_ids))
            .filter(reports_readable_by(viewer, report="report__")).order_by("remedial_due_on", "pk"))


def _remedial_by_group(viewer: Viewer | None, group_ids: tuple[int, ...] | None, today: datetime.date) -> QuerySet:
    return (_remedial_overdue(viewer, group_ids, today).order_by()
            .values_list("policy__business_group_id").annotate(count=Count("pk")))


# Compiled once per Viewer, scope and day (core.compiled), as the figures' statement is.
_remedial_by_group_statement = compiled_per_key(COMPILED_DASHBOARDS)(_remedial_by_group)


def remedial_overdue_by_group(*, user, scope: Scope, today: datetime.date) -> QuerySet:
    """(business group id, remedial actions overdue) pairs: one aggregate query."""
    return _remedial_by_group(*_scope_key(user, scope), today)


def _remedial_counts(*, user, scope: Scope, today: datetime.date) -> dict[int, int]:
    """{business group id: remedial actions overdue}: ``remedial_overdue_by_group``'s statement, compiled once."""
    statement = _remedial_by_group_statement(*_scope_key(user, scope), today)
    return {} if statement is None else dict(statement.rows())


@compiled_per_key(COMPILED_DASHBOARDS)
def _audiences_statement(viewer: Viewer | None, group_ids: tuple[int, ...] | None) -> QuerySet:
    """The audiences in force of the policies the figures count, compiled once per Viewer and scope (core.compiled):
    Django compiled the visibility and the rule of an audience in force anew on every request, and built three model
    instances of each audience."""
    return audiences_asking(policies=_scoped_seen_by(viewer, group_ids))


def acknowledgement_rates_in(*, user, scope: Scope) -> list[AudienceRate]:
    """Who is asked to acknowledge the policies the figures count (the version in force of each), and who has
    (acknowledgements.selectors.acknowledgement_rates, the rule of the manager's rates and of the chase)."""
    statement = _audiences_statement(*_scope_key(user, scope))
    return acknowledgement_rates([] if statement is None else [AudienceAsking(*row) for row in statement.rows()])


def rate_percent(confirmed: int, asked: int) -> float | None:
    return round(100 * confirmed / asked, 1) if asked else None


def item_figure_counts(*, user, scope: Scope, today: datetime.date) -> dict[str, dict[int, float | None]]:
    """{figure key: {business group id: figure}} of ITEM_FIGURES: one query for the remedial actions, at most four
    for the acknowledgements (acknowledgements.selectors)."""
    remedial = _remedial_counts(user=user, scope=scope, today=today)
    asked: dict[int, int] = {}
    confirmed: dict[int, int] = {}
    for rate in acknowledgement_rates_in(user=user, scope=scope):
        group = rate.audience.business_group_id
        asked[group] = asked.get(group, 0) + rate.asked
        confirmed[group] = confirmed.get(group, 0) + rate.confirmed
    return {"remedial_overdue": remedial, "acknowledgements_asked": asked, "acknowledgements_confirmed": confirmed}


@dataclass(frozen=True)
class Cell:
    count: int
    group_name: str
    url: str  # empty where the register cannot list it (a business group since closed)


@dataclass(frozen=True)
class FigureRow:
    figure: Figure
    cells: list[Cell]  # one per column of the table
    total: Cell


def _item_rows(items: dict, columns, scope: Scope) -> tuple[list[FigureRow], dict]:
    def count(key, group_ids):
        if key == "acknowledgement_rate":
            return rate_percent(count("acknowledgements_confirmed", group_ids), count("acknowledgements_asked",
                                                                                       group_ids))
        return sum(n for group, n in items[key].items() if group_ids is None or group in group_ids)

    total_group = scope.focus.pk if scope.focus is not None else None
    rows, totals = [], {}
    for figure in ITEM_FIGURES:
        cells = [Cell(count(figure.key, {group.pk}), str(group), register_url(figure, group.pk) if group.is_active
                      else "") for group in columns]
        totals[figure.key] = count(figure.key, None)
        rows.append(FigureRow(figure=figure, cells=cells, total=Cell(totals[figure.key], "the force",
                                                                     register_url(figure, total_group))))
    return rows, totals


def figure_counts(*, policies: QuerySet[Policy], today: datetime.date) -> QuerySet:
    """``policies`` counted by business group, status and their answer to each of lifecycle.due.RAG_PARTS (the
    conditions the colours are made of, which every figure reads): one aggregate statement, each condition asked
    once per policy. A FILTER per figure asked its conditions again for each figure (make bench, PCU's 100,000
    policies: 230-360 ms, the leavers' five hashed probes fifteen times a policy), and the pipeline read the policies
    again (35 ms): 120-150 ms for both."""
    answers = {f"answer_{name}": ExpressionWrapper(rule(today), output_field=BooleanField())
               for name, rule in RAG_PARTS.items()}
    return (policies.order_by().annotate(**answers).values("business_group_id", "status", *answers)
            .annotate(policies=Count("pk")))


@compiled_per_key(COMPILED_DASHBOARDS)
def _figure_statement(viewer: Viewer | None, group_ids: tuple[int, ...] | None, today: datetime.date) -> QuerySet:
    """``figure_counts`` of a Viewer's scope on a day, compiled once (core.compiled): Django compiled the
    visibility and the eleven conditions of lifecycle.due anew on every request, about 10 ms of Python (make bench,
    the co-ordinator's dashboard at 100,000 policies)."""
    return figure_counts(policies=_scoped_seen_by(viewer, group_ids), today=today)


def _figure_rows(*, user, scope: Scope, today: datetime.date) -> list[dict]:
    """``figure_counts``' rows (dicts, as its values() gives them) for ``user``'s scope."""
    statement = _figure_statement(*_scope_key(user, scope), today)
    return [] if statement is None else [dict(zip(statement.columns, row, strict=True)) for row in statement.rows()]


def _counted(rows) -> tuple[dict[int, dict[str, int]], dict[tuple[str, int], int]]:
    """({business group id: {"policies" and each figure's key: count}}, {(stage, business group id): policies not
    withdrawn}) from ``figure_counts``' rows: each figure's ``counts`` over each row's status and answers (NULL, a
    condition on an empty date, is no, as in the register's filter)."""
    by_group: dict[int, dict[str, int]] = {}
    by_stage: dict[tuple[str, int], int] = {}
    for row in rows:
        group, status, policies = row["business_group_id"], row["status"], row["policies"]
        answers = {name: bool(row[f"answer_{name}"]) for name in RAG_PARTS}
        counted = by_group.setdefault(group, dict.fromkeys(["policies", *FIGURE_KEYS], 0))
        counted["policies"] += policies
        for figure in FIGURES:
            if figure.counts(status, answers):
                counted[figure.key] += policies
        if status != Status.WITHDRAWN:
            by_stage[(STAGE_OF[status], group)] = by_stage.get((STAGE_OF[status], group), 0) + policies
    return by_group, by_stage


def dashboard_figures(*, user, scope: Scope, today: datetime.date) -> dict:
    """{"columns": [business groups], "rows": [FigureRow], "totals": {key: count}, "policies": [count per column],
    "pipeline": ``_pipeline``'s}: one query for the policies' figures and the pipeline (``figure_counts``), and
    ``item_figure_counts``'s."""
    by_group, by_stage = _counted(_figure_rows(user=user, scope=scope, today=today))
    columns = list(scope.groups) if scope.breakdown else [scope.focus]
    # A business group closed since, still holding policies, is counted in the force's total (it has no column).
    totals = {key: sum(row[key] for row in by_group.values()) for key in ["policies", *FIGURE_KEYS]}
    total_group = scope.focus.pk if scope.focus is not None else None
    rows = []
    for figure in FIGURES:
        cells = [Cell(by_group.get(group.pk, {}).get(figure.key, 0), str(group),
                      register_url(figure, group.pk) if group.is_active else "") for group in columns]
        rows.append(FigureRow(figure=figure, cells=cells, total=Cell(totals[figure.key], "the force",
                                                                     register_url(figure, total_group))))
    item_rows, item_totals = _item_rows(item_figure_counts(user=user, scope=scope, today=today), columns, scope)
    rows.extend(item_rows)
    totals.update(item_totals)
    policies_row = [by_group.get(group.pk, {}).get("policies", 0) for group in columns]
    return {"columns": columns, "rows": rows, "totals": totals, "policies": policies_row,
            "pipeline": _pipeline(by_stage, scope)}


# What the attention list shows of a policy (oversight/dashboard.html) and what its due states read
# (lifecycle.due.DueRule.state_of): a row of values, not a model instance.
ATTENTION_FIELDS = ("reference", "title", "status", "status_changed_at", "review_due_on", "monitoring_report_due_on",
                    "first_published_on", "not_impact_assessed", "emergency_eia_due_on", "business_group_id",
                    WITHDRAWAL_DECIDED_AT)


def _attention_branch(viewer: Viewer | None, group_ids: tuple[int, ...] | None, today: datetime.date,
                      colour: Rag) -> QuerySet:
    """The policies of one colour, in review date order, at most ATTENTION_LIMIT, as the attention list shows them."""
    return (_scoped_seen_by(viewer, group_ids).filter(rag_condition(colour, today))
            .annotate(rag=Value(colour.value, output_field=CharField()),
                      # When a withdrawal still to be carried out was decided: the stage it is stuck in, and since when
                      # (lifecycle.deadlines.waiting_on).
                      **{WITHDRAWAL_DECIDED_AT: withdrawal_decided_column()},
                      is_stuck=ExpressionWrapper(stuck(None, today), output_field=BooleanField()),
                      is_orphaned=ExpressionWrapper(orphaned(), output_field=BooleanField()),
                      business_group_name=F("business_group__name"))
            .order_by("review_due_on", "reference")
            .values(*ATTENTION_FIELDS, "rag", "is_stuck", "is_orphaned", "business_group_name")[:ATTENTION_LIMIT])


@compiled_per_key(COMPILED_DASHBOARDS)
def _attention_statement(viewer: Viewer | None, group_ids: tuple[int, ...] | None, today: datetime.date) -> QuerySet:
    """The attention list's statement for a Viewer's scope on a day, compiled once (core.compiled): a branch per
    colour (``_attention_branch``), each in review date order with a limit (so that PostgreSQL can walk the review
    date's index and stop early instead of colouring and sorting the whole register: the red ones have the earliest
    dates), joined by UNION ALL. Django compiled both branches' visibility and conditions on every request: 20-25 ms
    of Python, as long as PostgreSQL took to answer (make bench, the co-ordinator's dashboard at 100,000 policies)."""
    red, amber = (_attention_branch(viewer, group_ids, today, colour) for colour in (Rag.RED, Rag.AMBER))
    return red.union(amber, all=True)


@compiled_per_key(COMPILED_DASHBOARDS)
def _attention_branch_statement(viewer: Viewer | None, group_ids: tuple[int, ...] | None, today: datetime.date,
                                colour: Rag) -> QuerySet:
    """One colour's branch, compiled on its own: SQLite (make run) allows no LIMIT inside a compound statement."""
    return _attention_branch(viewer, group_ids, today, colour)


def _attention_rows(user, scope: Scope, today: datetime.date) -> list[dict]:
    key = (*_scope_key(user, scope), today)
    if connection.features.supports_slicing_ordering_in_compound:
        statements = [_attention_statement(*key)]
    else:
        statements = [_attention_branch_statement(*key, colour) for colour in (Rag.RED, Rag.AMBER)]
    return [dict(zip(statement.columns, row, strict=True)) for statement in statements if statement is not None
            for row in statement.rows()]


def attention_list(*, user, scope: Scope, today: datetime.date) -> list[dict]:
    """The red policies, then the amber ones, each the longest overdue review first, at most ATTENTION_LIMIT, with
    why: its due states, whether stuck, awaiting an impact assessment or orphaned. One statement
    (``_attention_statement``), compiled once per Viewer, scope and day."""
    found = _attention_rows(user, scope, today)
    order = {Rag.RED.value: 0, Rag.AMBER.value: 1}
    # UNION ALL keeps no order between its branches: red first, then amber, each as its branch ordered it.
    policies = sorted(found, key=lambda policy: (order[policy["rag"]], policy["review_due_on"] or datetime.date.max,
                                                 policy["reference"]))[:ATTENTION_LIMIT]
    for policy in policies:
        policy["business_group"] = policy.pop("business_group_name")
        policy["review_state"] = REVIEW.state_of(policy, today)
        policy["monitoring_state"] = MONITORING.state_of(policy, today)
        # The stage it is stuck in and since when, by the rule the figures count with: a withdrawal decided from its
        # decision, else its status's from when it entered it (lifecycle.deadlines.waiting_on).
        waiting = waiting_on(policy) if policy["is_stuck"] else None
        policy["stuck_stage"], policy["stuck_since"] = waiting or (None, None)
        # A leaver still named is reassigned on the policy's People page: offered to those the rule lets do it (PCU,
        # the group's co-ordinator), not to the Leads and owners who read the dashboard too, whose People page has
        # no form. The rule reads the roles loaded with the person and the row's business group: no query a row.
        policy["may_reassign"] = policy["is_orphaned"] and rules.has_perm(
            "lifecycle.reassign_people", user,
            SimpleNamespace(business_group_id=policy["business_group_id"], status=policy["status"]))
    return policies


def stuck_rule() -> str:
    """What counts as stuck, in words for the dashboard and the board report: every stage deadline, read from
    lifecycle.deadlines as the figures are."""
    steps = in_words([stage.waiting_for for stage in STUCK_STAGES])
    return (f"Work is stuck once it has waited more than {stuck_threshold_days()} working days at any of these "
            f"steps: {steps}. A withdrawal is waited on from its decision, whatever step the policy was at, which it "
            "no longer waits for. A publication PCU has scheduled for a date waits on that date, so it is not stuck.")


def rag_rules() -> list[tuple[str, str, str]]:
    """(colour value, label, rule in words) for the page."""
    return [(colour.value, colour.label, RAG_RULES[colour]) for colour in Rag]


def _pipeline(counts: dict[tuple[str, int], int], scope: Scope) -> dict:
    """Policies by stage and business group (withdrawn ones left out), from ``dashboard_figures``' statement:
    {"stages": [(value, label)], "groups": [business groups], "counts": {(stage, group id): n}}."""
    stages = [(stage.value, stage.label) for stage in Stage if stage != Stage.WITHDRAWN]
    groups = list(scope.groups) if scope.breakdown else [scope.focus]
    return {"stages": stages, "groups": groups, "counts": counts}
