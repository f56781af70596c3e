from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assessments import forms, services
from assessments.impacts import impact_rows
from assessments.models import (
    EqualityImpactAssessment,
    PolicyWorkbook,
)
from core.exceptions import ApplicationError
from core.stale_saves import editor_status, show_refusal
from core.typed_back import shows_typed_back
from lifecycle import gates_eia, gates_no_change, typed_back
from lifecycle.emergency import SKIPPED_PARTS
from lifecycle.models import Policy
from lifecycle.permissions import is_dcfd, is_doi, is_pcu
from lifecycle.selectors import emergency_outstanding, version_shown
from lifecycle.states import QADiscipline
from lifecycle.steps import halted_by_any
from lifecycle.views import draft_refused_keeping_typed, policy_for_form, policy_for_page, policy_page_context

EIA_TITLE = "Edit the Equality Impact Assessment"
WORKBOOK_TITLE = "Edit the Corporate Policy Workbook"


def _eia_form(post=None, **kwargs) -> forms.EIAForm:
    """The EIA's form unbound, with the impact and notes of each protected characteristic it adds as it is made: what a
    post refused is read back from (core.typed_back). Its class declares none of the notes, and what was typed into
    them was not shown back (walk of every form, tests/web/test_forms_show_typed_back.py)."""
    return forms.EIAForm()


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(_eia_form)
def eia_page(request, reference: str):
    policy, gone = policy_for_form(request, reference, EIA_TITLE, _eia_form())
    if gone:
        return gone
    shown, _ = version_shown(user=request.user, policy=policy)
    eia = EqualityImpactAssessment.objects.filter(policy_version=shown).first() if shown else None
    editable = services.document_editable(user=request.user, policy=policy, document=eia)
    form = None
    if editable:
        form = forms.EIAForm(request.POST or None, initial=forms.EIAForm.initial_from(eia))
        if request.method == "POST" and form.is_valid():
            try:
                services.eia_update(policy=policy, actor=request.user,
                                    base_revision=form.cleaned_data["base_revision"], **form.section_values())
            except ApplicationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, "Equality Impact Assessment saved.")
                return redirect("assessments:eia", reference=policy.reference)
    elif request.method == "POST":
        return draft_refused_keeping_typed(
            request, policy, "eia", EIA_TITLE, f"The Equality Impact Assessment of {policy.reference} cannot be "
            "changed by you at this stage.", _eia_form())
    context = policy_page_context(request, policy, "eia")
    # The link to the sign-off page, where that page would be offered (the service's own rule); to DCFD, while the EIA
    # is not complete, why there is nothing to sign off yet (QA walk: the page was offered, and its post refused).
    refusal = (services.retrospective_eia_refusal(request.user, policy)
               if policy.not_impact_assessed and is_dcfd(request.user) else None)
    context.update({
        "eia": eia, "form": form,
        "eia_stop_then": _stop_then(policy, eia),
        "impact_rows": impact_rows(eia),
        "may_sign_off_retrospective": policy.not_impact_assessed and is_dcfd(request.user) and refusal is None,
        # Or why it is closed while the policy's withdrawal is decided (lifecycle.steps.HALTS): the halt's sentence.
        "sign_off_waits": (services.retrospective_eia_incomplete(policy)
                           if refusal is not None and refusal.code == "gate"
                           else refusal.message if _halted(refusal, policy) else ""),
        # What DCFD asked for when it reopened this assessment at a review concluding no change, said where the
        # update is written (QA walk: the developers were told only in their inbox).
        "reopened_by_review": (gates_no_change.open_no_change_review(policy)
                               if shown is not None and shown == policy.current_version
                               and gates_no_change.eia_reopened_for_review(policy) else None),
    })
    return render(request, "assessments/eia.html", context, status=editor_status(form))


