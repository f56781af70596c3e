"""Every change to the public information pages: PCU edits a page's sections (sanitised rich text), audited in the
same transaction."""

from __future__ import annotations

from django.db import transaction

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.html import sanitise_rich_text
from guidance.content import SitePage
from guidance.models import SitePageSection
from lifecycle.permissions import is_pcu


@transaction.atomic
def site_page_update(*, actor, page: SitePage, bodies: dict[str, str]) -> list[str]:
    """Save the sections of ``page`` that changed; returns their keys. The page's structure (its sections and
    headings) is fixed: only their text changes. Nothing is saved unless every section has text."""
    if not is_pcu(actor):
        raise ApplicationError(f"Only the Policy Co-ordination Unit can change the page “{page.title}”.",
                               code="forbidden")
    rows = {row.section: row for row in SitePageSection.objects.select_for_update().filter(page=page.slug)}
    changed: dict[str, dict[str, str]] = {}
    for section in page.sections:
        body = sanitise_rich_text(bodies.get(section.key, "")).strip()
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
        audit_log(actor=actor, action=AuditAction.SITE_PAGE_UPDATED, obj=rows[next(iter(changed))],
                  changes={"page": page.title, "values": changed})
    return list(changed)
