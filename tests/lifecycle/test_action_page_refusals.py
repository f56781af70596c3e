"""An action page refused to its visitor says why in their terms. Someone who has already taken this very step on
the version (a QA sign-off recorded, then the page opened again) is told it is recorded, not that they would break
separation of duties; someone who took another part of it is told that."""

import datetime

import pytest
from django.urls import reverse

from lifecycle import services as s
from lifecycle.models import ApprovalDecision, QASignOff
from lifecycle.states import Status
from tests.factories import advance_to, reload

pytestmark = pytest.mark.django_db


def refusal(client, user, policy, slug) -> str:
    client.force_login(user)
    response = client.get(reverse("lifecycle:action", args=[policy.reference, slug]), follow=True)
    return " ".join(str(message) for message in response.context["messages"])


def test_a_step_already_taken_is_said_to_be_recorded(client, people):
    policy = advance_to(people.policy(), Status.SUBMITTED_FOR_QA, people)
    s.policy_record_qa_signoff(policy=policy, actor=people.pcu, discipline="pcu")
    said = refusal(client, people.pcu, policy, "quality-assurance")
    assert said == (f"{policy.reference}: you have already recorded the quality assurance of version 1.0 for Policy "
                    "Co-ordination Unit. Nothing more is asked of you here.")
    assert "separation of duties" not in said


def test_another_part_of_the_version_is_still_separation_of_duties(client, people):
    policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    signer = QASignOff.objects.get(policy_version=policy.current_version, discipline="pcu").signed_by
    said = refusal(client, signer, policy, "publish")
    assert "separation of duties" in said and "recorded the quality assurance" in said


def test_a_too_long_minute_reference_gets_one_error_that_says_so(people):
    from lifecycle.forms.steps import ApprovalDecisionForm

    policy = advance_to(people.policy(), Status.WITH_LEAD, people)
    form = ApprovalDecisionForm({"decision": "approve", "meeting_on-day": "1", "meeting_on-month": "12",
                                 "meeting_on-year": "2026", "minute_reference": "M" * 500}, user=people.lead,
                                policy=policy)
    assert not form.is_valid()
    assert form.errors["minute_reference"] == ["Minute reference must be 60 characters or fewer"]
    rejected = ApprovalDecisionForm({"decision": "reject", "comments": "x" * 100_000}, user=people.lead, policy=policy)
    assert not rejected.is_valid()
    assert rejected.errors["comments"] == ["Comments or reasons must be 20,000 characters or fewer"]


def test_a_decision_from_a_page_that_has_moved_on_is_refused_and_what_was_typed_is_kept(client, people):
    """The Lead has the decision page open in two tabs, approves in one, then rejects in the other with reasons
    typed: refused (the policy has moved on), and the reasons are shown back, not thrown away."""
    from tests.factories import what_was_read

    policy = advance_to(people.policy(), Status.WITH_LEAD, people)
    stale_page = what_was_read(policy)
    client.force_login(people.lead)
    url = reverse("lifecycle:action", args=[policy.reference, "decide"])
    today = datetime.date.today()
    approved = client.post(url, {**stale_page, "decision": "approve", "meeting_on-day": today.day,
                                 "meeting_on-month": today.month, "meeting_on-year": today.year,
                                 "minute_reference": "COG/2026/21"})
    assert approved.status_code == 302
    reasons = "The consultation with the Police Federation is missing.\nSection 4 contradicts the SOP."
    response = client.post(url, {**stale_page, "decision": "reject", "comments": reasons})
    html = response.content.decode()
    assert response.status_code == 409
    assert "has moved on" in html or "changed since" in html
    assert "Nothing was recorded" in html
    assert html.count("The consultation with the Police Federation is missing.") == 1
    assert f'href="/policies/{policy.reference}/"' in html
    assert ApprovalDecision.objects.filter(policy_version__policy=policy).count() == 1


