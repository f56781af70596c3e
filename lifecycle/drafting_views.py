"""Drafting a policy: starting one, its statement and SOPs, the consultation log and the document details. Thin:
reads through selectors, changes through services, refusals shown as form errors with what was typed kept."""


import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from core.stale_saves import editor_status, show_refusal
from core.submissions import AlreadySubmitted, already_submitted
from core.typed_back import shows_typed_back
from lifecycle import emergency, forms, services, typed_back
from lifecycle.details import LABELS, details_hash, legislation_links_text, marking_pending
from lifecycle.selectors import (
    consultation_log_shown,
    consultations_shown,
    sops_readable,
    version_in_force,
)
from lifecycle.views import policy_for_form, policy_for_page, policy_page_context


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.PolicyCreateForm)
def policy_create(request):
    if not rules.has_perm("lifecycle.start_policy", request.user):
        messages.error(request, "Only policy developers and managers can start a new policy.")
        return redirect("lifecycle:register")
    form = forms.PolicyCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            policy = services.policy_create(actor=request.user, **form.cleaned_data)
        except AlreadySubmitted as error:  # the same form sent again (Back, a second click): where the first went
            return already_submitted(request, error, "lifecycle:register")
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, f"{policy.reference} created in scoping with draft version 1.0.")
            return redirect("lifecycle:detail", reference=policy.reference)
    # A form posted and shown again is refused (400), unless it is a question: the same details sent again, asked
    # about (core.submissions.RepeatedSubmission), as every create form's page answers it.
    return render(request, "lifecycle/policy_create.html", {"form": form},
                  status=400 if request.method == "POST" and form.repeated is None else 200)


STATEMENT_TITLE = "Edit the Policy Statement"


