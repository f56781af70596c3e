import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from assessments.impacts import impact_rows
from core.exceptions import ApplicationError
from lifecycle import permissions
from lifecycle.selectors import access_policy, user_may_see_sensitive, version_in_force, version_shown
from lifecycle.states import Status
from lifecycle.workflow import PUBLISH
from publication import scheme_files
from publication.forms import (
    SchemeSearchForm,
)
from publication.models import DraftPdf, Publication, PublishedFile
from publication.ratelimit import public_rate_limit, rate_limit_count_start, rate_limited_response
from publication.scheme_index import SCHEME_MAX_MATCHES, scheme_filter_choices, scheme_index_page
from publication.selectors import (
    access_published_file,
    files_not_stored,
    policy_publications,
    published_publication_of,
    scheme_entry,
    scheme_gone,
    scheme_publication,
    scheme_stored_pdf,
    staff_audience,
    stored_copy_readable_or_404,
    stored_file,
)
from publication.services import (
    DRAFT_PDF_RETRY_SECONDS,
    StoredFileRefused,
    draft_pdf_read,
    draft_pdf_request,
    publication_files_request,
    publication_store_files_again,
    published_file_read,
)

logger = logging.getLogger(__name__)
# The page of a draft's PDF being prepared asks again this often (htmx; without script, its "Check again" link).
DRAFT_PDF_REFRESH_SECONDS = 3
# The page of a published version's PDF being stored asks again this often: the Scheme's polls count against its
# file rate limit (POLICYHUB_PUBLIC_FILE_RATE, 30 a minute), 12 a minute.
FILES_REFRESH_SECONDS = 5
# A stored file that cannot be served now is a 503 with Retry-After (RFC 9110, 15.6.4): the failure is PCU's to put
# right (they are told), and a client may ask again later.
RETRY_AFTER_SECONDS = 600


@require_safe
@public_rate_limit(group="scheme_page", rate_setting="POLICYHUB_PUBLIC_PAGE_RATE")
def scheme_index(request):
    """Public: no sign-in. The force's corporate policies published on the Publication Scheme, searchable and
    filtered by business group and subject."""
    choices = scheme_filter_choices()
    searched = any(request.GET.get(name) for name in ("q", "group", "subject"))
    form = SchemeSearchForm(request.GET if searched else None, **choices)
    # A part in error (an edited URL, a search too long) is said in the error summary and left out; the rest
    # narrows the list, which says so: 200, as the register and the library answer (the page answered, with what it
    # could).
    page = scheme_index_page(number=request.GET.get("page"), **form.criteria())
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "publication/scheme_index.html", {
        "page": page, "form": form, "searched": searched, "query": query.urlencode(), **choices,
        "max_matches": SCHEME_MAX_MATCHES,
    })


@require_safe
@public_rate_limit(group="scheme_page", rate_setting="POLICYHUB_PUBLIC_PAGE_RATE")
def scheme_detail(request, reference: str):
    try:
        entry = scheme_entry(reference=reference)
    except Http404:
        # Withdrawn, or its version in force not put on the Scheme, after it was there: its page says so (410),
        # rather than "not found".
        gone = scheme_gone(reference=scheme_reference(reference))
        if gone is None:
            raise
        return render(request, "publication/scheme_gone.html", gone, status=410)
    entry["impact_rows"] = impact_rows(entry["eia"])
    entry["any_withheld"] = any(sop.withheld for sop in entry["sops"])
    return render(request, "publication/scheme_detail.html", entry)


# The Scheme's files are counted apart from its pages: a page may ask for one file or many.
SCHEME_FILE_LIMIT = {"group": "scheme_file", "rate_setting": "POLICYHUB_PUBLIC_FILE_RATE"}
# Where publication.middleware.scheme_file_download leaves what it counted, when it hands a download to the view
# (past the limit, not remembered, or failing its check): counted once, whichever answers.
COUNTED_ON_REQUEST = "policyhub_scheme_file_counted"


def scheme_reference(reference: str) -> str:
    """References are MAX_REFERENCE characters at most: anything longer is not one, and is never a key."""
    return reference[:scheme_files.MAX_REFERENCE + 1]


def scheme_file_count_start(request, reference: str):
    """Count the download against the limit; the file's record remembered in Redis comes back in the same round
    trip (publication.scheme_files.keys_of), read by the result() of what this returns."""
    return rate_limit_count_start(request, **SCHEME_FILE_LIMIT, also_get=scheme_files.keys_of(reference))