def _stop_then(policy, eia) -> str:
    """What follows, on the EIA's page, from an assessment still being written that concludes that the policy must
    stop (lifecycle.gates_eia), and what to do: the emergency route's retrospective EIA, or one reopened at a review
    concluding no change, waits for DCFD's sign-off; a draft's, for its submission. Nothing of one frozen."""
    if eia is None or not eia.concludes_stop or eia.frozen_at is not None:
        return ""
    signed_off_next = policy.not_impact_assessed or gates_no_change.eia_reopened_for_review(policy)
    held = gates_eia.STOP_HOLDS_SIGN_OFF if signed_off_next else gates_eia.STOP_HOLDS_SUBMISSION
    return f"{held} {gates_eia.STOP_WHAT_TO_DO}"


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.RetrospectiveEIAForm)
def eia_retrospective_signoff(request, reference: str):
    """DCFD signs off the EIA the emergency route skipped, as the page shows it (rule 17: it posts the EIA read and its
    content hash, ``read_posted``). The page is refused as its post would be, with the service's reason and no form, to
    anyone it is not offered to (QA10 item 7: a live form for every reader, whose comment was lost when the post was
    refused), as an action page is (lifecycle.views.policy_action): to DCFD too while the EIA is not complete (QA walk:
    it was offered, and its post refused). A post refused for what changed since the page was drawn (the EIA saved
    meanwhile, or made incomplete) keeps the page, with the comment typed, the reason and the EIA as it stands now."""
    policy = policy_for_page(request, reference)
    refusal = services.retrospective_eia_refusal(request.user, policy)
    if refusal is not None and not (request.method == "POST" and refusal.code == "gate"):
        return (_halted_keeping_typed(request, policy, refusal, QADiscipline.DCFD, forms.RetrospectiveEIAForm)
                or _refused_to(request, refusal, "assessments:eia", policy))
    form = forms.RetrospectiveEIAForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if refusal is not None:  # the EIA was made incomplete, or to conclude "Stop", since the page was drawn
                raise refusal
            services.eia_complete_retrospective(policy=policy, actor=request.user,
                                                comments=form.cleaned_data["comments"],
                                                **read_posted(request.POST, "eia"))
        except ApplicationError as error:
            policy = policy_for_page(request, reference)
            refusal_now = services.retrospective_eia_refusal(request.user, policy)
            gone = (_halted_keeping_typed(request, policy, refusal_now, QADiscipline.DCFD, forms.RetrospectiveEIAForm)
                    or refused_elsewhere(request, refusal_now, "assessments:eia", policy))
            if gone is not None:
                return gone
            status = refused_in_place(form, error)
        else:
            if Policy.objects.filter(pk=policy.pk, not_impact_assessed=False).exists():
                messages.success(request, "EIA signed off: the policy is now impact assessed.")
            else:  # Issue 13: the marking stays until everything the emergency route skipped is signed off.
                messages.success(request, "EIA signed off. The policy stays \u201cnot impact assessed\u201d until the "
                                 "rest of what the emergency route skipped is signed off.")
            return redirect("assessments:eia", reference=policy.reference)
    elif form.errors:
        status = 400
    context = policy_page_context(request, policy, "eia")
    eia = EqualityImpactAssessment.objects.filter(policy_version=policy.current_version).first()
    # What else the route skipped is still outstanding: the marking stays until each is signed off (issue 13).
    others = [item for item in emergency_outstanding(policy) if not item.done and item.discipline != QADiscipline.DCFD]
    context.update({"form": form, "eia": eia, "impact_rows": impact_rows(eia), "others_outstanding": others})
    return render(request, "assessments/eia_signoff.html", context, status=status)


def read_posted(post, document: str) -> dict:
    """What a sign-off page showed, as its service's keyword arguments (rule 17): ``<document>_read``, the document
    read, and ``<document>_hash``, the content hash of what it showed of it (assessments/includes/signed_off_as_read
    .html). Sent empty when the form carried none, which the service refuses."""
    return {f"{document}_read": post.get(f"{document}_read") or "",
            f"{document}_hash": post.get(f"{document}_hash") or ""}


