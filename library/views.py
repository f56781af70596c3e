from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from acknowledgements.selectors import acknowledgement_request
from assessments.impacts import impact_rows
from library.forms import LibrarySearchForm
from library.selectors import Scope, has_search_words, library_browse, library_entry, library_search, page_number_of


def _library_page(request, *, scope: str | None = None):
    data = request.GET.copy()
    if scope is not None and not data.get("scope"):
        data["scope"] = scope
    form = LibrarySearchForm(data)
    context = {"form": form, "results": None, "query": ""}
    # Bad input gets a clear message (the error summary linking to the field, what was typed kept), never a search
    # of it: what is in error is left out and the rest still searches or narrows the list, which says so, as on
    # the register and the Publication Scheme (a 200: the page answered, with what it could).
    form.is_valid()
    query = (form.cleaned_data.get("q") or "").strip()
    scope = form.cleaned_data.get("scope") or scope or Scope.CURRENT
    page = page_number_of(request.GET.get("page"))
    # A search of operators alone ("-", '""') has nothing to search for: it is no search, and the page says so once
    # (it said "No documents match '-'" above "Enter the words to search for.").
    no_words = query if query and not has_search_words(query) else ""
    if no_words:
        query = ""
    read = library_search if query else library_browse
    words = {"text": query} if query else {}
    results = read(user=request.user, scope=scope, page=page, **words, **form.filters())
    if not results.documents and results.page_number > results.page_count and results.total:
        # A page past the last (an old link, the address edited): the last page, as the register and the Publication
        # Scheme settle on it (QA walk of 2026-12-06: "2 policies" over "No policies to show", no way back).
        results = read(user=request.user, scope=scope, page=results.page_count, **words, **form.filters())
    params = request.GET.copy()
    params.pop("page", None)
    context.update(results=results, query=query, no_words=no_words, scope=scope, is_archive=scope == Scope.ARCHIVE,
                   page_query=params.urlencode())
    return render(request, "library/index.html", context)


@login_required
@require_safe
def library_index(request):
    """/library/?q=<words>: the Corporate Policy Intranet, for staff."""
    return _library_page(request)


@login_required
@require_safe
def library_archive(request):
    """Withdrawn policies, still readable, marked as withdrawn."""
    return _library_page(request, scope=Scope.ARCHIVE)


def _entry_page(request, entry):
    eia = entry.eia
    return render(request, "library/policy.html", {
        "entry": entry, "policy": entry.policy, "version": entry.version,
        # What the version was published with (issue 12): a draft under review may have changed the policy's.
        "details": entry.details,
        "impact_rows": impact_rows(eia),
        "acknowledgement": acknowledgement_request(user=request.user, policy=entry.policy, version=entry.version),
    })


@login_required
@require_safe
def library_policy(request, reference: str):
    return _entry_page(request, library_entry(user=request.user, reference=reference))


@login_required
@require_safe
def library_version(request, reference: str, number: str):
    return _entry_page(request, library_entry(user=request.user, reference=reference, number=number[:12]))