@require_safe
def scheme_pdf(request, reference: str):
    """The public PDF pack, served from the file stored at publication (never rendered in a request: until its task
    has stored it, a page says it is being prepared, ``_stored_or_queued``). The rate limit's
    round trip to Redis also reads which file that is (publication.scheme_files); otherwise one query finds it. An
    anonymous download of a remembered, intact file is answered before this view, by
    publication.middleware.scheme_file_download, the same way; it hands everything else here."""
    reference = scheme_reference(reference)
    counted_reference, counted = getattr(request, COUNTED_ON_REQUEST, (None, None))
    if counted is None or counted_reference != reference:
        with scheme_file_count_start(request, reference) as started:
            counted = started.result()
    if counted.retry_after is not None:
        return rate_limited_response(request, counted.retry_after)
    generation, entry = counted.values
    published_file = scheme_files.remembered(reference, generation, entry)
    if published_file is None:
        published_file = scheme_stored_pdf(reference=reference)
        if published_file is None:
            publication = scheme_publication(reference=reference)
            stored_copy_readable_or_404(publication=publication, cleared=False)
            published_file = _stored_or_queued(publication, [PublishedFile.Audience.PUBLIC])
            if not isinstance(published_file, PublishedFile):
                return _files_pending(request, publication, published_file,
                                      page_url=reverse("publication:scheme_detail", args=[reference]))
            stored_copy_readable_or_404(publication=publication, cleared=False, published_file=published_file)
        scheme_files.remember(reference, generation, published_file)
    if _polled(request):
        return _files_status(request, FILES_READY)
    return _serve_stored(request, published_file, filename=f"{reference}.pdf")


