from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from assessments import forms, services
from assessments.impacts import impact_rows
from assessments.models import (
    EqualityImpactAssessment,
    MonitoringReport,
    MonitoringResponse,
    PolicyWorkbook,
)
from assessments.selectors import reports_of
from core.exceptions import ApplicationError
from lifecycle import workflow
from lifecycle.due import MONITORING, REMEDIAL
from lifecycle.gates import QUALITY_ASSURED_REPORT_STATUSES
from lifecycle.models import Policy
from lifecycle.permissions import can_draft, is_dcfd, is_doi, is_group_coordinator, is_pcu, is_policy_lead
from lifecycle.selectors import emergency_outstanding, user_may_see_drafts, version_shown
from lifecycle.views import draft_refused_keeping_typed, policy_for_form, policy_for_page, policy_page_context

EIA_TITLE = "Edit the Equality Impact Assessment"
WORKBOOK_TITLE = "Edit the Corporate Policy Workbook"


@login_required
@require_http_methods(["GET", "POST"])
def eia_page(request, reference: str):
    policy, gone = policy_for_form(request, reference, EIA_TITLE, forms.EIAForm)
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
                form.add_application_error(error)
            else:
                messages.success(request, "Equality Impact Assessment saved.")
                return redirect("assessments:eia", reference=policy.reference)
    elif request.method == "POST":
        return draft_refused_keeping_typed(
            request, policy, "eia", EIA_TITLE, f"The Equality Impact Assessment of {policy.reference} cannot be "
            "changed by you at this stage.", forms.EIAForm)
    context = policy_page_context(request, policy, "eia")
    context.update({
        "eia": eia, "form": form,
        "impact_rows": impact_rows(eia),
        "may_sign_off_retrospective": policy.not_impact_assessed and is_dcfd(request.user),
    })
    return render(request, "assessments/eia.html", context, status=400 if form and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def eia_retrospective_signoff(request, reference: str):
    policy = policy_for_page(request, reference)
    form = forms.RetrospectiveEIAForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.eia_complete_retrospective(policy=policy, actor=request.user,
                                                comments=form.cleaned_data["comments"])
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("assessments:eia", reference=policy.reference)
        if Policy.objects.filter(pk=policy.pk, not_impact_assessed=False).exists():
            messages.success(request, "EIA signed off: the policy is now impact assessed.")
        else:  # Issue 13: the marking stays until everything the emergency route skipped is signed off.
            messages.success(request, "EIA signed off. The policy stays \u201cnot impact assessed\u201d until the "
                             "rest of what the emergency route skipped is signed off.")
        return redirect("assessments:eia", reference=policy.reference)
    context = policy_page_context(request, policy, "eia")
    context["form"] = form
    return render(request, "assessments/eia_signoff.html", context)


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


@login_required
@require_http_methods(["GET", "POST"])
def emergency_signoff(request, reference: str):
    """PCU or DOI signs off, late, its part of what the emergency route skipped."""
    policy = policy_for_page(request, reference)
    disciplines = _retrospective_disciplines(request.user, policy) if policy.not_impact_assessed else []
    if not disciplines:
        messages.error(request, f"There is nothing for you to sign off on {policy.reference}.")
        return redirect("lifecycle:detail", reference=policy.reference)
    form = forms.RetrospectiveQAForm(request.POST or None, disciplines=disciplines)
    if request.method == "POST" and form.is_valid():
        try:
            services.retrospective_qa_signoff(policy=policy, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, "Signed off." if Policy.objects.get(pk=policy.pk).not_impact_assessed else
                             "Signed off: nothing the emergency route skipped is outstanding, and the policy is now "
                             "impact assessed.")
            return redirect("lifecycle:detail", reference=policy.reference)
    context = policy_page_context(request, policy, "overview")
    context.update({"form": form, "outstanding": emergency_outstanding(policy)})
    return render(request, "assessments/emergency_signoff.html", context,
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
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
        if request.method == "POST" and form.is_valid():
            values = {field: form.cleaned_data[field] for field in forms.WorkbookForm.SECTIONS}
            try:
                services.workbook_update(policy=policy, actor=request.user,
                                         base_revision=form.cleaned_data["base_revision"], **values)
            except ApplicationError as error:
                form.add_application_error(error)
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
        "sections": [(forms.WorkbookForm.base_fields[field].label, workbook.get_health_and_safety_impact_display()
                      if field == "health_and_safety_impact" else getattr(workbook, field))
                     for field in forms.WorkbookForm.SECTIONS] if workbook else [],
    })
    return render(request, "assessments/workbook.html", context, status=400 if form and form.errors else 200)


