"""The policy register (/policies/): its page of rows and count, the filters (rendered once per set of filters and
cached), the htmx fragment and the CSV/XLSX export."""

import hashlib
from collections.abc import Callable
from functools import cached_property
from types import SimpleNamespace

import rules
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from core.exports import Spreadsheet, table_response, wanted_format, xlsx_or_prepared
from core.templatetags.cached_urls import cached_reverse
from lifecycle.due import MONITORING, REVIEW, rag_case
from lifecycle.filters import PolicyRegisterFilter
from lifecycle.models import Policy
from lifecycle.selectors import (
    PolicyRows,
    policy_count,
    policy_list,
)
from lifecycle.states import STAGE_OF, ProtectiveMarking, Stage, Status

REGISTER_PAGE_SIZE = 25
# What a row of the register shows (lifecycle/templatetags/register_rows.py), and what lifecycle.due's review rule
# reads. Values, not Policy instances: a model instance of every column for each of 25 rows, and its business group
# and unit, cost more Python than the query that fetched them (issue 16, make bench).
REGISTER_ROW_FIELDS = ("reference", "title", "business_group__name", "protective_marking", "status",
                       "not_impact_assessed", "review_due_on", "first_published_on")


class CountedPaginator(Paginator):
    """A Paginator that takes its count from ``count()`` instead of COUNT(*) of the rows it pages through."""

    def __init__(self, object_list, per_page, *, count: Callable[[], int]):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()


def register_page(*, user, narrow: Callable[[QuerySet], QuerySet] | None = None, number=None) -> Page:
    """A page of the register (25 policies, as named tuples of REGISTER_ROW_FIELDS) and its count, narrowed by the
    register's filters. The count is ``policy_count``'s (from partial indexes), not COUNT(*) of the page's queryset
    (which tests every row against the visibility): the benchmark harness measures this function. Without filters,
    the page asked for and the count come in one statement (``PolicyRows.page_and_count``), compiled once per
    Viewer; a page number out of range (or an empty register) costs the count and the page the paginator settles
    on, as before."""
    if narrow is None:
        rows = PolicyRows(user=user, fields=REGISTER_ROW_FIELDS)
        asked = _page_asked(number)
        counted = None
        if asked is not None:
            start = (asked - 1) * REGISTER_PAGE_SIZE
            counted = rows.page_and_count(start, start + REGISTER_PAGE_SIZE)

        def count() -> int:
            return counted if counted is not None else policy_count(user=user)
    else:
        rows = narrow(policy_list(user=user)).values_list(*REGISTER_ROW_FIELDS, named=True)

        def count() -> int:
            return policy_count(user=user, narrow=narrow)
    return CountedPaginator(rows, REGISTER_PAGE_SIZE, count=count).get_page(number)


# A page number past this is not read with the count (its offset could overflow the database's): the paginator
# counts first and settles on the last page (rule 19: every input has a stated limit).
REGISTER_PAGES_READ_WITH_COUNT = 100_000


def _page_asked(number) -> int | None:
    """The page number as Paginator.get_page reads it, when it may be one of the register's pages (1 when it is not
    a number, or below 1: the paginator then settles on the page it shows, and that page is read); None past
    REGISTER_PAGES_READ_WITH_COUNT."""
    try:
        asked = max(int(number), 1)
    except (TypeError, ValueError):
        return 1
    return asked if asked <= REGISTER_PAGES_READ_WITH_COUNT else None


# The filter form is the same for everyone who asks with the same filters: rendered once per process for each,
# then taken from the cache (make bench, 100,000 policies: its 7 selects cost about 9 ms of Django widget
# templates on every full page of the register). A business group saved or deleted in this process is seen at
# once (lifecycle.apps calls register_filters_changed); another worker sees it within this many seconds.
REGISTER_FILTERS_CACHE_SECONDS = 60


class _FilterForms:
    """This process's version of the filter forms, bumped when a business group changes (the cache is the
    process's own too)."""

    version = 0


