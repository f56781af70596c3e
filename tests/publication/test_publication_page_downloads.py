"""A policy's Publication page links each stored file (issue 14's PDF renditions) to the stored bytes themselves, so
that PCU, checking what was published, opens exactly the file whose SHA-256 the page shows, earlier renditions
included (SOP: "Retain an audit trail of all versions of policy statements and SOPs for continuity purposes and to
assist in court cases and disciplinary and misconduct investigations"). Everyone allowed on the page gets the files
of their clearance; the cleared copy, and anything marked OFFICIAL-SENSITIVE, only staff cleared for the policy's
OFFICIAL-SENSITIVE material; anything else is "not found". A file that no longer matches its hash is refused and
reported, as every stored-file download is."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from publication.models import PublishedFile
from publication.services import policy_publish
from tests.factories import advance_to, reload
from tests.lifecycle.test_details import update
from tests.publication import test_retrospective_eia
from tests.publication.test_retrospective_eia import complete_the_eia
from tests.publication.test_stored_files import publish

pytestmark = pytest.mark.django_db
# A policy published by the emergency route, whose files are rendered again once its EIA is signed off.
published_without_eia = test_retrospective_eia.published_without_eia

DOWNLOAD_LINK = re.compile(r'<a class="govuk-link" href="(?P<href>[^"]+/files/\d+/)"[^>]*>(?P<text>.*?)</a>', re.S)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def download_links(client, policy) -> dict[str, str]:
    """The page's download links: {href: the link's text, tags and all}."""
    page = client.get(f"/policies/{policy.reference}/publication/")
    assert page.status_code == 200
    return {match["href"]: match["text"] for match in DOWNLOAD_LINK.finditer(page.content.decode())}


def file_url(policy, published_file) -> str:
    return f"/policies/{policy.reference}/publication/{published_file.publication_id}/files/{published_file.pk}/"


def test_pcu_downloads_each_stored_file_as_stored(client, people, django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks, sensitive_sop=True)
    files = {file.audience: file for file in publication.files.all()}
    assert set(files) == {"public", "staff", "cleared"}
    client.force_login(people.pcu)

    links = download_links(client, policy)

    assert set(links) == {file_url(policy, file) for file in files.values()}
    staff = files["staff"]
    assert links[file_url(policy, staff)].startswith(
        f"Download the staff PDF (version {publication.policy_version.number}, {filesizeformat(staff.size)})")
    assert "OFFICIAL-SENSITIVE" in links[file_url(policy, files["cleared"])]
    # Each row names its audience as the marking is written, not "official-sensitive".
    page = client.get(f"/policies/{policy.reference}/publication/").content.decode()
    assert "PDF, staff cleared for OFFICIAL-SENSITIVE" in page and "official-sensitive" not in page
    for published_file in files.values():
        response = client.get(file_url(policy, published_file))
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == published_file.sha256
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Length"] == str(published_file.size)
        assert response["Content-Disposition"] == (
            f'attachment; filename="{policy.reference}-v{publication.policy_version.number}-'
            f'{published_file.audience}.pdf"')
        assert response["ETag"] == published_file.etag
        assert response["Cache-Control"] == "no-store, private"
        unchanged = client.get(file_url(policy, published_file), HTTP_IF_NONE_MATCH=published_file.etag)
        assert unchanged.status_code == 304


def test_staff_not_cleared_get_their_own_copies_and_never_the_cleared_one(client, people,
                                                                          django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks, sensitive_sop=True)
    files = {file.audience: file for file in publication.files.all()}
    # Specialist Crime & Operations' developer sees the OFFICIAL policy in force, not Territorial Policing's
    # OFFICIAL-SENSITIVE material.
    client.force_login(people.developer2)

    links = download_links(client, policy)

    assert set(links) == {file_url(policy, files["public"]), file_url(policy, files["staff"])}
    response = client.get(file_url(policy, files["staff"]))
    assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == files["staff"].sha256
    refused = client.get(file_url(policy, files["cleared"]))
    assert refused.status_code == 404 and b"SENSITIVE SOP TEXT" not in refused.content

    # Territorial Policing's own developer is cleared for it.
    client.force_login(people.developer)
    assert client.get(file_url(policy, files["cleared"])).status_code == 200


def test_a_file_is_found_only_under_its_own_policy_and_publication(client, people,
                                                                   django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks)
    other, other_publication = publish(people, django_capture_on_commit_callbacks)
    staff = publication.files.get(audience="staff")
    other_staff = other_publication.files.get(audience="staff")
    client.force_login(people.pcu)

    assert client.get(f"/policies/{other.reference}/publication/{publication.pk}/files/{staff.pk}/").status_code == 404
    assert client.get(f"/policies/{policy.reference}/publication/{other_publication.pk}/files/{staff.pk}/"
                      ).status_code == 404
    assert client.get(f"/policies/{policy.reference}/publication/{publication.pk}/files/{other_staff.pk}/"
                      ).status_code == 404
    assert client.get(f"/policies/{policy.reference}/publication/{publication.pk}/files/999999/").status_code == 404


def test_an_official_sensitive_policys_file_is_not_found_by_staff_not_cleared(client, people,
                                                                              django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks, scheme=False,
                                  protective_marking="official_sensitive", suitable_for_publication_scheme=False)
    cleared = publication.files.get()
    assert cleared.audience == PublishedFile.Audience.CLEARED

    client.force_login(people.developer2)
    assert client.get(f"/policies/{policy.reference}/publication/").status_code == 404
    assert client.get(file_url(policy, cleared)).status_code == 404

    client.force_login(people.coordinator)
    assert set(download_links(client, policy)) == {file_url(policy, cleared)}
    assert hashlib.sha256(client.get(file_url(policy, cleared)).content).hexdigest() == cleared.sha256


def test_signed_out_is_sent_to_sign_in(client, people, django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks)
    response = client.get(file_url(policy, publication.files.get(audience="staff")))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_each_rendition_is_linked_and_served_as_stored(client, people, published_without_eia,
                                                       django_capture_on_commit_callbacks):
    policy, publication = published_without_eia
    complete_the_eia(policy, people, django_capture_on_commit_callbacks)
    files = list(publication.files.order_by("audience", "rendition"))
    assert [(file.audience, file.rendition) for file in files] == [
        ("public", 1), ("public", 2), ("staff", 1), ("staff", 2)]
    client.force_login(people.pcu)

    links = download_links(client, policy)

    assert set(links) == {file_url(policy, file) for file in files}
    assert len(set(links.values())) == len(files)  # each link says which file it is
    for published_file in files:
        response = client.get(file_url(policy, published_file))
        assert hashlib.sha256(response.content).hexdigest() == published_file.sha256
        if published_file.rendition > 1:
            assert f"-{published_file.audience}-r{published_file.rendition}.pdf" in response["Content-Disposition"]


def test_a_tampered_file_is_refused_and_reported(client, people, django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks)
    staff = publication.files.get(audience="staff")
    with open(default_storage.path(staff.storage_name), "r+b") as handle:
        handle.seek(200)
        handle.write(b"TAMPERED")
    client.force_login(people.pcu)

    response = client.get(file_url(policy, staff))

    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert b"TAMPERED" not in response.content and "does not match the record" in response.content.decode()
    event = AuditEvent.objects.get(policy_id=policy.pk, action="publication.file_tampered")
    assert event.changes["audience"] == "staff" and event.changes["expected_sha256"] == staff.sha256


def test_the_page_reads_the_same_number_of_queries_however_many_files(client, people,
                                                                      django_capture_on_commit_callbacks):
    plain, _ = publish(people, django_capture_on_commit_callbacks)
    with_sensitive, _ = publish(people, django_capture_on_commit_callbacks, sensitive_sop=True)
    client.force_login(people.developer2)
    for policy in (plain, with_sensitive):  # what is read once per person and process, read
        download_links(client, policy)
    counts = []
    for policy in (plain, with_sensitive):
        with CaptureQueriesContext(connection) as queries:
            download_links(client, policy)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- security probe F9: a file someone may not open is not listed to them ----------------------------------------


def _file_rows(page: str) -> list[str]:
    """The page's stored-file rows (their key: "PDF, <audience>")."""
    return re.findall(r'<dt class="govuk-summary-list__key">PDF, [^<]*</dt>', page)


