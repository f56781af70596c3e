"""The monitoring pages (SOP, stage 6): a policy's reports, and one report with the decisions taken on it. The
co-ordinator's quality assurance and PCU's publication are bound to the report as the page showed it (rule 17): each
form posts the report read and its content hash (``report_read``, ``report_hash``), and the service refuses a
mismatch."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from assessments import forms, services
from assessments.models import MonitoringReport, MonitoringReportReading, MonitoringResponse
from assessments.scheme_sections import DESTINATIONS
from assessments.selectors import report_kept_off_scheme, reports_of
from assessments.services.monitoring_periods import LONGEST_PERIOD_SHOWN, year_due
from core.exceptions import ApplicationError
from core.stale_saves import STALE_SAVE_STATUS, editor_status, show_refusal
from core.submissions import AlreadySubmitted, already_submitted
from core.typed_back import shows_typed_back
from lifecycle import typed_back
from lifecycle.due import MONITORING, REMEDIAL
from lifecycle.monitoring_reports import QUALITY_ASSURED_REPORT_STATUSES
from lifecycle.permissions import can_draft, is_group_coordinator, is_pcu, is_policy_lead
from lifecycle.report_duties import report_conflict, report_parts_held
from lifecycle.selectors import user_may_see_drafts
from lifecycle.states import Duty, Status
from lifecycle.steps import permits
from lifecycle.views import policy_for_page, policy_page_context
from lifecycle.workflow import RESPOND_TO_MONITORING

# A submission refused for a section left empty saves nothing (services.monitoring_report_submit): said with the
# sections to write, and how to keep a report written in part.
NOTHING_SAVED = ("Nothing has been saved: write the sections marked and submit the report again, or choose “Save "
                 "draft” to keep what you have written so far")


def _reads_unpublished_reports(user, policy) -> bool:
    """A monitoring report before PCU publishes it is a working document (SOP, stage 6: the co-ordinator
    quality-assures it, then it is published): read by those who see the policy's drafts (PCU, its group's
    co-ordinator, Lead and owner, its unit's manager) and those who write it. Other staff read published reports."""
    return can_draft(user, policy) or user_may_see_drafts(user=user, policy=policy)


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(forms.MonitoringReportForm)
def monitoring_page(request, reference: str):
    policy = policy_for_page(request, reference)
    # A draft discarded (started by mistake) is no report: its events stay on the timeline.
    reports = _reports_listed(request.user, policy)
    may_write = can_draft(request.user, policy) and policy.first_published_on is not None
    # One report is worked on at a time (services.monitoring_report_create): while one is, the page names it and
    # offers no form that would be refused once filled in. A form posted from an older page is still answered, its
    # refusal shown with what was typed.
    in_progress = next((report for report in reports if report.status != MonitoringReport.Status.PUBLISHED), None)
    # A withdrawal decided halts the report's cycle with the policy's, and one carried out ends it (services.
    # report_halted, the one rule the service asks under the lock): no report is started, and those who would write it
    # are told why. No query where no withdrawal is decided (the page's read says so).
    halted = services.report_halted(policy) if may_write else None
    offered = may_write and (request.method == "POST" or (in_progress is None and halted is None))
    # The form offers the year the report due must cover (monitoring_periods.year_due), to be changed if need be.
    year = year_due(policy) if offered else None
    form = forms.MonitoringReportForm(
        request.POST or None, initial={"period_start": year.start, "period_end": year.due} if year else None,
        submitter=request.user,
    ) if offered else None
    if request.method == "POST":
        if form is None:
            messages.error(request, "You cannot write monitoring reports for this policy.")
            return redirect("assessments:monitoring", reference=policy.reference)
        if form.is_valid():
            try:
                services.monitoring_report_create(policy=policy, actor=request.user, **form.cleaned_data)
            except AlreadySubmitted as error:  # the same form sent again (Back, a second click): the report it started
                return already_submitted(request, error, "assessments:monitoring", policy.reference)
            except ApplicationError as error:
                started = _in_progress(request.user, policy) if error.code == "stale" else None
                if started is not None:
                    # A second tab, posted after a report was started: refused with a link to that report and what
                    # was typed, and no form (another would be refused the same way).
                    return _refused_in_progress(request, policy, started, error.message, typed_back.typed_in(
                        forms.MonitoringReportForm, request.POST))
                form.add_application_error(error)
            else:
                messages.success(request, "Monitoring report started.")
                return redirect("assessments:monitoring", reference=policy.reference)
    context = policy_page_context(request, policy, "monitoring")
    context.update({"reports": reports, "form": form, "in_progress": in_progress if may_write else None,
                    "halted": halted, "year_due": year, "longest_period": LONGEST_PERIOD_SHOWN,
                    **_next_due(policy)})
    return render(request, "assessments/monitoring.html", context, status=400 if form and form.errors else 200)