def refused_elsewhere(request, refusal_now: ApplicationError | None, back: str, policy):
    """After a sign-off's post was refused: where the service would now refuse it for more than what changed since
    the page was drawn (``refusal_now``: signed off meanwhile, no longer theirs to sign), the redirect to ``back`` with
    the reason; None where the page is kept (``refused_in_place``)."""
    if refusal_now is None or refusal_now.code == "gate":
        return None
    return _refused_to(request, refusal_now, back, policy)


def _refused_to(request, refusal: ApplicationError, back: str, policy):
    messages.error(request, refusal.message)
    return redirect(back, reference=policy.reference)


def _halted(refusal: ApplicationError | None, policy) -> bool:
    """Whether ``refusal`` of a late sign-off is the cycle's halt (a withdrawal decided: lifecycle.steps.HALTS, which
    the service asks right after the role, as "stale"), for the page to say it where the button would be."""
    return refusal is not None and refusal.code == "stale" and halted_by_any(policy) is not None


def _halted_keeping_typed(request, policy, refusal: ApplicationError | None, discipline: str, form_class):
    """A late sign-off posted from a page opened before the policy's withdrawal was decided (``_halted``): refused
    with the halt's sentence, and the comment typed shown back so that it is not lost, 409, as a step's page answers
    then (lifecycle.views._take_step). None where that is not why it is refused, or nothing was typed."""
    if request.method != "POST" or not _halted(refusal, policy):
        return None
    typed = typed_back.typed_in(form_class, request.POST)
    if not typed:
        return None
    section = "eia" if discipline == QADiscipline.DCFD else "overview"
    return typed_back.refused(request, policy_page_context(request, policy, section),
                              SKIPPED_PARTS[discipline].title, refusal.message, typed, verb="signed off")


def refused_in_place(form, error: ApplicationError) -> int:
    """A sign-off's post refused for what changed since its page was drawn: the reason on the form, which keeps the
    comment typed, and the status the page answers, 409 when what it signs off was saved meanwhile (``check_read``'s
    "stale", as an HTTP If-Match that no longer matches), else 400 (made incomplete)."""
    form.add_error(None, error.message)
    return 409 if error.code == "stale" else 400


def _retrospective_disciplines(user, policy) -> list[tuple[str, str]]:
    """What ``user`` may still sign off of what the emergency route skipped: PCU the Workbook's impact sections, DOI
    its quality assurance (DCFD's part is the EIA's own sign-off page)."""
    outstanding = {item.who for item in emergency_outstanding(policy) if not item.done}
    choices = []
    if is_pcu(user) and "Policy Co-ordination Unit" in outstanding:
        choices.append(("pcu", "Policy Co-ordination Unit: the Workbook's impact sections"))
    if is_doi(user) and "Directorate of Information" in outstanding:
        choices.append(("doi", "Directorate of Information: information management"))
    return choices


def _retrospective_parts(user, policy) -> list[tuple[str, str, ApplicationError | None]]:
    """Each part of what the emergency route skipped that ``user`` may still sign off (``_retrospective_disciplines``):
    its discipline, its label, and why it may not be signed off now (the service's own rule,
    ``retrospective_qa_refusal``), or None where it may. Nothing read for anyone else."""
    if not (policy.not_impact_assessed and (is_pcu(user) or is_doi(user))):
        return []
    return [(discipline, label, services.retrospective_qa_refusal(user, policy, discipline))
            for discipline, label in _retrospective_disciplines(user, policy)]


