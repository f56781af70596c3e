"""The PDF pack (issue 14): document control, version, dates and marking in the header and footer of every page;
tagged PDF/UA-1 with a structure tree, the language set and bookmarks; statement, SOPs and EIA in one file; the
public copy with withheld parts redacted and the EIA's wording as staff chose it."""

from __future__ import annotations

import io

import pikepdf
import pytest
import time_machine
from pypdf import PdfReader

from assessments.impacts import impact_rows
from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from publication.pdf import css_string, render_policy_pdf
from publication.services import policy_publish, publication_store_files, sop_redaction_record
from tests.factories import advance_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def published(people):
    with time_machine.travel("2026-03-02 10:00Z", tick=False):
        policy = people.policy(title='Stop "and" search <Safeguards>')
        lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Public procedure",
                                      text="<h2>Scope</h2><p>PUBLIC PARAGRAPH.</p><p>WITHHELD TACTIC.</p>"
                                           + "<p>Long procedure text for several pages.</p>" * 120,
                                      publish_externally=True)
        lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Tactics",
                                      text="<p>SENSITIVE SOP TEXT</p>", protective_marking="official_sensitive")
        policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
        public_sop = policy.current_version.sop_versions.get(sop__title="Public procedure")
        sop_redaction_record(sop_version=public_sop, actor=people.pcu, block=3, exemption="s31")
        publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
        files = {file.audience: file for file in publication_store_files(publication=publication)}
    return policy, publication, files


def stored_bytes(file) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(file.storage_name, "rb") as handle:
        return handle.read()


def test_every_page_carries_marking_reference_version_and_dates(published):
    policy, publication, files = published
    for audience, marking in [("public", "OFFICIAL"), ("cleared", "OFFICIAL-SENSITIVE")]:
        pages = page_texts(stored_bytes(files[audience]))
        assert len(pages) > 2
        for number, text in enumerate(pages, start=1):
            assert f"{policy.reference} · {policy.title} · version 1.0" in text
            assert f"{marking} · {policy.reference} v1.0 · page {number} of {len(pages)}" in text
            assert "Published 2 March 2026 · review by 2 March 2029" in text
            assert marking in text.split("\n")[0] + text


def test_the_pack_holds_statement_sops_and_eia_as_each_audience_may_see(published):
    _, _, files = published
    public = "\n".join(page_texts(stored_bytes(files["public"])))
    staff = "\n".join(page_texts(stored_bytes(files["staff"])))
    cleared = "\n".join(page_texts(stored_bytes(files["cleared"])))
    for text in (public, staff, cleared):
        assert "Officers will act lawfully and proportionately." in text
        assert "Equality impact assessment" in text and "No impact identified" in text
        assert "Neutral" not in text and "neutral" not in text
    assert "WITHHELD TACTIC" not in public and "PUBLIC PARAGRAPH" in public
    assert "Section 31: law enforcement" in public and "under the Freedom of Information Act" in public
    assert "SENSITIVE SOP TEXT" not in public and "SENSITIVE SOP TEXT" not in staff
    assert "WITHHELD TACTIC" in staff and "SENSITIVE SOP TEXT" in cleared
    assert "Authors" not in public and "Authors" in staff


def test_the_pdf_is_tagged_pdf_ua_with_language_title_and_bookmarks(published):
    _, _, files = published
    with pikepdf.open(io.BytesIO(stored_bytes(files["public"]))) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "en-GB"
        assert bool(root.MarkInfo.Marked) is True
        assert "/StructTreeRoot" in root
        tags = set()

        def walk(element, depth=0):
            if depth > 40:
                return
            if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                tags.add(str(element.S))
            kids = element.get("/K") if isinstance(element, pikepdf.Dictionary) else None
            if isinstance(kids, pikepdf.Array):
                for kid in kids:
                    walk(kid, depth + 1)
            elif isinstance(kids, pikepdf.Dictionary):
                walk(kids, depth + 1)

        walk(root.StructTreeRoot)
        assert {"/H1", "/H2", "/P", "/Table"} <= tags
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        metadata = pdf.open_metadata()
        assert metadata.get("pdfuaid:part") == "1"
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert titles[0].startswith("Stop") and "Policy Statement" in str([
            child.title for item in outline.root for child in item.children] + titles)


def test_a_title_cannot_break_out_of_the_page_style(people):
    policy = people.policy(title='Evil"; } @page { content: "x" </style><script>alert(1)</script>')
    pdf = render_policy_pdf(policy=policy, version=policy.current_version, sop_versions=[])
    first = page_texts(pdf)[0]
    assert 'Evil"; } @page' in first and "alert(1)" in first
    assert css_string('a"b\\c</style>') == "a\\22 b\\5c c\\3c /style\\3e "


def test_published_eia_wording_is_the_label_staff_chose(people):
    policy = people.policy()
    eia = policy.current_version.eia
    eia.impacts = {"age": {"impact": "neutral", "notes": ""}, "race": {"impact": "negative", "notes": "Mitigated."}}
    rows = {label: (impact, notes) for label, impact, notes in impact_rows(eia)}
    assert rows["Age"] == ("No impact identified", "")
    assert rows["Race"] == ("Negative (adverse)", "Mitigated.")
    assert rows["Sex"] == ("Not assessed", "")
