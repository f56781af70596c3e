from __future__ import annotations

from dataclasses import dataclass

from guidance.content import Section, SitePage
from guidance.models import SitePageSection


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


def section_of(page: SitePage, key: str) -> Section:
    return page.section(key)
