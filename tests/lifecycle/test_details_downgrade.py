"""A review that re-marks an OFFICIAL-SENSITIVE policy OFFICIAL (lifecycle.services.details): the downgrade is the
draft's, frozen and approved with its version, and takes effect when that version is published. Until then the version
in force, published OFFICIAL-SENSITIVE, stays OFFICIAL-SENSITIVE on every surface: it was re-marked at once, and every
member of staff could read its statement, its SOPs and its PDF (security probe: "Only the stored files keep their
OFFICIAL-SENSITIVE marking"). Re-marking up to OFFICIAL-SENSITIVE still takes effect at once (the safe direction).

What was published OFFICIAL-SENSITIVE stays so once the OFFICIAL version replaces it: its files, its statement and
SOPs in the library's earlier versions, its words in the register's search, its notice and its comparison."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.utils import timezone

from acknowledgements.selectors import outstanding_for
from core.models import AuditEvent, Role
from library.selectors import Scope, library_search
from lifecycle import services as s
from lifecycle.selectors import version_history
from lifecycle.states import ProtectiveMarking, Status
from publication.models import Publication, PublishedFile
from publication.services import policy_publish, publication_publish_due
from tests.factories import advance_to, refused, reload, user_with_role, what_was_read
from tests.library.helpers import published, staff, submitted_with
from tests.lifecycle.test_details import details_form, update

pytestmark = pytest.mark.django_db

OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE
# Words only version 1.0, published OFFICIAL-SENSITIVE, carries: its statement, its SOP and its purpose.
IN_STATEMENT, IN_SOP, IN_PURPOSE = "zebrafinchish", "wombatish", "quokkaish"
# Words of the reviewed version, published OFFICIAL.
REVIEWED = "kingfisherish"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def downgraded(people, django_capture_on_commit_callbacks):
    """Version 1.0 published OFFICIAL-SENSITIVE (in Notices, asked of Territorial Policing's staff to acknowledge),
    now under review; its draft re-marked OFFICIAL and ticked suitable for the Publication Scheme, committed."""
    with django_capture_on_commit_callbacks(execute=True):
        policy = published(people, title="Covert tasking", marking=SENSITIVE,
                           purpose=f"To govern {IN_PURPOSE} deployments.",
                           statement=f"<p>The {IN_STATEMENT} protocol applies.</p>",
                           sop_text=f"<p>Brief the {IN_SOP} handler.</p>",
                           audience={"business_groups": [people.group.pk]})
    policy = advance_to(policy, Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    with django_capture_on_commit_callbacks(execute=True):
        update(reload(policy), people.developer, protective_marking=OFFICIAL, suitable_for_publication_scheme=True,
               purpose="To govern deployments.")
    return reload(policy)


@pytest.fixture
def reader(people):
    """A member of Territorial Policing's staff with no role: asked to acknowledge its policies, not cleared for
    their OFFICIAL-SENSITIVE material."""
    return staff("reader", people.unit)


def publish_reviewed(policy, people, django_capture_on_commit_callbacks):
    """The reviewed version, its OFFICIAL-SENSITIVE words taken out, through QA, approval and publication (on the
    Publication Scheme too), its files rendered."""
    s.sop_update_draft(sop=policy.sops.get(), actor=people.developer, text=f"<p>Brief the {REVIEWED} handler.</p>")
    policy = submitted_with(policy, people, statement=f"<p>The {REVIEWED} protocol applies.</p>",
                            summary_of_changes="Re-written for publication.")
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    with django_capture_on_commit_callbacks(execute=True):
        publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True,
                                     **what_was_read(policy))
    return reload(policy), publication


# --- the service: the draft's marking, and the marking in force ----------------------------------------------------


def test_the_downgrade_is_the_drafts_and_the_version_in_force_stays_official_sensitive(downgraded, people):
    policy = downgraded
    assert policy.protective_marking == SENSITIVE
    assert policy.details_snapshot()["protective_marking"] == OFFICIAL
    event = AuditEvent.objects.filter(policy_id=policy.pk, action="policy.details_changed").latest("sequence")
    assert event.changes["details"]["protective_marking"] == [SENSITIVE, OFFICIAL]
    assert event.changes["protective_marking_in_force"] == SENSITIVE
    # Marked OFFICIAL-SENSITIVE again: nothing is pending.
    update(policy, people.developer, protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    policy = reload(policy)
    assert policy.protective_marking == SENSITIVE and policy.details_snapshot()["protective_marking"] == SENSITIVE
    assert policy.proposed_protective_marking == ""


def test_the_version_is_frozen_approved_and_published_with_the_drafts_marking(
        client, downgraded, people, django_capture_on_commit_callbacks):
    policy = advance_to(downgraded, Status.WITH_LEAD, people)
    submitted = policy.current_version
    assert submitted.details["protective_marking"] == OFFICIAL
    assert submitted.content_hash == submitted.compute_content_hash()
    assert policy.protective_marking == SENSITIVE

    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    assert policy.protective_marking == SENSITIVE
    # PCU's page offers the Scheme as the version's details say (OFFICIAL, suitable), not the marking in force.
    client.force_login(people.pcu)
    page = client.get(f"/policies/{policy.reference}/actions/publish/").content.decode()
    assert 'name="on_publication_scheme" type="checkbox" checked' in page
    with django_capture_on_commit_callbacks(execute=True):
        publication = policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True,
                                     **what_was_read(policy))
    policy = reload(policy)
    assert (policy.protective_marking, policy.proposed_protective_marking) == (OFFICIAL, "")
    assert publication.on_publication_scheme
    event = AuditEvent.objects.get(policy_id=policy.pk, action="policy.published",
                                   changes__version=publication.policy_version.number)
    assert event.changes["protective_marking"] == [SENSITIVE, OFFICIAL]
    # Rendered once published OFFICIAL: the staff's copy and the public one.
    assert {file.audience for file in publication.files.all()} == {"public", "staff"}


def test_a_scheduled_publication_puts_the_marking_in_force_the_day_it_is_published(downgraded, people):
    policy = advance_to(downgraded, Status.AWAITING_PUBLICATION, people)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True, publish_on=tomorrow,
                   **what_was_read(policy))
    assert reload(policy).protective_marking == SENSITIVE
    publication_publish_due(today=tomorrow)
    assert reload(policy).protective_marking == OFFICIAL


def test_an_upgrade_takes_effect_at_once_and_undoing_it_restores_the_marking_in_force(people):
    policy = published(people, title="Stop and search")
    policy = advance_to(policy, Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    assert reload(policy).protective_marking == SENSITIVE
    # Version 1.0 in force was published OFFICIAL: marking the draft OFFICIAL again exposes nothing.
    update(reload(policy), people.developer, protective_marking=OFFICIAL)
    policy = reload(policy)
    assert (policy.protective_marking, policy.proposed_protective_marking) == (OFFICIAL, "")


def test_before_its_first_publication_a_policy_is_re_marked_at_once(people, policy_in):
    policy = policy_in(Status.SCOPING, protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    update(policy, people.developer, protective_marking=OFFICIAL)
    policy = reload(policy)
    assert (policy.protective_marking, policy.proposed_protective_marking) == (OFFICIAL, "")


# --- the pages say what happens -----------------------------------------------------------------------------------

SUITABLE = ('<dt class="govuk-summary-list__key">Suitable for Publication Scheme</dt>'
            '<dd class="govuk-summary-list__value">{}</dd>')


def test_the_pages_say_the_version_in_force_stays_official_sensitive_until_this_one_is_published(
        client, downgraded, people):
    said = ("Version 1.0 in force stays OFFICIAL-SENSITIVE until this version is published; this version will be "
            "published as OFFICIAL.")
    client.force_login(people.developer)
    overview = client.get(f"/policies/{downgraded.reference}/").content.decode()
    assert said in overview
    details = client.get(f"/policies/{downgraded.reference}/details/").content.decode()
    assert said in details
    assert SUITABLE.format("Yes") in overview  # the draft's
    # A colleague cleared for it who does not see the draft reads the version in force's details, and nothing of the
    # draft's marking.
    client.force_login(user_with_role(Role.DEVELOPER, people.group, username="colleague"))
    in_force = client.get(f"/policies/{downgraded.reference}/").content.decode()
    assert SUITABLE.format("No") in in_force and "will be published as" not in in_force
    client.force_login(people.developer)
    # The form shows the draft's marking, and saving the same details changes nothing.
    response = client.post(f"/policies/{downgraded.reference}/details/", details_form(downgraded))
    assert response.status_code == 302
    assert reload(downgraded).proposed_protective_marking == OFFICIAL
    # The Lead approving it reads the downgrade among the details changed since the version in force.
    policy = advance_to(downgraded, Status.WITH_LEAD, people)
    client.force_login(people.lead)
    decide = client.get(f"/policies/{policy.reference}/actions/decide/").content.decode()
    assert "<del>OFFICIAL-SENSITIVE</del>" in decide and "<ins>OFFICIAL</ins>" in decide
    assert said in decide


# --- nothing of the version in force reaches the uncleared while the downgrade is a draft's -------------------------


def test_staff_not_cleared_read_nothing_of_the_version_in_force_after_a_draft_downgrade(
        client, downgraded, people, reader):
    reference = downgraded.reference
    for person in (reader, people.developer2):
        client.force_login(person)
        for path in ("", "statement/", "versions/", "pdf/", "publication/"):
            assert client.get(f"/policies/{reference}/{path}").status_code == 404, (person, path)
        assert reference not in client.get("/policies/").content.decode()
        assert reference not in client.get(f"/policies/?q={IN_STATEMENT}").content.decode()
        for words in (IN_STATEMENT, IN_SOP, IN_PURPOSE):
            for scope in (Scope.CURRENT, Scope.SUPERSEDED):
                assert library_search(user=person, text=words, scope=scope).total == 0, (person, words, scope)
        assert client.get(f"/library/{reference}/").status_code == 404
        assert client.get(f"/library/{reference}/versions/1.0/").status_code == 404
        for page in ("/notices/", "/notices/feed/"):
            assert reference not in client.get(page).content.decode(), (person, page)
    assert downgraded.pk not in {audience.policy_id for audience in outstanding_for(user=reader)}
    client.force_login(reader)
    assert reference not in client.get("/acknowledgements/").content.decode()
    # The public: nothing of it on the Publication Scheme, its search or its feed.
    client.logout()
    for page in ("/publication-scheme/", "/publication-scheme/feed/"):
        body = client.get(page).content.decode()
        assert reference not in body and IN_STATEMENT not in body and IN_PURPOSE not in body, page
    assert reference not in client.get(f"/publication-scheme/?q={IN_STATEMENT}").content.decode()
    assert client.get(f"/publication-scheme/{reference}/").status_code == 404
    assert client.get(f"/publication-scheme/{reference}/pdf/").status_code == 404
    # Those cleared for it still read it, marked.
    client.force_login(people.coordinator)
    overview = client.get(f"/policies/{reference}/")
    assert overview.status_code == 200 and "OFFICIAL-SENSITIVE" in overview.content.decode()
    assert library_search(user=people.coordinator, text=IN_STATEMENT).total == 1


def test_once_the_reviewed_version_is_published_official_staff_read_it_and_nothing_of_the_old_one(
        client, downgraded, people, reader, django_capture_on_commit_callbacks):
    old_publication = Publication.objects.get(policy=downgraded)
    old_files = list(old_publication.files.all())
    assert old_files and all(file.marking == "OFFICIAL-SENSITIVE" for file in old_files)
    policy, publication = publish_reviewed(downgraded, people, django_capture_on_commit_callbacks)
    reference = policy.reference

    for person in (reader, people.developer2):
        client.force_login(person)
        statement = client.get(f"/policies/{reference}/statement/")
        assert statement.status_code == 200
        body = statement.content.decode()
        assert REVIEWED in body and IN_STATEMENT not in body and IN_SOP not in body
        assert reference in client.get("/policies/").content.decode()
        assert reference in client.get(f"/policies/?q={REVIEWED}").content.decode()
        # The words of version 1.0 find nothing: it was published OFFICIAL-SENSITIVE.
        assert reference not in client.get(f"/policies/?q={IN_STATEMENT}").content.decode()
        assert library_search(user=person, text=REVIEWED).total == 2  # its statement and its SOP
        for words in (IN_STATEMENT, IN_SOP, IN_PURPOSE):
            for scope in (Scope.CURRENT, Scope.SUPERSEDED):
                assert library_search(user=person, text=words, scope=scope).total == 0, (person, words, scope)
        assert client.get(f"/library/{reference}/").status_code == 200
        assert client.get(f"/library/{reference}/versions/1.0/").status_code == 404
        # The staff PDF is the new version's; the old package's files stay the cleared staff's.
        pdf = client.get(f"/policies/{reference}/pdf/")
        assert pdf.status_code == 200
        staff_copy = publication.files.get(audience=PublishedFile.Audience.STAFF)
        assert hashlib.sha256(pdf.getvalue()).hexdigest() == staff_copy.sha256
        page = client.get(f"/policies/{reference}/publication/").content.decode()
        for file in old_files:
            assert file.sha256 not in page
            url = f"/policies/{reference}/publication/{old_publication.pk}/files/{file.pk}/"
            assert client.get(url).status_code == 404
        # Nor its statement through a comparison or the version history, nor its purpose in Notices.
        compare = client.get(f"/policies/{reference}/versions/compare/?from=1.0&to=2.0").content.decode()
        assert IN_STATEMENT not in compare
        assert [row.number for row in version_history(policy=policy, user=person)] == ["2.0"]
        for notices in ("/notices/", "/notices/feed/"):
            body = client.get(notices).content.decode()
            assert reference in body and IN_PURPOSE not in body, notices
    # The public read the reviewed version on the Scheme, and nothing of version 1.0.
    client.logout()
    entry = client.get(f"/publication-scheme/{reference}/").content.decode()
    assert REVIEWED in entry and IN_STATEMENT not in entry
    for page in ("/publication-scheme/", "/publication-scheme/feed/"):
        body = client.get(page).content.decode()
        assert IN_STATEMENT not in body and IN_PURPOSE not in body, page
    assert reference not in client.get(f"/publication-scheme/?q={IN_STATEMENT}").content.decode()
    # The cleared still read version 1.0 as it was published.
    client.force_login(people.coordinator)
    earlier = client.get(f"/library/{reference}/versions/1.0/").content.decode()
    assert ('Protective marking</dt><dd class="govuk-summary-list__value">OFFICIAL-SENSITIVE</dd>') in earlier
    assert library_search(user=people.coordinator, text=IN_STATEMENT, scope=Scope.SUPERSEDED).total == 1
    compare = client.get(f"/policies/{reference}/versions/compare/?from=1.0&to=2.0").content.decode()
    assert IN_STATEMENT in compare
    assert [row.number for row in version_history(policy=policy, user=people.coordinator)] == ["2.0", "1.0"]


# --- the SOPs: an OFFICIAL-SENSITIVE SOP of the version in force keeps its marking ----------------------------------


def test_an_official_sensitive_sop_of_the_version_in_force_cannot_be_re_marked_by_the_draft(people):
    policy = published(people, title="Firearms", sop_marking=SENSITIVE, sop_text=f"<p>{IN_SOP}</p>")
    policy = advance_to(policy, Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    sop = reload(policy).sops.get()
    with refused("frozen", "part of the record of that version"):
        s.sop_update_draft(sop=sop, actor=people.developer, text=f"<p>{IN_SOP}</p>", protective_marking=OFFICIAL)
    assert library_search(user=staff("reader", people.unit), text=IN_SOP).total == 0


def test_saving_a_downgrade_says_when_it_takes_effect_and_an_upgrade_says_it_is_at_once(client, people):
    """The confirmation after saving said only "saved (protective marking)", as if the policy were OFFICIAL from
    then on; it says the version in force stays OFFICIAL-SENSITIVE until this version is published."""
    policy = advance_to(published(people, title="Covert tasking", marking=SENSITIVE), Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Three-year review.")
    policy = reload(policy)
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/details/",
                           details_form(policy, protective_marking=OFFICIAL), follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert said == [f"Details of {policy.reference} saved (protective marking). Version 1.0 in force stays "
                    "OFFICIAL-SENSITIVE until this version is published; this version will be published as OFFICIAL."]
    # Back up to OFFICIAL-SENSITIVE: at once, and the confirmation says nothing of a wait.
    response = client.post(f"/policies/{policy.reference}/details/",
                           details_form(reload(policy), protective_marking=SENSITIVE), follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert said == [f"Details of {policy.reference} saved (protective marking)."]
