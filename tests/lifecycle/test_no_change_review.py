"""A review that concludes no change is needed (issue 13), over HTTP: the Lead concludes with a reason, DCFD confirms
the EIA still stands (or records how it was updated), PCU re-publishes the version in force as a Publication with a
notice, and the next review falls due 3 years from that publication. Open only from 6 months before the review is due
(lifecycle.due.REVIEW's warning) or after a documented bring-forward; never while the policy is not impact assessed.
Every refusal says why and changes nothing."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.contrib.messages import get_messages

from core.exceptions import ApplicationError
from core.models import AuditEvent
from library.models import DocumentKind, LibraryDocument
from library.services import library_index_policy
from lifecycle import services as s
from lifecycle.models import NoChangeReview
from lifecycle.states import Status
from publication import services as publication_services
from publication.models import Publication
from tests.clock import travel
from tests.factories import advance_to, monitoring_up_to_date, reload, take_step, what_was_read

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review is due on 15 January 2027




@pytest.fixture
def published(policy_in):
    with travel(PUBLISHED_ON):
        return policy_in(Status.MONITORING)


def post(client, user, policy, slug, data):
    client.force_login(user)
    return client.post(f"/policies/{policy.reference}/actions/{slug}/", {**what_was_read(policy), **data})


def errors(response) -> str:
    """The error summary's messages (a service's refusal, or the form's own)."""
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", summary.group(1))) if summary else ""


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def state(policy) -> tuple:
    """What a refusal must leave as it was."""
    policy = reload(policy)
    return (policy.status, policy.review_due_on, policy.last_published_on, NoChangeReview.objects.count(),
            Publication.objects.count(), AuditEvent.objects.filter(policy_id=policy.pk).count())


def test_lead_concludes_dcfd_confirms_pcu_republishes(client, published, people):
    day = datetime.date(2026, 8, 3)  # within 6 months of 15 January 2027
    with travel(day):
        monitoring_up_to_date(published, people)
        client.force_login(people.lead)
        assert client.get(f"/policies/{published.reference}/actions/conclude-no-change/").status_code == 200
        response = post(client, people.lead, published, "conclude-no-change",
                        {"reason": "Monitoring shows the policy works; the law is unchanged."})
        assert response.status_code == 302, errors(response)
        policy = reload(published)
        # Nothing moves until PCU re-publishes: the old date stands, the policy stays where it was.
        assert (policy.status, policy.review_due_on, policy.last_published_on) == (
            Status.MONITORING, datetime.date(2027, 1, 15), PUBLISHED_ON)
        review = NoChangeReview.objects.get(policy=policy)
        assert (review.waits_for, review.concluded_by, review.policy_version) == (
            "dcfd", people.lead, policy.current_version)

        response = post(client, people.dcfd, policy, "confirm-eia", {"eia_outcome": "stands"})
        assert response.status_code == 302, errors(response)
        review.refresh_from_db()
        assert (review.waits_for, review.eia_outcome, review.eia_confirmed_by) == ("pcu", "stands", people.dcfd)

        response = post(client, people.pcu, policy, "republish", {"on_intranet": "on"})
        assert response.status_code == 302, errors(response)

    policy = reload(published)
    assert policy.review_due_on == datetime.date(2029, 8, 3)  # 3 years from the re-publication
    assert policy.last_published_on == day
    assert policy.monitoring_report_due_on == datetime.date(2027, 1, 15)  # its own date: not moved
    assert policy.status == Status.MONITORING
    republication = Publication.objects.get(policy=policy, republication=1)
    assert republication.policy_version == policy.current_version
    assert republication.in_notices and republication.on_intranet and republication.is_current
    assert republication.no_change_review == NoChangeReview.objects.get(policy=policy)
    first = Publication.objects.get(policy=policy, republication=0)
    assert first.superseded_by == republication
    assert NoChangeReview.objects.get(policy=policy).republished_on == day
    actions = list(AuditEvent.objects.filter(policy_id=policy.pk).order_by("sequence").values_list("action", flat=True))
    assert actions[-4:] == ["policy.review_concluded_no_change", "policy.review_eia_confirmed",
                            "policy.republished_no_change", "policy.publication_superseded"]
    # The published date shown beside the new review date is the re-publication's.
    client.force_login(people.developer)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    assert "3 August 2026" in page and "3 August 2029" in page


