"""Pure rendering of a policy version to PDF (WeasyPrint): no database writes, no network. The caller
passes everything the document shows, already filtered to what the reader may see."""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetchingError

from lifecycle.states import ProtectiveMarking


class NoNetworkFetcher(URLFetcher):
    """Refuses every external resource (an image or stylesheet URL in a statement is simply left out)."""

    def fetch(self, url, headers=None):
        raise URLFetchingError(f"PolicyHub PDFs load nothing from outside the document: refused {url[:80]}")


def document_marking(*, policy, sop_versions) -> str:
    """The highest protective marking of anything the document carries: a page of an OFFICIAL policy that
    includes an OFFICIAL-SENSITIVE SOP is OFFICIAL-SENSITIVE, and every header and footer says so."""
    markings = {policy.protective_marking} | {sop_version.sop.protective_marking for sop_version in sop_versions}
    highest = (ProtectiveMarking.OFFICIAL_SENSITIVE if ProtectiveMarking.OFFICIAL_SENSITIVE in markings
               else ProtectiveMarking.OFFICIAL)
    return highest.label


def policy_pdf_html(*, policy, version, sop_versions, published_on=None, audience: str = "staff") -> str:
    return render_to_string("publication/pdf/policy.html", {
        "policy": policy, "version": version, "sop_versions": sop_versions, "published_on": published_on,
        # The document details the version carries (those it was frozen with; a draft's, the policy's as drafted).
        "details": version.details_read,
        "audience": audience, "document_marking": document_marking(policy=policy, sop_versions=sop_versions),
    })


def render_policy_pdf(*, policy, version, sop_versions, published_on=None, audience: str = "staff") -> bytes:
    html = policy_pdf_html(policy=policy, version=version, sop_versions=sop_versions, published_on=published_on,
                           audience=audience)
    return HTML(string=html, base_url=None, url_fetcher=NoNetworkFetcher()).write_pdf()
