"""The running header and footer of a PDF (the @page margin boxes: marking, reference, dates, page numbers) are set
in the body's sans-serif font (user walk: they came out in a serif font). Margin boxes inherit from the page, not
from <body>, so the page must be given the font; read here from WeasyPrint's own layout of the document and from the
fonts the PDF embeds."""

from __future__ import annotations

import datetime
import re

import pytest
from weasyprint import HTML

from oversight.pdf import report_pdf_html
from publication.pdf import PDF_VARIANT, NoNetworkFetcher, policy_pdf_html

pytestmark = pytest.mark.django_db


def _fonts(html: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The body's font family, and each margin box's (those of the first page that hold text)."""
    page = HTML(string=html, base_url=None, url_fetcher=NoNetworkFetcher()).render().pages[0]._page_box
    body = next(box for box in page.descendants() if getattr(box, "element_tag", None) == "body")
    margins = [box.style["font_family"] for box in page.children
               if type(box).__name__ == "MarginBox" and any(hasattr(child, "text") for child in box.descendants())]
    return tuple(body.style["font_family"]), [tuple(family) for family in margins]


def _embedded_fonts(html: str) -> set[str]:
    """The fonts the PDF embeds (written uncompressed, so that their names can be read)."""
    pdf = HTML(string=html, base_url=None, url_fetcher=NoNetworkFetcher()).write_pdf(uncompressed_pdf=True,
                                                                                     pdf_variant=PDF_VARIANT)
    return {name.decode() for name in re.findall(rb"/BaseFont\s*/(?:[A-Z]{6}\+)?([A-Za-z0-9-]+)", pdf)}


def test_the_policy_pdf_header_and_footer_use_the_body_font(people):
    policy = people.policy(title="Stop and search")
    html = policy_pdf_html(policy=policy, version=policy.current_version, sop_versions=[])

    body, margins = _fonts(html)
    assert "sans-serif" in body
    assert len(margins) == 4  # marking and reference at the top, dates and page number at the bottom
    assert all(family == body for family in margins), margins
    fonts = _embedded_fonts(html)
    assert fonts and not any("Serif" in font for font in fonts), fonts


def test_the_board_report_footer_uses_the_body_font():
    html = report_pdf_html({"scope": {"title": "All business groups"},
                            "period": {"start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 3, 31)}})

    body, margins = _fonts(html)
    assert "sans-serif" in body
    assert len(margins) == 1  # "PolicyHub board report, page 1 of 1"
    assert margins == [body]
    fonts = _embedded_fonts(html)
    assert fonts and not any("Serif" in font for font in fonts), fonts