# QA walk (qa9): a developer who wrote version 2.0 of a policy under review, opening "Publish" while it is with PCU,
# was told "You cannot publish ...: you wrote or submitted version 2.0 ... (separation of duties)", as if they could
# otherwise. Only PCU publishes (SOP, "Role of the Policy Co-ordination Unit": "Publish all corporate policy"): the
# role comes first, and separation of duties is said only to someone who holds the step's permission but is barred by
# their part in the version.
def _reviewed_to(policy, status, people):
    """``policy`` in force, its review's version 2.0 (written by its developers) taken on to ``status``."""
    policy = advance_to(policy, Status.IMPLEMENTATION, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="Legislation changed.")
    return advance_to(policy, status, people)


def test_who_may_never_take_the_step_is_not_told_of_separation_of_duties(client, people):
    policy = _reviewed_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    assert policy.current_version.number == "2.0"
    said = refusal(client, people.developer, policy, "publish")
    assert said == f"“Publish” is not available to you for {policy.reference} now."


def test_every_step_with_a_duty_asks_the_role_before_the_part_taken(client, people):
    # The developer wrote version 2.0 and holds none of the parts after it: the generic refusal on each page, not
    # their authorship.
    policy = _reviewed_to(people.policy(), Status.SUBMITTED_FOR_QA, people)
    said = refusal(client, people.developer, policy, "quality-assurance")
    assert said == f"“Record quality assurance” is not available to you for {policy.reference} now."
    policy = advance_to(policy, Status.WITH_LEAD, people)
    said = refusal(client, people.developer, policy, "decide")
    assert said == f"“Approve or reject” is not available to you for {policy.reference} now."


def test_a_pcu_member_who_wrote_the_version_is_told_of_separation_of_duties(client, people):
    from tests.factories import RoleAssignmentFactory, user_with_role

    writer = user_with_role("pcu", username="pcu_writer")
    RoleAssignmentFactory(user=writer, role="developer", business_group=people.group)
    policy = advance_to(people.policy(actor=writer, developers=[people.developer, writer]),
                        Status.AWAITING_PUBLICATION, people)
    assert policy.current_version.author_id == writer.pk
    said = refusal(client, writer, policy, "publish")
    assert said == (f"You cannot publish {policy.reference}: you wrote or submitted version 1.0, and one person may "
                    "not hold two parts in the same version (separation of duties).")


def test_a_posted_step_asks_the_role_before_its_conditions(client, people, policy_in):
    """Review of 2026-12-05, finding 1: posted by someone without the Lead's role, while a review draft was open,
    "Conclude the review: no change needed" answered with its condition's reason, naming the draft's version ("a
    review draft (version 2.0) is open"), where opening its page gave the generic refusal. The service now asks
    the role first, as the page does: a step's conditions are told only to those who may take it."""
    from lifecycle.selectors import user_may_see_drafts
    from tests.clock import travel

    url = "/policies/{}/actions/conclude-no-change/"
    with travel(datetime.date(2024, 1, 15)):
        published = policy_in(Status.MONITORING)
    with travel(datetime.date(2026, 8, 3)):
        s.policy_start_review(policy=published, actor=people.lead, reason="Three-year review.")
        policy = advance_to(reload(published), Status.DEVELOPMENT, people)
        outsider = people.developer2  # another group's developer: shown the version in force only
        assert not user_may_see_drafts(user=outsider, policy=policy)
        client.force_login(outsider)
        response = client.post(url.format(policy.reference), {"expected_status": policy.status, "reason": "x"},
                               follow=True)
        said = response.content.decode()
        assert "version 2.0" not in said and "review draft" not in said
        assert "Only" in said or "not available" in said or "not allowed" in said
        # The Lead is told the reason.
        client.force_login(people.lead)
        response = client.post(url.format(policy.reference), {"expected_status": policy.status, "reason": "x"},
                               follow=True)
        assert "a review draft (version 2.0) is open" in response.content.decode()
