"""The Lead decides with everything on one page (issue 17), and every confirmation says what happens next and who
is told, from the step's declaration."""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape

from core.dates import date_shown
from lifecycle import deadlines, services, workflow
from lifecycle.models import Policy
from publication.services import policy_publish
from tests.factories import advance_to, what_was_read
from tests.web.page_text import read

pytestmark = pytest.mark.django_db


def test_the_decision_page_shows_the_version_being_decided(client, people):
    policy = advance_to(people.policy(title="Body-worn video", purpose="Why officers record encounters."),
                        "with_lead", people)
    version = policy.current_version
    client.force_login(people.lead)
    page = client.get(f"/policies/{policy.reference}/actions/decide/").content.decode()
    assert f"What you are deciding: version {version.number}" in page
    assert "Why officers record encounters." in page
    assert policy.get_risk_tier_display() in page
    assert version.eia.get_decision_display() in page
    assert escape(version.eia.consultation_summary) in page and escape(version.workbook.consultation_summary) in page
    for discipline in ("Policy Co-ordination Unit", "Diversity and Citizen Focus Directorate",
                       "Directorate of Information"):
        assert f"<strong>{discipline}" in page
    # The statement inline, expandable (a new policy has no earlier version: its full text is open).
    assert '<details class="govuk-details" open>' in page and f"Policy Statement, version {version.number}" in page
    assert version.statement in page
    assert "Document control" in page and "Protective marking" in page
    # The Overview tab is not highlighted on an action page.
    assert 'aria-current="page">Overview' not in page


def test_after_a_decision_the_confirmation_says_what_happens_next_and_who_is_told(client, people):
    policy = advance_to(people.policy(), "with_lead", people)
    version = policy.current_version
    client.force_login(people.lead)
    response = client.post(f"/policies/{policy.reference}/actions/decide/", {
        "decision": "approve", "comments": "Agreed.", "expected_status": "with_lead", "version": version.pk,
        "version_hash": version.read_hash, "meeting_on": timezone.localdate().isoformat(),
        "minute_reference": "COG/2026/14"}, follow=True)
    assert Policy.objects.get(pk=policy.pk).status == "approved"
    banner = read(response.content.decode()).text
    told = "the business group's co-ordinator and the policy's developers and manager"
    assert "Your decision has been recorded." in banner
    # By when: the stage's declared deadline (lifecycle.deadlines); PCU expanded, the page's first use of it.
    expected = date_shown(deadlines.FORWARD_FOR_PUBLICATION.due_on(timezone.localdate()))
    assert ("Next: Send to Policy Co-ordination Unit (PCU) for publication, by "
            f"{workflow.FORWARD_FOR_PUBLICATION.taken_by}, expected by {expected}.") in banner
    assert f"Told in their notifications and daily e-mail: {told}." in banner


def pass_qa_through_the_page(client, policy, user, discipline: str) -> str:
    """``user`` passes their ``discipline``'s part of the quality assurance through its page: the text that answers."""
    version = Policy.objects.get(pk=policy.pk).current_version
    client.force_login(user)
    response = client.post(f"/policies/{policy.reference}/actions/quality-assurance/", {
        "outcome": "passed", "discipline": discipline, "comments": "", "expected_status": "submitted_for_qa",
        "version": version.pk, "version_hash": version.read_hash}, follow=True)
    return read(response.content.decode()).text


def test_the_last_quality_assurance_sign_off_tells_whom_passing_notifies(client, people):
    policy = advance_to(people.policy(), "submitted_for_qa", people)

    services.policy_record_qa_signoff(policy=policy, actor=people.pcu_qa, discipline="pcu")
    services.policy_record_qa_signoff(policy=policy, actor=people.dcfd, discipline="dcfd")
    body = pass_qa_through_the_page(client, policy, people.doi, "doi")
    assert Policy.objects.get(pk=policy.pk).status == "qa_passed"
    expected = date_shown(deadlines.FORWARD_TO_LEAD.due_on(timezone.localdate()))
    assert ("Next: Forward to the Designated Lead, by the business group's co-ordinator, expected by "
            f"{expected}.") in body
    assert "Told in their notifications and daily e-mail: the business group's co-ordinator" in body


def test_bringing_a_review_forward_says_the_review_comes_next_not_the_way_on_from_the_status(client, people):
    """SET_REVIEW_DATE declares ``then="start_review"``: in implementation the way on from the status is "Move to
    monitoring", which bringing a review forward does not ask for; what the earlier date is for is the review."""
    policy = advance_to(people.policy(), "awaiting_publication", people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    policy = Policy.objects.get(pk=policy.pk)
    assert policy.status == "implementation"
    # Brought before the annual monitoring report's date too: work due before the review would come first
    # (Step.meanwhile), as it does when the review is brought forward less far.
    earlier = policy.monitoring_report_due_on - datetime.timedelta(days=30)
    client.force_login(people.coordinator)
    response = client.post(f"/policies/{policy.reference}/actions/set-review-date/", {
        "review_due_on": earlier.isoformat(), "reason": "A critical incident.", **what_was_read(policy)}, follow=True)
    assert Policy.objects.get(pk=policy.pk).review_due_on == earlier
    banner = read(response.content.decode()).text
    assert "The review date has been brought forward." in banner
    assert (f"Next: {workflow.START_REVIEW.page.title}, by {workflow.START_REVIEW.taken_by}, due "
            f"{date_shown(earlier)}.") in banner
    assert workflow.COMPLETE_IMPLEMENTATION.page.title not in banner.split("Next:")[1].split(".")[0]


def test_every_kind_a_step_notifies_is_named_in_words_after_it():
    """The Lead's response to a monitoring report said "Told ...: the business group's co-ordinator and
    named_in_changes" (found by the thirteenth session's Chromium walk): a kind of recipient had no words."""
    from lifecycle.next_steps import NOTIFIED

    kinds = {kind for step in workflow.STEPS for kind in step.notify}
    assert kinds - set(NOTIFIED) == set()
    assert all(words and "_" not in words for words in NOTIFIED.values())


def _short(text: str) -> str:
    """The page's text with its abbreviations as written (the glossary expands each on its first use)."""
    for long, short in (("Policy Co-ordination Unit (PCU)", "PCU"), ("Directorate of Information (DOI)", "DOI"),
                        ("Diversity and Citizen Focus Directorate (DCFD)", "DCFD")):
        text = text.replace(long, short)
    return text


def test_what_comes_next_names_the_quality_assurance_sign_offs_still_to_record(client, people):
    """After PCU and DCFD passed their parts, the overview and the confirmation still said "Next: Record quality
    assurance, by PCU, DCFD and DOI, each for their part" (found by the thirteenth session's Chromium walk)."""
    policy = advance_to(people.policy(), "submitted_for_qa", people)
    client.force_login(people.coordinator)
    overview = _short(read(client.get(f"/policies/{policy.reference}/").content.decode()).text)
    assert "Next: Record quality assurance, by PCU, DCFD and DOI, each for their part." in overview
    services.policy_record_qa_signoff(policy=policy, actor=people.pcu_qa, discipline="pcu")
    assert "Next: Record quality assurance, by DOI. PCU and DCFD have signed off." in _short(
        pass_qa_through_the_page(client, policy, people.dcfd, "dcfd"))
    client.force_login(people.coordinator)
    overview = _short(read(client.get(f"/policies/{policy.reference}/").content.decode()).text)
    assert "Next: Record quality assurance, by DOI. PCU and DCFD have signed off." in overview