def _drafting_refused(request, policy, what: str, *, title: str, form_class, verb: str = "saved"):
    """The answer when the draft is not this user's to change now (the same predicates the services enforce): a
    redirect with the reason before anything is typed, and for a form posted from an older page, the reason with what
    was typed shown back (nothing was ``verb``); None when it is theirs to change."""
    if rules.has_perm("lifecycle.edit_draft", request.user, policy):
        # Held for the emergency route: said before anything is typed; a form posted from an older page is refused
        # by the service and keeps what was typed.
        if request.method == "GET" and (held := emergency.emergency_hold(policy)):
            messages.error(request, held)
            return redirect("lifecycle:statement", reference=policy.reference)
        return None
    reason = (f"{what} of {policy.reference} cannot be changed by you at this stage: drafts are edited by the "
              "policy's developers and manager, in scoping or development.")
    if request.method == "POST":
        return typed_back.refused(request, policy_page_context(request, policy, "statement"), title, reason,
                                  typed_back.typed_in(form_class, request.POST), verb=verb)
    messages.error(request, reason)
    return redirect("lifecycle:statement", reference=policy.reference)


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.StatementForm)
def statement_edit(request, reference: str):
    policy, gone = policy_for_form(request, reference, STATEMENT_TITLE, forms.StatementForm)
    if gone:
        return gone
    version = policy.current_version
    if refusal := _drafting_refused(request, policy, "The draft", title=STATEMENT_TITLE,
                                    form_class=forms.StatementForm):
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
            show_refusal(form, error)
        else:
            messages.success(request, f"Draft version {version.number} saved.")
            return redirect("lifecycle:statement", reference=policy.reference)
    context = policy_page_context(request, policy, "statement")
    context["form"] = form
    return render(request, "lifecycle/statement_edit.html", context, status=editor_status(form))


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.SOPForm)
def sop_create(request, reference: str):
    policy, gone = policy_for_form(request, reference, "Add an SOP", forms.SOPForm)
    if gone:
        return gone
    if refusal := _drafting_refused(request, policy, "SOPs", title="Add an SOP", form_class=forms.SOPForm):
        return refusal
    form = forms.SOPForm(request.POST or None, submitter=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.sop_create(policy=policy, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted as error:
            return already_submitted(request, error, "lifecycle:detail", policy.reference)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "SOP added to the draft.")
            return redirect("lifecycle:statement", reference=policy.reference)
    context = policy_page_context(request, policy, "statement")
    context["form"] = form
    context["max_sops"] = services.MAX_SOPS_PER_DRAFT  # the stated limit (lifecycle.services.sops)
    return render(request, "lifecycle/sop_form.html", context, status=400 if form.errors else 200)


SOP_EDIT_TITLE = "Edit the SOP"


def _sop_not_in_draft(request, policy, sop, version):
    """The editor of an SOP no longer in the draft, opened (a bookmark, an old tab, a colleague's link), for someone
    who may edit the draft: what happened, who removed it and when, where the policy's SOPs are, and how to put it back
    (restoring its last revision: lifecycle.services.sop_remove_from_draft keeps it as one). 404, not 410 Gone: the
    SOP can be put back, so its absence is not known to be permanent (RFC 9110, 15.5.11: 410 is for a removal "likely
    permanent"); and the status is the one an outsider gets, so it tells them nothing. Those who do not see the draft
    never get here (``policy_for_form``: the generic 404; ``_drafting_refused``: the reason the draft is not theirs to
    change). An OFFICIAL-SENSITIVE SOP's title is not said to someone not cleared for it: ``sop_edit`` finds the SOP
    only among those they may read (lifecycle.selectors.sops_readable), so they get the generic 404 before this."""
    context = policy_page_context(request, policy, "statement")
    context.update({"sop": sop, "draft": version, "removal": services.sop_last_removal(sop)})
    return render(request, "lifecycle/sop_not_in_draft.html", context, status=404)


def _sop_gone_from_draft(request, policy, message: str):
    """An SOP's editor posted after the SOP was removed from the draft (another tab, a colleague): nothing was saved,
    the reason in plain words, and what was typed shown back to copy (409, as any draft editor whose page moved on)."""
    return typed_back.refused(request, policy_page_context(request, policy, "statement"), SOP_EDIT_TITLE, message,
                              typed_back.typed_in(forms.SOPEditForm, request.POST), verb="saved")


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.SOPEditForm)
def sop_edit(request, reference: str, sop_id: int):
    policy, gone = policy_for_form(request, reference, SOP_EDIT_TITLE, forms.SOPEditForm)
    if gone:
        return gone
    # Any SOP of the policy the person may read (lifecycle.selectors.sops_readable): one removed from the draft (while
    # its editor was open, or before it was opened) is answered below. An SOP of another policy, or one they may not
    # read, is not found, whatever the method: its title and who removed it are not theirs to be told.
    sop = get_object_or_404(sops_readable(user=request.user, policy=policy), pk=sop_id)
    if refusal := _drafting_refused(request, policy, "SOPs", title=SOP_EDIT_TITLE, form_class=forms.SOPEditForm):
        return refusal
    version = policy.current_version
    sop_version = sop.versions.filter(policy_version=version).first()
    if sop_version is None:
        if request.method == "GET":
            return _sop_not_in_draft(request, policy, sop, version)
        return _sop_gone_from_draft(request, policy, services.sop_removed_from_draft(sop, version, request.user))
    initial = {"title": sop.title, "text": sop_version.text, "protective_marking": sop.protective_marking,
               "publish_externally": sop_version.publish_externally,
               "base_revision": version.draft_revision}
    form = forms.SOPEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.sop_update_draft(sop=sop, actor=request.user, text=form.cleaned_data["text"],
                                      title=form.cleaned_data["title"],
                                      protective_marking=form.cleaned_data["protective_marking"],
                                      publish_externally=form.cleaned_data["publish_externally"],
                                      base_revision=form.cleaned_data["base_revision"])
        except ApplicationError as error:
            if error.code == "not_found":  # removed between this page's read and the service's lock
                return _sop_gone_from_draft(request, policy, error.message)
            show_refusal(form, error)
        else:
            messages.success(request, f"SOP “{form.cleaned_data['title']}” saved.")
            return redirect("lifecycle:statement", reference=policy.reference)
    context = policy_page_context(request, policy, "statement")
    context.update({"form": form, "sop": sop})
    return render(request, "lifecycle/sop_form.html", context, status=editor_status(form))