def _in_progress(user, policy) -> MonitoringReport | None:
    """The policy's report being worked on (one at a time: services.monitoring_report_create), as the person reads
    the policy's reports."""
    return (reports_of(user=user, policy=policy).exclude(status=MonitoringReport.Status.PUBLISHED)
            .order_by("-period_end").first())


def _reports_listed(user, policy) -> list[MonitoringReport]:
    """The reports the Monitoring tab lists, newest first: those the reader may read (published only, unless they
    read unpublished ones), a draft discarded (started by mistake) left out (its events stay on the timeline). Each
    with what still waits on it for a review concluding no change (lifecycle.gates_no_change: QA walk of 2026-12-06,
    the Lead was sent here to "respond to each one" and nothing said which): its Lead's response, and whether a review
    has read it, in the same statement. The page and its 409 refusal list the same (second review of 2026-12-06)."""
    reports = (reports_of(user=user, policy=policy).exclude(status=MonitoringReport.Status.DISCARDED)
               .select_related("author", "qa_by", "published_by", "response")
               .annotate(read_by_a_review=Exists(MonitoringReportReading.objects.filter(report=OuterRef("pk"))))
               .order_by("-period_end"))
    if not _reads_unpublished_reports(user, policy):
        reports = reports.filter(status=MonitoringReport.Status.PUBLISHED)
    return list(reports)


def _next_due(policy) -> dict:
    """What the tab says of the next report: its state by the one rule (lifecycle.due.MONITORING), or, the policy
    withdrawn, that none is due and since when (found in Chromium on POL-0003: "Next report due: 1 April 2026" of a
    withdrawn policy)."""
    withdrawn = policy.status == Status.WITHDRAWN
    return {"next_due": MONITORING.state_of(policy), "withdrawn": withdrawn,
            "withdrawn_on": policy.status_changed_at if withdrawn else None}


def _refused_in_progress(request, policy, started, message: str, typed):
    reports = _reports_listed(request.user, policy)
    context = policy_page_context(request, policy, "monitoring")
    context.update({"reports": reports, "form": None, "in_progress": started, "refused": message.rstrip("."),
                    "typed": typed, **_next_due(policy)})
    return render(request, "assessments/monitoring.html", context, status=409)


# The form each of the report page's buttons (``step``) sends, for showing back what was typed (core.typed_back).
REPORT_FORMS = {"save": forms.MonitoringSectionsForm, "submit": forms.MonitoringSectionsForm,
                "qa": forms.CoordinatorQAForm, "remedial_done": forms.RemedialActionDoneForm,
                "read": forms.ReviewReadingForm, "discard": forms.DiscardReportForm}


