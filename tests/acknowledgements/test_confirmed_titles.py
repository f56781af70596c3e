"""A person's own confirmations (/acknowledgements/ and its CSV) name the version they confirmed, as they may read it
now (acknowledgements.confirmed). Review 4: a Territorial Policing reader confirmed "Stop and search" v1.0; a review
re-marked the policy OFFICIAL-SENSITIVE and retitled it; once v2.0 was published the policy answered them 404, but
their list still showed "POL-0001 Covert stop and search tactics"."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acknowledgements.confirmed import TITLE_NOT_SHOWN
from acknowledgements.models import Acknowledgement
from acknowledgements.services import acknowledgement_confirm
from core.models import Role
from core.services import role_assign
from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from publication.services import policy_publish
from tests.factories import advance_to, reload, what_was_read
from tests.library.helpers import published, staff, submitted_with
from tests.lifecycle.test_details import update

pytestmark = pytest.mark.django_db
SENSITIVE = ProtectiveMarking.OFFICIAL_SENSITIVE
OS_TITLE = "Covert stop and search tactics"
CONFIRMED = '<h2 class="govuk-heading-m">Confirmed</h2>'


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def confirmed_then_reviewed(people, reader, capture, *, title: str, **details):
    """"Stop and search" v1.0, published OFFICIAL for Territorial Policing and confirmed by ``reader``; then reviewed
    with these details and ``title``, and v2.0 published. Returns the policy."""
    with capture(execute=True):
        policy = published(people, title="Stop and search", audience={"business_groups": [people.group.pk]})
    version = reload(policy).current_version
    acknowledgement_confirm(user=reader, version=version, version_hash=version.content_hash)
    policy = advance_to(reload(policy), Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Review.")
    update(reload(policy), people.developer, title=title, **details)
    policy = submitted_with(reload(policy), people, statement=None, summary_of_changes="Reviewed.")
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    with capture(execute=True):
        policy_publish(policy=policy, actor=people.pcu, **what_was_read(policy))
    policy = reload(policy)
    assert policy.title == title and policy.current_version.number == "2.0"
    return policy


def confirmed_list(client) -> str:
    return client.get("/acknowledgements/").content.decode().partition(CONFIRMED)[2]


def exported(client) -> list[list[str]]:
    response = client.get("/acknowledgements/export.csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_policy_re_marked_sensitive_keeps_the_readers_confirmation_without_its_title(
        client, people, django_capture_on_commit_callbacks):
    reader = staff("reader", people.unit)
    policy = confirmed_then_reviewed(people, reader, django_capture_on_commit_callbacks, title=OS_TITLE,
                                     protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    assert policy.protective_marking == SENSITIVE
    client.force_login(reader)
    assert client.get(f"/policies/{policy.reference}/").status_code == 404
    assert client.get(f"/library/{policy.reference}/versions/1.0/").status_code == 404
    listing = confirmed_list(client)
    rows = exported(client)
    assert OS_TITLE not in listing and OS_TITLE not in "".join(cell for row in rows for cell in row)
    # The evidence stays: what was confirmed (reference, version, when, the hash), but no title and no link.
    confirmation = Acknowledgement.objects.get(user=reader)
    assert f"{policy.reference} <span" in listing and "1.0" in listing and "title not shown" in listing
    assert f'href="/library/{policy.reference}/' not in listing
    assert rows[1] == [policy.reference, TITLE_NOT_SHOWN, "1.0", "reader", reader.get_full_name(), str(people.unit),
                       "confirmed", confirmation.acknowledged_at.isoformat(), confirmation.content_hash]
    # Cleared for Territorial Policing's OFFICIAL-SENSITIVE material, they read v1.0 again: titled as they confirmed it.
    role_assign(actor=people.pcu, user=reader, role=Role.DEVELOPER, business_group=people.group)
    reader.refresh_from_db()
    client.force_login(reader)
    listing = confirmed_list(client)
    link = f'<a class="govuk-link" href="/library/{policy.reference}/versions/1.0/">'
    assert f"{link}{policy.reference} Stop and search</a>" in listing and OS_TITLE not in listing
    assert exported(client)[1][1] == "Stop and search"


def test_a_retitled_policy_lists_the_title_of_the_version_confirmed(client, people,
                                                                     django_capture_on_commit_callbacks):
    reader = staff("reader", people.unit)
    policy = confirmed_then_reviewed(people, reader, django_capture_on_commit_callbacks,
                                     title="Stop and account")
    client.force_login(reader)
    listing = confirmed_list(client)
    assert f'href="/library/{policy.reference}/versions/1.0/">{policy.reference} Stop and search</a>' in listing
    assert "Stop and account" not in listing and exported(client)[1][1] == "Stop and search"


def test_the_confirmed_list_and_its_export_cost_the_same_however_many(client, people,
                                                                      django_capture_on_commit_callbacks):
    """One query more than before for the library's answer, whatever the number of confirmations, readable or not."""
    reader = staff("reader", people.unit)
    confirmed_then_reviewed(people, reader, django_capture_on_commit_callbacks, title=OS_TITLE,
                            protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    client.force_login(reader)
    confirmed_list(client)

    def cost() -> tuple[int, int]:
        counted = []
        for fetch in (confirmed_list, exported):
            with CaptureQueriesContext(connection) as captured:
                fetch(client)
            counted.append(len(captured))
        return counted[0], counted[1]

    one = cost()
    for number in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            more = published(people, title=f"More {number}", audience={"business_groups": [people.group.pk]})
        version = reload(more).current_version
        acknowledgement_confirm(user=reader, version=version, version_hash=version.content_hash)
    assert Acknowledgement.objects.filter(user=reader).count() == 3
    listing = confirmed_list(client)
    assert "More 0" in listing and "More 1" in listing and OS_TITLE not in listing
    assert cost() == one


def test_a_confirmation_of_a_policy_since_withdrawn_says_so(client, people, django_capture_on_commit_callbacks):
    """QA walk of 2026-12-06: after POL-0018 was withdrawn, the officer's "Confirmed" list still showed it as if in
    force, with no word that it no longer is."""
    reader = staff("reader", people.unit)
    with django_capture_on_commit_callbacks(execute=True):
        policy = published(people, title="Stop and search", audience={"business_groups": [people.group.pk]})
    version = reload(policy).current_version
    acknowledgement_confirm(user=reader, version=version, version_hash=version.content_hash)
    client.force_login(reader)
    assert "Withdrawn</strong>" not in confirmed_list(client)
    advance_to(reload(policy), Status.WITHDRAWN, people)
    listing = confirmed_list(client)
    assert policy.reference in listing
    assert '<strong class="govuk-tag govuk-tag--grey">Withdrawn</strong>' in listing