# What the reply says was signed off, by discipline.
SIGNED_OFF = {QADiscipline.PCU: "Signed off the Workbook's impact sections: the Workbook is frozen as evidence.",
              QADiscipline.DOI: "Signed off the quality assurance of information management."}


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.RetrospectiveQAForm)
def emergency_signoff(request, reference: str):
    """PCU or DOI signs off, late, its part of what the emergency route skipped, as the page shows it: the Workbook's
    impact sections (rule 17: it posts the Workbook read and their content hash, ``read_posted``; QA walk: it showed
    none of them and posted nothing, and a statement changed after the page was drawn was signed off and frozen
    unread). Offered as the service would allow it (``retrospective_qa_refusal``): not while what it signs off is
    still to be written (then to the Workbook's page, which says why), as DCFD's sign-off of the EIA. A post refused
    for what changed since the page was drawn (the Workbook saved meanwhile, or emptied) keeps the page, with the
    comment typed, the reason and the impact sections as they stand now, bound to them."""
    policy = policy_for_page(request, reference)
    parts = _retrospective_parts(request.user, policy)
    refusals = {discipline: refusal for discipline, _, refusal in parts}
    posted = request.method == "POST"
    # A post may name a part made incomplete since its page was drawn: the service's refusal is then said in place.
    disciplines = [(discipline, label) for discipline, label, refusal in parts
                   if refusal is None or (posted and refusal.code == "gate")]
    if not disciplines:
        return (_halted_keeping_typed(request, policy, refusals.get(request.POST.get("discipline")),
                                      request.POST.get("discipline"), forms.RetrospectiveQAForm)
                or _nothing_to_sign_off(request, policy, refusals.values()))
    form = forms.RetrospectiveQAForm(request.POST or None, disciplines=disciplines)
    status = 200
    if posted and form.is_valid():
        discipline = form.cleaned_data["discipline"]
        try:
            if refusals[discipline] is not None:  # made incomplete since the page was drawn
                raise refusals[discipline]
            services.retrospective_qa_signoff(policy=policy, actor=request.user, discipline=discipline,
                                              comments=form.cleaned_data["comments"],
                                              **read_posted(request.POST, "workbook"))
        except ApplicationError as error:
            policy = policy_for_page(request, reference)
            refusal_now = services.retrospective_qa_refusal(request.user, policy, discipline)
            gone = (_halted_keeping_typed(request, policy, refusal_now, discipline, forms.RetrospectiveQAForm)
                    or refused_elsewhere(request, refusal_now, "lifecycle:detail", policy))
            if gone is not None:
                return gone
            status = refused_in_place(form, error)
        else:
            messages.success(request, f"{SIGNED_OFF[discipline]} {_marking_now(policy)}")
            return redirect("lifecycle:detail", reference=policy.reference)
    elif form.errors:
        status = 400
    context = policy_page_context(request, policy, "overview")
    # The retrospective EIA, as written so far, where it concludes that the policy must stop (lifecycle.gates_eia).
    eia = EqualityImpactAssessment.objects.filter(policy_version=policy.current_version).first()
    workbook = PolicyWorkbook.objects.filter(policy_version=policy.current_version).first()
    context.update({"form": form, "outstanding": emergency_outstanding(policy), "eia": eia,
                    "eia_stop_then": _stop_then(policy, eia), "workbook": workbook,
                    "sections": _workbook_rows(workbook, PolicyWorkbook.IMPACT_SECTIONS)})
    return render(request, "assessments/emergency_signoff.html", context, status=status)


def _nothing_to_sign_off(request, policy, refusals):
    """Where someone with no part of what the emergency route skipped to sign off now is sent, and told why: to the
    Workbook's page while what their part signs off is still to be written (it says so too), else to the policy."""
    waiting = [refusal for refusal in refusals if refusal is not None and refusal.code == "gate"]
    if waiting:
        messages.error(request, waiting[0].message)
        return redirect("assessments:workbook", reference=policy.reference)
    refused = [refusal for refusal in refusals if refusal is not None]
    messages.error(request, refused[0].message if refused else
                   f"There is nothing for you to sign off on {policy.reference}.")
    return redirect("lifecycle:detail", reference=policy.reference)


