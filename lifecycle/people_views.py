"""The people pages (issue 12): who holds what on a policy, with a reassignment form per part for those who
may change it; and a person's handover (preview, then confirm). Thin: reads through people_selectors, changes
through lifecycle.services.people, refusals shown on the form with what was typed kept."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from core.models import User
from core.typed_back import shows_typed_back
from lifecycle.people_forms import DeveloperForm, HandoverForm, MoveGroupForm, ReassignForm
from lifecycle.people_selectors import (
    Eligibility,
    handover_eligibility,
    lead_must_be_cleared_for,
    policy_eligibility,
    policy_holders,
)
from lifecycle.selectors import visible_policy_ids
from lifecycle.services import people as people_services
from lifecycle.services.people import DESIGNATED_LEAD, DEVELOPER, PARTS, SINGLE_PARTS
from lifecycle.states import Status
from lifecycle.views import policy_for_page, policy_page_context

MOVE = "move"
LABELS = {key: part.label for key, part in PARTS.items()}
# A person's page not found (or not theirs to open), said of people rather than the generic 404's policies.
PERSON_NOT_FOUND = ("The person may not exist, or their work is not yours to hand over: a business group's "
                    "co-ordinator hands over the people of its policies, the Policy Co-ordination Unit anyone's.")


def _forms(request, policy, holders, posted_part: str | None) -> dict:
    """The forms this user may use, keyed by part (and "move"); the posted one bound to what was sent. A new holder is
    typed, and looked up among those who may take the part only when the form is posted. For whoever may name the
    Designated Lead (PCU, who alone moves a policy too), one statement reads whose material the Lead must be cleared
    for (none for a local work instruction), and one more, where that narrows it, whether any Lead is."""
    by_key = {row.key: row for row in holders}
    lead_cleared_for = (lead_must_be_cleared_for(policies=[policy])
                        if people_services.may_reassign(request.user, policy, DESIGNATED_LEAD) else ())
    forms: dict = {}
    for key in (*SINGLE_PARTS, DEVELOPER):
        if not people_services.may_reassign(request.user, policy, key):
            continue
        data = request.POST if posted_part == key else None
        if key == DEVELOPER:
            forms[key] = DeveloperForm(data, prefix=key, current=by_key[key].people,
                                       eligibility=policy_eligibility(policy=policy, part=key))
        else:
            holder = by_key[key].holder
            forms[key] = ReassignForm(data, prefix=key, label=LABELS[key], eligibility=policy_eligibility(
                                          policy=policy, part=key, lead_cleared_for=lead_cleared_for),
                                      initial={"expected_holder": holder.pk if holder else "none"})
    if rules.has_perm("lifecycle.move_business_group", request.user, policy) and policy.status != Status.WITHDRAWN:
        forms[MOVE] = MoveGroupForm(request.POST if posted_part == MOVE else None, prefix=MOVE, policy=policy,
                                    labels=LABELS, lead_cleared_for=lead_cleared_for)
    return forms


def _run(request, policy, part: str, form) -> None:
    """Call the service the posted form asks for (raises ApplicationError when refused)."""
    data = form.cleaned_data
    actor, reason = request.user, data["reason"]
    if part == MOVE:
        people_services.policy_move_business_group(
            policy=policy, actor=actor, business_group=data["business_group"], owning_unit=data["owning_unit"],
            reason=reason, holders={key: data.get(key) for key in PARTS})
    elif part == DEVELOPER:
        people_services.policy_replace_developer(policy=policy, actor=actor, old=data["old"], new=data["new"],
                                                 reason=reason)
    else:
        people_services.policy_reassign(policy=policy, actor=actor, role=part, new_holder=data["new_holder"],
                                        reason=reason, expected_holder=data["expected_holder"])


def typed_back_form(post, *, reference: str):
    """The form of the part posted (``part``), unbound and made without the policy (no query: whoever may be named is
    looked up only when the form itself is posted), under its prefix: what a post refused before the view is read back
    from (core.typed_back). A reason typed for a change of owner or Lead was lost with the page."""
    part = post.get("part")
    if part == MOVE:
        return MoveGroupForm(prefix=MOVE, labels=LABELS)
    if part == DEVELOPER:
        return DeveloperForm(prefix=DEVELOPER, eligibility=Eligibility(DEVELOPER))
    if part in SINGLE_PARTS:
        return ReassignForm(prefix=part, label=LABELS[part], eligibility=Eligibility(part))
    return None


def handover_typed_back_form(post, *, username: str) -> HandoverForm:
    """The handover form unbound, with a box for every part a handover can name someone for (those of this leaver's
    are known only from their portfolio, which a post refused before the view does not read): what is read back
    (core.typed_back)."""
    return HandoverForm(eligibility_by_part={part: Eligibility(part) for part in PARTS}, labels=LABELS)


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(typed_back_form)
def policy_people(request, reference: str):
    policy = policy_for_page(request, reference)
    posted_part = request.POST.get("part") if request.method == "POST" else None
    holders = policy_holders(policy=policy)
    forms = _forms(request, policy, holders, posted_part)
    if request.method == "POST":
        form = forms.get(posted_part)
        kept = people_services.withdrawn_people_kept(policy)
        if form is None and kept:
            messages.error(request, kept)
            return redirect("lifecycle:people", reference=policy.reference)
        if form is None:
            messages.error(request, f"You cannot change that on {policy.reference}: reassignment is for the Policy "
                                    "Co-ordination Unit and the business group's co-ordinator (the owner and the "
                                    "Lead, and a move to another business group, for PCU alone).")
            return redirect("lifecycle:people", reference=policy.reference)
        if form.is_valid():
            try:
                _run(request, policy, posted_part, form)
            except ApplicationError as error:
                if error.code in {"stale", "forbidden", "not_found"}:
                    messages.error(request, error.message)
                    return redirect("lifecycle:people", reference=policy.reference)
                form.add_application_error(error)
            else:
                messages.success(request, f"{policy.reference}: the change is recorded, and the people concerned "
                                          "are told.")
                return redirect("lifecycle:people", reference=policy.reference)
    for row in holders:
        row.form = forms.get(row.key)
    context = policy_page_context(request, policy, "people")
    context.update({
        "holders": holders, "forms": forms, "posted_part": posted_part,
        "may_hand_over": people_services.may_hand_over(request.user),
        "move_form": forms.get(MOVE), "withdrawn_people_kept": people_services.withdrawn_people_kept(policy),
    })
    context["has_errors"] = bool(posted_part in forms and forms[posted_part].errors)
    return render(request, "lifecycle/policy_people.html", context, status=400 if context["has_errors"] else 200)


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(handover_typed_back_form)
def person_handover(request, username: str):
    """A person's whole portfolio (PCU; a co-ordinator for their group's policies): what moves, what stays and
    the open tasks that follow, then the replacements and the reason, confirmed in one go."""
    try:
        people_services.handover_scope_check(request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("home")
    leaver = User.objects.filter(username=username).first()
    plan = people_services.handover_preview(actor=request.user, leaver=leaver) if leaver is not None else None
    if plan is None or not people_services.may_open_portfolio(request.user, plan):
        # Out of scope is "not found", in the same words whether the person exists or not, and about people: the
        # generic 404 speaks of policies.
        return render(request, "errors/404.html", {"message": PERSON_NOT_FOUND}, status=404)
    form = HandoverForm(request.POST if request.method == "POST" else None,
                        eligibility_by_part=handover_eligibility(plan=plan), labels=LABELS,
                        initial={"expected": plan.fingerprint})
    if request.method == "POST" and form.is_valid():
        try:
            result = people_services.person_handover(
                actor=request.user, leaver=leaver, reason=form.cleaned_data["reason"],
                replacements={key: form.cleaned_data.get(key) for key in PARTS},
                # The preview confirmed, "" when the form left it out: refused, never taken as "no preview"
                # (integrity review of 2026-12-06).
                expected=form.cleaned_data["expected"] or "")
        except ApplicationError as error:
            if error.code in {"stale", "forbidden"}:
                messages.error(request, error.message)
                return redirect("people:handover", username=leaver.username)
            form.add_application_error(error)
        else:
            kept = f" {result.kept} stay with {leaver} for others to move." if result.kept else ""
            messages.success(request, f"{leaver}'s work on {result.policies} "
                                      f"polic{'y' if result.policies == 1 else 'ies'} has been handed over.{kept}")
            # A co-ordinator's leaver with no role left in their groups is no longer theirs to see: the message is
            # shown on their own page instead.
            plan = people_services.handover_preview(actor=request.user, leaver=leaver)
            if not people_services.may_open_portfolio(request.user, plan):
                return redirect("home")
            return redirect("people:handover", username=leaver.username)
    # What stays may be on policies the viewer may not see (another group's drafts): those are counted, not named.
    visible = visible_policy_ids(user=request.user, ids=[holding.policy.pk for holding in plan.staying])
    staying_shown = [holding for holding in plan.staying if holding.policy.pk in visible]
    return render(request, "lifecycle/people_handover.html", {
        "leaver": leaver, "plan": plan, "form": form, "labels": LABELS, "staying_shown": staying_shown,
        "staying_unseen": len(plan.staying) - len(staying_shown)}, status=400 if form.errors else 200)