def register_filters_changed(**kwargs) -> None:
    """A business group changed: the cached filter forms of this process name the old list."""
    _FilterForms.version += 1


def register_filter_fields(filterset) -> str:
    """The register's filter fields as HTML (lifecycle/includes/register_filter_fields.html), from the cache
    when the same filters were rendered within REGISTER_FILTERS_CACHE_SECONDS in this process. ``filterset`` is
    None for the register without filters (``register_filters``): its form is built only when it is rendered, and
    its key needs no digest."""
    if filterset is None or not filterset.is_bound:
        key = f"lifecycle.register_filters:{_FilterForms.version}:none"
    else:
        digest = hashlib.sha256(repr((_FilterForms.version, sorted(filterset.form.data.lists()))).encode()).hexdigest()
        key = f"lifecycle.register_filters:{digest}"
    html = cache.get(key)
    if html is None:
        html = str(render_to_string("lifecycle/includes/register_filter_fields.html", {
            "filter": filterset or PolicyRegisterFilter(None, queryset=Policy.objects.none())}))
        cache.set(key, html, REGISTER_FILTERS_CACHE_SECONDS)
    # Rendered by the template engine (escaped there), so safe to insert as it is.
    return mark_safe(html)  # noqa: S308


REGISTER_EXPORT_HEADER = ("Reference", "Title", "Business group", "Stage", "Status", "Protective marking",
                          "Review due", "Review", "Monitoring report due", "Monitoring report", "Red, amber, green",
                          "Not impact assessed", "Impact assessment due")


def register_export_rows(*, user, narrow=None, today=None):
    """Every policy of the (filtered) register, in the register's order, as typed rows: a server-side cursor, so
    memory stays flat however many there are. Due states and colours are lifecycle.due's rules."""
    today = today or timezone.localdate()
    policies = policy_list(user=user)
    if narrow is not None:
        policies = narrow(policies)
    rows = policies.annotate(rag=rag_case(today)).values_list(
        "reference", "title", "business_group__name", "status", "protective_marking", "review_due_on",
        "monitoring_report_due_on", "first_published_on", "rag", "not_impact_assessed", "emergency_eia_due_on")
    for (reference, title, group, status, marking, review_due, monitoring_due, first_published, rag,
         not_impact_assessed, eia_due) in rows.iterator(chunk_size=2000):
        row = {"status": status, "first_published_on": first_published, "review_due_on": review_due,
               "monitoring_report_due_on": monitoring_due}
        review, monitoring = REVIEW.state_of(row, today), MONITORING.state_of(row, today)
        # A withdrawn policy has no review to come: no date, as the page says "Not applicable".
        yield (reference, title, group, Stage(STAGE_OF[status]).label, Status(status).label,
               ProtectiveMarking(marking).label, None if status == Status.WITHDRAWN else review_due,
               review.status.label if review else "",
               monitoring_due, monitoring.status.label if monitoring else "", rag.capitalize() if rag else "",
               not_impact_assessed, eia_due)


def register_export(fmt: str, *, user, narrow=None):
    """The register as a file in the request (streamed, CSV or XLSX, however long: make bench measures it)."""
    return table_response(fmt, filename=f"policy-register-{timezone.localdate():%Y-%m-%d}", title="Policy register",
                          header=REGISTER_EXPORT_HEADER, rows=register_export_rows(user=user, narrow=narrow))


REGISTER_SPREADSHEET = "lifecycle.register"


