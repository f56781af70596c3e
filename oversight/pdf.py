"""The board report as a PDF (WeasyPrint): pure, as publication.pdf, and loading nothing from outside the document."""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML

from publication.pdf import NoNetworkFetcher


def report_pdf_html(context: dict) -> str:
    return render_to_string("oversight/report_pdf.html", context)


def render_report_pdf(context: dict) -> bytes:
    return HTML(string=report_pdf_html(context), base_url=None, url_fetcher=NoNetworkFetcher()).write_pdf()
