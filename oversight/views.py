"""/dashboard/, /dashboard/indicators/ and /dashboard/report/ (issue 15). Thin: the scope (oversight.scope), the
figures (oversight.selectors, oversight.indicators), the charts (oversight.charts), and ``?format=csv|xlsx``
(core.exports) on every table."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_safe

from core.exports import table_response, wanted_format
from core.forms import DateParts, parse_iso_date
from core.models import BusinessGroup
from oversight import charts
from oversight.forms import PeriodForm
from oversight.indicators import Indicators, Period, Tally, policies_ever_in
from oversight.indicators_cache import indicators_cached
from oversight.scope import Scope, oversight_scope
from oversight.selectors import (
    ATTENTION_LIMIT,
    acknowledgement_rates_in,
    attention_list,
    dashboard_figures,
    rag_rules,
    rate_percent,
    remedial_actions_overdue,
    scoped_policies,
    stuck_rule,
)

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
        chart = pipeline_chart(figures["pipeline"], title="Pipeline")
        return table_response(export, filename=f"pipeline-{today:%Y-%m-%d}", title="Pipeline",
                              header=chart["header"], rows=chart["rows"])
    if export:
        return table_response(export, filename=f"oversight-{today:%Y-%m-%d}", title="Oversight figures",
                              header=header, rows=rows)
    chart = pipeline_chart(figures["pipeline"],
                           title=f"Pipeline of {scope.title}: policies by stage and business group")
    return render(request, "oversight/dashboard.html", {
        "scope": scope, "today": today, "figures": figures, "table_header": header,
        "attention": attention_list(user=request.user, scope=scope, today=today),
        "rag_rules": rag_rules(), "pipeline": chart,
        "stuck_rule": stuck_rule(), "attention_limit": ATTENTION_LIMIT,
        "focus_query": f"business_group={scope.focus.pk}&" if scope.focus is not None else "",
    })


# --- the lists behind the figures that are not policies ------------------------------------------------------------

# A page of a list shows this many rows (bounded work per request, STYLE rule 19); the count and the exports have
# them all.
LIST_PAGE_SIZE = 50
REMEDIAL_HEADER = ["Reference", "Policy", "Business group", "Remedial action", "Who", "Due", "Days overdue",
                   "Directed by", "Directed on", "Monitoring report from", "Monitoring report to"]


def remedial_rows(actions, today: datetime.date):
    for action in actions:
        yield [action.policy.reference, action.policy.title, str(action.policy.business_group),
               action.remedial_action, action.remedial_owner.get_full_name() or action.remedial_owner.username,
               action.remedial_due_on, (today - action.remedial_due_on).days,
               action.decided_by.get_full_name() or action.decided_by.username, _local_day(action.decided_at),
               action.report.period_start, action.report.period_end]


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


@login_required
@require_safe
def remedial_actions(request):
    """The remedial actions overdue in the person's scope (the dashboard's figure, for one business group or all of
    them): ``?business_group=<id>``, ``?format=csv|xlsx``."""
    scope = scope_for(request)
    today = timezone.localdate()
    actions = (remedial_actions_overdue(user=request.user, scope=scope, today=today)
               .select_related("policy__business_group", "remedial_owner", "decided_by", "report")
               .only("remedial_action", "remedial_due_on", "decided_at", "policy__reference", "policy__title",
                     "policy__business_group__name", "remedial_owner__username", "remedial_owner__first_name",
                     "remedial_owner__last_name", "decided_by__username", "decided_by__first_name",
                     "decided_by__last_name", "report__period_start", "report__period_end", "report_id"))
    export = wanted_format(request)
    if export:
        return table_response(export, filename=f"remedial-actions-overdue-{today:%Y-%m-%d}",
                              title="Remedial actions overdue", header=REMEDIAL_HEADER,
                              rows=remedial_rows(actions.iterator(chunk_size=2000), today))
    page = Paginator(actions, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "oversight/remedial_actions.html", {
        "scope": scope, "today": today, "page": page, "header": REMEDIAL_HEADER,
        "rows": list(zip(page.object_list, remedial_rows(page.object_list, today), strict=True)),
        "focus_query": f"business_group={scope.focus.pk}&" if scope.focus is not None else "",
        "keep": [],
    })


ACKNOWLEDGEMENT_HEADER = ["Reference", "Policy", "Business group", "Version in force", "People asked", "Confirmed",
                          "Outstanding", "Rate (%)"]


def acknowledgement_rows(rates, names: dict[int, str]):
    return [[rate.audience.reference, rate.audience.title, names[rate.audience.business_group_id],
             rate.audience.number, rate.asked, rate.confirmed, rate.outstanding, rate.percent] for rate in rates]


@login_required
@require_safe
def acknowledgements(request):
    """Each policy in the person's scope that asks its staff to acknowledge the version in force: who was asked, who
    has confirmed (acknowledgements.selectors), with the totals the dashboard's figures show."""
    scope = scope_for(request)
    today = timezone.localdate()
    rates = acknowledgement_rates_in(user=request.user, scope=scope)
    names = {group.pk: str(group) for group in scope.groups}
    missing = {rate.audience.business_group_id for rate in rates} - set(names)
    if missing:  # a business group closed since, still holding policies
        names.update({group.pk: str(group) for group in BusinessGroup.objects.filter(pk__in=missing)})
    rows = acknowledgement_rows(rates, names)
    export = wanted_format(request)
    if export:
        return table_response(export, filename=f"acknowledgement-rates-{today:%Y-%m-%d}",
                              title="Acknowledgement rates", header=ACKNOWLEDGEMENT_HEADER, rows=rows)
    asked, confirmed = sum(rate.asked for rate in rates), sum(rate.confirmed for rate in rates)
    page = Paginator(list(zip(rates, rows, strict=True)), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "oversight/acknowledgements.html", {
        "scope": scope, "today": today, "page": page, "header": ACKNOWLEDGEMENT_HEADER,
        "asked": asked, "confirmed": confirmed, "percent": rate_percent(confirmed, asked),
        "focus_query": f"business_group={scope.focus.pk}&" if scope.focus is not None else "", "keep": [],
    })