def test_refused_the_day_after_publication(client, published, people):
    with travel(PUBLISHED_ON + datetime.timedelta(days=1)):
        before = state(published)
        response = post(client, people.lead, published, "conclude-no-change", {"reason": "Still fit."})
        assert response.status_code == 400
        assert "too early to conclude the review" in errors(response)
        assert state(published) == before


def test_refused_while_not_impact_assessed(client, people):
    from tests.factories import emergency_approve, fill_development, fill_scoping, take_step

    with travel(PUBLISHED_ON):
        policy = people.policy()
        fill_scoping(policy, people)
        take_step(policy, people, Status.COMMISSIONING)
        take_step(reload(policy), people, Status.DEVELOPMENT)
        fill_development(reload(policy), people, complete_assessment=False)
        emergency_approve(reload(policy), people)
        take_step(reload(policy), people, Status.AWAITING_PUBLICATION)
        take_step(reload(policy), people, Status.IMPLEMENTATION)
    assert reload(policy).not_impact_assessed
    with travel(datetime.date(2026, 12, 1)):
        before = state(policy)
        response = post(client, people.lead, policy, "conclude-no-change", {"reason": "Still fit."})
        assert response.status_code == 400
        assert "not yet impact assessed" in errors(response)
        assert state(policy) == before


def test_a_documented_bring_forward_opens_it_early(client, published, people):
    with travel(datetime.date(2024, 6, 3)):
        refused = post(client, people.lead, published, "conclude-no-change", {"reason": "Still fit."})
        assert "too early" in errors(refused)
        s.policy_set_review_date(policy=published, actor=people.coordinator, review_due_on=datetime.date(2025, 9, 1),
                                 reason="A critical incident prompted an early review.")
        response = post(client, people.lead, published, "conclude-no-change", {"reason": "Still fit after the "
                                                                                         "incident review."})
        assert response.status_code == 302, errors(response)
    assert NoChangeReview.objects.get(policy=published).waits_for == "dcfd"


def test_each_part_in_turn_and_by_whom(client, published, people):
    with travel(datetime.date(2026, 9, 1)):
        monitoring_up_to_date(published, people)
        # DCFD and PCU have nothing to act on before the Lead concludes.
        before = state(published)
        response = post(client, people.dcfd, published, "confirm-eia", {"eia_outcome": "stands"})
        assert "has been concluded with no change" in errors(response)
        response = post(client, people.pcu, published, "republish", {"on_intranet": "on"})
        assert "nothing to re-publish" in errors(response)
        # Only the Lead the policy names concludes.
        for outsider in (people.lead2, people.coordinator, people.developer, people.pcu):
            response = post(client, outsider, published, "conclude-no-change", {"reason": "Still fit."})
            assert response.status_code == 302
            assert "Only the Designated Lead the policy names can conclude" in messages_of(response)
        assert state(published) == before

        assert post(client, people.lead, published, "conclude-no-change", {"reason": "Fit."}).status_code == 302
        # Twice is refused, and said as done (QA walk of 2026-12-06: not "Cannot conclude ... yet"); DCFD must say what
        # must change when the assessment must be updated.
        before = state(published)
        again = post(client, people.lead, published, "conclude-no-change", {"reason": "x"})
        assert again.status_code == 302
        assert "Review concluded with no change needed. Already done by you at " in messages_of(again)
        response = post(client, people.dcfd, published, "confirm-eia", {"eia_outcome": "updated", "eia_comments": ""})
        assert "Enter what must change in the assessment" in errors(response)
        response = post(client, people.pcu, published, "republish", {"on_intranet": "on"})
        assert "nothing to re-publish" in errors(response)
        for outsider in (people.pcu, people.lead):
            response = post(client, outsider, published, "confirm-eia", {"eia_outcome": "stands"})
            assert response.status_code == 302
            assert "Only the Diversity and Citizen Focus Directorate can confirm" in messages_of(response)
        assert state(published) == before

        assert post(client, people.dcfd, published, "confirm-eia",
                    {"eia_outcome": "updated", "eia_comments": "Age data refreshed."}).status_code == 302
        # A review cannot start while the no-change conclusion waits for PCU.
        before = state(published)
        response = post(client, people.coordinator, published, "start-review", {"reason": "Legislation."})
        assert "already open" in errors(response)
        # Re-publication is PCU's.
        response = post(client, people.lead, published, "republish", {"on_intranet": "on"})
        assert response.status_code == 302
        assert "Only the Policy Co-ordination Unit can re-publish" in messages_of(response)
        assert state(published) == before


