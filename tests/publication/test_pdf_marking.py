"""PDF headers and footers show the highest marking in the document (issue 11, finding 9): an OFFICIAL policy
printed with an OFFICIAL-SENSITIVE SOP is OFFICIAL-SENSITIVE on every page, not OFFICIAL."""

import pytest
from weasyprint import HTML

from lifecycle import services as lifecycle_services
from publication.pdf import NoNetworkFetcher, document_marking, policy_pdf_html

pytestmark = pytest.mark.django_db


def margin_texts(html: str) -> list[list[str]]:
    """The text of each page's header and footer boxes, read from WeasyPrint's own layout of the PDF."""
    document = HTML(string=html, base_url=None, url_fetcher=NoNetworkFetcher()).render()
    pages = []
    for page in document.pages:
        texts = []
        for margin_box in page._page_box.children:
            if type(margin_box).__name__ == "MarginBox":
                texts += [box.text for box in margin_box.descendants() if hasattr(box, "text")]
        pages.append(texts)
    return pages


def test_a_sensitive_sop_makes_every_header_and_footer_official_sensitive(people):
    policy = people.policy(title="Hate Crime")
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Tactics",
                                  text="<p>" + "Sensitive tactics. " * 400 + "</p>",
                                  protective_marking="official_sensitive")
    version = policy.current_version
    sop_versions = list(version.sop_versions.select_related("sop"))

    assert document_marking(policy=policy, sop_versions=sop_versions) == "OFFICIAL-SENSITIVE"
    pages = margin_texts(policy_pdf_html(policy=policy, version=version, sop_versions=sop_versions))
    assert len(pages) > 1
    for texts in pages:
        assert "OFFICIAL-SENSITIVE" in texts  # the header
        assert any(text.startswith("OFFICIAL-SENSITIVE · ") for text in texts)  # the footer


def test_without_sensitive_material_the_pages_are_official(people):
    policy = people.policy()
    version = policy.current_version
    assert document_marking(policy=policy, sop_versions=[]) == "OFFICIAL"
    for texts in margin_texts(policy_pdf_html(policy=policy, version=version, sop_versions=[])):
        assert "OFFICIAL" in texts and "OFFICIAL-SENSITIVE" not in " ".join(texts)
