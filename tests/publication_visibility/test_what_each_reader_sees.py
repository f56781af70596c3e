"""What an anonymous visitor, a member of staff and PCU see, for every combination of protective marking ×
Publication Scheme flag × stage × redaction (issue 14, "Tests"), on the HTML pages (the Scheme's and the library's),
the PDFs (and that the bytes served are the stored file's), the search results (the Scheme's and the library's) and
both feeds.

The world is built once (conftest); each test reads. Expectations come from the axes alone (``world.Case``), never
from the code under test. "Staff" is a developer of another business group: not named on the policy and not
cleared for its group's OFFICIAL-SENSITIVE material."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader

from publication.models import PublishedFile
from tests.publication_visibility.world import IN_FORCE_STAGES, PUBLISHED_STAGES, cases

pytestmark = pytest.mark.usefixtures("db")

CASES = cases()
IDS = [case.key for case in CASES]


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def never_public(case, text: str) -> None:
    for part in ("internal", "sensitive", "reviewdraft"):
        assert case.token(part) not in text, part
    if case.redacted:
        assert case.token("extwithheld") not in text


@pytest.fixture(scope="module")
def anonymous_pages(world, django_db_blocker):
    """The Scheme's index and both feeds, fetched once for every case."""
    from django.test import Client

    client = Client()
    return {
        "index": client.get("/publication-scheme/?page=1").content.decode()
        + "".join(client.get(f"/publication-scheme/?page={n}").content.decode() for n in (2, 3)),
        "feed": client.get("/publication-scheme/feed/").content.decode(),
        "notices": client.get("/notices/"),
        "notices_feed": client.get("/notices/feed/"),
    }


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_anonymous_visitor(case, world, client, anonymous_pages):
    policy = world.policies[case]
    assert (case.title in anonymous_pages["index"]) is case.public
    assert (case.title in anonymous_pages["feed"]) is case.in_public_feed
    never_public(case, anonymous_pages["index"] + anonymous_pages["feed"])
    for response in (anonymous_pages["notices"], anonymous_pages["notices_feed"]):
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")

    page = client.get(f"/publication-scheme/{policy.reference}/")
    pdf = client.get(f"/publication-scheme/{policy.reference}/pdf/")
    if not case.public:
        # Withdrawn from the Scheme, its page says so with its title alone; any other, not found. No file either way.
        assert page.status_code == case.scheme_page_status and pdf.status_code == 404
        if case.withdrawn_from_scheme:
            assert case.title in page.content.decode() and "has been withdrawn" in page.content.decode()
            assert case.token("statement") not in page.content.decode()
            never_public(case, page.content.decode())
        assert client.get(f"/policies/{policy.reference}/pdf/").status_code == 302
        return
    assert page.status_code == pdf.status_code == 200
    for text in (page.content.decode(), pdf_text(pdf)):
        assert case.token("statement") in text and case.token("extopen") in text
        never_public(case, text)
        assert (case.token("extwithheld") in text) is not case.redacted
        assert ("Section 31: law enforcement" in text) is case.redacted
        assert "No impact identified" in text and "Neutral" not in text
    if case.redacted:
        assert "under the Freedom of Information Act" in page.content.decode()


@pytest.fixture(scope="module")
def staff_views(world):
    """Notices and their feed as each signed-in viewer sees them, fetched once."""
    from django.test import Client

    views = {}
    for viewer in ("staff", "pcu"):
        client = Client()
        client.force_login(world.people.developer2 if viewer == "staff" else world.people.pcu)
        pages, before = [], ""
        while True:
            response = client.get(f"/notices/{before}")
            assert response.status_code == 200
            pages.append(response.content.decode())
            older = response.context["older"]
            if not older:
                break
            before = f"?before={older}"
        views[viewer] = {"notices": "".join(pages), "feed": client.get("/notices/feed/").content.decode()}
    return views