# --- Corporate Health Indicators --------------------------------------------------------------------------------


def last_quarter(today: datetime.date) -> Period:
    """The last full calendar quarter before ``today``."""
    this_quarter = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = this_quarter - relativedelta(months=3)
    return Period(start, this_quarter - datetime.timedelta(days=1))


def period_from_request(request, today: datetime.date) -> tuple[Period, list[str], PeriodForm]:
    """The period typed in the form's day, month and year boxes, or given as ``?from=YYYY-MM-DD&to=YYYY-MM-DD``,
    checked: a clear message and a sensible period for anything else (the last quarter by default), never an error
    page. The form comes back to be shown: the period used, or what was typed with its errors."""
    default = last_quarter(today)
    typed_form = PeriodForm(request.GET, today=today)
    typed = {name: typed_form[name].data for name in ("from", "to")}
    if all(value is None or (value.is_blank if isinstance(value, DateParts) else not value.strip())
           for value in typed.values()):
        return default, [], _period_form(default, today)
    messages = []
    for name, value in typed.items():
        raw = "" if isinstance(value, DateParts) else (value or "").strip()
        if not raw:
            continue  # boxes typed are the form's to check, below
        try:
            parse_iso_date(raw)
        except ValueError:
            box = "From" if name == "from" else "To"
            # What was typed is echoed as the person's own words (app-user-text), escaped.
            messages.append(format_html(
                "“<span class=\"app-user-text\">{}</span>” is not a date: choose the {} of the period in the {} box, "
                "for example 31 January 2026.", raw[:40], "start" if name == "from" else "end", box))
    if messages:
        return default, [*messages, _instead(default)], _period_form(default, today)
    if not typed_form.is_valid():  # GOV.UK's messages, shown on the boxes at fault, what was typed kept
        return default, [_instead(default)], typed_form
    start, end = typed_form.cleaned_data["from"], typed_form.cleaned_data["to"]
    end = end or today
    start = start or (end - relativedelta(months=3) + datetime.timedelta(days=1))
    # Five years to the end, the end's day included (within MAX_PERIOD_DAYS, the indicators' bound on work).
    earliest_start = end - relativedelta(years=5) + datetime.timedelta(days=1)
    if start < earliest_start:
        start = earliest_start
        messages.append(f"A period can be at most five years, so it starts on {start:%-d %B %Y}.")
    earliest = datetime.date(2000, 1, 1)
    if start < earliest:
        start = earliest
        messages.append("PolicyHub holds nothing before 2000, so the period starts on 1 January 2000.")
    period = Period(start, end)
    return period, messages, _period_form(period, today)


