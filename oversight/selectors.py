"""The dashboard's reads: every figure in one aggregate query, counted with lifecycle.due's rules within what the
person may see in the register, so that each figure's link to the register lists exactly as many policies."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.urls import reverse

from lifecycle.due import (
    MONITORING,
    RAG_RULES,
    REVIEW,
    STUCK_STAGES,
    Rag,
    emergency_eia_awaiting,
    orphaned,
    rag_condition,
    stuck,
)
from lifecycle.models import Policy
from lifecycle.selectors import policy_visibility_filter
from lifecycle.states import STAGE_OF, Stage, Status
from oversight.scope import Scope

ATTENTION_LIMIT = 25


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    # The register's filter that lists the policies behind the figure (lifecycle.filters).
    params: tuple[tuple[str, str], ...]
    condition: Callable[[datetime.date], Q]


FIGURES: tuple[Figure, ...] = (
    Figure("review_overdue", "Reviews overdue", (("review_status", "overdue"),), REVIEW.overdue),
    Figure("review_due_soon", f"Reviews due {REVIEW.warning_label}", (("review_status", "due_soon"),),
           REVIEW.due_soon),
    Figure("monitoring_overdue", "Monitoring reports overdue", (("monitoring_status", "overdue"),),
           MONITORING.overdue),
    Figure("monitoring_due_soon", f"Monitoring reports due {MONITORING.warning_label}",
           (("monitoring_status", "due_soon"),), MONITORING.due_soon),
    *(Figure(f"stuck_{stage.key}", f"Stuck past the threshold: {stage.label.lower()}", (("stuck", stage.key),),
             partial(stuck, stage.key)) for stage in STUCK_STAGES),
    Figure("emergency_eia", "Emergency approvals awaiting their impact assessment",
           (("emergency_eia", "awaiting"),), lambda today: emergency_eia_awaiting()),
    Figure("orphaned", "Orphaned: a leaver still named", (("orphaned", "yes"),), lambda today: orphaned()),
    *(Figure(f"rag_{colour.value}", f"{colour.label} status", (("rag", colour.value),),
             partial(rag_condition, colour)) for colour in Rag),
)
FIGURE_KEYS = [figure.key for figure in FIGURES]


def scoped_policies(*, user, scope: Scope) -> QuerySet[Policy]:
    """The policies the figures count: what ``user`` sees in the register, within the scope's business group."""
    policies = Policy.objects.all()
    visible = policy_visibility_filter(user)
    if visible is not None:
        policies = policies.filter(visible)
    if scope.group_ids is not None:
        policies = policies.filter(business_group_id__in=scope.group_ids)
    return policies


def register_url(figure: Figure, group_id: int | None) -> str:
    params = list(figure.params) + ([("business_group", str(group_id))] if group_id is not None else [])
    return f"{reverse('lifecycle:register')}?{urlencode(params)}"


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


def dashboard_figures(*, user, scope: Scope, today: datetime.date) -> dict:
    """{"columns": [business groups], "rows": [FigureRow], "totals": {key: count}}: one query."""
    counts = (scoped_policies(user=user, scope=scope).order_by().values("business_group_id")
              .annotate(policies=Count("pk"), **{f.key: Count("pk", filter=f.condition(today)) for f in FIGURES}))
    by_group = {row["business_group_id"]: row for row in counts}
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
    policies_row = [by_group.get(group.pk, {}).get("policies", 0) for group in columns]
    return {"columns": columns, "rows": rows, "totals": totals, "policies": policies_row}


def attention_list(*, user, scope: Scope, today: datetime.date) -> list[Policy]:
    """The red policies, then the amber ones, each the longest overdue review first, at most ATTENTION_LIMIT, with
    why: its due states, whether stuck, awaiting an impact assessment or orphaned. A query per colour, each in review
    date order with a limit, so that PostgreSQL can walk the review date's index and stop early instead of
    colouring and sorting the whole register (the red ones have the earliest dates)."""
    policies: list[Policy] = []
    for colour in (Rag.RED, Rag.AMBER):
        wanted = ATTENTION_LIMIT - len(policies)
        if wanted <= 0:
            break
        found = list(
            scoped_policies(user=user, scope=scope).filter(rag_condition(colour, today))
            .annotate(is_stuck=ExpressionWrapper(stuck(None, today), output_field=BooleanField()),
                      is_orphaned=ExpressionWrapper(orphaned(), output_field=BooleanField()))
            .select_related("business_group").order_by("review_due_on", "reference")[:wanted]
        )
        for policy in found:
            policy.rag = colour.value
        policies.extend(found)
    for policy in policies:
        policy.review_state = REVIEW.state_of(policy, today)
        policy.monitoring_state = MONITORING.state_of(policy, today)
    return policies


def rag_rules() -> list[tuple[str, str, str]]:
    """(colour value, label, rule in words) for the page."""
    return [(colour.value, colour.label, RAG_RULES[colour]) for colour in Rag]


def pipeline(*, user, scope: Scope) -> dict:
    """Policies by stage and business group (withdrawn ones left out): one query. {"stages": [(value, label)],
    "groups": [business groups], "counts": {(stage, group id): n}}."""
    rows = (scoped_policies(user=user, scope=scope).exclude(status=Status.WITHDRAWN).order_by()
            .values_list("status", "business_group_id").annotate(count=Count("pk")))
    counts: dict[tuple[str, int], int] = {}
    for status, group_id, count in rows:
        key = (STAGE_OF[status], group_id)
        counts[key] = counts.get(key, 0) + count
    stages = [(stage.value, stage.label) for stage in Stage if stage != Stage.WITHDRAWN]
    groups = list(scope.groups) if scope.breakdown else [scope.focus]
    return {"stages": stages, "groups": groups, "counts": counts}
