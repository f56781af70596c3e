"""Files stored under the old rule (before 2297154), when a publication's copies followed the policy's marking now
rather than the one its version was published with: version 1.0 published OFFICIAL-SENSITIVE, superseded by a
review's OFFICIAL version 2.0, then its files stored (its task late, or PCU storing them again) as every member of
staff's copy, marked OFFICIAL, with version 1.0's words. Storing again leaves them (earlier renditions stay, the
record of what was stored), and they are evidence, never deleted: so no stored file of a version frozen
OFFICIAL-SENSITIVE is listed or served to anyone not cleared for the policy's OFFICIAL-SENSITIVE material, whatever
the file says of itself (code review of 2026-12-06, reproduced). ``manage.py stored_files_check`` lists them
(test_stored_files_check)."""

from __future__ import annotations

import pytest

from lifecycle import services as lifecycle_services
from lifecycle.models import Policy, PolicyVersion
from lifecycle.states import ProtectiveMarking, Status
from publication.models import Publication, PublishedFile
from publication.selectors import policy_publications
from publication.services import policy_publish, publication_store_files
from publication.services import publishing as publishing_services
from tests.factories import advance_to, reload
from tests.library.helpers import staff
from tests.lifecycle.test_details import update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def store_by_the_old_rule(monkeypatch, publication_id: int) -> Publication:
    """The files of the publication stored as the code before 2297154 stored them once the policy was OFFICIAL:
    as if its version had been published OFFICIAL."""
    real = PolicyVersion.details_read
    with monkeypatch.context() as patched:
        patched.setattr(PolicyVersion, "details_read",
                        property(lambda self: {**real.fget(self), "protective_marking": ProtectiveMarking.OFFICIAL}))
        publication_store_files(publication=publication_id)
    return Publication.objects.get(pk=publication_id)


def sensitive_policy(people) -> Policy:
    policy = people.policy(title="Covert tasking", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                           suitable_for_publication_scheme=False)
    lifecycle_services.sop_create(policy=policy, actor=people.developer, title="Procedure",
                                  text="<p>Brief the wombatish handler.</p>")
    return advance_to(policy, Status.AWAITING_PUBLICATION, people)


@pytest.fixture
def old_staff_copy(people, monkeypatch, django_capture_on_commit_callbacks):
    """Version 1.0 published OFFICIAL-SENSITIVE (its files not stored: no commit), superseded by the review's OFFICIAL
    version 2.0 (its files stored), then version 1.0's files stored by the old rule."""
    from tests.lifecycle.test_details_downgrade import publish_reviewed

    policy = sensitive_policy(people)
    first = policy_publish(policy=policy, actor=people.pcu, on_intranet=True)
    policy = advance_to(reload(policy), Status.MONITORING, people)
    lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=ProtectiveMarking.OFFICIAL,
           suitable_for_publication_scheme=True)
    policy, second = publish_reviewed(reload(policy), people, django_capture_on_commit_callbacks)
    assert policy.protective_marking == ProtectiveMarking.OFFICIAL and second.files.exists()
    first = store_by_the_old_rule(monkeypatch, first.pk)
    staff_copy = first.files.get(audience=PublishedFile.Audience.STAFF)
    assert staff_copy.marking == "OFFICIAL"
    return policy, first, staff_copy


def file_url(policy, published_file) -> str:
    return f"/policies/{policy.reference}/publication/{published_file.publication_id}/files/{published_file.pk}/"


def test_the_uncleared_cannot_download_a_staff_copy_stored_by_the_old_rule(client, people, old_staff_copy):
    policy, first, staff_copy = old_staff_copy
    client.force_login(staff("reader", people.unit))
    assert client.get(file_url(policy, staff_copy)).status_code == 404
    # The OFFICIAL version 2.0's own staff copy is theirs, as before.
    second_copy = PublishedFile.objects.get(publication__policy=policy, publication__superseded_at__isnull=True,
                                            audience=PublishedFile.Audience.STAFF)
    assert client.get(file_url(policy, second_copy)).status_code == 200


