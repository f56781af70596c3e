"""Every change to the public information pages: PCU edits a page's sections (sanitised rich text), audited in the
same transaction."""

from __future__ import annotations

from django.db import transaction

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.html import sanitise_rich_text_bounded
from core.stale_saves import refuse_stale_save, saved_by_whom
from guidance.content import SitePage
from guidance.models import SitePageRevision, SitePageSection
from lifecycle.permissions import is_pcu


def _saved_meanwhile(page: SitePage, actor) -> str:
    """Who saved the page last, and when (its section saved last). One query, only when a save is refused."""
    last = (SitePageSection.objects.filter(page=page.slug).select_related("updated_by").order_by("-updated_at")
            .first())
    return saved_by_whom(last.updated_by if last else None, last.updated_at if last else None, actor)


@transaction.atomic
def site_page_update(*, actor, page: SitePage, bodies: dict[str, str], base_revision: int | None = None) -> list[str]:
    """Save the sections of ``page`` that changed; returns their keys. The page's structure (its sections and
    headings) is fixed: only their text changes. Nothing is saved unless every section has text. ``base_revision``:
    the page's revision its edit form showed; a save from a form drawn before another save is refused and nothing is
    changed (core.stale_saves), as the EIA's is. None: a caller that showed no form."""
    if not is_pcu(actor):
        raise ApplicationError(f"Only the Policy Co-ordination Unit can change the page “{page.title}”.",
                               code="forbidden")
    # Each section's length and the parser's work on it are checked before the lock and before anything is parsed
    # (STYLE rule 19): this page had no length check of its own (review of 2026-12-06).
    cleaned = {section.key: sanitise_rich_text_bounded(bodies.get(section.key, ""), label=f"“{section.heading}”",
                                                       field=section.key).strip()
               for section in page.sections}
    # The page's row lock: its saves are taken one after the other (a page never saved gets its row here; two first
    # saves at once: the second waits for the first's row, then finds its revision moved on).
    counter, _ = SitePageRevision.objects.select_for_update().get_or_create(page=page.slug)
    refuse_stale_save(current=counter.revision, base_revision=base_revision, what=f"The page “{page.title}”",
                      saved_meanwhile=lambda: _saved_meanwhile(page, actor))
    rows = {row.section: row for row in SitePageSection.objects.select_for_update().filter(page=page.slug)}
    changed: dict[str, dict[str, str]] = {}
    for section in page.sections:
        body = cleaned[section.key]
        if not body:
            raise ApplicationError(f"Enter the text of “{section.heading}”", field=section.key)
        row = rows.get(section.key)
        before = row.body if row is not None else section.default
        if body == before:
            continue
        changed[section.key] = {"before": before, "after": body}
        if row is None:
            rows[section.key] = SitePageSection.objects.create(page=page.slug, section=section.key, body=body,
                                                               updated_by=actor)
        else:
            row.body, row.updated_by = body, actor
            row.save(update_fields=["body", "updated_by", "updated_at"])
    if changed:
        counter.revision += 1
        counter.save(update_fields=["revision"])
        audit_log(actor=actor, action=AuditAction.SITE_PAGE_UPDATED, obj=rows[next(iter(changed))],
                  changes={"page": page.title, "values": changed})
    return list(changed)
