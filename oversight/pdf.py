"""The board report as a PDF (WeasyPrint): pure, as publication.pdf, and loading nothing from outside the document."""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML, Document

from publication.pdf import NoNetworkFetcher


def report_pdf_html(context: dict) -> str:
    return render_to_string("oversight/report_pdf.html", context)


def report_pdf_document(context: dict) -> Document:
    """The report laid out in pages (kept apart from writing it, so its layout can be checked box by box)."""
    return HTML(string=report_pdf_html(context), base_url=None, url_fetcher=NoNetworkFetcher()).render()


def render_report_pdf(context: dict) -> bytes:
    return report_pdf_document(context).write_pdf()