def _report_form(post, **kwargs):
    return REPORT_FORMS.get(post.get("step"))


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(_report_form)
def monitoring_report_page(request, reference: str, report_id: int):
    policy = policy_for_page(request, reference)
    # A report made OFFICIAL-SENSITIVE, as any out of the reader's sight: 404, as a report that does not exist.
    report = get_object_or_404(reports_of(user=request.user, policy=policy), pk=report_id)
    user = request.user
    if report.status != MonitoringReport.Status.PUBLISHED and not _reads_unpublished_reports(user, policy):
        raise Http404("No such monitoring report.")
    edit_form = qa_form = period_form = discard_form = None
    step = request.POST.get("step")
    if report.status == MonitoringReport.Status.DRAFT and can_draft(user, policy):
        edit_form = forms.MonitoringSectionsForm(
            request.POST if step in {"save", "submit"} else None,
            initial={**{field: getattr(report, field) for field in services.REPORT_FIELDS},
                     "base_revision": report.draft_revision},
        )
        period_form = forms.MonitoringPeriodForm(
            request.POST if step == "period" else None, prefix="period",
            initial={"period_start": report.period_start, "period_end": report.period_end})
    # Its author or PCU discard a draft started by mistake (services.monitoring_report_discard says why no one else).
    if report.status == MonitoringReport.Status.DRAFT and (
            (report.author_id == user.pk and can_draft(user, policy)) or is_pcu(user)):
        discard_form = forms.DiscardReportForm(request.POST if step == "discard" else None)
    # The decisions this person could take on the report by their role and its status, and those of them that
    # separation of duties bars (lifecycle.report_duties), with why: one query, asked only if there is any.
    response = MonitoringResponse.objects.filter(report=report).select_related(
        "decided_by", "remedial_owner", "remedial_completed_by").first()
    decisions = {
        Duty.QA: report.status == MonitoringReport.Status.SUBMITTED and is_group_coordinator(user, policy),
        Duty.PUBLISHER: report.status == MonitoringReport.Status.QA_PASSED and is_pcu(user),
        Duty.APPROVER: response is None and report.status in QUALITY_ASSURED_REPORT_STATUSES
        and permits(user, policy, RESPOND_TO_MONITORING),
    }
    barred = _barred(user, report, decisions)
    # A withdrawal decided halts the report's cycle with the policy's, and one carried out ends it (services.
    # report_halted, the one rule the services ask under the lock): its next part (submission, quality assurance,
    # publication) is not offered, and whoever it would be offered to is told why. Saving the draft stays open. No
    # query where none is decided.
    halted = services.report_halted(policy, report) if (
        edit_form is not None or decisions[Duty.QA] or decisions[Duty.PUBLISHER]) else None
    if decisions[Duty.QA] and Duty.QA not in barred and halted is None:
        qa_form = forms.CoordinatorQAForm(request.POST if request.POST.get("step") == "qa" else None)
    # Issue 13: the remedial action the Lead's response directed, and a review reading the report.
    done_form = read_form = None
    if response is not None and response.remedial_open and (
            user.pk == response.remedial_owner_id or is_policy_lead(user, policy)):
        done_form = forms.RemedialActionDoneForm(request.POST if request.POST.get("step") == "remedial_done" else None)
    reading = report.readings.filter(cycle=policy.current_cycle).select_related("read_by").first()
    if reading is None and services.may_read_for_review(user=user, policy=policy, report=report) and not (
            report.readings.filter(cycle__lt=policy.current_cycle).exists()):
        read_form = forms.ReviewReadingForm(request.POST if request.POST.get("step") == "read" else None)
    if request.method == "POST" and step in {"period", "discard"}:
        answered = _correct_or_discard(request, policy, report, period_form if step == "period" else discard_form)
        if answered is not None:
            return answered
    elif request.method == "POST" and step in {"remedial_done", "read"}:
        form = done_form if step == "remedial_done" else read_form
        if form is None and step == "remedial_done" and response is not None \
                and response.remedial_completed_at is not None:
            # A second "Record as done": who recorded it and when, as other repeats are told (QA walk): said as done,
            # not as a problem.
            messages.info(request, services.remedial_already_done(response))
            return redirect("assessments:monitoring_report", reference=policy.reference, report_id=report.pk)
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
                if error.code in {"stale", "forbidden", "already_done"}:
                    (messages.info if error.code == "already_done" else messages.error)(request, error.message)
                    return redirect("assessments:monitoring_report", reference=policy.reference,
                                    report_id=report.pk)
                form.add_application_error(error)
            else:
                return redirect("assessments:monitoring_report", reference=policy.reference, report_id=report.pk)
    elif request.method == "POST":
        answered = _decide(request, policy, report, edit_form, qa_form)
        if answered is not None:
            return answered
    context = policy_page_context(request, policy, "monitoring")
    may_publish = decisions[Duty.PUBLISHER] and Duty.PUBLISHER not in barred and halted is None
    context.update({
        # Where PCU's publication puts the report, in its words (scheme_sections.DESTINATIONS): on the button, and
        # said once it is published. One query, asked only then.
        "destination": DESTINATIONS[report_kept_off_scheme(report)]
        if may_publish or report.status == MonitoringReport.Status.PUBLISHED else None,
        "report": report, "edit_form": edit_form, "qa_form": qa_form, "period_form": period_form,
        "discard_form": discard_form, "longest_period": LONGEST_PERIOD_SHOWN,
        "may_publish": may_publish, "barred": barred.values(), "halted": halted,
        "response": response, "done_form": done_form, "read_form": read_form, "reading": reading,
        "remedial_state": REMEDIAL.state_of(response) if response is not None and response.remedial_due_on else None,
        "may_respond": decisions[Duty.APPROVER] and Duty.APPROVER not in barred,
    })
    has_errors = any(form is not None and form.errors
                     for form in (edit_form, qa_form, done_form, read_form, period_form, discard_form))
    # Refused because the report changed since the page was read: the page as it is now, to read again (409); a save
    # of the draft from a page older than it: refused, what was typed kept on the form (409).
    stale = ((qa_form is not None and qa_form.has_error(NON_FIELD_ERRORS, code="stale"))
             or editor_status(edit_form) == STALE_SAVE_STATUS)
    status = 409 if stale else 400
    return render(request, "assessments/monitoring_report.html", context, status=status if has_errors else 200)