def _reads_unpublished_reports(user, policy) -> bool:
    """A monitoring report before PCU publishes it is a working document (SOP, stage 6: the co-ordinator
    quality-assures it, then it is published): read by those who see the policy's drafts (PCU, its group's
    co-ordinator, Lead and owner, its unit's manager) and those who write it. Other staff read published reports."""
    return can_draft(user, policy) or user_may_see_drafts(user=user, policy=policy)


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_page(request, reference: str):
    policy = policy_for_page(request, reference)
    reports = reports_of(user=request.user, policy=policy).select_related("author", "qa_by", "published_by").order_by(
        "-period_end")
    if not _reads_unpublished_reports(request.user, policy):
        reports = reports.filter(status=MonitoringReport.Status.PUBLISHED)
    reports = list(reports)
    may_write = can_draft(request.user, policy) and policy.first_published_on is not None
    # One report is worked on at a time (services.monitoring_report_create): while one is, the page names it and
    # offers no form that would be refused once filled in. A form posted from an older page is still answered, its
    # refusal shown with what was typed.
    in_progress = next((report for report in reports if report.status != MonitoringReport.Status.PUBLISHED), None)
    offered = may_write and (request.method == "POST" or in_progress is None)
    form = forms.MonitoringReportForm(request.POST or None) if offered else None
    if request.method == "POST":
        if form is None:
            messages.error(request, "You cannot write monitoring reports for this policy.")
            return redirect("assessments:monitoring", reference=policy.reference)
        if form.is_valid():
            try:
                services.monitoring_report_create(policy=policy, actor=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                messages.success(request, "Monitoring report started.")
                return redirect("assessments:monitoring", reference=policy.reference)
    context = policy_page_context(request, policy, "monitoring")
    context.update({"reports": reports, "form": form, "in_progress": in_progress if may_write else None,
                    "next_due": MONITORING.state_of(policy)})
    return render(request, "assessments/monitoring.html", context, status=400 if form and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_report_page(request, reference: str, report_id: int):
    policy = policy_for_page(request, reference)
    # A report made OFFICIAL-SENSITIVE, as any out of the reader's sight: 404, as a report that does not exist.
    report = get_object_or_404(reports_of(user=request.user, policy=policy), pk=report_id)
    user = request.user
    if report.status != MonitoringReport.Status.PUBLISHED and not _reads_unpublished_reports(user, policy):
        raise Http404("No such monitoring report.")
    edit_form = qa_form = None
    if report.status == MonitoringReport.Status.DRAFT and can_draft(user, policy):
        edit_form = forms.MonitoringSectionsForm(
            request.POST if request.POST.get("step") in {"save", "submit"} else None,
            initial={field: getattr(report, field) for field in services.REPORT_FIELDS},
        )
    if report.status == MonitoringReport.Status.SUBMITTED and is_group_coordinator(user, policy):
        qa_form = forms.CoordinatorQAForm(request.POST if request.POST.get("step") == "qa" else None)
    # Issue 13: the Lead's response, the remedial action it directed, and a review reading the report.
    response = MonitoringResponse.objects.filter(report=report).select_related(
        "decided_by", "remedial_owner", "remedial_completed_by").first()
    done_form = read_form = None
    if response is not None and response.remedial_open and (
            user.pk == response.remedial_owner_id or is_policy_lead(user, policy)):
        done_form = forms.RemedialActionDoneForm(request.POST if request.POST.get("step") == "remedial_done" else None)
    reading = report.readings.filter(cycle=policy.current_cycle).select_related("read_by").first()
    if reading is None and services.may_read_for_review(user=user, policy=policy, report=report) and not (
            report.readings.filter(cycle__lt=policy.current_cycle).exists()):
        read_form = forms.ReviewReadingForm(request.POST if request.POST.get("step") == "read" else None)
    if request.method == "POST" and request.POST.get("step") in {"remedial_done", "read"}:
        step = request.POST.get("step")
        form = done_form if step == "remedial_done" else read_form
        if form is None:
            messages.error(request, "That is not something you can do to this report now.")
            return redirect("assessments:monitoring_report", reference=policy.reference, report_id=report.pk)
        if form.is_valid():
            try:
                if step == "remedial_done":
                    services.monitoring_remedial_action_complete(response=response, actor=user,
                                                                 outcome=form.cleaned_data["outcome"])
                    messages.success(request, "The remedial action is recorded as done.")
                else:
                    services.monitoring_report_read_for_review(
                        report=report, actor=user, changes_in_response=form.cleaned_data["changes_in_response"])
                    messages.success(request, "Recorded: the review has read this report.")
            except ApplicationError as error:
                if error.code in {"stale", "forbidden"}:
                    messages.error(request, error.message)
                    return redirect("assessments:monitoring_report", reference=policy.reference,
                                    report_id=report.pk)
                form.add_application_error(error)
            else:
                return redirect("assessments:monitoring_report", reference=policy.reference, report_id=report.pk)
    elif request.method == "POST":
        step = request.POST.get("step")
        try:
            if step in {"save", "submit"} and edit_form is not None and edit_form.is_valid():
                services.monitoring_report_update(report=report, actor=user, **edit_form.cleaned_data)
                if step == "submit":
                    services.monitoring_report_submit(report=report, actor=user)
                    messages.success(request, "Submitted to the Business Group Policy Co-ordinator for quality "
                                     "assurance.")
                else:
                    messages.success(request, "Monitoring report saved.")
                return redirect("assessments:monitoring_report", reference=policy.reference, report_id=report.pk)
            if step == "qa" and qa_form is not None and qa_form.is_valid():
                if qa_form.cleaned_data["outcome"] == "passed":
                    services.monitoring_report_pass_qa(report=report, actor=user,
                                                       comments=qa_form.cleaned_data["comments"])
                    messages.success(request, "Quality assured: the report has gone to PCU for publication.")
                else:
                    services.monitoring_report_return(report=report, actor=user,
                                                      comments=qa_form.cleaned_data["comments"])
                    messages.success(request, "Returned to the author with your comments.")
                return redirect("assessments:monitoring_report", reference=policy.reference, report_id=report.pk)
            if step == "publish":
                services.monitoring_report_publish(report=report, actor=user)
                messages.success(request, "Monitoring report published on the Publication Scheme.")
                return redirect("assessments:monitoring_report", reference=policy.reference, report_id=report.pk)
            if step not in {"save", "submit", "qa", "publish"} or (edit_form is None and qa_form is None):
                messages.error(request, "That is not something you can do to this report now.")
                return redirect("assessments:monitoring_report", reference=policy.reference, report_id=report.pk)
        except ApplicationError as error:
            target = edit_form if step in {"save", "submit"} else qa_form
            if step == "submit" and error.code == "gate" and edit_form is not None:
                # Each empty section marked at its box (WCAG 3.3.1), as the service found them: what was typed was
                # saved, and these are the sections of it left empty.
                for field, label in MonitoringReport.REQUIRED_SECTIONS.items():
                    if not edit_form.cleaned_data.get(field, "").strip():
                        edit_form.add_error(field, f"Write the {label.lower()} section before you submit the report")
                if not edit_form.errors:
                    edit_form.add_application_error(error)
            elif target is not None and error.code not in {"stale", "forbidden"}:
                target.add_application_error(error)
            else:
                messages.error(request, error.message)
                return redirect("assessments:monitoring_report", reference=policy.reference, report_id=report.pk)
    context = policy_page_context(request, policy, "monitoring")
    context.update({
        "report": report, "edit_form": edit_form, "qa_form": qa_form,
        "may_publish": report.status == MonitoringReport.Status.QA_PASSED and is_pcu(user),
        "response": response, "done_form": done_form, "read_form": read_form, "reading": reading,
        "remedial_state": REMEDIAL.state_of(response) if response is not None and response.remedial_due_on else None,
        "may_respond": response is None and report.status in QUALITY_ASSURED_REPORT_STATUSES
        and bool(workflow.steps_offered(user, policy, "respond-to-monitoring")),
    })
    has_errors = bool((edit_form and edit_form.errors) or (qa_form and qa_form.errors)
                      or (done_form and done_form.errors) or (read_form and read_form.errors))
    return render(request, "assessments/monitoring_report.html", context, status=400 if has_errors else 200)