SOP_REMOVE_TITLE = "Remove the SOP from the draft"


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.SOPRemoveForm)
def sop_remove(request, reference: str, sop_id: int):
    """Taking an SOP out of the working draft (lifecycle.services.sop_remove_from_draft): GET shows what goes and
    which submitted versions keep it; POST, bound to the draft revision that page showed, removes it. A confirmation
    from an older page is refused and offered again as the draft now stands; one sent twice is told it is done."""
    try:
        policy = policy_for_page(request, reference)
    except Http404:
        if request.method != "POST":
            raise
        return typed_back.gone(request, reference, SOP_REMOVE_TITLE, [], verb="removed")
    sop = get_object_or_404(sops_readable(user=request.user, policy=policy), pk=sop_id)
    if refusal := _drafting_refused(request, policy, "SOPs", title=SOP_REMOVE_TITLE, form_class=forms.SOPRemoveForm,
                                    verb="removed"):
        return refusal
    version = policy.current_version
    sop_version = sop.versions.filter(policy_version=version).first()
    if sop_version is None and request.method == "GET":
        raise Http404("That SOP is not in the draft.")
    form = forms.SOPRemoveForm(request.POST or None, initial={"base_revision": version.draft_revision})
    if request.method == "POST" and form.is_valid():
        try:
            services.sop_remove_from_draft(sop=sop, actor=request.user,
                                           base_revision=form.cleaned_data["base_revision"])
        except ApplicationError as error:
            if error.code == "not_found":
                messages.info(request, error.message)
                return redirect("lifecycle:statement", reference=policy.reference)
            if error.code == "conflict":
                # Offered again, bound to the draft as it stands (read before the refused attempt, which changed
                # nothing): confirming again is a choice made on what is shown now.
                form = forms.SOPRemoveForm({"base_revision": version.draft_revision})
                form.is_valid()
            form.add_application_error(error)
        else:
            messages.success(request, f"SOP “{sop.title}” removed from draft version {version.number}. Its text is "
                                      "kept in the draft's revisions, and any submitted version keeps it.")
            return redirect("lifecycle:statement", reference=policy.reference)
    context = policy_page_context(request, policy, "statement")
    context.update({
        "form": form, "sop": sop, "sop_version": sop_version, "removing": True,
        # The submitted versions that hold it: their record keeps it, whatever this draft does.
        "kept_in": [held.policy_version for held in sop.versions.filter(policy_version__submitted_at__isnull=False)
                    .select_related("policy_version").order_by("policy_version__major", "policy_version__minor")],
    })
    return render(request, "lifecycle/sop_form.html", context, status=400 if form.errors else 200)


CONSULTATION_TITLE = "Record a consultation"
RESPONSE_TITLE = "Record the response"
DETAILS_TITLE = "Edit the details"


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.ConsultationForm)
def consultation_log(request, reference: str):
    policy, gone = policy_for_form(request, reference, CONSULTATION_TITLE, forms.ConsultationForm)
    if gone:
        return gone
    may_record = rules.has_perm("lifecycle.record_consultation", request.user, policy)
    form = forms.ConsultationForm(request.POST or None, submitter=request.user) if may_record else None
    if request.method == "POST":
        if form is None:
            # Posted from a page the draft has since moved on from (submitted meanwhile): the reason, and what was
            # typed shown back to copy.
            return typed_back.refused(
                request, policy_page_context(request, policy, "consultation"), CONSULTATION_TITLE,
                f"You cannot record consultation on {policy.reference} at this stage: it is recorded by the policy's "
                "developers and manager while it is drafted (scoping or development).",
                typed_back.typed_in(forms.ConsultationForm, request.POST))
        if form.is_valid():
            try:
                services.consultation_record(policy=policy, actor=request.user, **form.cleaned_data)
            except AlreadySubmitted as error:
                return already_submitted(request, error, "lifecycle:detail", policy.reference)
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                messages.success(request, f"Consultation with {form.cleaned_data['consultee']} recorded.")
                return redirect("lifecycle:consultation", reference=policy.reference)
    context = policy_page_context(request, policy, "consultation")
    log = consultation_log_shown(user=request.user, policy=policy, version=context["version"])
    records = log.records
    context.update({
        "form": form,
        "records": records,
        # A withdrawn review draft's consultation, kept as evidence: shown apart, never as this cycle's.
        "withdrawn_cycles": log.withdrawn,
        # Asked of the rules permission itself (not user.has_perm, whose model backend lets a superuser through).
        "may_respond": {record.pk for record in records
                        if rules.has_perm("lifecycle.respond_to_consultation", request.user, record)},
        "may_record": may_record,
    })
    return render(request, "lifecycle/consultation.html", context, status=400 if form and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.ConsultationResponseForm)