def test_staff_not_cleared_are_told_nothing_of_an_official_sensitive_file(client, people,
                                                                         django_capture_on_commit_callbacks):
    """An OFFICIAL policy with an OFFICIAL-SENSITIVE SOP: staff not cleared for it were shown the cleared copy's row,
    its size, when it was stored and its SHA-256 ("Only staff cleared ... may download it"), which tells them the
    policy has OFFICIAL-SENSITIVE procedures and fingerprints them. They see their own copies only."""
    policy, publication = publish(people, django_capture_on_commit_callbacks, sensitive_sop=True)
    files = {file.audience: file for file in publication.files.all()}
    client.force_login(people.developer2)

    page = client.get(f"/policies/{policy.reference}/publication/").content.decode()

    assert files["cleared"].sha256 not in page
    assert "OFFICIAL-SENSITIVE" not in page and "Only staff cleared" not in page
    assert len(_file_rows(page)) == 2
    assert files["staff"].sha256 in page and files["public"].sha256 in page
    assert client.get(file_url(policy, files["cleared"])).status_code == 404
    # Those cleared for it still see all three.
    client.force_login(people.developer)
    page = client.get(f"/policies/{policy.reference}/publication/").content.decode()
    assert len(_file_rows(page)) == 3 and files["cleared"].sha256 in page


def test_staff_not_cleared_are_told_nothing_of_the_package_published_official_sensitive(
        client, people, django_capture_on_commit_callbacks):
    """A policy published OFFICIAL-SENSITIVE whose review re-marked it OFFICIAL: once the reviewed version is
    published (a review's downgrade is in force only then: lifecycle.services.details), staff not cleared for its
    business group see the policy. Version 1.0 was stored as the cleared copy alone, marked OFFICIAL-SENSITIVE (the
    re-marking does not unmark it): they were shown that package's size and SHA-256; the file is "not found" for
    them."""
    policy, publication = publish(people, django_capture_on_commit_callbacks, scheme=False,
                                  protective_marking="official_sensitive", suitable_for_publication_scheme=False)
    cleared = publication.files.get()
    lifecycle_services.policy_start_review(policy=reload(policy), actor=people.coordinator,
                                           reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking="official")
    policy = advance_to(reload(policy), Status.AWAITING_PUBLICATION, people)
    with django_capture_on_commit_callbacks(execute=True):
        policy_publish(policy=policy, actor=people.pcu)
    client.force_login(people.developer2)
    assert client.get(f"/policies/{policy.reference}/").status_code == 200

    page = client.get(f"/policies/{policy.reference}/publication/").content.decode()

    assert f"Version {publication.policy_version.number}:" in page
    assert cleared.sha256 not in page and "Only staff cleared" not in page
    assert "PDF, staff cleared for OFFICIAL-SENSITIVE" not in page
    assert client.get(file_url(policy, cleared)).status_code == 404
    client.force_login(people.coordinator)
    assert cleared.sha256 in client.get(f"/policies/{policy.reference}/publication/").content.decode()
