"""QA walk (2026-12-05, HIGH): the library's "Download version 1.0 as a PDF" led to /policies/<ref>/pdf/, which serves
the version its reader sees on the policy's own pages: for those who may see the draft (its developers, its Lead, the
co-ordinator), the review's draft, "version 2.0 (draft)", under the library's words "version 1.0"; and to a Lead a
version only scheduled for publication. The library is the policies in force: its link serves the version in force,
as stored when it was published, to whoever reads the library."""

from __future__ import annotations

import re

import pytest

from lifecycle import services as s
from lifecycle.states import Status
from publication.models import PublishedFile
from tests.factories import advance_to, reload
from tests.publication.test_stored_files import publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def library_link(client, policy) -> str:
    page = client.get(f"/library/{policy.reference}/").content.decode()
    found = re.search(r'<a class="govuk-link" href="([^"]+)">Download version ([\d.]+) as a PDF', page)
    assert found is not None, page
    assert found.group(2) == "1.0"
    return found.group(1)


def test_the_librarys_pdf_is_the_version_in_force_for_those_who_see_the_draft(client, people,
                                                                             django_capture_on_commit_callbacks):
    policy, publication = publish(people, django_capture_on_commit_callbacks, scheme=False)
    policy = advance_to(policy, Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    s.draft_update(policy=reload(policy), actor=people.developer, statement="<p>DRAFT UNDER REVIEW</p>")
    staff_copy = publication.files.get(audience=PublishedFile.Audience.STAFF)
    for reader in (people.lead, people.developer, people.coordinator):
        client.force_login(reader)
        response = client.get(library_link(client, policy))
        assert response.status_code == 200, reader
        assert response["Content-Type"] == "application/pdf"
        assert response["ETag"] == staff_copy.etag, reader
        assert f"{policy.reference}-v1.0.pdf" in response["Content-Disposition"]
    # The policy's own page still prints what its reader works on: the draft, for its developer.
    client.force_login(people.developer)
    with django_capture_on_commit_callbacks(execute=True):  # prepared by the worker (publication.services.draft_pdfs)
        assert client.get(f"/policies/{policy.reference}/pdf/").status_code == 202
    response = client.get(f"/policies/{policy.reference}/pdf/")
    assert response.status_code == 200 and "v2.0" in response["Content-Disposition"]