def _barred(user, report, decisions: dict[Duty, bool]) -> dict[Duty, str]:
    """Of the ``decisions`` this person could take on ``report`` (those True), the ones separation of duties bars,
    with the sentence saying why (lifecycle.report_duties; the services ask it again under the row lock). One query,
    none if there is no decision to take."""
    if not any(decisions.values()):
        return {}
    held = report_parts_held(user, report)
    refusals = {duty: report_conflict(held, duty) for duty, open_to_them in decisions.items() if open_to_them}
    return {duty: refusal for duty, refusal in refusals.items() if refusal is not None}


def _correct_or_discard(request, policy, report, form):
    """A draft started by mistake: its period corrected, or the draft discarded. A redirect when done or refused
    outright; None to show the page again with the refusal at its field, what was typed kept."""
    if form is None:
        messages.error(request, "That is not something you can do to this report now.")
        return _back_to(report)
    if not form.is_valid():
        return None
    try:
        if request.POST.get("step") == "period":
            services.monitoring_report_correct_period(report=report, actor=request.user, **form.cleaned_data)
            messages.success(request, "The report's period is corrected.")
            return _back_to(report)
        services.monitoring_report_discard(report=report, actor=request.user, reason=form.cleaned_data["reason"],
                                           **_report_read(request.POST))
    except ApplicationError as error:
        if error.code in {"stale", "forbidden", "frozen"}:
            messages.error(request, error.message)
            return _back_to(report)
        form.add_application_error(error)
        return None
    messages.success(request, "The draft report is discarded. You can start the report you meant to write.")
    return redirect("assessments:monitoring", reference=policy.reference)


def _report_read(post) -> dict:
    """What the page showed, as the service's keyword arguments (rule 17): the report read and its content hash. Sent
    empty when the form carried none, which the service refuses."""
    return {"report_read": post.get("report_read") or "", "report_hash": post.get("report_hash") or ""}


def _back_to(report):
    return redirect("assessments:monitoring_report", reference=report.policy.reference, report_id=report.pk)


def _draft_closed(request, policy, message: str):
    """The report's editor posted after the draft was discarded or submitted: the reason, and what was typed (409, as
    any draft editor whose page moved on: lifecycle.typed_back.refused)."""
    return typed_back.refused(request, policy_page_context(request, policy, "monitoring"), "Edit the monitoring report",
                              message, typed_back.typed_in(forms.MonitoringSectionsForm, request.POST), verb="saved")


