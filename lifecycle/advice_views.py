"""``/policies/<reference>/advice/``: advice during development (issue 12). Those who draft the policy invite
DCFD, DOI, SHRMT or a named colleague to see and comment on the draft, and withdraw invitations; those invited
give their advice. Thin: reads here and in the invitation rows, changes through lifecycle.services.advice."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from lifecycle import forms
from lifecycle.models import AdviceComment
from lifecycle.selectors import user_may_see_drafts
from lifecycle.services import advice as advice_services
from lifecycle.views import policy_for_page, policy_page_context


def _invitations(policy):
    return list(policy.advice_invitations.select_related("invitee", "invited_by", "withdrawn_by").prefetch_related(
        Prefetch("comments", queryset=AdviceComment.objects.select_related("author", "policy_version")
                 .order_by("created_at", "pk")))
        .order_by("-cycle", "-invited_at", "-pk"))


@login_required
@require_http_methods(["GET", "POST"])
def policy_advice(request, reference: str):
    policy = policy_for_page(request, reference)
    if not user_may_see_drafts(user=request.user, policy=policy):
        # Advice is on drafts: staff who see only the version in force are told so, and shown nothing of it.
        context = policy_page_context(request, policy, "advice")
        context["drafts_hidden"] = True
        return render(request, "lifecycle/policy_advice.html", context,
                      status=200 if request.method != "POST" else 403)
    may_invite = rules.has_perm("lifecycle.invite_advice", request.user, policy)
    invitations = _invitations(policy)
    by_id = {invitation.pk: invitation for invitation in invitations}
    action = request.POST.get("action") if request.method == "POST" else None
    invite_form = forms.AdviceInviteForm(request.POST if action == "invite" else None) if may_invite else None
    posted_invitation = request.POST.get("invitation", "") if action == "comment" else ""
    comment_form = forms.AdviceCommentForm(request.POST, auto_id=f"id_advice_{posted_invitation}_%s"
                                           if posted_invitation.isdigit() else "id_%s") if action == "comment" else None
    if action == "invite" and invite_form is None:
        messages.error(request, f"You cannot invite advice on {policy.reference} now: its developers, manager and "
                                "co-ordinator do, while it is drafted.")
        return redirect("lifecycle:advice", reference=policy.reference)
    if action in {"withdraw", "comment"}:
        form = forms.AdviceWithdrawForm(request.POST) if action == "withdraw" else comment_form
        invitation = by_id.get(form.cleaned_data["invitation"]) if form.is_valid() else None
        if form.is_valid() and invitation is None:
            raise Http404("No such invitation.")
        if invitation is not None:
            try:
                if action == "withdraw":
                    advice_services.advice_withdraw(invitation=invitation, actor=request.user,
                                                    reason=form.cleaned_data["reason"])
                    messages.success(request, f"The invitation to {invitation.addressee} is withdrawn; they have "
                                              "been told.")
                else:
                    advice_services.advice_comment(invitation=invitation, actor=request.user,
                                                   text=form.cleaned_data["text"])
                    messages.success(request, "Your advice is recorded; the policy's developers have been told.")
                return redirect("lifecycle:advice", reference=policy.reference)
            except ApplicationError as error:
                if action == "withdraw" or error.code in {"forbidden", "stale"}:
                    messages.error(request, error.message)
                    return redirect("lifecycle:advice", reference=policy.reference)
                form.add_application_error(error)
    elif action == "invite" and invite_form.is_valid():
        try:
            invitation = advice_services.advice_invite(
                policy=policy, actor=request.user, team=invite_form.cleaned_data["team"],
                invitee=invite_form.cleaned_data["invitee"], note=invite_form.cleaned_data["note"])
        except ApplicationError as error:
            if error.code in {"forbidden", "frozen"}:
                messages.error(request, error.message)
                return redirect("lifecycle:advice", reference=policy.reference)
            invite_form.add_application_error(error)
        else:
            messages.success(request, f"{invitation.addressee} can now see the draft and comment on it, and has been "
                                      "told.")
            return redirect("lifecycle:advice", reference=policy.reference)
    for invitation in invitations:
        invitation.may_comment = advice_services.may_comment(request.user, invitation, policy)
        invitation.may_withdraw = invitation.is_open and (may_invite or invitation.invited_by_id == request.user.pk)
        invitation.comment_form = (comment_form if posted_invitation == str(invitation.pk) else
                                   forms.AdviceCommentForm(initial={"invitation": invitation.pk},
                                                           auto_id=f"id_advice_{invitation.pk}_%s"))
    context = policy_page_context(request, policy, "advice")
    context.update({"invitations": invitations, "invite_form": invite_form,
                    "open_invitations": [item for item in invitations if item.is_open],
                    "withdrawn_invitations": [item for item in invitations if not item.is_open],
                    "form": invite_form if invite_form is not None and invite_form.errors else comment_form})
    has_errors = bool((invite_form is not None and invite_form.errors) or (comment_form is not None
                                                                           and comment_form.errors))
    return render(request, "lifecycle/policy_advice.html", context, status=400 if has_errors else 200)
