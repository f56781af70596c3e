"""Pure rendering of a policy pack to PDF (WeasyPrint): no database writes, no network. The caller passes
everything the document shows, already filtered to what the reader may see (and, for the public, with withheld
parts already redacted).

Issue 14: "WeasyPrint renders the document-control block, version, dates and protective marking in the header
and footer of every page. The output is tagged PDF/UA-1, with the language set and bookmarks. A policy pack
(statement, SOPs, EIA) renders as one PDF. HTML stays the primary accessible format."""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetchingError

from assessments.impacts import impact_rows
from publication.documents import document_marking, pack_sops

# Tagged PDF for accessibility: a structure tree, the document's language (from <html lang>) and its title shown
# instead of the file name. WeasyPrint turns the headings into bookmarks.
PDF_VARIANT = "pdf/ua-1"
PDF_LANGUAGE = "en-GB"


class NoNetworkFetcher(URLFetcher):
    """Refuses every external resource (an image or stylesheet URL in a statement is simply left out)."""

    def fetch(self, url, headers=None):
        raise URLFetchingError(f"PolicyHub PDFs load nothing from outside the document: refused {url[:80]}")


def css_string(value) -> str:
    """``value`` as the body of a CSS string in the page's margin boxes: quotes, backslashes, angle brackets and
    line breaks escaped, so that a title can neither end the string nor the <style> element."""
    escaped = []
    for char in str(value):
        if char in '"\\<>&' or ord(char) < 0x20 or char == "\x7f":
            escaped.append(f"\\{ord(char):x} ")
        else:
            escaped.append(char)
    return "".join(escaped)


def policy_pdf_html(*, policy, version, sop_versions, published_on=None, audience: str = "staff", eia=None,
                    withheld_by_sop_version: dict[int, dict[int, str]] | None = None,
                    marking: str | None = None) -> str:
    """``marking``: the statement's marking, where it is not the policy's now (``document_marking``)."""
    sops = pack_sops(sop_versions, withheld_by_sop_version=withheld_by_sop_version)
    marking = document_marking(policy=policy, sop_versions=sop_versions, marking=marking)
    details = version.details_read
    return render_to_string("publication/pdf/policy.html", {
        "policy": policy, "version": version, "sops": sops, "published_on": published_on,
        # The document details the version carries (those it was frozen with; a draft's, the policy's as drafted).
        "details": details,
        "audience": audience, "document_marking": marking, "eia": eia, "impact_rows": impact_rows(eia),
        "any_withheld": any(sop.withheld for sop in sops), "language": PDF_LANGUAGE,
        "header": css_string(f"{policy.reference} · {details['title']} · version {version.number}"),
        "dates": css_string(
            f"Published {published_on:%-d %B %Y}" if published_on else "Not published"
        ) + css_string(f" · review by {policy.review_due_on:%-d %B %Y}" if policy.review_due_on else ""),
        "marking_css": css_string(marking),
        "footer": css_string(f"{marking} · {policy.reference} v{version.number} · page "),
    })


def render_pdf(html: str) -> bytes:
    """The one call to WeasyPrint: tagged PDF/UA-1, nothing fetched from outside."""
    return HTML(string=html, base_url=None, url_fetcher=NoNetworkFetcher()).write_pdf(pdf_variant=PDF_VARIANT)


def render_policy_pdf(*, policy, version, sop_versions, published_on=None, audience: str = "staff", eia=None,
                      withheld_by_sop_version: dict[int, dict[int, str]] | None = None) -> bytes:
    return render_pdf(policy_pdf_html(policy=policy, version=version, sop_versions=sop_versions,
                                      published_on=published_on, audience=audience, eia=eia,
                                      withheld_by_sop_version=withheld_by_sop_version))
