"""Paths found in review: an action's form page shows the draft under decision only to those who may take the
action, however it is reached; and one filter value that does not validate leaves the others applied."""

import pytest

from lifecycle import services as lifecycle_services
from lifecycle.models import Policy
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

DRAFT_WORDING = "Wording only the drafters may read yet"


@pytest.fixture
def under_review(people):
    """A Territorial Policing policy in force, with a reviewed draft in development."""
    policy = advance_to(people.policy(), "implementation", people)
    lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Legislation changed.")
    lifecycle_services.draft_update(policy=Policy.objects.get(pk=policy.pk), actor=people.developer,
                                    statement=f"<p>{DRAFT_WORDING}</p>")
    return Policy.objects.get(pk=policy.pk)


@pytest.mark.parametrize("slug", ["decide", "quality-assurance", "emergency-approve", "emergency-agreement", "publish"])
def test_an_invalid_post_to_an_action_does_not_show_the_draft_to_staff_without_a_part(client, people,
                                                                                        under_review, slug):
    # Given staff of another business group, who see the policy only in its version in force
    client.force_login(people.developer2)

    # When they post an incomplete decision form
    response = client.post(f"/policies/{under_review.reference}/actions/{slug}/", {"decision": ""})

    # Then they are sent back with the refusal, and the draft's redline is not shown
    assert response.status_code == 302
    assert response["Location"] == f"/policies/{under_review.reference}/"
    assert DRAFT_WORDING not in response.content.decode()
    followed = client.get(response["Location"]).content.decode()
    assert "is not available to you" in followed and DRAFT_WORDING not in followed


def test_an_invalid_post_by_the_decider_still_shows_the_form_with_its_errors(client, people):
    policy = advance_to(people.policy(), "with_lead", people)
    client.force_login(people.lead)

    response = client.post(f"/policies/{policy.reference}/actions/decide/", {"expected_status": policy.status})

    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


def test_a_filter_value_that_does_not_validate_leaves_the_other_filters_applied(client, people):
    in_development = advance_to(people.policy(title="Still being drafted"), "development", people)
    with_lead = advance_to(people.policy(title="Waiting for the Lead"), "with_lead", people)
    client.force_login(people.coordinator)

    # A business group id that no longer exists (a bookmarked URL) beside a valid stage
    response = client.get("/policies/?stage=approval&business_group=999999")

    body = response.content.decode()
    assert response.status_code == 200
    assert with_lead.reference in body
    assert in_development.reference not in body
    assert '<p class="govuk-body govuk-!-font-weight-bold" id="result-count" role="status">1 policy</p>' in body


def test_consultation_on_a_draft_under_review_stays_with_the_people_working_on_it(client, people, under_review):
    # Given a consultation recorded, with its response, on the reviewed draft (cycle 2)
    record = lifecycle_services.consultation_record(
        policy=under_review, actor=people.developer, consultee="Staff side", organisation="Police Federation",
        consultee_type="staff_association", date_sent=under_review.created_at.date(),
        response="Response on the draft only the drafters may read",
    )
    assert record.cycle == 2

    # Staff of another business group see the log of the version in force only, and not the record's page
    client.force_login(people.developer2)
    log = client.get(f"/policies/{under_review.reference}/consultation/")
    assert log.status_code == 200
    assert "Response on the draft" not in log.content.decode() and "Police Federation" not in log.content.decode()
    assert client.get(f"/policies/{under_review.reference}/consultation/{record.pk}/response/").status_code == 404

    # The developer on the review sees both
    client.force_login(people.developer)
    assert "Police Federation" in client.get(f"/policies/{under_review.reference}/consultation/").content.decode()
    assert client.get(f"/policies/{under_review.reference}/consultation/{record.pk}/response/").status_code == 200