def test_each_confirmation_names_the_part_that_follows_not_a_new_review(client, published, people):
    """Concluding "no change" used to say "Next: Start a review": the way on from the status, which a step recorded
    within the stage does not take. Each part now names the part that follows it."""
    with travel(datetime.date(2026, 8, 3)):
        monitoring_up_to_date(published, people)
        response = post(client, people.lead, published, "conclude-no-change", {"reason": "Still fit."})
        said = messages_of(response)
        assert "Next: Confirm the Equality Impact Assessment, by the Diversity and Citizen Focus Directorate." in said
        assert "Start a review" not in said

        response = post(client, people.dcfd, reload(published), "confirm-eia", {"eia_outcome": "stands"})
        said = messages_of(response)
        assert "PCU has been asked to re-publish" in said and "Start a review" not in said, said


def test_the_republish_form_starts_from_the_channels_the_policy_is_published_on(client, people):
    """Re-publishing unchanged offered the Scheme unticked: PCU pressing the button took a public policy off the
    Publication Scheme without meaning to. The form starts from the publication in force."""
    with travel(PUBLISHED_ON):
        policy = advance_to(people.policy(suitable_for_publication_scheme=True), Status.AWAITING_PUBLICATION, people)
        take_step(policy, people, Status.IMPLEMENTATION, on_publication_scheme=True)
        take_step(reload(policy), people, Status.MONITORING)
    with travel(datetime.date(2026, 8, 3)):
        monitoring_up_to_date(policy, people)
        assert post(client, people.lead, policy, "conclude-no-change", {"reason": "Still fit."}).status_code == 302
        assert post(client, people.dcfd, reload(policy), "confirm-eia", {"eia_outcome": "stands"}).status_code == 302
        client.force_login(people.pcu)
        page = client.get(f"/policies/{policy.reference}/actions/republish/").content.decode()
        assert re.search(r'<input[^>]*name="on_publication_scheme"[^>]*checked', page), "the Scheme box is unticked"
        assert re.search(r'<input[^>]*name="on_intranet"[^>]*checked', page)


def test_an_eia_dcfd_says_must_be_updated_is_reopened_and_the_republication_waits_for_its_sign_off(
        client, published, people):
    """SOP: "Equality Impact Assessments ... on existing policies every 3 years". When DCFD says the assessment must be
    updated, it is reopened for revision (in a new version of the package: the version in force and its signed-off EIA
    stay as they were, evidence), the policy's drafters revise it, DCFD signs the updated assessment off, and only
    then may PCU re-publish: the version re-published is the one with the updated EIA."""
    from assessments.services import eia_update
    from library.models import DocumentKind, LibraryDocument

    day = datetime.date(2026, 8, 3)
    with travel(day):
        monitoring_up_to_date(published, people)
        post(client, people.lead, published, "conclude-no-change", {"reason": "The law is unchanged."})
        in_force = reload(published).current_version
        response = post(client, people.dcfd, published, "confirm-eia",
                        {"eia_outcome": "updated", "eia_comments": "Add the 2025 stop data by ethnicity."})
        assert response.status_code == 302, errors(response)
        policy = reload(published)
        review = NoChangeReview.objects.get(policy=policy)
        assert review.waits_for == "eia_update"
        reopened = policy.current_version
        assert reopened != in_force and reopened.eia.frozen_at is None
        assert in_force.eia.frozen_at is not None and policy.status == Status.MONITORING
        # The statement and SOPs are not reopened: only the assessment.
        assert reopened.is_frozen and reopened.statement == in_force.statement
        eia_update(policy=policy, actor=people.developer, evidence_and_data="2025 stop data by ethnicity added.")

        # Re-publication waits for DCFD's sign-off of the updated assessment: refused, saying why, changing nothing.
        before = state(policy)
        response = post(client, people.pcu, policy, "republish", {"on_intranet": "on"})
        assert state(policy) == before
        assert "updated Equality Impact Assessment" in messages_of(response) + errors(response)

        # Signing the update off is DCFD's.
        for outsider in (people.pcu, people.developer, people.lead):
            response = post(client, outsider, policy, "sign-off-updated-eia", {"comments": "Fine."})
            assert "Only the Diversity and Citizen Focus Directorate can sign off" in messages_of(response)
        assert state(policy) == before and reload(policy).current_version.eia.frozen_at is None
        response = post(client, people.dcfd, policy, "sign-off-updated-eia", {"comments": "The update is sound."})
        assert response.status_code == 302, errors(response)
        review.refresh_from_db()
        assert review.waits_for == "pcu" and review.updated_eia_signed_off_by == people.dcfd
        assert reload(policy).current_version.eia.frozen_at is not None

        response = post(client, people.pcu, reload(policy), "republish", {"on_intranet": "on"})
        assert response.status_code == 302, errors(response)
    policy = reload(published)
    republication = Publication.objects.get(policy=policy, no_change_review=review)
    assert republication.policy_version == reopened and republication.is_current
    assert policy.review_due_on == datetime.date(2029, 8, 3)
    eia = LibraryDocument.objects.get(policy=policy, kind=DocumentKind.EIA, is_current=True)
    assert "2025 stop data by ethnicity added" in eia.body


