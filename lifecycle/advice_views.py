"""``/policies/<reference>/advice/``: advice during development (issue 12). Those who draft the policy invite
DCFD, DOI, SHRMT or a named colleague to see and comment on the draft, and withdraw invitations; those invited
give their advice. Someone named on the draft who cannot open it (not cleared for an OFFICIAL-SENSITIVE policy, or
gone) is said to be so, with the invitation's withdrawal or, for access given by name, its taking back. Thin: reads
through lifecycle.selectors.advice_page, changes through lifecycle.services.advice and .access."""

from __future__ import annotations

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.exceptions import ApplicationError
from core.submissions import AlreadySubmitted, already_submitted
from core.typed_back import shows_typed_back
from lifecycle import forms
from lifecycle.selectors import advice_page, user_may_see_drafts
from lifecycle.services import GRANTABLE, policy_revoke_access
from lifecycle.services import advice as advice_services
from lifecycle.views import policy_for_page, policy_page_context


def _take_back(request, policy, stranded_grants):
    """Take back access given by name to someone who cannot open the draft: only a grant the page lists."""
    form = forms.AdviceTakeBackForm(request.POST)
    posted = (form.cleaned_data["grantee"], form.cleaned_data["permission"]) if form.is_valid() else None
    grant = next((grant for grant in stranded_grants if (grant.user.pk, grant.permission) == posted), None)
    if grant is None:
        raise Http404("No such access listed.")
    try:
        policy_revoke_access(policy=policy, actor=request.user, user=grant.user, permission=grant.permission)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{grant.user} can no longer {GRANTABLE[grant.permission]}.")
    return redirect("lifecycle:advice", reference=policy.reference)


def _advice_form(post, **kwargs):
    """The form of the page's button that was pressed (``action``), for showing back what was typed
    (core.typed_back)."""
    return {"invite": forms.AdviceInviteForm, "comment": forms.AdviceCommentForm}.get(post.get("action"))


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(_advice_form)
def policy_advice(request, reference: str):
    policy = policy_for_page(request, reference)
    if not user_may_see_drafts(user=request.user, policy=policy):
        # Advice is on drafts: staff who see only the version in force are told so, and shown nothing of it.
        context = policy_page_context(request, policy, "advice")
        context["drafts_hidden"] = True
        return render(request, "lifecycle/policy_advice.html", context,
                      status=200 if request.method != "POST" else 403)
    may_invite = rules.has_perm("lifecycle.invite_advice", request.user, policy)
    page = advice_page(policy, user=request.user)
    invitations = page.invitations
    by_id = {invitation.pk: invitation for invitation in invitations}
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "take_back":
        return _take_back(request, policy, page.stranded_grants)
    invite_form = (forms.AdviceInviteForm(request.POST if action == "invite" else None, submitter=request.user)
                   if may_invite else None)
    posted_invitation = request.POST.get("invitation", "") if action == "comment" else ""
    comment_form = forms.AdviceCommentForm(request.POST, submitter=request.user,
                                           auto_id=f"id_advice_{posted_invitation}_%s"
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
                    # Someone who cannot open the draft is not told of it (the relay tells nobody not cleared).
                    told = "" if invitation.invitee_id in page.cannot_open else "; they have been told"
                    messages.success(request, f"The invitation to {invitation.addressee} is withdrawn{told}.")
                else:
                    advice_services.advice_comment(invitation=invitation, actor=request.user,
                                                   text=form.cleaned_data["text"],
                                                   submission=form.cleaned_data["submission"])
                    messages.success(request, "Your advice is recorded; the policy's developers have been told.")
                return redirect("lifecycle:advice", reference=policy.reference)
            except AlreadySubmitted as error:  # the same advice sent again (Back, a second click)
                return already_submitted(request, error, "lifecycle:advice", policy.reference)
            except ApplicationError as error:
                if action == "withdraw" or error.code in {"forbidden", "stale"}:
                    messages.error(request, error.message)
                    return redirect("lifecycle:advice", reference=policy.reference)
                form.add_application_error(error)
    elif action == "invite" and invite_form.is_valid():
        try:
            invitation = advice_services.advice_invite(
                policy=policy, actor=request.user, team=invite_form.cleaned_data["team"],
                invitee=invite_form.cleaned_data["invitee"], note=invite_form.cleaned_data["note"],
                submission=invite_form.cleaned_data["submission"])
        except AlreadySubmitted as error:
            return already_submitted(request, error, "lifecycle:advice", policy.reference)
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
        invitation.cannot_open = page.cannot_open.get(invitation.invitee_id) if invitation.is_open else None
        invitation.may_comment = advice_services.may_comment(request.user, invitation, policy)
        invitation.may_withdraw = invitation.is_open and (may_invite or invitation.invited_by_id == request.user.pk)
        invitation.comment_form = (comment_form if posted_invitation == str(invitation.pk) else
                                   forms.AdviceCommentForm(initial={"invitation": invitation.pk},
                                                           submitter=request.user,
                                                           auto_id=f"id_advice_{invitation.pk}_%s"))
    context = policy_page_context(request, policy, "advice")
    context.update({"invitations": invitations, "invite_form": invite_form,
                    "stranded_grants": [{"grant": grant, "what": GRANTABLE.get(grant.permission, grant.permission)}
                                        for grant in page.stranded_grants],
                    # Asked only when there is something to take back (its predicates may read the person's grants).
                    "may_take_back": bool(page.stranded_grants) and rules.has_perm("lifecycle.grant_access",
                                                                                  request.user, policy),
                    "open_invitations": [item for item in invitations if item.is_open],
                    "withdrawn_invitations": [item for item in invitations if not item.is_open],
                    "form": invite_form if invite_form is not None and invite_form.errors else comment_form})
    has_errors = bool((invite_form is not None and invite_form.errors) or (comment_form is not None
                                                                           and comment_form.errors))
    return render(request, "lifecycle/policy_advice.html", context, status=400 if has_errors else 200)
