"""The policy's Versions tab (lifecycle.views' policy pages): every version kept, a redline between any two, and the
interim revisions of one, restoring one into the working draft. Split from lifecycle.views, whose policy frame
(``policy_for_page``, ``policy_page_context``) these pages share."""

import re

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from core.exceptions import ApplicationError
from lifecycle import (
    compare,
    services,
)
from lifecycle.redline import has_changes, redline_html
from lifecycle.selectors import (
    policy_versions,
    revision_comparison,
    revisions_written_sensitive,
    user_may_see_sensitive,
    version_for_revisions,
    version_history,
    version_revisions,
)
from lifecycle.states import ProtectiveMarking
from lifecycle.views import policy_for_page, policy_page_context

# A version's number as written (1.0, 2.3): what a comparison may repeat back of an address it was given.
VERSION_NUMBER = re.compile(r"\d{1,4}\.\d{1,4}")


@login_required
@require_safe
def policy_versions_page(request, reference: str):
    policy = policy_for_page(request, reference)
    context = policy_page_context(request, policy, "versions")
    # Each version's number, author, dates and hash, and (issue 12) the interim revisions inside it: values rows, read
    # with statements compiled once per process (lifecycle.selectors.version_history).
    context["versions"] = version_history(policy=policy, user=request.user)
    return render(request, "lifecycle/policy_versions.html", context)


@login_required
@require_safe
def policy_compare(request, reference: str):
    """Redline between any two versions: ?from=1.0&to=2.0 (defaults: the previous version to the newest)."""
    policy = policy_for_page(request, reference)
    versions = list(policy_versions(policy=policy, user=request.user))
    by_number = {version.number: version for version in versions}
    newest = versions[0] if versions else None
    target = by_number.get(request.GET.get("to", "")) or newest
    base = by_number.get(request.GET.get("from", ""))
    # A version asked for that is not there (or not to be seen) is said, and the comparison shown instead; only a
    # version number is repeated back.
    for asked in (request.GET.get("from", ""), request.GET.get("to", "")):
        if asked and asked not in by_number:
            named = f"version {asked}" if VERSION_NUMBER.fullmatch(asked) else "such version"
            messages.warning(request, f"{policy.reference} has no {named} that you can see: this page compares the "
                                      "versions it has instead.")
    if base is None and target is not None:
        older = [version for version in versions if (version.major, version.minor) < (target.major, target.minor)]
        base = older[0] if older else None
    context = policy_page_context(request, policy, "versions")
    context.update({"versions": versions, "base": base, "target": target,
                    "sensitive_versions": sensitive_versions(policy, base, target)})
    if base is not None and target is not None:
        context["redline"] = redline_html(base.statement, target.statement)
        context["changed"] = has_changes(base.statement, target.statement)
        context["documents"] = compare.document_changes(user=request.user, base=base, target=target)
    return render(request, "lifecycle/policy_compare.html", context)


def sensitive_versions(policy, *versions) -> list[str]:
    """The numbers of ``versions`` that are OFFICIAL-SENSITIVE material (``PolicyVersion.frozen_sensitive``) while
    ``policy`` is OFFICIAL now: the page says to handle them so (lifecycle/includes/versions_sensitive.html). Only
    those cleared are shown such versions (lifecycle.selectors.FROZEN_SENSITIVE)."""
    if policy.protective_marking != ProtectiveMarking.OFFICIAL:
        return []
    return list(dict.fromkeys(version.number for version in versions if version is not None
                              and version.frozen_sensitive))


@login_required
@require_http_methods(["GET", "POST"])
def version_revisions_page(request, reference: str, version: str):
    """The interim revisions of one version (issue 12), to those who see the policy's drafts: the list, a redline
    between two revisions of one document (?from=N&to=M), and restoring one into the working draft (POST)."""
    policy = policy_for_page(request, reference)
    shown = version_for_revisions(user=request.user, policy=policy, number=version)
    revisions = version_revisions(user=request.user, policy=policy, version=shown)
    if request.method == "POST":
        may_restore = rules.has_perm("lifecycle.edit_draft", request.user, policy)
        chosen = next((item for item in revisions if str(item.sequence) == request.POST.get("revision")), None)
        if chosen is None:
            raise Http404("No such revision.")
        base_revision = request.POST.get("base_revision", "")
        latest_seen = request.POST.get("latest_seen", "")
        if not may_restore:
            messages.error(request, f"Nothing was restored: the draft of {policy.reference} cannot be changed by you "
                                    "now (it is edited by its developers and manager, in scoping or development, "
                                    "until it is submitted).")
            return redirect("lifecycle:revisions", reference=policy.reference, version=shown.number)
        try:
            restored = services.draft_revision_restore(
                policy=policy, actor=request.user, revision=chosen,
                base_revision=int(base_revision) if base_revision.isdigit() else None,
                latest_seen=int(latest_seen) if latest_seen.isdigit() and len(latest_seen) < 10 else None)
        except ApplicationError as error:
            # The service's reason, said once ("Nothing was restored" where it says so itself).
            reason = error.message if "Nothing was restored" in error.message else (
                f"Nothing was restored. {error.message}")
            messages.error(request, reason)
            return redirect("lifecycle:revisions", reference=policy.reference, version=shown.number)
        current = policy.current_version
        if restored is None:
            messages.info(request, f"The draft already holds revision {chosen.sequence}'s content: nothing changed.")
        else:
            messages.success(request, f"Revision {chosen.sequence} restored as revision {restored.sequence} of "
                                      f"version {current.number}.")
        return redirect("lifecycle:revisions", reference=policy.reference, version=current.number)
    # The page's context reads the newest version and the version in force in one query: asked first, the edit
    # permission read the newest version alone, and the context read it again (one query more, issue 16).
    context = policy_page_context(request, policy, "versions")
    may_restore = context["can_edit_draft"]
    # The newest revision of the working draft this page knows of: a restore posted from it is refused if the same
    # document was saved since (no query when the page shows the working draft itself).
    current = policy.current_version
    if not may_restore:
        draft_latest = None
    elif current is not None and current.pk == shown.pk:
        draft_latest = max((item.sequence for item in revisions), default=0)
    else:
        draft_latest = current.revisions.aggregate(last=Max("sequence"))["last"] or 0
    context.update({
        "shown_version": shown, "revisions": revisions, "may_restore": may_restore, "draft_latest": draft_latest,
        "sensitive_versions": sensitive_versions(policy, shown),
        # None listed to a reader not cleared, of a version drafted while the policy was OFFICIAL-SENSITIVE: said so,
        # rather than that none were recorded (one query, on that page alone).
        "revisions_withheld": not revisions and not user_may_see_sensitive(user=request.user, policy=policy)
        and revisions_written_sensitive(shown),
        "comparison": revision_comparison(revisions=revisions, base=request.GET.get("from"),
                                          target=request.GET.get("to")),
    })
    return render(request, "lifecycle/version_revisions.html", context)
