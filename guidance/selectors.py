from __future__ import annotations

from dataclasses import dataclass

from guidance.content import Section, SitePage
from guidance.models import SitePageRevision, SitePageSection


@dataclass(frozen=True)
class ShownSection:
    key: str
    heading: str
    body: str


def page_sections(*, page: SitePage) -> list[ShownSection]:
    """The page's sections in their fixed order, each with PCU's text or its default. One query."""
    bodies = dict(SitePageSection.objects.filter(page=page.slug).values_list("section", "body"))
    return [ShownSection(section.key, section.heading, bodies.get(section.key, section.default))
            for section in page.sections]


def page_revision(*, page: SitePage) -> int:
    """The revision of ``page`` its edit form is bound to (guidance.services.site_page_update). One query."""
    return SitePageRevision.objects.filter(page=page.slug).values_list("revision", flat=True).first() or 0


def section_of(page: SitePage, key: str) -> Section:
    return page.section(key)