def _period_form(period: Period, today: datetime.date) -> PeriodForm:
    """The form showing the period the page is for."""
    return PeriodForm(initial={"from": period.start, "to": period.end}, today=today)


def _instead(default: Period) -> str:
    return f"Showing the last quarter instead ({default.start:%-d %B %Y} to {default.end:%-d %B %Y})."


@dataclass(frozen=True)
class Heading:
    """A column's heading: its full name (what a screen reader hears, and the exports' heading) and, where the full
    name's long words would widen a narrow column of figures, the shorter words shown over it
    (oversight/includes_table.html; "How each indicator is worked out" says what each counts)."""

    full: str
    short: str = ""

    def __str__(self) -> str:
        return self.full


# Ten columns in the 960 px page: with the full names' long words ("Monitoring", "publication") over every figure the
# table scrolled sideways at 1280 px (tests/browser/test_indicators_fit.py).
INDICATOR_COLUMNS = [
    Heading("Business group"), Heading("Policies in force at the end", "In force at the end"),
    Heading("Policies in date (%)", "In date (%)"), Heading("Monitoring reports due", "Reports due"),
    Heading("Monitoring reports on time (%)", "Reports on time (%)"),
    Heading("Median days in quality assurance", "Median days in QA"), Heading("Median days with the Lead"),
    Heading("Median days awaiting publication", "Median days to publish"), Heading("Emergency approvals"),
    Heading("Withdrawals"),
]
INDICATOR_HEADER = [column.full for column in INDICATOR_COLUMNS]
TREND_HEADER = ["Month", "Policies in force", "Policies in date", "Policies in date (%)", "Monitoring reports due",
                "Monitoring reports on time", "Monitoring reports on time (%)"]


def indicator_row(name: str, tally: Tally) -> list:
    return [name, tally.in_force, tally.in_date_percent, tally.monitoring_due, tally.on_time_percent,
            tally.median("qa"), tally.median("lead"), tally.median("publication"), tally.emergency_approvals,
            tally.withdrawals]


def indicators_tables(indicators: Indicators, scope) -> dict:
    names = {group.pk: str(group) for group in scope.groups}
    missing = [group_id for group_id in indicators.by_group if group_id not in names]
    if missing:
        names.update({group.pk: str(group) for group in BusinessGroup.objects.filter(pk__in=missing)})
    rows = []
    if scope.breakdown:
        ordered = sorted(indicators.by_group, key=lambda group_id: names.get(group_id, ""))
        shown = [group.pk for group in scope.groups] + [g for g in ordered if g not in {x.pk for x in scope.groups}]
        rows = [indicator_row(names[group_id], indicators.by_group.get(group_id, Tally())) for group_id in shown]
        rows.append(indicator_row("Force-wide", indicators.force))
    else:
        rows = [indicator_row(str(scope.focus), indicators.by_group.get(scope.focus.pk, Tally()))]
    trend_rows = [[first, tally.in_force, tally.in_date, tally.in_date_percent, tally.monitoring_due,
                   tally.monitoring_on_time, tally.on_time_percent] for first, tally in indicators.trend]
    labels = [f"{first:%b %Y}" for first, _ in indicators.trend]
    in_date = charts.Series("Policies in date", [tally.in_date_percent for _, tally in indicators.trend])
    on_time = charts.Series("Monitoring reports on time", [tally.on_time_percent for _, tally in indicators.trend])

    def words(series):
        return "; ".join(f"{label}: {'no figure' if value is None else f'{value:.1f}%'}"
                         for label, value in zip(labels, series.values, strict=True))

    return {
        "rows": rows, "trend_rows": trend_rows,
        "in_date_chart": charts.percent_lines(
            chart_id="trend-in-date", title=f"Policies in date, month by month, {scope.title}", labels=labels,
            series=[in_date], description=f"Percentage of policies in force whose review was not overdue at the end "
                                          f"of each month. {words(in_date)}."),
        "on_time_chart": charts.percent_lines(
            chart_id="trend-on-time", title=f"Monitoring reports on time, month by month, {scope.title}",
            labels=labels, series=[on_time], description=f"Percentage of the monitoring reports due in each month "
                                                         f"that were submitted by their due date. {words(on_time)}."),
    }


