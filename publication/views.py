from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from assessments.models import ProtectedCharacteristic
from publication.selectors import scheme_entry, scheme_policies


@require_safe
def scheme_index(request):
    """Public: no sign-in. The force's corporate policies published on the Publication Scheme."""
    page = Paginator(scheme_policies(), 50).get_page(request.GET.get("page"))
    return render(request, "publication/scheme_index.html", {"page": page})


@require_safe
def scheme_detail(request, reference: str):
    entry = scheme_entry(reference=reference)
    eia = entry["eia"]
    entry["impact_rows"] = [
        (characteristic.label, (eia.impacts or {}).get(characteristic.value, {}))
        for characteristic in ProtectedCharacteristic
    ] if eia else []
    return render(request, "publication/scheme_detail.html", entry)


@require_safe
def scheme_pdf(request, reference: str):
    from publication.pdf import render_policy_pdf  # WeasyPrint is heavy to load: only when a PDF is asked for

    entry = scheme_entry(reference=reference)
    pdf = render_policy_pdf(policy=entry["policy"], version=entry["version"], sop_versions=entry["sops"],
                            published_on=entry["publication"].published_at, audience="public")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{entry["policy"].reference}.pdf"'
    return response