def consultation_response(request, reference: str, record_id: int):
    policy, gone = policy_for_form(request, reference, RESPONSE_TITLE, forms.ConsultationResponseForm)
    if gone:
        return gone
    context = policy_page_context(request, policy, "consultation")
    record = get_object_or_404(consultations_shown(policy=policy, version=context["version"]), pk=record_id)
    initial = {"response": record.response, "response_received_on": record.response_received_on,
               "decision_taken": record.decision_taken, "feedback_given": record.feedback_given,
               "seen": services.response_seen(record)}
    form = forms.ConsultationResponseForm(request.POST or None, initial=initial)
    recorded = None
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_record_response(record=record, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            if error.code in {"forbidden", "frozen"}:
                # The draft moved on while the page was open: the reason, and the response as typed.
                return typed_back.refused(request, context, RESPONSE_TITLE, error.message,
                                          typed_back.typed_in(forms.ConsultationResponseForm, request.POST),
                                          verb="saved")
            if error.code == "stale":
                # Someone else saved a response meanwhile: it is shown, and the form (what was typed, kept) now
                # carries it, so saving again replaces it knowingly.
                record.refresh_from_db()
                recorded = record
                form = forms.ConsultationResponseForm({**request.POST.dict(), "seen": services.response_seen(record)},
                                                      initial=initial)
                form.is_valid()
            form.add_application_error(error)
        else:
            messages.success(request, f"Response from {record.consultee} recorded.")
            return redirect("lifecycle:consultation", reference=policy.reference)
    context.update({"form": form, "record": record, "recorded": recorded})
    return render(request, "lifecycle/consultation_response.html", context, status=400 if form.errors else 200)


def _details_refused(request, policy, reason: str):
    """The details' form posted after the policy moved on: the reason, and what was typed shown back (409)."""
    return typed_back.refused(request, policy_page_context(request, policy, "overview"), DETAILS_TITLE, reason,
                              typed_back.typed_in(forms.PolicyDetailsForm, request.POST), verb="saved")


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.PolicyDetailsForm)
def policy_details_edit(request, reference: str):
    """The document details of a policy being drafted (issue 12): title, purpose, relevant to, marking, scheme
    suitability, risk tier, registered file and links to legislation. A save based on details changed since the
    page was drawn is refused and keeps what was typed, as the statement editor does; so is one posted after the
    policy moved on (lifecycle.typed_back)."""
    policy, gone = policy_for_form(request, reference, DETAILS_TITLE, forms.PolicyDetailsForm)
    if gone:
        return gone
    if not rules.has_perm("lifecycle.edit_details", request.user, policy):
        reason = (f"The details of {policy.reference} cannot be changed by you now: they are changed by its "
                  "developers, manager and co-ordinator while it is drafted (scoping or development), and frozen "
                  "with the version when it is submitted.")
        if request.method == "POST":
            return _details_refused(request, policy, reason)
        messages.error(request, reason)
        return redirect("lifecycle:detail", reference=policy.reference)
    if request.method == "GET" and (held := emergency.emergency_hold(policy)):
        messages.error(request, held)
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
                return _details_refused(request, policy, error.message)
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
                pending = ""
                if "protective_marking" in changes:
                    # A downgrade waits for this version's publication; say so, not only "saved".
                    policy.refresh_from_db(fields=["protective_marking", "proposed_protective_marking"])
                    pending = marking_pending(policy, version_in_force(policy=policy))
                    pending = f" {pending}" if pending else ""
                messages.success(request, f"Details of {policy.reference} saved ({changed}).{route}{pending}")
            return redirect("lifecycle:detail", reference=policy.reference)
    context = policy_page_context(request, policy, "overview")
    context.update({"form": form, "approval_board": services.approval_board(policy)})
    return render(request, "lifecycle/policy_details_edit.html", context, status=400 if form.errors else 200)