@pytest.mark.parametrize("viewer", ["staff", "pcu"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_signed_in_reader(case, viewer, world, client, staff_views, django_capture_on_commit_callbacks):
    policy = world.policies[case]
    user = world.people.developer2 if viewer == "staff" else world.people.pcu
    client.force_login(user)
    seen = staff_views[viewer]
    assert (case.title in seen["notices"]) is case.in_notices_for(viewer)
    if case.in_notices_for(viewer):
        assert (f"Withdrawn: {case.title}" in seen["feed"]) is (case.stage == "withdrawn")
        if case.stage == "withdrawn":
            assert f"Replaced {case.key}." in seen["notices"]
    if viewer == "staff":
        for text in (seen["notices"], seen["feed"]):
            assert case.token("sensitive") not in text

    # The Scheme is the same for everyone.
    assert client.get(f"/publication-scheme/{policy.reference}/").status_code == case.scheme_page_status

    with django_capture_on_commit_callbacks(execute=True):
        pdf = client.get(f"/policies/{policy.reference}/pdf/")
    if pdf.status_code == 202:  # a version not published, prepared by the worker (publication.services.draft_pdfs)
        pdf = client.get(f"/policies/{policy.reference}/pdf/")
    assert pdf.status_code == case.staff_pdf_status(viewer)
    if pdf.status_code != 200:
        return
    text = pdf_text(pdf)
    published_text = case.stage in IN_FORCE_STAGES or case.stage == "withdrawn"
    if viewer == "staff":
        assert case.token("statement") in text and case.token("internal") in text
        assert case.token("extwithheld") in text  # withheld from the public only
        assert case.token("sensitive") not in text and case.token("reviewdraft") not in text
        assert "OFFICIAL-SENSITIVE" not in text
    else:
        # PCU reads the version being worked on: the review's draft while under review.
        assert (case.token("reviewdraft") in text) is (case.stage == "under_review")
        assert (case.token("statement") in text) is (case.stage != "under_review")
        assert (case.token("sensitive") in text) is (case.marking == "sensitive_sop")
        assert ("OFFICIAL-SENSITIVE" in text) is (case.marking != "official")
    if published_text and viewer == "staff":
        assert pdf["ETag"].startswith('"sha256-')


# --- searches, the library's pages, and the bytes served against the stored hash -----------------------------------

def found_on_scheme(client, case, word: str) -> bool:
    response = client.get("/publication-scheme/", {"q": word})
    assert response.status_code == 200
    return case.title in response.content.decode()


def assert_stored_bytes(policy, response, audience: str | None = None) -> None:
    """The bytes served are the stored file's: their SHA-256 is the ETag's and the one recorded at publication."""
    body = response.content
    digest = hashlib.sha256(body).hexdigest()
    assert response["ETag"] == f'"sha256-{digest}"'
    stored = PublishedFile.objects.filter(publication__policy=policy, sha256=digest)
    if audience is not None:
        stored = stored.filter(audience=audience)
    assert stored.exists()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_anonymous_search_and_files(case, world, client):
    """The Scheme's search finds a policy by its published statement only while it is on the Scheme, and never by
    anything else's words; the library asks for a sign-in; the public PDF is the stored file, byte for byte."""
    policy = world.policies[case]
    assert found_on_scheme(client, case, case.token("statement")) is case.public
    for part in ("internal", "sensitive", "reviewdraft", "extwithheld"):
        assert not found_on_scheme(client, case, case.token(part)), part
    library = client.get("/library/", {"q": case.token("statement")})
    assert library.status_code == 302 and library["Location"].startswith("/sign-in/")
    if case.public:
        assert_stored_bytes(policy, client.get(f"/publication-scheme/{policy.reference}/pdf/"), "public")


def library_finds(client, case, policy, word: str, scope: str) -> bool:
    response = client.get("/library/", {"q": word, "scope": scope})
    assert response.status_code == 200
    body = response.content.decode()
    return f"/library/{policy.reference}/" in body


@pytest.mark.parametrize("viewer", ["staff", "pcu"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_signed_in_library_search_and_page(case, viewer, world, client):
    """The library (search and a policy's page) holds what was published on the intranet: an OFFICIAL-SENSITIVE
    policy or SOP only for the cleared (PCU), parts withheld from the public for all staff, a review's draft for
    nobody, a withdrawn policy in the archive. A stored PDF served is the stored file, byte for byte."""
    policy = world.policies[case]
    client.force_login(world.people.developer2 if viewer == "staff" else world.people.pcu)
    listed = case.in_library_for(viewer)
    for scope in ("current", "archive"):
        held_there = listed and case.library_scope == scope
        assert library_finds(client, case, policy, case.token("statement"), scope) is held_there, scope
        assert library_finds(client, case, policy, case.token("extwithheld"), scope) is held_there, scope
        assert library_finds(client, case, policy, case.token("sensitive"), scope) is (
            held_there and viewer == "pcu" and case.marking == "sensitive_sop"), scope
        assert not library_finds(client, case, policy, case.token("reviewdraft"), scope)

    page = client.get(f"/library/{policy.reference}/")
    assert page.status_code == (200 if listed else 404)
    if listed:
        text = page.content.decode()
        assert case.token("statement") in text and case.token("internal") in text
        assert case.token("reviewdraft") not in text
        assert (case.token("sensitive") in text) is (viewer == "pcu" and case.marking == "sensitive_sop")
        assert ("Withdrawn" in text) is (case.stage == "withdrawn")

    pdf = client.get(f"/policies/{policy.reference}/pdf/")
    if pdf.status_code == 200 and pdf.has_header("ETag"):
        # A published version (PCU also reads a withdrawn policy's last one) is served from its stored file.
        assert case.stage in PUBLISHED_STAGES
        assert_stored_bytes(policy, pdf, "cleared" if viewer == "pcu" and case.marking != "official" else None)
