"""Pure rendering of a policy version to PDF (WeasyPrint): no database writes, no network. The caller
passes everything the document shows, already filtered to what the reader may see."""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetchingError


class NoNetworkFetcher(URLFetcher):
    """Refuses every external resource (an image or stylesheet URL in a statement is simply left out)."""

    def fetch(self, url, headers=None):
        raise URLFetchingError(f"PolicyHub PDFs load nothing from outside the document: refused {url[:80]}")


def render_policy_pdf(*, policy, version, sop_versions, published_on=None, audience: str = "staff") -> bytes:
    html = render_to_string("publication/pdf/policy.html", {
        "policy": policy, "version": version, "sop_versions": sop_versions, "published_on": published_on,
        "audience": audience,
    })
    return HTML(string=html, base_url=None, url_fetcher=NoNetworkFetcher()).write_pdf()
