"""/dashboard/, /dashboard/indicators/ and /dashboard/report/ (issue 15). Thin: the scope (oversight.scope), the
figures (oversight.selectors, oversight.indicators), the charts (oversight.charts), and ``?format=csv|xlsx``
(core.exports) on every table."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from core.exports import table_response, wanted_format
from lifecycle.due import stuck_threshold_days
from oversight import charts
from oversight.scope import oversight_scope
from oversight.selectors import attention_list, dashboard_figures, pipeline, rag_rules

NO_DASHBOARD = ("The oversight dashboard is for business group policy co-ordinators, Designated Leads, Management "
                "Board owners and the Policy Co-ordination Unit.")


def scope_for(request):
    scope = oversight_scope(request.user, request.GET.get("business_group")) if request.user.has_perm(
        "oversight.view_dashboard") else None
    if scope is None:
        raise PermissionDenied(NO_DASHBOARD)
    return scope


def figures_table(figures: dict, scope) -> tuple[list[str], list[list]]:
    """The figures as the page's table and the export's: a row per figure, a column per business group (and the
    total of the force when broken down)."""
    header = ["Figure", *[str(group) for group in figures["columns"]]]
    if scope.breakdown:
        header.append("Force total")
    rows = [["Policies counted", *figures["policies"], *([figures["totals"]["policies"]] if scope.breakdown else [])]]
    for row in figures["rows"]:
        rows.append([row.figure.label, *[cell.count for cell in row.cells],
                     *([row.total.count] if scope.breakdown else [])])
    return header, rows


def pipeline_chart(data: dict, *, title: str) -> dict:
    """The pipeline as a stacked bar chart and its table (a row per stage, a column per business group)."""
    groups, stages, counts = data["groups"], data["stages"], data["counts"]
    series = [charts.Series(str(group), [counts.get((stage, group.pk), 0) for stage, _ in stages]) for group in groups]
    totals = [sum(item.values[i] for item in series) for i in range(len(stages))]
    in_words = "; ".join(f"{label}: {total}" for (_, label), total in zip(stages, totals, strict=True))
    svg = charts.stacked_bars(chart_id="pipeline", title=title, categories=[label for _, label in stages],
                              series=series, description=f"Policies at each stage, by business group. {in_words}.")
    header = ["Stage", *[str(group) for group in groups], "Total"]
    rows = [[label, *[item.values[i] for item in series], totals[i]] for i, (_, label) in enumerate(stages)]
    return {"svg": svg, "header": header, "rows": rows}


@login_required
@require_safe
def dashboard(request):
    scope = scope_for(request)
    today = timezone.localdate()
    figures = dashboard_figures(user=request.user, scope=scope, today=today)
    header, rows = figures_table(figures, scope)
    export = wanted_format(request)
    table = request.GET.get("table", "")
    if export and table == "pipeline":
        chart = pipeline_chart(pipeline(user=request.user, scope=scope), title="Pipeline")
        return table_response(export, filename=f"pipeline-{today:%Y-%m-%d}", title="Pipeline",
                              header=chart["header"], rows=chart["rows"])
    if export:
        return table_response(export, filename=f"oversight-{today:%Y-%m-%d}", title="Oversight figures",
                              header=header, rows=rows)
    chart = pipeline_chart(pipeline(user=request.user, scope=scope),
                           title=f"Pipeline of {scope.title}: policies by stage and business group")
    return render(request, "oversight/dashboard.html", {
        "scope": scope, "today": today, "figures": figures, "table_header": header,
        "attention": attention_list(user=request.user, scope=scope, today=today),
        "rag_rules": rag_rules(), "pipeline": chart,
        "stuck_days": stuck_threshold_days(),
        "focus_query": f"business_group={scope.focus.pk}&" if scope.focus is not None else "",
    })
