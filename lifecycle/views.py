"""Thin views: read through selectors, change through services, show refusals as form errors."""

import hashlib
from collections.abc import Callable
from functools import cached_property
from types import SimpleNamespace

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Max, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_safe

from core.exceptions import ApplicationError
from core.exports import Spreadsheet, table_response, wanted_format, xlsx_or_prepared
from core.templatetags.cached_urls import cached_reverse
from lifecycle import duties, forms, gates, next_steps, permissions, services, timeline, workflow
from lifecycle.details import LABELS, details_hash, legislation_links_text
from lifecycle.due import MONITORING, REVIEW, rag_case
from lifecycle.filters import PolicyRegisterFilter
from lifecycle.models import ApprovalDecision, Policy
from lifecycle.permissions import is_doi, is_pcu
from lifecycle.redline import has_changes, redline_html
from lifecycle.selectors import (
    PolicyRows,
    access_policy,
    approval_shown,
    consultations_shown,
    emergency_outstanding,
    latest_feedback,
    policy_count,
    policy_list,
    policy_versions,
    read_versions,
    revision_comparison,
    sop_versions_for,
    version_comparisons,
    version_for_revisions,
    version_history,
    version_revisions,
    version_shown,
)
from lifecycle.states import DRAFT_EDITABLE_STATUSES, STAGE_OF, PolicyKind, ProtectiveMarking, Stage, Status


def policy_for_page(request, reference: str, *, with_people: bool = False, with_local_instructions: bool = False):
    """The policy, if this user may see it; 404 otherwise. OFFICIAL-SENSITIVE clearance is part of the
    visibility filter (lifecycle.selectors), so it is decided in one place for pages, lists and counts."""
    return access_policy(user=request.user, reference=reference, with_people=with_people,
                         with_local_instructions=with_local_instructions)


