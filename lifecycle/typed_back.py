"""What a person typed, shown back when nothing was saved: a form posted from a page the policy has since moved on
from (a step, a draft's editor). Two answers, one for each case:

- ``gone``: the policy is out of the person's sight now (404). The page is the same, word for word, whether such a
  policy exists or not; it says nothing was saved and why that may be (a policy moves out of sight as it moves on:
  DCFD and DOI see it only from its submission until it is published, its developers only while it is drafted).
- ``refused``: the person still sees the policy but may no longer do this (409), with the reason.

Both show back each text typed into the form: plain texts as typed, rich text as it would have been kept
(sanitised, so shown formatted and safe to copy). Rich text that would take the parser more work than any document
needs (core.html.refuse_unbounded_rich_text: nested too deep, re-opening formatting too often) is shown as typed,
as plain text, without being parsed: anyone signed in can post it, even for a policy that does not exist (review of
2026-12-06: 25,000 <blockquote>s took 11.1 s to answer with a 404). What was typed is read from the post by
core.typed_back, which the CSRF failure page uses as well (core.views.csrf_failure)."""

from __future__ import annotations

import re

from django import forms
from django.http import Http404
from django.shortcuts import render

from core.html import RichTextField
from core.typed_back import Typed, label_of, typed_in  # noqa: F401 (typed_in: read from a post, named here too)
from lifecycle.models import Policy
from lifecycle.permissions import is_assigned_developer
from lifecycle.selectors import user_may_see_sensitive
from lifecycle.states import ProtectiveMarking, Status

# A policy reference as allocated (core.services.reference_allocate: POL-0042), for repeating one back.
POLICY_REFERENCE = re.compile(r"[A-Z]{2,5}-\d{1,9}")


def typed_cleaned(form: forms.BaseForm) -> list[Typed]:
    """Each text of a valid form, as cleaned (comments, reasons, a minute reference)."""
    return [Typed(label_of(name, field), form.cleaned_data[name].strip(), rich=isinstance(field, RichTextField))
            for name, field in form.fields.items()
            if isinstance(field, forms.CharField) and isinstance(form.cleaned_data.get(name), str)
            and form.cleaned_data[name].strip()]


def gone(request, reference: str, title: str, typed: list[Typed], *, verb: str = "recorded"):
    """The 404 of a form posted for a policy out of sight: nothing was recorded (a step) or saved (a draft), and
    what was typed. To the policy's own developers, who know it (it is in their My work), it says where the policy is
    now: the form was usually sent a second time, from another tab, after the first had moved it on (a submission for
    quality assurance); to anyone else, the same page whether such a policy exists or not."""
    shown = reference if POLICY_REFERENCE.fullmatch(reference) else "this policy"
    moved_on = _developers_policy(request.user, reference) if shown != "this policy" else None
    return render(request, "lifecycle/policy_action_gone.html",
                  {"title": title, "reference": shown, "typed": typed, "verb": verb, "moved_on": moved_on},
                  status=404)


class PolicyMovedOn(Http404):
    """The 404 of a policy's page opened by one of its developers once it has moved on to a stage they do not see
    (``moved_on``: where it is, ``_developers_policy``): the error page says so (core.views.page_not_found), and when
    they see it again (QA walk of 2026-12-06: Back after requesting commissioning read "The policy may not exist")."""

    def __init__(self, moved_on: dict):
        super().__init__("The policy has moved on to a stage its developers do not see.")
        self.moved_on = moved_on


def moved_on_from(request, reference: str) -> dict | None:
    """Where the policy ``reference`` stands, for one of its own developers who no longer sees it
    (``_developers_policy``); None for anyone else, or an address that names no policy."""
    if not getattr(request.user, "is_authenticated", False) or not POLICY_REFERENCE.fullmatch(reference):
        return None
    return _developers_policy(request.user, reference)


def _developers_policy(user, reference: str) -> dict | None:
    """Where the policy ``reference`` stands, if ``user`` is one of its developers by the visibility's own rule for
    their drafts (lifecycle.selectors._reach) but for the status it has moved on to: assigned to it
    (``is_assigned_developer``: named, holding the developer role in its business group, or granted its draft), and
    cleared for its marking (``user_may_see_sensitive`` for an OFFICIAL-SENSITIVE one). Being named is not enough
    (review 4): someone whose role was taken away stays among its developers, and was shown an OFFICIAL-SENSITIVE
    policy's title and status here; they get the page that does not tell whether it exists. One query for the policy,
    and one for the grants of a developer without the role."""
    policy = (Policy.objects.filter(reference=reference, developers=user)
              .only("reference", "title", "status", "status_changed_at", "business_group_id", "protective_marking")
              .first())
    if policy is None or not is_assigned_developer(user, policy):
        return None
    if policy.protective_marking != ProtectiveMarking.OFFICIAL and not user_may_see_sensitive(user=user, policy=policy):
        return None
    return {"reference": policy.reference, "title": policy.title, "status": policy.status,
            "status_changed_at": policy.status_changed_at, "status_label": Status(policy.status).label}


def refused(request, context: dict, title: str, message: str, typed: list[Typed], *, verb: str = "recorded"):
    """The 409 of a form refused because its page had moved on, for someone who still sees the policy (``context``:
    the policy page's): the reason, and what was typed."""
    context.update({"title": title, "message": message, "typed": typed, "verb": verb})
    return render(request, "lifecycle/policy_action_refused.html", context, status=409)