def _unavailable(request, template: str, context: dict | None = None):
    response = render(request, template, context or {}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# What a download of a published version's PDF finds when it is not served at once.
FILES_READY, FILES_PENDING, FILES_FAILED = "ready", "pending", "failed"


def _stored_or_queued(publication, audiences: list[str]):
    """The first of ``audiences``' stored files of ``publication``; else FILES_FAILED if its files could not be
    stored, as recorded after the task's last attempt (PCU stores them again from the Publication page), or
    FILES_PENDING while the task stores them: queued at publication, and queued again once for many downloads
    (``publication_files_request``). Never rendered here (integrity review, STYLE rule 19: a render of the statement
    and up to 30 SOPs is seconds of CPU, and every download before the task ran rendered again). Not found if files
    are stored and none is for these readers."""
    published_file = _first_stored(publication, audiences)
    if published_file is not None:
        return published_file
    if publication.pk in files_not_stored(policy_ids=[publication.policy_id]):
        return FILES_FAILED
    if publication.files.exists():
        raise Http404("No stored file.")
    if publication_files_request(publication=publication):
        # Queued now: under eager Celery (`make run`) its task has stored them already.
        published_file = _first_stored(publication, audiences)
    return published_file if published_file is not None else FILES_PENDING


def _polled(request) -> bool:
    """The page saying a PDF is being prepared asks again by itself (htmx): it gets the status, never the file."""
    return request.headers.get("HX-Request") == "true"


def _files_status(request, status: str):
    """The status alone, for the page's own question (200: htmx swaps in no other answer); kept by no cache."""
    return _not_kept(render(request, "publication/includes/files_status.html",
                            {"status": status, "pdf_url": request.path, "refresh_seconds": FILES_REFRESH_SECONDS}))


def _not_kept(response):
    """Neither the page saying the PDF is being prepared nor its status is kept by a cache: the next question may
    find the file."""
    patch_cache_control(response, no_store=True)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _files_pending(request, publication, status: str, *, page_url: str):
    """A published version's PDF not stored yet: 202 Accepted (RFC 9110, 15.3.3) with a page saying it is being
    prepared, which asks again by itself (htmx; without script, its "Check again" link); 503 with Retry-After once its
    storing failed after the task's last attempt."""
    if _polled(request):
        return _files_status(request, status)
    if status == FILES_FAILED:
        return _not_kept(_unavailable(request, "publication/file_not_stored.html"))
    response = render(request, "publication/files_preparing.html", {
        "policy": publication.policy, "version": publication.policy_version, "status": status,
        "pdf_url": request.path, "page_url": page_url, "refresh_seconds": FILES_REFRESH_SECONDS}, status=202)
    response["Retry-After"] = str(FILES_REFRESH_SECONDS)
    return _not_kept(response)


def not_modified(request, published_file):
    """304 if the client already holds this file (If-None-Match names its ETag), else None."""
    if published_file.etag in {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}:
        response = HttpResponseNotModified()
        response["ETag"] = published_file.etag
        return response
    return None


def stored_file_response(published_file, data: bytes, *, filename: str, as_attachment: bool = False) -> HttpResponse:
    """The checked bytes of a stored file, with the ETag derived from its SHA-256: shown in the browser, or saved
    (``as_attachment``) as ``filename``."""
    response = HttpResponse(data, content_type=published_file.content_type)
    response["ETag"] = published_file.etag
    response["Content-Length"] = str(len(data))
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response


def _serve_stored(request, published_file, *, filename: str, as_attachment: bool = False):
    """A stored file, checked against its SHA-256 and sent with an ETag derived from it. A file that fails the check
    is refused (503) and reported, never served."""
    unchanged = not_modified(request, published_file)
    if unchanged is not None:
        return unchanged
    try:
        data = published_file_read(published_file=published_file)
    except StoredFileRefused as refused:
        return _unavailable(request, "publication/file_refused.html", {"missing": refused.reason == "missing"})
    return stored_file_response(published_file, data, filename=filename, as_attachment=as_attachment)


def _first_stored(publication, audiences: list[str]):
    for audience in audiences:
        published_file = stored_file(publication=publication, audience=audience)
        if published_file is not None:
            return published_file
    return None


# Between the Lead's approval and publication, PCU decides what the public copy withholds.
WITHHOLDING_STATUSES = frozenset({Status.APPROVED, Status.AWAITING_PUBLICATION})


# --- staff pages: /policies/<reference>/publication/ ---------------------------------------------


def _policy_context(request, policy) -> dict:
    version, in_force = version_shown(user=request.user, policy=policy)
    return {"policy": policy, "version": version, "version_in_force": in_force, "section": "publication",
            "may_manage": permissions.is_pcu(request.user), "withholding_statuses": WITHHOLDING_STATUSES}


@login_required
@require_safe
def policy_publications_page(request, reference: str):
    """Where and when the policy was published, what superseded each publication, and the scheduled one (which
    PCU can cancel or publish now); each stored file the user may download, with its SHA-256 and a link to it as
    stored (published_file_download). Files they may not open are not listed (publication.selectors)."""
    policy = access_policy(user=request.user, reference=reference)
    context = _policy_context(request, policy)
    context["publications"] = publications = policy_publications(policy=policy, user=request.user)
    if context["may_manage"] and any(item.status == Publication.Status.SCHEDULED for item in publications):
        context["publish_barred"] = _publish_barred(request.user, policy)
    return render(request, "publication/policy_publications.html", context)


def _publish_barred(user, policy) -> str | None:
    """Why ``user`` may not publish the policy's current version now (separation of duties: they signed its QA), as
    the sentence the page shows instead of "Publish now"; None when they may. The service asks again under lock."""
    how = permissions.conflict_with(user, policy, PUBLISH.duty)
    if how is None:
        return None
    return (f"Someone else in the Policy Co-ordination Unit must publish it now: you {how}, and one person may not "
            "hold two parts in the same version (separation of duties).")


@login_required
@require_safe
def published_file_download(request, reference: str, publication_id: int, file_id: int):
    """/policies/<ref>/publication/<id>/files/<id>/: one stored file, any rendition, exactly as stored (never
    rendered again), for PCU and anyone else on the Publication page checking what was published (SOP: "Retain an
    audit trail of all versions of policy statements and SOPs for continuity purposes and to assist in court cases
    and disciplinary and misconduct investigations"). Checked against its SHA-256 as every stored file is; a file
    the user may not read is "not found" (publication.selectors.access_published_file). Saved rather than shown:
    the link offers the file itself, named by its policy, version, audience and rendition."""
    policy = access_policy(user=request.user, reference=reference)
    published_file = access_published_file(user=request.user, policy=policy, publication_id=publication_id,
                                           file_id=file_id)
    rendition = f"-r{published_file.rendition}" if published_file.rendition > 1 else ""
    filename = (f"{policy.reference}-v{published_file.publication.policy_version.number}-"
                f"{published_file.audience}{rendition}.pdf")
    return _serve_stored(request, published_file, filename=filename, as_attachment=True)


@login_required
@require_POST
def publication_store_files_again_page(request, reference: str, publication_id: int):
    """PCU's "Store the files again" on the Publication page, for files that could not be stored: queues the
    rendering task again. Anyone else is "not found", as for the other actions on a publication."""
    policy = access_policy(user=request.user, reference=reference)
    if not permissions.is_pcu(request.user):
        raise Http404("No such publication.")
    publication = policy.publications.filter(pk=publication_id).first()
    if publication is None:
        raise Http404("No such publication.")
    try:
        publication = publication_store_files_again(publication=publication, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The files of version {publication.policy_version.number} are being stored "
                                  "again. They are listed here once stored; if they cannot be, PCU is told again.")
    return redirect("publication_staff:list", reference=policy.reference)


@login_required
@require_safe
def policy_pdf(request, reference: str):
    """/policies/<ref>/pdf/: the version the user sees (the draft for those working on it, else the one in force),
    as a PDF pack with the document-control block, and only the SOPs this user may read. A published version is
    served from the file stored at publication (until its task has stored it, a page says it is being prepared:
    ``_published_pdf``). A version not published (a draft, which changes) is prepared by the
    worker, once for what it prints (publication.services.draft_pdfs): until it is ready this address answers with
    a page saying so, which asks again by itself (integrity review of 2026-12-06: rendered here, a large draft held
    the web worker for a minute; STYLE rule 19)."""
    policy = access_policy(user=request.user, reference=reference)
    version, _ = version_shown(user=request.user, policy=policy)
    if version is None:
        raise Http404("No version to print.")
    filename = f"{policy.reference}-v{version.number}.pdf"
    publication = published_publication_of(version=version)
    if publication is not None:
        return _published_pdf(request, policy, publication, filename=filename,
                              page_url=reverse("lifecycle:statement", args=[policy.reference]))
    cleared = user_may_see_sensitive(user=request.user, policy=policy)
    draft_pdf = draft_pdf_request(policy=policy, version=version, cleared=cleared)
    context = {"policy": policy, "version": version, "draft_pdf": draft_pdf,
               "refresh_seconds": DRAFT_PDF_REFRESH_SECONDS, "retry_seconds": DRAFT_PDF_RETRY_SECONDS}
    if request.headers.get("HX-Request") == "true":
        # The page's own question, every few seconds while it is pending (htmx): its status, with the link to the
        # PDF once ready (200: htmx swaps in no other answer).
        response = render(request, "publication/includes/draft_pdf_status.html", context)
        patch_vary_headers(response, ["HX-Request"])
        return response
    if draft_pdf.status == DraftPdf.Status.READY:
        pdf = draft_pdf_read(draft_pdf=draft_pdf)
        if pdf is not None:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{filename}"'
            return response
        # Its file gone or altered (and its record with it): prepared again.
        context["draft_pdf"] = draft_pdf = draft_pdf_request(policy=policy, version=version, cleared=cleared)
    failed = draft_pdf.status == DraftPdf.Status.FAILED
    # 202 Accepted (RFC 9110, 15.3.3): being prepared, and this page says where it will be; 503 while a failed render
    # waits to be tried again.
    response = render(request, "publication/draft_pdf_preparing.html", context, status=503 if failed else 202)
    response["Retry-After"] = str(DRAFT_PDF_RETRY_SECONDS if failed else DRAFT_PDF_REFRESH_SECONDS)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_safe
def policy_in_force_pdf(request, reference: str):
    """/policies/<ref>/pdf/in-force/: the version in force, as stored when it was published, whoever asks: the
    library's "Download version 1.0 as a PDF". The policy's own ``policy_pdf`` prints the version its reader works
    on, which for those who may see the draft (its developers, its Lead, the co-ordinator) is the review's draft, or a
    version only scheduled for publication (QA walk: the library's link served "version 2.0 (draft)" under the words
    "version 1.0"). Not found where nothing is in force."""
    policy = access_policy(user=request.user, reference=reference)
    version = version_in_force(policy=policy)
    publication = published_publication_of(version=version) if version is not None else None
    if publication is None:
        raise Http404("No version in force.")
    return _published_pdf(request, policy, publication, filename=f"{policy.reference}-v{version.number}.pdf",
                          page_url=reverse("library:policy", args=[policy.reference]))


def _published_pdf(request, policy, publication, *, filename: str, page_url: str):
    """The stored file of ``publication`` for this reader: the cleared copy, with its OFFICIAL-SENSITIVE SOPs, for
    those cleared for it, else every member of staff's (``staff_audience``). Not found for a reader not cleared when
    the version was published OFFICIAL-SENSITIVE, whatever the policy is marked now and whatever copy was stored for
    it (a staff copy stored by the rule before 2297154), nor for any file they may not read
    (``stored_copy_readable_or_404``). Not stored yet, it is never rendered here: a page says it is being prepared
    (``_stored_or_queued``), with a link to ``page_url``, the document's pages, meanwhile."""
    cleared = user_may_see_sensitive(user=request.user, policy=policy)
    stored_copy_readable_or_404(publication=publication, cleared=cleared)
    audience = staff_audience(user=request.user, policy=policy)
    audiences = ([PublishedFile.Audience.CLEARED, PublishedFile.Audience.STAFF]
                 if audience == PublishedFile.Audience.CLEARED else [PublishedFile.Audience.STAFF])
    published_file = _stored_or_queued(publication, audiences)
    if not isinstance(published_file, PublishedFile):
        return _files_pending(request, publication, published_file, page_url=page_url)
    stored_copy_readable_or_404(publication=publication, cleared=cleared, published_file=published_file)
    if _polled(request):
        return _files_status(request, FILES_READY)
    return _serve_stored(request, published_file, filename=filename)
