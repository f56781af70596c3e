import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from acknowledgements.confirmed import completed_for, titles_shown
from acknowledgements.export import export_rows, exports_force
from acknowledgements.selectors import managed_units, outstanding_rows, unit_rates
from acknowledgements.services import acknowledgement_confirm
from core.exceptions import ApplicationError


@login_required
@require_safe
def acknowledgements_page(request):
    """/acknowledgements/: the policies a person is asked to confirm they have read, and those they have."""
    completed = Paginator(completed_for(user=request.user), 50).get_page(request.GET.get("page"))
    # Each titled as the version confirmed, where the person may read it now (acknowledgements.confirmed).
    completed.object_list = titles_shown(completed.object_list, user=request.user)
    return render(request, "acknowledgements/list.html", {
        "outstanding": outstanding_rows(user=request.user, limit=None), "completed": completed,
        "is_manager": bool(managed_units(user=request.user)), "exports_force": exports_force(request.user),
    })


@login_required
@require_POST
def acknowledgement_confirm_page(request):
    """The confirmation posted from a policy's library page: the version read and its content hash (rule 17)."""
    reference = (request.POST.get("reference") or "")[:20]
    if not (reference and reference.replace("-", "").isalnum()):
        reference = ""
    try:
        acknowledgement = acknowledgement_confirm(user=request.user, version=request.POST.get("version"),
                                                  version_hash=request.POST.get("version_hash"),
                                                  reference=reference or None)
    except ApplicationError as error:
        # Already confirmed (a double submit, a second tab) is said politely, not as a problem (STANDARDS).
        (messages.info if error.code == "already_done" else messages.error)(request, error.message)
    else:
        messages.success(request, f"You have confirmed you read {acknowledgement.policy.reference} "
                                  f"{acknowledgement.policy.title}, version {acknowledgement.policy_version.number}.")
        reference = acknowledgement.policy.reference
    if reference:
        return redirect(reverse("library:policy", args=[reference]))
    return redirect("acknowledgements:list")


@login_required
@require_safe
def unit_rates_page(request):
    """For policy managers: their unit's acknowledgement rate per policy, and who has not confirmed yet."""
    if not managed_units(user=request.user):
        raise Http404("Only policy managers see their unit's acknowledgements.")
    return render(request, "acknowledgements/units.html", {"rates": unit_rates(user=request.user)})


class _Echo:
    def write(self, value):
        return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (a title typed as '=HYPERLINK(...)')."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@login_required
@require_safe
def acknowledgements_export(request):
    """CSV: PCU everyone asked in the force, a manager their units' staff, each confirmed or outstanding; anyone
    else their own confirmations. Streamed (acknowledgements.export)."""
    writer = csv.writer(_Echo())
    rows = (writer.writerow([_cell(value) for value in row]) for row in export_rows(user=request.user))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="acknowledgements.csv"'
    return response