def _decide(request, policy, report, edit_form, qa_form):
    """The author's save and submission, the co-ordinator's quality assurance and PCU's publication, posted to the
    report's page: a redirect when done or refused outright; None to show the page again with the refusal on its
    form (what was typed kept)."""
    user, step, read = request.user, request.POST.get("step"), _report_read(request.POST)
    posted_late = None
    if step == "qa" and qa_form is None and is_group_coordinator(user, policy):
        # Posted from a page the report has since moved on from (a second click, a colleague's decision in another
        # tab): the service says why, and what was typed is shown back.
        posted_late = forms.CoordinatorQAForm(request.POST)
        if not posted_late.is_valid():
            posted_late = None
    qa_posted = qa_form if qa_form is not None else posted_late
    if step in {"save", "submit"} and edit_form is None and report.status != MonitoringReport.Status.DRAFT \
            and can_draft(user, policy):
        # The draft was discarded or submitted while this page was open (another tab, a colleague, PCU): nothing is
        # saved, and the sections as typed are shown back to copy.
        return _draft_closed(request, policy, services.draft_closed(report))
    try:
        if step in {"save", "submit"} and edit_form is not None and edit_form.is_valid():
            if step == "submit":
                # Saved and submitted as one change: refused, nothing is saved (services.monitoring_report_submit).
                services.monitoring_report_submit(report=report, actor=user, **edit_form.cleaned_data)
                messages.success(request, "Submitted to the Business Group Policy Co-ordinator for quality assurance.")
            else:
                services.monitoring_report_update(report=report, actor=user, **edit_form.cleaned_data)
                messages.success(request, "Monitoring report saved.")
            return _back_to(report)
        if step == "qa" and qa_posted is not None and qa_posted.is_valid():
            comments = qa_posted.cleaned_data["comments"]
            if qa_posted.cleaned_data["outcome"] == "passed":
                services.monitoring_report_pass_qa(report=report, actor=user, comments=comments, **read)
                messages.success(request, "Quality assured: the report has gone to PCU for publication.")
            else:
                services.monitoring_report_return(report=report, actor=user, comments=comments, **read)
                messages.success(request, "Returned to the author with your comments.")
            return _back_to(report)
        if step == "publish":
            published = services.monitoring_report_publish(report=report, actor=user, **read)
            messages.success(request, DESTINATIONS[report_kept_off_scheme(published)].success)
            return _back_to(report)
        if step not in {"save", "submit", "qa", "publish"} or (edit_form is None and qa_form is None):
            messages.error(request, "That is not something you can do to this report now.")
            return _back_to(report)
    except ApplicationError as error:
        if error.code == "already_done":  # a second click, a colleague in another tab: said as done, not a problem
            messages.info(request, error.message)
            return _back_to(report)
        if step == "submit" and error.code == "gate" and edit_form is not None:
            # Each empty section marked at its box (WCAG 3.3.1), as the service found them. Nothing was saved (the
            # save and the submission are one change), so the form, bound to what was posted, still carries the
            # draft's revision and its next Submit is taken; it says so, and how to keep a report written in part.
            edit_form.add_error(None, NOTHING_SAVED)
            for field, label in MonitoringReport.REQUIRED_SECTIONS.items():
                if not edit_form.cleaned_data.get(field, "").strip():
                    edit_form.add_error(field, f"Write the {label.lower()} section before you submit the report")
            if len(edit_form.errors) == 1:
                edit_form.add_application_error(error)
            return None
        if step == "qa" and qa_posted is not None and (error.code == "forbidden" or posted_late is not None):
            # Refused (separation of duties), or posted from a page the report has since moved on from: the reason,
            # and the decision's comments as typed.
            return typed_back.refused(request, policy_page_context(request, policy, "monitoring"), "Quality assurance",
                                      error.message, typed_back.typed_cleaned(qa_posted))
        if step in {"save", "submit"} and edit_form is not None and error.code == "conflict":
            # Saved meanwhile by someone else (or another tab): nothing was changed, and the sections as typed stay
            # on the form to copy (services.monitoring_report_update; core.stale_saves).
            show_refusal(edit_form, error)
            return None
        if step == "qa" and qa_form is not None and error.code == "stale":
            # The report changed since the page was read: shown again as it is now, the decision and comments kept.
            qa_form.add_error(None, ValidationError(error.message, code="stale"))
            return None
        if step in {"save", "submit"} and error.code == "frozen":  # closed between this page's read and the lock
            return _draft_closed(request, policy, error.message)
        target = edit_form if step in {"save", "submit"} else qa_form
        if target is not None and error.code not in {"stale", "forbidden"}:
            target.add_application_error(error)
            return None
        messages.error(request, error.message)
        return _back_to(report)
    return None
