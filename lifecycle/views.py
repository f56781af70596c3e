"""Thin views: read through selectors, change through services, show refusals as form errors. The Versions tab's
pages are lifecycle.versions_views."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from core.exceptions import ApplicationError
from core.submissions import step_purpose, submission_token_issue
from core.typed_back import shows_typed_back
from lifecycle import (
    compare,
    duties,
    emergency,
    gates,
    next_steps,
    permissions,
    services,
    timeline,
    typed_back,
    workflow,
)
from lifecycle.models import ApprovalDecision
from lifecycle.register_views import CountedPaginator
from lifecycle.report_work import report_work_for
from lifecycle.selectors import (
    REPORT_MARKING,
    access_policy,
    approval_shown,
    corporate_lead_cannot_read,
    emergency_outstanding,
    frozen_marking_readable,
    instructions_unreadable_by,
    is_emergency_author,
    latest_feedback,
    policy_list,
    read_versions,
    sop_versions_for,
    version_comparisons,
    version_shown,
    withdrawal_shown,
)
from lifecycle.states import DRAFT_EDITABLE_STATUSES, PAGE_READS, Duty, PolicyKind
from lifecycle.steps import halted_by_any, permits


def policy_for_page(request, reference: str, *, with_people: bool = False, with_local_instructions: bool = False):
    """The policy, if this user may see it; 404 otherwise. OFFICIAL-SENSITIVE clearance is part of the
    visibility filter (lifecycle.selectors), so it is decided in one place for pages, lists and counts. To one of its
    own developers, once it has moved on to a stage they do not see, the 404 says where it is
    (``typed_back.PolicyMovedOn``)."""
    try:
        return access_policy(user=request.user, reference=reference, with_people=with_people,
                             with_local_instructions=with_local_instructions)
    except Http404:
        moved_on = typed_back.moved_on_from(request, reference) if request.method in ("GET", "HEAD") else None
        if moved_on is None:
            raise
        raise typed_back.PolicyMovedOn(moved_on) from None


def policy_for_form(request, reference: str, title: str, form_class) -> tuple[object, object]:
    """``(policy, None)`` for a draft's editor, or ``(None, answer)`` for a form posted for a policy the person no
    longer sees: the answer says nothing was saved and shows back what was typed (lifecycle.typed_back.gone) into
    ``form_class`` (or an unbound form, for one that adds fields as it is made: core.typed_back.typed_in)."""
    try:
        return policy_for_page(request, reference), None
    except Http404:
        if request.method != "POST":
            raise
        return None, typed_back.gone(request, reference, title, typed_back.typed_in(form_class, request.POST),
                                     verb="saved")


def draft_refused_keeping_typed(request, policy, section: str, title: str, message: str, form_class):
    """A draft's editor posted by someone who may no longer change it (the policy moved on while the page was
    open): the reason, and what was typed shown back (lifecycle.typed_back.refused)."""
    return typed_back.refused(request, policy_page_context(request, policy, section), title, message,
                              typed_back.typed_in(form_class, request.POST), verb="saved")


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
    # The steps this person would take but for their part in the version (separation of duties): said, not just
    # left out (their part was read with the versions: no query).
    # One sentence a page (approve and reject are one decision).
    first_of_page = {step.page: step for step in reversed(permitted) if step.duty and step.page is not None}
    barred = [(step, permissions.conflict_with(user, policy, step.duty)) for step in first_of_page.values()]
    return {
        "policy": policy,
        # Said on the overview (``barred_said``).
        "barred": [(step, how) for step, how in barred if how],
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
    # None while the cycle is halted (a withdrawal decided: lifecycle.steps.HALTS): the step it lists is closed, and
    # what to do next is PCU's withdrawal, not the draft's missing items.
    if next_step is not None and next_step.halted_by(policy) is not None:
        next_step = None
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
    emergency_approved = approval is not None and approval.decision == ApprovalDecision.Decision.EMERGENCY_APPROVED
    context["outstanding"] = emergency_outstanding(policy) if emergency_approved else []
    # What to do next names the reader's part of it, as My work does (lifecycle.emergency.SKIPPED_PARTS: QA walk, a
    # policy in implementation read "Next: Sign off the Workbook's impact sections" on My work and only "Move to
    # monitoring" here), and the Lead's watch as risk owner.
    _skipped_parts(context, request.user, policy)
    # And, to its authors, what they write of it until it is signed off (the EIA, the Workbook's impact sections): the
    # one rule the chase reads (lifecycle.selectors.emergency_authors). QA walk: the manager editing it, and a developer
    # named on it, read "Nothing is waiting for you" while the chase reminded them.
    if context["outstanding"] and is_emergency_author(request.user, policy):
        context["skipped_waiting"] += emergency.authors_work_waiting(
            item.discipline for item in context["outstanding"] if item.done)
    context["risk_owner_watch"] = (emergency.RISK_OWNER_WATCH if context["outstanding"]
                                   and emergency.risk_owner_watches(request.user, policy) else "")
    # Its withdrawal decided: nothing it skipped is signed off or chased any more (lifecycle.steps.HALTS).
    context["skipped_halted"] = bool(context["outstanding"]) and halted_by_any(policy) is not None
    # A withdrawn policy's document control says when, why and what replaced it, not a review date of an ended cycle.
    context["withdrawal"] = withdrawal_shown(user=request.user, policy=policy)
    context.update(_local_work_instruction_links(request.user, policy))
    # Issue 13: a draft the Lead asked to approve by the emergency route is held until PCU answers; said to those who
    # see the draft (asked only in development, the route's one source).
    if version is not None and version == policy.current_version:
        _hold_edits(context, policy)
        context["emergency_refusal"] = emergency.emergency_refusal(policy)
    asked = {}
    # The checklist is of the working draft: shown only to those shown the draft, not to staff reading the version in
    # force while its review is drafted (issue 4: staff "see the published policies").
    if next_step is not None and version is not None and not version.is_frozen:
        context["checklist_step"] = next_step
        # A monitoring report it lists is dated and linked only for those who may read it (its frozen marking).
        context["checklist"] = next_steps.checklist(
            next_step, policy, asked=asked,
            reports_readable=frozen_marking_readable(request.user, marking=REPORT_MARKING), offered=context["actions"])
    # What to do next, and by when: each page offered with its readiness (a gate asked once), or who acts next.
    # QA walk of 2026-12-05 (B, C): the report under way, for what comes next, and the report work waiting for the
    # reader, linked to the report, as their My work lists it (one query, none before the policy is published).
    context["report_work"] = work = report_work_for(request.user, policy)
    context["barred"] = barred_said(context["barred"], policy)
    context["next"] = next_steps.next_steps(policy, context["actions"], shown=version, asked=asked,
                                            report=work.under_way)
    # Work to be done before the way on that is the reader's (the drafters' update of an EIA DCFD reopened), linked to
    # its page, as their My work lists it (QA walk: "Nothing is waiting for you" to the developer who was to write it).
    context["first_waiting"] = next_steps.work_first_for(request.user, policy, context["next"])
    return render(request, "lifecycle/policy_detail.html", context)


def _skipped_parts(context: dict, user, policy) -> None:
    """The reader's parts of what the emergency route skipped (lifecycle.emergency.skipped_parts_waiting_for), each
    linked to its sign-off page, and "Sign off your part" shown, only where that page would offer it: the sign-off
    services' own rule (``emergency.late_sign_off_refusal``; leftover C: linked while there was nothing to sign, the
    part still to be written, signed off already, another discipline's, or the withdrawal decided). A part that waits
    for its authors is named with why, without a link (My work lists it too, as theirs to sign once written); one the
    rule closes otherwise (the withdrawal decided: lifecycle.steps.HALTS) is not theirs now. Nothing asked of a reader
    with no part."""
    waiting = emergency.skipped_parts_waiting_for(user, policy, context["outstanding"])
    refusals = [(part, emergency.late_sign_off_refusal(user, policy, part.discipline)) for part in waiting]
    context["skipped_waiting"] = [part for part, refusal in refusals if refusal is None]
    context["skipped_not_yet"] = [(part, refusal.message) for part, refusal in refusals
                                  if refusal is not None and refusal.code == "gate"]
    # The sign-off pages offered, once each (PCU's and DOI's parts are signed off on the same page).
    context["skipped_sign_off_pages"] = list(dict.fromkeys(part.page for part in context["skipped_waiting"]))


def barred_said(barred: list, policy) -> list[str]:
    """The steps this person would take but for their part in the version (``policy_page_context``'s "barred"), as
    the overview says them. A step that waits for a part under way (``Step.under_way``: PCU's re-publication after a
    review concluding no change) only while that part is (QA walk of 2026-12-06: "Someone else must re-publish it"
    stood on every policy in force; the overview reads the open review once, for what comes next, anyway)."""
    return [f"Someone else must {step.label} it: you {how}, and one person may not hold two parts in the same version "
            "(separation of duties)." for step, how in barred if step.under_way is None or step.under_way(policy)]


def _hold_edits(context: dict, policy) -> None:
    """A draft held for the Lead's request for emergency approval (lifecycle.emergency): the page says so and offers
    no edit link (the editors would only send the person back with the reason)."""
    context["emergency_hold"] = held = emergency.emergency_hold(policy)
    if held:
        context["can_edit_draft"] = context["can_edit_details"] = False


def _local_work_instruction_links(user, policy) -> dict:
    """Issue 13: a local work instruction names the corporate policy it supplements (with its Lead's agreement); a
    corporate policy in force lists the local work instructions that support it. Each as the user may see it."""
    if policy.supports_id is not None:
        agreement = gates.current_local_agreement(policy)
        # An agreement that cannot come: the corporate Lead is no longer cleared for this OFFICIAL-SENSITIVE draft.
        return {"supports": policy_list(user=user).filter(pk=policy.supports_id).first(),
                "local_agreement": agreement,
                "corporate_lead_cannot_read": agreement is None and corporate_lead_cannot_read(policy)}
    # access_policy read whether any supplements it: the list (and its visibility filter) only when some do.
    if (policy.kind == PolicyKind.CORPORATE and policy.first_published_on is not None
            and getattr(policy, "has_local_instructions", True)):
        links = {"local_instructions": list(policy_list(user=user).filter(supports=policy)
                                            .select_related("business_group").order_by("reference"))}
        # Its Designated Lead is asked for the "prior agreement" of each: those they can no longer read (out of their
        # sight, their pages 404) are said, by reference, with what settles it, rather than silently left out.
        if policy.designated_lead_id == user.pk:
            links["instructions_unreadable"] = instructions_unreadable_by(user, policy)
        return links
    return {}


@login_required
@require_safe
def policy_statement(request, reference: str):
    policy = policy_for_page(request, reference)
    context = policy_page_context(request, policy, "statement")
    context["sop_versions"] = sop_versions_for(user=request.user, version=context["version"])
    # Asked only of those who may edit (the others are offered no edit link anyway).
    if context["can_edit_draft"]:
        _hold_edits(context, policy)
    return render(request, "lifecycle/policy_statement.html", context)


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
    context["entries"] = timeline.entries(page.object_list, cleared=events.sensitive,
                                          business_group_id=policy.business_group_id, recorded=shows_evidence,
                                          reader=request.user)
    context["shows_evidence"] = shows_evidence
    return render(request, "lifecycle/policy_timeline.html", context)


def _redirect_after_action(request, policy):
    """Back to the overview, or to My work when the action took the policy out of the user's sight (DCFD
    and DOI see a policy only from submission to publication: returning a submission must not land them on "Page not
    found")."""
    try:
        policy_for_page(request, policy.reference)
    except Http404:
        return redirect("home")
    return redirect("lifecycle:detail", reference=policy.reference)


def _binding(post) -> dict:
    """What the page showed, as the service's keyword arguments: the status, and the version read (rule 17); and the
    page's one-time token, kept as posted when the form is shown again, so that the form sent twice is one form
    (core.submissions.submission_claim_step)."""
    return {"expected_status": post.get("expected_status") or None,
            "version": post.get("version") or "", "version_hash": post.get("version_hash") or "",
            "submission": post.get("submission") or None}


def _take_step(request, policy, slug: str, form):
    """Run the step the valid form asks for; a redirect when done or refused outright, None to show the form
    again with the service's reason on it."""
    step = workflow.step_for_choice(slug, form.cleaned_data)
    try:
        step.service(policy=policy, actor=request.user, **step.service_arguments(form.cleaned_data),
                     **_binding(request.POST))
    except ApplicationError as error:
        if error.code == "already_done":
            # The same form sent again, or the step taken meanwhile in another tab or by a colleague: said as done, by
            # whom and when (core.submissions.AlreadyDone, Step.done_by), as the publication page says its repeats.
            messages.info(request, error.message)
            return _redirect_after_action(request, policy)
        typed = typed_back.typed_cleaned(form)
        if error.code == "stale" and typed:
            # The page had moved on (another tab, a colleague): refused, and what was typed is shown back, not lost.
            return _refused_with_what_was_typed(request, policy, slug, error, typed)
        if error.code in {"stale", "forbidden"}:
            messages.error(request, error.message)
            return _redirect_after_action(request, policy)
        form.add_application_error(error)
        return None
    # What happens next and who is told, from the declarations (issue 17); the deadline from when it moved, what is
    # due from the dates the step may have moved (a review brought forward), and what the policy waits for from the
    # records the step may have made (the page's reads of them forgotten: lifecycle.states.PAGE_READS).
    policy.refresh_from_db(fields=["status", "status_changed_at", "review_due_on", "monitoring_report_due_on"])
    policy.__dict__[PAGE_READS] = {}
    said = next_steps.after_step(step, policy, report=lambda: report_work_for(request.user, policy).under_way)
    messages.success(request, f"{step.success_for(form.cleaned_data)} {said}")
    return _redirect_after_action(request, policy)


def _refused_with_what_was_typed(request, policy, slug: str, error: ApplicationError, typed):
    """A step refused because its page had moved on, with what was typed shown back. Only to someone who still sees
    the policy; anyone else is told on My work, as after any step that takes a policy out of their sight."""
    try:
        policy = policy_for_page(request, policy.reference)
    except Http404:
        messages.error(request, error.message)
        return redirect("home")
    page, _ = workflow.PAGES[slug]
    return typed_back.refused(request, policy_page_context(request, policy, "action"), page.label, error.message,
                              typed)


def _why_not_offered(user, policy, slug: str) -> str:
    """Why a page is not offered: to those whose step it is by their role, the part they already took in this
    version (separation of duties) when that is the reason; else, and to everyone without the role, that it is not
    theirs to take now. The role comes first, as in the service (services.base: check_step_allowed, then
    check_duty)."""
    page, steps = workflow.PAGES[slug]
    version = policy.current_version
    held = duties.duties_held(user, version) if version and any(step.duty for step in steps) else {}
    for step in steps:
        # Not offered on this policy now, to anyone (a review already due: no earlier date is left): said as the service
        # would refuse it, to those whose step it otherwise is.
        closed = step.closed_by(policy)
        if (closed is not None and step.applies_to(policy) and policy.status in step.source
                and rules.has_perm(step.permission, user, policy)):
            return f"Cannot {step.label} {policy.reference}: {gates.reason_for(closed, policy)}"
        # The part the person took in this version is said only to someone whose step it is by their role (its
        # permission): to anyone else the step was never theirs, and naming their part would imply it could be (QA
        # walk: a developer who wrote the version was told they could not publish it for that reason; SOP, PCU's
        # role: "Publish all corporate policy"). They get the refusal below, as everyone else without the role.
        if not rules.has_perm(step.permission, user, policy):
            continue
        # This very part, taken already (the page opened again after a sign-off or a decision): said as it is, not
        # as a conflict. (Writing a version is no such part: its author goes on to submit it.)
        if step.duty in held and step.duty != Duty.AUTHOR:
            return f"{policy.reference}: you have already {held[step.duty]}. Nothing more is asked of you here."
        how = duties.conflict_among(held, step.duty) if step.duty else None
        if how:
            return (f"You cannot {step.label} {policy.reference}: you {how}, and one person may not hold two parts in "
                    "the same version (separation of duties).")
        # Theirs to take but for what ``offered_if`` asks of them (quality assurance, with nothing left to record).
        if (step.offered_if is not None and step.not_offered and permits(user, policy, step)
                and not step.offered_if(user, policy)):
            return f"{policy.reference}: {step.not_offered}"
    return f"“{page.title}” is not available to you for {policy.reference} now."


def _action_form(post, *, reference: str, slug: str):
    """The form of a step's page, for showing back what was typed (core.typed_back)."""
    return workflow.PAGES[slug][0].form if slug in workflow.PAGES else None


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(_action_form)
def policy_action(request, reference: str, slug: str):
    """The page of one or more declared steps (lifecycle.workflow.PAGES): its form, and the service it runs."""
    if slug not in workflow.PAGES:
        raise Http404("No such action.")
    try:
        policy = policy_for_page(request, reference)
    except Http404:
        if request.method == "POST":
            page, _ = workflow.PAGES[slug]
            return typed_back.gone(request, reference, page.title, typed_back.typed_in(page.form, request.POST))
        raise
    page, _ = workflow.PAGES[slug]
    # A link may choose the first value of the fields its form names (a report's "Respond to this report":
    # ?report=<id>); the form keeps only a value among its own choices.
    initial = {} if request.method == "POST" else {
        name: value for name, value in request.GET.items() if name in page.form.chosen_by_link}
    form = page.form(request.POST if request.method == "POST" else None, user=request.user, policy=policy,
                     initial=initial)
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
    context["readiness"] = next_steps.readiness(page, policy, offered=context["actions"])
    # PCU answer the Lead's request for emergency approval: what the Lead asked, and why, shown with the draft.
    if page is workflow.EMERGENCY_ANSWER_PAGE:
        context["emergency_request"] = emergency.open_emergency_request(policy)
    # Starting a review names the other way to end one (QA walk of 2026-12-06: a Lead whose no-change conclusion was
    # not ready yet found it nowhere): linked for the Lead, whose page says what it waits for.
    if page is workflow.START_REVIEW.page:
        context["conclude_instead"] = bool(workflow.steps_offered(request.user, policy,
                                                                  workflow.CONCLUDE_NO_CHANGE.page.slug))
    context.update({"action": page, "explanation": next_steps.explanation(page, policy), "form": form,
                    "decided_version": version,
                    "binding": _binding(request.POST) if request.method == "POST" else {
                        "expected_status": policy.status, "version": version.pk if version else "",
                        "version_hash": version.read_hash if version else "",
                        "submission": submission_token_issue(user=request.user,
                                                             purpose=step_purpose(slug, policy.pk))}})
    if page.shows_version and version is not None:
        context["comparisons"] = version_comparisons(policy=policy, version=version)
        for comparison in context["comparisons"]:
            comparison["documents"] = compare.document_changes(user=request.user, base=comparison["base"],
                                                               target=version)
        context["signoffs"] = version.qa_signoffs.select_related("signed_by")
        context["approval_board"] = services.approval_board(policy, risk_tier=version.details_read["risk_tier"])
    return render(request, "lifecycle/policy_action.html", context, status=400 if request.method == "POST" else 200)