def policy_page_context(request, policy, section: str, *, version_related: tuple[str, ...] = ()) -> dict:
    """What every policy page shows around its section: the version shown, the version in force and the actions
    offered. ``version_related``: the versions' one-to-one rows the page reads (lifecycle.selectors.read_versions)."""
    user = request.user
    # The steps open to the user by status and permission first: when one asks for separation of duties, the user's
    # part in the newest version is read with the versions, in the same query (not one more for ``free_for``).
    permitted = workflow.steps_permitted(user, policy)
    read_versions(policy=policy, related=version_related,
                  duties_of=user if any(step.duty for step in permitted) else None)
    version, in_force = version_shown(user=user, policy=policy)
    return {
        "policy": policy,
        # The document details of the version shown: those it was frozen with (staff who see only the version in
        # force do not see a draft's new title or purpose), else the policy's as drafted. The marking shown and
        # obeyed is always the policy's own: a re-marking takes effect at once (lifecycle.services.details).
        "details": version.details_read if version is not None else policy.details_snapshot(),
        "version": version,
        "version_in_force": in_force,
        "section": section,
        "actions": workflow.pages_offered(user, policy, permitted=permitted),
        "can_edit_draft": rules.has_perm("lifecycle.edit_draft", user, policy),
    }


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
        yield (reference, title, group, Stage(STAGE_OF[status]).label, Status(status).label,
               ProtectiveMarking(marking).label, review_due, review.status.label if review else "",
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
    business group since closed, an edited URL) is left out, as its select then shows; not all of them dropped for
    one. The filterset only reads and checks the filters; the narrowing is applied to the permission-filtered
    register (an empty queryset here, so that ``filterset.qs`` can never list a policy unfiltered)."""
    if not query or not any(name in query for name in PolicyRegisterFilter.base_filters):
        return None, None
    filterset = PolicyRegisterFilter(query, queryset=Policy.objects.none(), request=request)
    filterset.is_valid()
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
    count = page.paginator.count
    register_url = cached_reverse("lifecycle:register")

    def page_url(number: int) -> str:
        return f"{register_url}?{querystring + '&' if querystring else ''}page={number}"

    context = {
        "page": page, "rows": list(page.object_list), "filtered": filtered,
        "register_url": register_url,
        # Worded once for the page and for the fragment htmx swaps in (title and count out of band).
        "register_title": "Policy register" + (" (filtered)" if filtered else "")
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


# What lifecycle.gates reads of the current version (``_eia``, ``_workbook``), by its one-to-one relations' names.
CHECKLIST_VERSION_RELATED = ("eia", "workbook")


@login_required
@require_safe
def policy_detail(request, reference: str):
    # The document-control block names the Lead and the developers (issue 16: at most 12 queries a page).
    policy = policy_for_page(request, reference, with_people=True, with_local_instructions=True)
    # The checklist is the gates of the next step, as declared (lifecycle.workflow), while the draft is worked on.
    next_step = (workflow.next_gated_step(policy.status, policy.kind) if policy.status in DRAFT_EDITABLE_STATUSES
                 else None)
    # Its gates read the draft's EIA and Workbook (lifecycle.gates): joined to the version, not a query each.
    context = policy_page_context(request, policy, "overview",
                                  version_related=CHECKLIST_VERSION_RELATED if next_step is not None else ())
    # Of the version shown: a working draft only to those who see drafts (a published version has no feedback).
    context["feedback"] = latest_feedback(policy=policy, version=context["version"])
    context["can_edit_details"] = rules.has_perm("lifecycle.edit_details", request.user, policy)
    # The document-control block names the approval of the version shown: the board, the meeting and its minute.
    # (A draft has no approval: nothing is asked for one.)
    version = context["version"]
    approval = approval_shown(version=version) if version is not None and version.is_frozen else None
    context["approval"] = approval
    # Issue 13: what an emergency approval skipped, each item signed off or outstanding.
    emergency = approval is not None and approval.decision == ApprovalDecision.Decision.EMERGENCY_APPROVED
    context["outstanding"] = emergency_outstanding(policy) if emergency else []
    context["may_sign_off_skipped"] = policy.not_impact_assessed and (is_pcu(request.user) or is_doi(request.user))
    context.update(_local_work_instruction_links(request.user, policy))
    asked = {}
    if next_step is not None:
        context["checklist_step"] = next_step
        context["checklist"] = next_steps.checklist(next_step, policy, asked=asked)
    # What to do next, and by when: each page offered with its readiness (a gate asked once), or who acts next.
    context["next"] = next_steps.next_steps(policy, context["actions"], asked=asked)
    return render(request, "lifecycle/policy_detail.html", context)


def _local_work_instruction_links(user, policy) -> dict:
    """Issue 13: a local work instruction names the corporate policy it supplements (with its Lead's agreement); a
    corporate policy in force lists the local work instructions that support it. Each as the user may see it."""
    if policy.supports_id is not None:
        return {"supports": policy_list(user=user).filter(pk=policy.supports_id).first(),
                "local_agreement": gates.current_local_agreement(policy)}
    # access_policy read whether any supplements it: the list (and its visibility filter) only when some do.
    if (policy.kind == PolicyKind.CORPORATE and policy.first_published_on is not None
            and getattr(policy, "has_local_instructions", True)):
        return {"local_instructions": list(policy_list(user=user).filter(supports=policy)
                                                .select_related("business_group").order_by("reference"))}
    return {}


@login_required
@require_safe
def policy_statement(request, reference: str):
    policy = policy_for_page(request, reference)
    context = policy_page_context(request, policy, "statement")
    context["sop_versions"] = sop_versions_for(user=request.user, version=context["version"])
    return render(request, "lifecycle/policy_statement.html", context)


@login_required
@require_safe
def policy_versions_page(request, reference: str):
    policy = policy_for_page(request, reference)
    context = policy_page_context(request, policy, "versions")
    # Each version's number, author, dates and hash, and (issue 12) the interim revisions inside it: values rows, read
    # with statements compiled once per process (lifecycle.selectors.version_history).
    context["versions"] = version_history(policy=policy, user=request.user)
    return render(request, "lifecycle/policy_versions.html", context)


@login_required
@require_safe
def policy_compare(request, reference: str):
    """Redline between any two versions: ?from=1.0&to=2.0 (defaults: the previous version to the newest)."""
    policy = policy_for_page(request, reference)
    versions = list(policy_versions(policy=policy, user=request.user))
    by_number = {version.number: version for version in versions}
    newest = versions[0] if versions else None
    target = by_number.get(request.GET.get("to", "")) or newest
    base = by_number.get(request.GET.get("from", ""))
    if base is None and target is not None:
        older = [version for version in versions if (version.major, version.minor) < (target.major, target.minor)]
        base = older[0] if older else None
    context = policy_page_context(request, policy, "versions")
    context.update({"versions": versions, "base": base, "target": target})
    if base is not None and target is not None:
        context["redline"] = redline_html(base.statement, target.statement)
        context["changed"] = has_changes(base.statement, target.statement)
    return render(request, "lifecycle/policy_compare.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def version_revisions_page(request, reference: str, version: str):
    """The interim revisions of one version (issue 12), to those who see the policy's drafts: the list, a redline
    between two revisions of one document (?from=N&to=M), and restoring one into the working draft (POST)."""
    policy = policy_for_page(request, reference)
    shown = version_for_revisions(user=request.user, policy=policy, number=version)
    revisions = version_revisions(user=request.user, policy=policy, version=shown)
    if request.method == "POST":
        may_restore = rules.has_perm("lifecycle.edit_draft", request.user, policy)
        chosen = next((item for item in revisions if str(item.sequence) == request.POST.get("revision")), None)
        if chosen is None:
            raise Http404("No such revision.")
        base_revision = request.POST.get("base_revision", "")
        latest_seen = request.POST.get("latest_seen", "")
        if not may_restore:
            messages.error(request, f"Nothing was restored: the draft of {policy.reference} cannot be changed by you "
                                    "now (it is edited by its developers and manager, in scoping or development, "
                                    "until it is submitted).")
            return redirect("lifecycle:revisions", reference=policy.reference, version=shown.number)
        try:
            restored = services.draft_revision_restore(
                policy=policy, actor=request.user, revision=chosen,
                base_revision=int(base_revision) if base_revision.isdigit() else None,
                latest_seen=int(latest_seen) if latest_seen.isdigit() and len(latest_seen) < 10 else None)
        except ApplicationError as error:
            messages.error(request, f"Nothing was restored. {error.message}")
            return redirect("lifecycle:revisions", reference=policy.reference, version=shown.number)
        current = policy.current_version
        if restored is None:
            messages.info(request, f"The draft already holds revision {chosen.sequence}'s content: nothing changed.")
        else:
            messages.success(request, f"Revision {chosen.sequence} restored as revision {restored.sequence} of "
                                      f"version {current.number}.")
        return redirect("lifecycle:revisions", reference=policy.reference, version=current.number)
    # The page's context reads the newest version and the version in force in one query: asked first, the edit
    # permission read the newest version alone, and the context read it again (one query more, issue 16).
    context = policy_page_context(request, policy, "versions")
    may_restore = context["can_edit_draft"]
    # The newest revision of the working draft this page knows of: a restore posted from it is refused if the same
    # document was saved since (no query when the page shows the working draft itself).
    current = policy.current_version
    if not may_restore:
        draft_latest = None
    elif current is not None and current.pk == shown.pk:
        draft_latest = max((item.sequence for item in revisions), default=0)
    else:
        draft_latest = current.revisions.aggregate(last=Max("sequence"))["last"] or 0
    context.update({
        "shown_version": shown, "revisions": revisions, "may_restore": may_restore, "draft_latest": draft_latest,
        "comparison": revision_comparison(revisions=revisions, base=request.GET.get("from"),
                                          target=request.GET.get("to")),
    })
    return render(request, "lifecycle/version_revisions.html", context)


@login_required
@require_safe
def policy_timeline_page(request, reference: str):
    policy = policy_for_page(request, reference)
    context = policy_page_context(request, policy, "timeline")
    # A page of the events as rows and their count, each a statement compiled once per process (lifecycle.timeline).
    events = timeline.PolicyEvents(policy=policy, user=request.user)
    page = CountedPaginator(events, 50, count=events.count).get_page(request.GET.get("page"))
    # The recorded event itself (its action code, sequence, hash and changes), for PCU's evidence.
    shows_evidence = permissions.is_pcu(request.user)
    context["timeline"] = page
    context["entries"] = timeline.entries(page.object_list,
                                          business_group_id=policy.business_group_id, recorded=shows_evidence)
    context["shows_evidence"] = shows_evidence
    return render(request, "lifecycle/policy_timeline.html", context)


def _redirect_after_action(request, policy):
    """Back to the overview, or to My work when the action took the policy out of the user's sight (DCFD
    and DOI see only the approval stage: returning a submission must not land them on "Page not found")."""
    try:
        policy_for_page(request, policy.reference)
    except Http404:
        return redirect("home")
    return redirect("lifecycle:detail", reference=policy.reference)


def _binding(post) -> dict:
    """What the page showed, as the service's keyword arguments: the status, and the version read (rule 17)."""
    return {"expected_status": post.get("expected_status") or None,
            "version": post.get("version") or "", "version_hash": post.get("version_hash") or ""}


