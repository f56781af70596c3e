"""PCU's pages on what is to be published: a scheduled publication cancelled or published now, and the parts of the
externally published SOPs the public copy withholds (``/policies/<ref>/publication/...``). The Publication page itself,
the stored files and the Scheme are publication.views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.dates import date_shown
from core.exceptions import ApplicationError
from core.submissions import AlreadySubmitted, already_submitted
from core.typed_back import shows_typed_back
from lifecycle import permissions
from lifecycle.selectors import access_policy
from publication.forms import PublicationBringForwardForm, PublicationCancelForm, WithholdPartForm
from publication.models import Publication
from publication.selectors import scheduled_publication, withholdable_sops
from publication.services import (
    publication_bring_forward,
    publication_cancel,
    sop_redaction_record,
    sop_redaction_remove,
)
from publication.views import WITHHOLDING_STATUSES, _policy_context, _publish_barred


def _scheduled_for_pcu(request, reference: str, publication_id: int):
    """The policy and its scheduled publication, for PCU; or, for a publication done with already (the page opened
    again, or posted again after going back), the answer that says so on the Publication page rather than a 404.
    Anyone else is "not found" for every id, theirs to see or not, existing or not (STYLE.md: out-of-scope objects
    404), so the answer does not tell them which publications exist."""
    policy = access_policy(user=request.user, reference=reference)
    if not permissions.is_pcu(request.user):
        raise Http404("No such scheduled publication.")
    try:
        return policy, scheduled_publication(policy=policy, publication_id=publication_id), None
    except Http404:
        done = policy.publications.filter(pk=publication_id).select_related("policy_version").first()
        if done is None:
            raise
    if done.status == Publication.Status.PUBLISHED:
        messages.info(request, f"Version {done.policy_version.number} was already published on "
                               f"{date_shown(timezone.localdate(done.published_at))}. Nothing more was done.")
    else:
        messages.info(request, f"The publication of version {done.policy_version.number} was already cancelled. "
                               "Nothing more was done.")
    return policy, None, redirect("publication_staff:list", reference=policy.reference)


def _publication_form_page(request, policy, publication, *, form, template_context: dict, perform):
    """The shared shape of the cancel and publish-now pages: show, or post and call the service."""
    if request.method == "POST" and form.is_valid():
        try:
            message = perform(form.cleaned_data)
        except ApplicationError as error:
            if error.code in {"stale", "forbidden", "not_found"}:
                messages.error(request, error.message)
                return redirect("publication_staff:list", reference=policy.reference)
            form.add_application_error(error)
        else:
            messages.success(request, message)
            return redirect("publication_staff:list", reference=policy.reference)
    context = {**_policy_context(request, policy), **template_context, "form": form, "publication": publication}
    return render(request, "publication/publication_action.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@shows_typed_back(PublicationCancelForm)
def publication_cancel_page(request, reference: str, publication_id: int):
    policy, publication, done = _scheduled_for_pcu(request, reference, publication_id)
    if done:
        return done
    form = PublicationCancelForm(request.POST if request.method == "POST" else None)

    def perform(data):
        publication_cancel(publication=publication, actor=request.user, reason=data["reason"])
        return (f"The publication of version {publication.policy_version.number} on "
                f"{publication.scheduled_for:%-d %B %Y} is cancelled. PCU and the Designated Lead have been told.")

    return _publication_form_page(request, policy, publication, form=form, perform=perform, template_context={
        "heading": "Cancel the scheduled publication", "button": "Cancel the publication", "warning": True})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@shows_typed_back(PublicationBringForwardForm)
def publication_bring_forward_page(request, reference: str, publication_id: int):
    policy, publication, done = _scheduled_for_pcu(request, reference, publication_id)
    if done:
        return done
    barred = _publish_barred(request.user, policy)
    if barred:
        messages.error(request, barred)
        return redirect("publication_staff:list", reference=policy.reference)
    form = PublicationBringForwardForm(request.POST if request.method == "POST" else None)

    def perform(data):
        # Rule 17: the version read and its hash, "" when the form left them out, as lifecycle.views._binding posts
        # them: refused as a page that does not say what was read. None is for callers that showed no page (a
        # scheduled job, a command); a post missing them was published unbound (integrity review of 2026-12-06).
        publication_bring_forward(publication=publication, actor=request.user,
                                  version=request.POST.get("version") or "",
                                  version_hash=request.POST.get("version_hash") or "")
        return f"Version {publication.policy_version.number} is published now."

    return _publication_form_page(request, policy, publication, form=form, perform=perform, template_context={
        "heading": "Publish now instead of on the scheduled date", "button": "Publish now", "warning": False})


def plausible_id(posted: str) -> bool:
    """Whether a posted id can be a primary key at all (ASCII digits, within a bigint): anything else is no row, and
    never reaches the database (an edited form must not make a 500)."""
    return posted.isascii() and posted.isdigit() and len(posted) <= 18


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@shows_typed_back(WithholdPartForm)
def withheld_parts_page(request, reference: str):
    """/policies/<ref>/publication/withheld/: PCU decides which parts of the externally published SOPs the public
    copy withholds, citing the FOI exemption, between approval and publication (then the public file is fixed)."""
    policy = access_policy(user=request.user, reference=reference)
    if not permissions.is_pcu(request.user):
        raise PermissionDenied("Only the Policy Co-ordination Unit decides what is withheld from publication.")
    sops = withholdable_sops(policy=policy)
    # Scheduled, the publication was decided with the parts withheld as they are: they change only once it is
    # cancelled (publication.services.redactions), which the page links to rather than offering what is refused.
    scheduled = (Publication.objects.filter(policy_version=policy.current_version, status=Publication.Status.SCHEDULED)
                 .select_related("policy_version").first() if policy.current_version is not None else None)
    editable = policy.status in WITHHOLDING_STATUSES and scheduled is None
    form = WithholdPartForm(request.POST if request.method == "POST" and "remove" not in request.POST else None,
                            sop_versions=[entry["sop_version"] for entry in sops], submitter=request.user)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                redaction_id = request.POST["remove"]
                # Looked up within this page's own policy: another policy's part is not found here (integrity review
                # of 2026-12-06: policy A's page released policy B's part).
                sop_redaction_remove(redaction=int(redaction_id) if plausible_id(redaction_id)
                                     else 0, actor=request.user, policy=policy)
                messages.success(request, "The part will be published.")
                return redirect("publication_staff:withheld", reference=policy.reference)
            if form.is_valid():
                redaction = sop_redaction_record(sop_version=form.cleaned_data["sop_version"], actor=request.user,
                                                 block=form.cleaned_data["block"],
                                                 exemption=form.cleaned_data["exemption"],
                                                 submission=form.cleaned_data["submission"])
                messages.success(request, f"Part {redaction.block} of “{redaction.sop_version.sop.title}” will be "
                                          "withheld from the public copy.")
                return redirect("publication_staff:withheld", reference=policy.reference)
        except AlreadySubmitted as error:  # the same form sent again (Back, a second click)
            return already_submitted(request, error, "publication_staff:withheld", policy.reference)
        except ApplicationError as error:
            if error.code in {"stale", "forbidden", "not_found"}:
                messages.error(request, error.message)
                return redirect("publication_staff:withheld", reference=policy.reference)
            form.add_application_error(error)
    context = {**_policy_context(request, policy), "sops": sops, "form": form, "editable": editable,
               "scheduled": scheduled}
    return render(request, "publication/withheld_parts.html", context, status=400 if form.errors else 200)