def register_filters(query, *, request):
    """The register's filterset for ``query`` and the narrowing it applies: (None, None) when ``query`` names none
    of the filters (the register as it opens, or a page of it), so that the filterset and its form are not built
    for nothing (issue 16). As django-filter's own ``qs``: the filters that validate apply and one that does not (a
    business group since closed, an edited URL, a search too long) is left out, not all of them dropped for one;
    the page says so (the error summary linking to the field, its message beside it, what was typed kept: the
    library and the Publication Scheme answer bad filters the same way). The filterset only reads and checks the
    filters; the narrowing is applied to the permission-filtered register (an empty queryset here, so that
    ``filterset.qs`` can never list a policy unfiltered)."""
    if not query or not any(name in query for name in PolicyRegisterFilter.base_filters):
        return None, None
    filterset = PolicyRegisterFilter(query, queryset=Policy.objects.none(), request=request)
    filterset.validate()
    # Every filter named but none given a value (the form submitted as it is) narrows nothing: the register is
    # listed and counted as without filters.
    asked = any(value for name in PolicyRegisterFilter.base_filters for value in query.getlist(name))
    return filterset, filterset.filter_queryset if asked else None


def register_spreadsheet(user, query) -> Spreadsheet:
    """The register's XLSX for ``user`` with the filters of ``query``: what the worker builds (core.exports), with
    the person's own visibility and statement search."""
    _filterset, narrow = register_filters(query, request=SimpleNamespace(user=user))
    return Spreadsheet(filename=f"policy-register-{timezone.localdate():%Y-%m-%d}", title="Policy register",
                       header=REGISTER_EXPORT_HEADER, rows=register_export_rows(user=user, narrow=narrow))


@login_required
@require_safe
def policy_register(request):
    filterset, narrow = register_filters(request.GET, request=request)
    export = wanted_format(request)
    if export == "xlsx":
        # Streamed up to core.exports.XLSX_STREAM_MAX_ROWS rows; the worker prepares a longer one (rule 19).
        return xlsx_or_prepared(request, kind=REGISTER_SPREADSHEET,
                                count=lambda: policy_count(user=request.user, narrow=narrow),
                                spreadsheet=lambda: register_spreadsheet(request.user, request.GET))
    if export:
        return register_export(export, user=request.user, narrow=narrow)
    page = register_page(user=request.user, narrow=narrow, number=request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    querystring = query_without_page.urlencode()
    filtered = any(value for key, value in request.GET.items() if key != "page")
    # The filters in error, if any: said in the error summary of the page, or of the fragment (out of band).
    filter_form = filterset.form if filterset is not None and filterset.form.errors else None
    count = page.paginator.count
    register_url = cached_reverse("lifecycle:register")

    def page_url(number: int) -> str:
        return f"{register_url}?{querystring + '&' if querystring else ''}page={number}"

    context = {
        "page": page, "rows": list(page.object_list), "filtered": filtered,
        "register_url": register_url,
        # Worded once for the page and for the fragment htmx swaps in (title and count out of band).
        "filter_form": filter_form,
        "register_title": ("Error: " if filter_form else "") + "Policy register" + (" (filtered)" if filtered else "")
                          + (f", page {page.number}" if page.number > 1 else ""),
        "result_count": f"{count} polic{'y' if count == 1 else 'ies'}",
        # "2 of 40" when there is more than one page (worded here: the template engine localises each number).
        "page_of": f"{page.number} of {page.paginator.num_pages}" if page.has_other_pages() else "",
        "previous_url": page_url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": page_url(page.next_page_number()) if page.has_next() else "",
        "export_query": querystring + "&" if querystring else "",
    }
    # htmx (a filter changed, a page link followed) wants the results alone; restoring history after the back
    # button, it wants the whole page (it also sends HX-Request then).
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true":
        response = render(request, "lifecycle/policy_register_results.html", {
            **context, "swap_oob": True,
            # Only the filter form has this id: a request from anywhere else was a page link, which is swapped away.
            "focus_results": request.headers.get("HX-Trigger") != "register-filters",
        })
    else:
        response = render(request, "lifecycle/policy_register.html", {
            **context, "may_start_policy": rules.has_perm("lifecycle.start_policy", request.user),
            "filter_fields": register_filter_fields(filterset),
        })
    # One URL, two representations: a cache must not answer a page load with the fragment, or the reverse.
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response
