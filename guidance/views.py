"""The public information pages (accessibility statement, privacy, cookies, Freedom of Information), PCU's edit
of them, and help for each role with the glossary. The information pages and help are open to everyone."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from core.exceptions import ApplicationError
from core.glossary import GLOSSARY
from core.stale_saves import editor_status, show_refusal
from core.typed_back import shows_typed_back
from guidance import help as role_help
from guidance.content import PAGES
from guidance.forms import SitePageForm
from guidance.selectors import page_revision, page_sections
from guidance.services import site_page_update
from lifecycle.permissions import is_pcu


def _page(slug: str):
    try:
        return PAGES[slug]
    except KeyError:
        raise Http404("No such page.") from None


@require_safe
def site_page(request, slug: str):
    page = _page(slug)
    return render(request, "guidance/site_page.html", {
        "page": page, "sections": page_sections(page=page), "may_edit": is_pcu(request.user),
        "foi": slug == "freedom-of-information",
    })


def _site_page_form(post, *, slug: str) -> SitePageForm | None:
    """The page's form unbound, with a box for each of its sections (added as it is made): what a post refused is read
    back from (core.typed_back). Its class declares none of them, and nothing typed was shown back (walk of every
    form, tests/web/test_forms_show_typed_back.py)."""
    return SitePageForm(page=PAGES[slug]) if slug in PAGES else None


@login_required
@require_http_methods(["GET", "POST"])
@shows_typed_back(_site_page_form)
def site_page_edit(request, slug: str):
    page = _page(slug)
    if not is_pcu(request.user):
        raise PermissionDenied(f"Only the Policy Co-ordination Unit can change the page “{page.title}”.")
    initial = {section.key: section.body for section in page_sections(page=page)}
    initial["base_revision"] = page_revision(page=page)
    form = SitePageForm(request.POST or None, initial=initial, page=page)
    if request.method == "POST" and form.is_valid():
        try:
            changed = site_page_update(actor=request.user, page=page, bodies=form.bodies(),
                                       base_revision=form.cleaned_data["base_revision"])
        except ApplicationError as error:
            # Saved meanwhile (a colleague, another tab): nothing was changed, and the text as typed stays on the
            # form to copy (core.stale_saves).
            show_refusal(form, error)
        else:
            messages.success(request, f"“{page.title}” saved." if changed else "Nothing had changed.")
            return redirect(f"guidance:{slug}")
    return render(request, "guidance/site_page_edit.html", {"page": page, "form": form},
                  status=editor_status(form))


@require_safe
def help_index(request):
    return render(request, "guidance/help_index.html", {
        "roles": role_help.ROLES, "stages": role_help.stages(), "local": role_help.local_work_instructions(),
        "glossary": sorted(GLOSSARY.items()),
        "review_years": settings.POLICYHUB_REVIEW_INTERVAL_MONTHS // 12,
    })


@require_safe
def help_role(request, role: str):
    chosen = role_help.ROLES_BY_SLUG.get(role)
    if chosen is None:
        raise Http404("No such role.")
    return render(request, "guidance/help_role.html", {"help": chosen, "roles": role_help.ROLES})