def test_the_publication_page_does_not_list_it_to_the_uncleared_and_keeps_it_for_the_cleared(client, people,
                                                                                           old_staff_copy):
    policy, first, staff_copy = old_staff_copy
    client.force_login(staff("reader", people.unit))
    page = client.get(f"/policies/{policy.reference}/publication/").content.decode()
    assert staff_copy.sha256 not in page and file_url(policy, staff_copy) not in page
    # Evidence: kept, listed and served to those cleared for the policy's OFFICIAL-SENSITIVE material.
    client.force_login(people.pcu)
    page = client.get(f"/policies/{policy.reference}/publication/").content.decode()
    assert staff_copy.sha256 in page
    assert client.get(file_url(policy, staff_copy)).status_code == 200
    assert PublishedFile.objects.filter(pk=staff_copy.pk).exists()


def test_the_listing_reads_the_versions_marking_without_a_query_per_publication(people, old_staff_copy,
                                                                                django_assert_num_queries):
    """The versions are joined to the publications already: no query per publication or file (at most seven in all,
    as policy_publications says; here: the publications, their files, the people asked and the files' failures)."""
    policy, first, _ = old_staff_copy
    reader = staff("reader", people.unit)
    # 6: the reader's roles and grants, the publications, their files, the people each version's first publication
    # asks (since the reopened-EIA fix, asked of every version's first publication, not only of those numbered 0: one
    # query whatever their number) and the files' failures.
    with django_assert_num_queries(6):
        publications = policy_publications(policy=policy, user=reader)
    shown = {publication.pk: publication.files_shown for publication in publications}
    assert shown[first.pk] == [] and len(publications) == 2
    # Version 2.0's, published OFFICIAL on the Scheme too: theirs, as before.
    assert {file.audience for publication in publications for file in publication.files_shown} == {"staff", "public"}


# --- a policy marked OFFICIAL whose version in force was frozen OFFICIAL-SENSITIVE (data made before a review's
# downgrade waited for its version's publication: lifecycle.services.details) --------------------------------------


@pytest.fixture
def in_force_frozen_sensitive(people, monkeypatch):
    """Version 1.0 frozen OFFICIAL-SENSITIVE and in force, its policy marked OFFICIAL and suitable below the services,
    put on the Scheme (the channel check let through: it reads the version), and its files stored by the old rule: a
    staff copy and a public copy, both marked OFFICIAL."""
    policy = sensitive_policy(people)
    with monkeypatch.context() as patched:
        patched.setattr(publishing_services, "_validate_channels", lambda *args, **kwargs: None)
        publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    Policy.objects.filter(pk=policy.pk).update(protective_marking=ProtectiveMarking.OFFICIAL,
                                               suitable_for_publication_scheme=True)
    publication = store_by_the_old_rule(monkeypatch, publication.pk)
    assert {(file.audience, file.marking) for file in publication.files.all()} >= {("staff", "OFFICIAL"),
                                                                                    ("public", "OFFICIAL")}
    return reload(policy), publication


def test_the_uncleared_get_no_pdf_of_a_version_in_force_frozen_sensitive(client, people, in_force_frozen_sensitive):
    """The library's "Download version 1.0 as a PDF" and the policy's own PDF serve the stored staff copy."""
    policy, publication = in_force_frozen_sensitive
    client.force_login(staff("reader", people.unit))
    assert client.get(f"/policies/{policy.reference}/pdf/in-force/").status_code == 404
    for published_file in publication.files.all():
        assert client.get(file_url(policy, published_file)).status_code == 404
    client.force_login(people.pcu)
    assert client.get(f"/policies/{policy.reference}/pdf/in-force/").status_code == 200


def test_the_scheme_serves_no_public_copy_of_a_version_frozen_sensitive(client, people, in_force_frozen_sensitive):
    policy, _ = in_force_frozen_sensitive
    client.logout()
    assert client.get(f"/publication-scheme/{policy.reference}/pdf/").status_code == 404
    # Asked again (what the first answer remembered, if anything, is not served either).
    assert client.get(f"/publication-scheme/{policy.reference}/pdf/").status_code == 404