def _concluded_and_confirmed(client, people, policy):
    monitoring_up_to_date(policy, people)
    assert post(client, people.lead, policy, "conclude-no-change", {"reason": "Still fit."}).status_code == 302
    assert post(client, people.dcfd, reload(policy), "confirm-eia", {"eia_outcome": "stands"}).status_code == 302
    return reload(policy)


def test_republishing_on_no_channel_but_the_notice_is_refused(client, published, people):
    """QA walk: "Re-publish unchanged" with both boxes unticked said "Re-published", recorded a publication in Notices
    only, and the library went on showing the policy: the record and the library disagreed. A notice announces a
    policy staff or the public can read; re-publishing where nobody can read it is refused, and nothing changes."""
    with travel(datetime.date(2026, 8, 3)):
        policy = _concluded_and_confirmed(client, people, published)
        before = state(policy)
        response = post(client, people.pcu, policy, "republish", {})
        assert response.status_code == 400
        assert "Choose where the policy is re-published" in errors(response)
        assert state(policy) == before
        with pytest.raises(ApplicationError, match="Choose where the policy is re-published"):
            publication_services.policy_republish_no_change(policy=policy, actor=people.pcu, on_intranet=False,
                                                            on_publication_scheme=False, **what_was_read(policy))


def test_a_republication_off_the_intranet_takes_the_policy_out_of_the_library(client, people):
    """The library reads the channels of each version's newest publication, not of any: a re-publication on the
    Publication Scheme only (the record: Notices and the Scheme) no longer leaves the policy on the intranet."""
    with travel(PUBLISHED_ON):
        policy = advance_to(people.policy(suitable_for_publication_scheme=True), Status.AWAITING_PUBLICATION, people)
        take_step(policy, people, Status.IMPLEMENTATION, on_publication_scheme=True)
        take_step(reload(policy), people, Status.MONITORING)
    library_index_policy(policy_id=policy.pk)
    assert LibraryDocument.objects.filter(policy=policy, is_current=True).exists()
    with travel(datetime.date(2026, 8, 3)):
        policy = _concluded_and_confirmed(client, people, policy)
        response = post(client, people.pcu, policy, "republish", {"on_publication_scheme": "on"})
        assert response.status_code == 302, errors(response)
    republication = Publication.objects.get(policy=policy, republication=1)
    assert (republication.on_intranet, republication.in_notices, republication.on_publication_scheme) == (
        False, True, True)
    library_index_policy(policy_id=policy.pk)
    # Its versions' documents leave the library; the annual monitoring reports its review asked for (published on
    # their own: library.services) are not the version's.
    assert not LibraryDocument.objects.filter(policy=policy).exclude(kind=DocumentKind.MONITORING_REPORT).exists()


@pytest.mark.parametrize(("outcome", "says", "not_said"), [
    ({"eia_outcome": "stands"}, "The assessment stands: PCU has been asked to re-publish the policy.", "reopened"),
    ({"eia_outcome": "updated", "eia_comments": "Age data refreshed."},
     "The assessment is reopened for the policy's developers to update; you sign the update off before PCU "
     "re-publishes the policy.", "PCU has been asked"),
])
def test_confirming_the_eia_says_which_outcome_was_recorded(client, published, people, outcome, says, not_said):
    """QA walk: DCFD's confirmation said both outcomes ("If the assessment stands, PCU has been asked to re-publish
    the policy; if it must be updated, it is reopened ..."), leaving them to work out which had happened. It says
    the one recorded."""
    with travel(datetime.date(2026, 8, 3)):
        monitoring_up_to_date(published, people)
        post(client, people.lead, published, "conclude-no-change", {"reason": "Still fit."})
        response = post(client, people.dcfd, reload(published), "confirm-eia", outcome)
        said = messages_of(response)
        assert says in said and not_said not in said and "If the assessment stands" not in said, said
