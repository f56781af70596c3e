"""The PDF of a version published OFFICIAL, stored after its policy was re-marked OFFICIAL-SENSITIVE by a review (its
task had not run, or failed and PCU stored the files again): it printed the policy's marking now beside the
version's own "Suitable for Publication Scheme: Yes", unlike the file stored at publication, the evidence of what
was published, which prints OFFICIAL (the library's document control said the same: QA walk in Chromium). A
publication's files print what was published, whenever they are stored; who may read them is the policy's marking
now."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from lifecycle import services as lifecycle_services
from lifecycle.states import ProtectiveMarking, Status
from publication.models import PublishedFile
from publication.services import policy_publish
from tests.downloads import downloaded
from tests.factories import advance_to, reload
from tests.library.helpers import staff
from tests.lifecycle.test_details import update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def raised_before_its_files(people):
    """Version 1.0 published OFFICIAL on the Publication Scheme, its files not stored yet (its task has not run: no
    commit), then re-marked OFFICIAL-SENSITIVE by its review."""
    policy = people.policy(title="Informants")
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Procedure",
                                  text="<p>Register every contact.</p>", publish_externally=True)
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    assert not publication.files.exists()
    policy = advance_to(reload(policy), Status.MONITORING, people)
    lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
           suitable_for_publication_scheme=False)
    return reload(policy), publication


def test_a_file_stored_after_the_raise_prints_the_marking_the_version_was_published_with(client, people,
                                                                                       raised_before_its_files):
    policy, publication = raised_before_its_files
    client.force_login(people.lead)
    response = downloaded(client, f"/policies/{policy.reference}/pdf/in-force/")  # its task, late: queued by it
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Protective marking OFFICIAL Suitable for Publication Scheme Yes" in text, text
    assert "OFFICIAL-SENSITIVE" not in text
    assert {file.marking for file in publication.files.all()} == {"OFFICIAL"}


def test_nothing_is_stored_for_the_public_or_read_by_the_uncleared_once_raised(client, people,
                                                                             raised_before_its_files):
    """Who may read the files is the policy's marking now: off the Scheme at once, and "not found" to staff not
    cleared for its OFFICIAL-SENSITIVE material, whenever the files are stored."""
    policy, publication = raised_before_its_files
    client.force_login(people.lead)
    assert downloaded(client, f"/policies/{policy.reference}/pdf/in-force/").status_code == 200
    assert not publication.files.filter(audience=PublishedFile.Audience.PUBLIC).exists()
    client.logout()
    assert client.get(f"/publication-scheme/{policy.reference}/pdf/").status_code == 404
    client.force_login(staff("reader", people.unit))
    assert client.get(f"/policies/{policy.reference}/pdf/in-force/").status_code == 404
    for file in publication.files.all():
        assert client.get(f"/policies/{policy.reference}/publication/{publication.pk}/files/{file.pk}/").status_code \
            == 404


def test_a_version_published_official_sensitive_stored_after_a_downgrade_stays_official_sensitive(
        client, people, django_capture_on_commit_callbacks):
    """The other way round: version 1.0 published OFFICIAL-SENSITIVE, its files not stored until after the review's
    OFFICIAL version 2.0 was published. Its files were stored as the policy is marked now: every member of staff's
    copy, marked OFFICIAL, with version 1.0's words. They are what was published: the cleared copy, for the cleared."""
    from publication.models import Publication
    from publication.services import publication_store_files
    from tests.lifecycle.test_details_downgrade import publish_reviewed

    policy = people.policy(title="Covert tasking", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                           suitable_for_publication_scheme=False)
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Procedure",
                                  text="<p>Brief the wombatish handler.</p>")
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    first = policy_publish(policy=policy, actor=people.pcu, on_intranet=True)  # no commit: its task has not run
    policy = advance_to(reload(policy), Status.MONITORING, people)
    lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=ProtectiveMarking.OFFICIAL,
           suitable_for_publication_scheme=True)
    policy, _ = publish_reviewed(reload(policy), people, django_capture_on_commit_callbacks)
    assert policy.protective_marking == ProtectiveMarking.OFFICIAL
    assert not first.files.exists()

    publication_store_files(publication=first.pk)  # its task, late (the broker was down)
    first = Publication.objects.get(pk=first.pk)
    assert {(file.audience, file.marking) for file in first.files.all()} == {("cleared", "OFFICIAL-SENSITIVE")}
    client.force_login(staff("reader", people.unit))
    for file in first.files.all():
        assert client.get(f"/policies/{policy.reference}/publication/{first.pk}/files/{file.pk}/").status_code == 404