def _take_step(request, policy, slug: str, form):
    """Run the step the valid form asks for; a redirect when done or refused outright, None to show the form
    again with the service's reason on it."""
    step = workflow.step_for_choice(slug, form.cleaned_data)
    try:
        step.service(policy=policy, actor=request.user, **step.service_arguments(form.cleaned_data),
                     **_binding(request.POST))
    except ApplicationError as error:
        if error.code in {"stale", "forbidden"}:
            messages.error(request, error.message)
            return _redirect_after_action(request, policy)
        form.add_application_error(error)
        return None
    # What happens next and who is told, from the declarations (issue 17).
    policy.refresh_from_db(fields=["status"])
    messages.success(request, f"{step.page.success} {next_steps.after_step(step, policy)}")
    return _redirect_after_action(request, policy)


def _why_not_offered(user, policy, slug: str) -> str:
    """Why a page is not offered: the part the person already took in this version (separation of duties) when
    that is the reason, else that it is not theirs to take now."""
    page, steps = workflow.PAGES[slug]
    version = policy.current_version
    for step in steps:
        how = duties.conflicting_duty(user, version, step.duty) if step.duty and version else None
        if how:
            return (f"You cannot {step.label} {policy.reference}: you {how}, and one person may not hold two parts in "
                    "the same version (separation of duties).")
    return f"“{page.title}” is not available to you for {policy.reference} now."