def indicators_for(request, scope, today):
    period, messages, form = period_from_request(request, today)
    # Visible policies, by the business group they were in on the day (not only those in it now).
    policies = scoped_policies(user=request.user, scope=Scope(force=True, groups=[], focus=None))
    focus = scope.focus.pk if scope.focus is not None else None
    if focus is not None:
        policies = policies_ever_in(policies, focus)
    indicators = indicators_cached(policies=policies, period=period, today=today, focus=focus)
    return period, messages, form, indicators, indicators_tables(indicators, scope)


def trend_table_rows(rows):
    return [[f"{first:%B %Y}", *rest] for first, *rest in rows]


@login_required
@require_safe
def indicators(request):
    scope = scope_for(request)
    today = timezone.localdate()
    period, messages, form, result, tables = indicators_for(request, scope, today)
    export = wanted_format(request)
    if export:
        name = f"{period.start:%Y-%m-%d}-to-{period.end:%Y-%m-%d}"
        if request.GET.get("table") == "trend":
            return table_response(export, filename=f"indicator-trends-{name}", title="Trends", header=TREND_HEADER,
                                  rows=[[first, *rest] for first, *rest in tables["trend_rows"]])
        return table_response(export, filename=f"corporate-health-indicators-{name}",
                              title="Corporate Health Indicators", header=INDICATOR_HEADER, rows=tables["rows"])
    return render(request, "oversight/indicators.html", {
        "scope": scope, "period": period, "messages_shown": [scope.message, *messages] if scope.message else messages,
        "indicators": result, "header": INDICATOR_COLUMNS, "tables": tables,
        "trend_header": TREND_HEADER, "trend_rows": trend_table_rows(tables["trend_rows"]),
        "query": period_query(period, scope), "period_form": form,
    })


def period_query(period: Period, scope) -> str:
    params = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if scope.focus is not None:
        params["business_group"] = scope.focus.pk
    return urlencode(params) + "&"


# --- the board report ---------------------------------------------------------------------------------------------


@login_required
@require_safe
def report(request):
    """A print-friendly report for the Performance Board: where things stand today, the indicators of the period
    (the last quarter by default) and their trends, the pipeline. ``?format=pdf`` gives it as a PDF."""
    scope = scope_for(request)
    today = timezone.localdate()
    period, messages, form, result, tables = indicators_for(request, scope, today)
    figures = dashboard_figures(user=request.user, scope=scope, today=today)
    header, rows = figures_table(figures, scope)
    context = {
        "scope": scope, "today": today, "period": period, "messages_shown": messages, "indicators": result,
        "indicator_header": INDICATOR_COLUMNS, "tables": tables, "trend_header": TREND_HEADER,
        "trend_rows": trend_table_rows(tables["trend_rows"]), "figures_header": header, "figures_rows": rows,
        "pipeline": pipeline_chart(figures["pipeline"],
                                   title=f"Pipeline of {scope.title}: policies by stage and business group"),
        "rag_rules": rag_rules(), "stuck_rule": stuck_rule(), "query": period_query(period, scope),
        "period_form": form,
    }
    if request.GET.get("format") == "pdf":
        from oversight.pdf import render_report_pdf  # WeasyPrint is heavy to load: only when a PDF is asked for

        response = HttpResponse(render_report_pdf(context), content_type="application/pdf")
        response["Content-Disposition"] = (f'inline; filename="board-report-{period.start:%Y-%m-%d}-to-'
                                           f'{period.end:%Y-%m-%d}.pdf"')
        return response
    return render(request, "oversight/report.html", context)