def _marking_now(policy) -> str:
    """What the reply to a late sign-off says of the "not impact assessed" marking, read after it (issue 13: it
    stays until everything the emergency route skipped is signed off)."""
    if Policy.objects.filter(pk=policy.pk, not_impact_assessed=False).exists():
        return "Nothing the emergency route skipped is outstanding: the policy is now impact assessed."
    return ("The policy stays \u201cnot impact assessed\u201d until the rest of what the emergency route skipped is "
            "signed off.")


def _workbook_rows(workbook, fields) -> list[tuple[str, str]]:
    """The Workbook's ``fields`` as its readers read them, (label, text): its page, and PCU's and DOI's sign-off page,
    whose decision is bound to them (rule 17)."""
    if workbook is None:
        return []
    return [(forms.WorkbookForm.base_fields[field].label, workbook.get_health_and_safety_impact_display()
             if field == "health_and_safety_impact" else getattr(workbook, field)) for field in fields]


def _read_only_where_signed_off(request, policy, workbook, form) -> None:
    """The sections a late sign-off has signed off (DOI's information management, before PCU signs the rest:
    services.workbook_sections_signed_off) shown read-only, saying who signed them off and when, and sent as they
    stand. A page drawn before the sign-off posts the section: it is then kept on the form, so that the service's
    refusal is said on it with what was typed."""
    for field, signoff in services.workbook_sections_signed_off(policy, workbook).items():
        if field in form.fields:
            form.fields[field].disabled = field not in request.POST
            form.fields[field].help_text = services.signed_off_said(policy, field, signoff)


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.WorkbookForm)
def workbook_page(request, reference: str):
    policy, gone = policy_for_form(request, reference, WORKBOOK_TITLE, forms.WorkbookForm)
    if gone:
        return gone
    shown, _ = version_shown(user=request.user, policy=policy)
    workbook = PolicyWorkbook.objects.filter(policy_version=shown).first() if shown else None
    editable = services.document_editable(user=request.user, policy=policy, document=workbook)
    form = None
    if editable:
        initial = {field: getattr(workbook, field) for field in forms.WorkbookForm.SECTIONS}
        initial["base_revision"] = workbook.draft_revision
        form = forms.WorkbookForm(request.POST or None, initial=initial)
        _read_only_where_signed_off(request, policy, workbook, form)
        if request.method == "POST" and form.is_valid():
            values = {field: form.cleaned_data[field] for field in forms.WorkbookForm.SECTIONS}
            try:
                services.workbook_update(policy=policy, actor=request.user,
                                         base_revision=form.cleaned_data["base_revision"], **values)
            except ApplicationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, "Workbook saved.")
                return redirect("assessments:workbook", reference=policy.reference)
    elif request.method == "POST":
        return draft_refused_keeping_typed(
            request, policy, "workbook", WORKBOOK_TITLE, f"The Workbook of {policy.reference} cannot be changed by "
            "you at this stage.", forms.WorkbookForm)
    context = policy_page_context(request, policy, "workbook")
    context.update({
        "workbook": workbook, "form": form,
        "sections": _workbook_rows(workbook, forms.WorkbookForm.SECTIONS),
    })
    # To PCU and DOI after an emergency approval: the link to their sign-off page, where it would be offered (the
    # service's own rule), and why it waits while what their part signs off is still to be written (QA walk: the page
    # was offered with nothing written), as the EIA's page does for DCFD.
    refusals = [refusal for _, _, refusal in _retrospective_parts(request.user, policy)]
    context["may_sign_off_skipped"] = any(refusal is None for refusal in refusals)
    # Or why it is closed while the policy's withdrawal is decided (lifecycle.steps.HALTS): the halt's sentence.
    context["sign_off_waits"] = [refusal.message for refusal in refusals if refusal is not None
                                 and (refusal.code == "gate" or _halted(refusal, policy))]
    return render(request, "assessments/workbook.html", context, status=editor_status(form))