@login_required
@require_http_methods(["GET", "POST"])
def policy_action(request, reference: str, slug: str):
    """The page of one or more declared steps (lifecycle.workflow.PAGES): its form, and the service it runs."""
    policy = policy_for_page(request, reference)
    if slug not in workflow.PAGES:
        raise Http404("No such action.")
    page, _ = workflow.PAGES[slug]
    form = page.form(request.POST if request.method == "POST" else None, user=request.user, policy=policy)
    if request.method == "POST" and form.is_valid():
        done = _take_step(request, policy, slug, form)
        if done is not None:
            return done
    # The form page shows the version under decision (its redlines, the QA sign-offs): only to those who may take
    # the step now, however they came (an invalid POST as much as a GET). A valid POST that is refused got the
    # service's own reason above.
    if not workflow.steps_offered(request.user, policy, slug):
        messages.error(request, _why_not_offered(request.user, policy, slug))
        return redirect("lifecycle:detail", reference=policy.reference)
    # An action page is not the overview: no sub-navigation tab is current on it.
    context = policy_page_context(request, policy, "action")
    version = policy.current_version
    # Readiness before action: the way-on step's unmet gates, each linked to where it is put right. A page that
    # offers one step has no form while it cannot succeed; one that offers a choice (approve or reject) keeps it.
    context["readiness"] = next_steps.readiness(page, policy)
    context.update({"action": page, "form": form, "decided_version": version,
                    "binding": _binding(request.POST) if request.method == "POST" else {
                        "expected_status": policy.status, "version": version.pk if version else "",
                        "version_hash": version.binding_hash if version else ""}})
    if page.shows_version and version is not None:
        context["comparisons"] = version_comparisons(policy=policy, version=version)
        context["signoffs"] = version.qa_signoffs.select_related("signed_by")
        context["approval_board"] = services.approval_board(policy, risk_tier=version.details_read["risk_tier"])
    return render(request, "lifecycle/policy_action.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request):
    if not rules.has_perm("lifecycle.start_policy", request.user):
        messages.error(request, "Only policy developers and managers can start a new policy.")
        return redirect("lifecycle:register")
    form = forms.PolicyCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"{policy.reference} created in scoping with draft version 1.0.")
            return redirect("lifecycle:detail", reference=policy.reference)
    return render(request, "lifecycle/policy_create.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


def _drafting_refused(request, policy, what: str):
    """A redirect with the reason when the draft is not this user's to change now (the same predicates the
    services enforce); None when it is."""
    if rules.has_perm("lifecycle.edit_draft", request.user, policy):
        return None
    messages.error(request, f"{what} of {policy.reference} cannot be changed by you at this stage: drafts are "
                            "edited by the policy's developers and manager, in scoping or development.")
    return redirect("lifecycle:statement", reference=policy.reference)


@login_required
@require_http_methods(["GET", "POST"])
def statement_edit(request, reference: str):
    policy = policy_for_page(request, reference)
    version = policy.current_version
    if refusal := _drafting_refused(request, policy, "The draft"):
        return refusal
    initial = {"statement": version.statement, "summary_of_changes": version.summary_of_changes,
               "health_and_safety": version.health_and_safety,
               "health_and_safety_statement": version.health_and_safety_statement,
               "base_revision": version.draft_revision}
    form = forms.StatementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_update(policy=policy, actor=request.user, statement=form.cleaned_data["statement"],
                                  summary_of_changes=form.cleaned_data["summary_of_changes"],
                                  health_and_safety=form.cleaned_data["health_and_safety"],
                                  health_and_safety_statement=form.cleaned_data["health_and_safety_statement"],
                                  base_revision=form.cleaned_data["base_revision"])
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"Draft version {version.number} saved.")
            return redirect("lifecycle:statement", reference=policy.reference)
    context = policy_page_context(request, policy, "statement")
    context["form"] = form
    return render(request, "lifecycle/statement_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def sop_create(request, reference: str):
    policy = policy_for_page(request, reference)
    if refusal := _drafting_refused(request, policy, "SOPs"):
        return refusal
    form = forms.SOPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sop_create(policy=policy, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "SOP added to the draft.")
            return redirect("lifecycle:statement", reference=policy.reference)
    context = policy_page_context(request, policy, "statement")
    context["form"] = form
    return render(request, "lifecycle/sop_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def sop_edit(request, reference: str, sop_id: int):
    policy = policy_for_page(request, reference)
    sop = get_object_or_404(policy.sops, pk=sop_id)
    if refusal := _drafting_refused(request, policy, "SOPs"):
        return refusal
    version = policy.current_version
    sop_version = sop.versions.filter(policy_version=version).first()
    initial = {"title": sop.title, "text": sop_version.text if sop_version else "",
               "base_revision": version.draft_revision}
    form = forms.SOPEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.sop_update_draft(sop=sop, actor=request.user, text=form.cleaned_data["text"],
                                      title=form.cleaned_data["title"],
                                      base_revision=form.cleaned_data["base_revision"])
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"SOP “{form.cleaned_data['title']}” saved.")
            return redirect("lifecycle:statement", reference=policy.reference)
    context = policy_page_context(request, policy, "statement")
    context.update({"form": form, "sop": sop})
    return render(request, "lifecycle/sop_form.html", context, status=400 if form.errors else 200)


def _with_policy(records, policy) -> list:
    """The records with their policy set to the page's (the respond permission asks the record's policy; one
    policy object for all, not a query per row)."""
    records = list(records)
    for record in records:
        record.policy = policy
    return records


@login_required
@require_http_methods(["GET", "POST"])
def consultation_log(request, reference: str):
    policy = policy_for_page(request, reference)
    may_record = rules.has_perm("lifecycle.record_consultation", request.user, policy)
    form = forms.ConsultationForm(request.POST or None) if may_record else None
    if request.method == "POST":
        if form is None:
            messages.error(request, "You cannot record consultation on this policy at this stage.")
            return redirect("lifecycle:consultation", reference=policy.reference)
        if form.is_valid():
            try:
                services.consultation_record(policy=policy, actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                messages.success(request, f"Consultation with {form.cleaned_data['consultee']} recorded.")
                return redirect("lifecycle:consultation", reference=policy.reference)
    context = policy_page_context(request, policy, "consultation")
    records = _with_policy(consultations_shown(policy=policy, version=context["version"])
                           .select_related("recorded_by").order_by("-cycle", "date_sent", "pk"), policy)
    context.update({
        "form": form,
        "records": records,
        # Asked of the rules permission itself (not user.has_perm, whose model backend lets a superuser through).
        "may_respond": {record.pk for record in records
                        if rules.has_perm("lifecycle.respond_to_consultation", request.user, record)},
        "may_record": may_record,
    })
    return render(request, "lifecycle/consultation.html", context, status=400 if form and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def consultation_response(request, reference: str, record_id: int):
    policy = policy_for_page(request, reference)
    context = policy_page_context(request, policy, "consultation")
    record = get_object_or_404(consultations_shown(policy=policy, version=context["version"]), pk=record_id)
    initial = {"response": record.response, "response_received_on": record.response_received_on,
               "decision_taken": record.decision_taken, "feedback_given": record.feedback_given}
    form = forms.ConsultationResponseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_record_response(record=record, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            if error.code in {"forbidden", "frozen"}:
                messages.error(request, error.message)
                return redirect("lifecycle:consultation", reference=policy.reference)
            form.add_application_error(error)
        else:
            messages.success(request, f"Response from {record.consultee} recorded.")
            return redirect("lifecycle:consultation", reference=policy.reference)
    context.update({"form": form, "record": record})
    return render(request, "lifecycle/consultation_response.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def policy_details_edit(request, reference: str):
    """The document details of a policy being drafted (issue 12): title, purpose, relevant to, marking, scheme
    suitability, risk tier, registered file and links to legislation. A save based on details changed since the
    page was drawn is refused and keeps what was typed, as the statement editor does."""
    policy = policy_for_page(request, reference)
    if not rules.has_perm("lifecycle.edit_details", request.user, policy):
        messages.error(request, f"The details of {policy.reference} cannot be changed by you now: they are changed "
                                "by its developers, manager and co-ordinator while it is drafted (scoping or "
                                "development), and frozen with the version when it is submitted.")
        return redirect("lifecycle:detail", reference=policy.reference)
    current = policy.details_snapshot()
    initial = {**current, "legislation_links": legislation_links_text(current["legislation_links"]),
               "expected_details": details_hash(current)}
    form = forms.PolicyDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.policy_update_details(policy=policy, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            if error.code in {"forbidden", "frozen", "not_found"}:
                messages.error(request, error.message)
                return redirect("lifecycle:detail", reference=policy.reference)
            form.add_application_error(error)
        else:
            if not changes:
                messages.info(request, "Nothing was changed: the details are as they were.")
            else:
                changed = ", ".join(LABELS[name].lower() for name in changes)
                route = ""
                if "risk_tier" in changes:
                    board = services.approval_board(policy, risk_tier=changes["risk_tier"][1])
                    route = f" The approval route is now {board}." if board else ""
                messages.success(request, f"Details of {policy.reference} saved ({changed}).{route}")
            return redirect("lifecycle:detail", reference=policy.reference)
    context = policy_page_context(request, policy, "overview")
    context.update({"form": form, "approval_board": services.approval_board(policy)})
    return render(request, "lifecycle/policy_details_edit.html", context, status=400 if form.errors else 200)
