"""My work's "Next:" and the policy's own "What to do next" in stage 5 (implementation) and stage 4's quality assurance
(QA walk: the two disagreed), for each role that sees the policy in My work.

- In implementation (published, not yet moved to monitoring), the way on from the status is "Move to monitoring"
  (lifecycle.workflow.COMPLETE_IMPLEMENTATION), as the overview says; My work's "Reviews due" row said "Start a review"
  (or the monitoring report due before a review), a step it named itself rather than ``workflow.way_on_of``.
- In quality assurance, the overview names the disciplines whose sign-off is still to be recorded ("by DCFD and DOI.
  PCU has signed off.": ``next_steps.taken_by``, SOP stage 4: PCU "in conjunction with DCFD and DOI"); My work named the
  declaration's "PCU, DCFD and DOI, each for their part" whoever had signed. And to a developer, who is not shown the
  draft once it is submitted (issue 4), the overview says nothing of it, while My work named its next step.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle import services as s
from lifecycle.models import Policy
from lifecycle.states import Status
from lifecycle.workflow import COMPLETE_IMPLEMENTATION
from tests.clock import travel
from tests.factories import advance_to, reload
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review falls due on 15 January 2027
REVIEW_DUE_SOON = datetime.date(2026, 8, 3)  # the review due within 6 months
OVERDUE = datetime.date(2027, 2, 1)  # the review overdue




def overview_next(client, user, policy) -> tuple[str, str, str] | None:
    """What the policy's overview says comes next: (work, by whom, who has done their part), None when it says
    nothing of it (a draft the reader is not shown)."""
    client.force_login(user)
    response = client.get(f"/policies/{policy.reference}/")
    assert response.status_code == 200
    work = response.context["next"].work
    return None if work is None else (work.title, work.by, work.done)


def review_rows(user, reference) -> dict[str, tuple[str, str, str]]:
    """Each of ``user``'s My work queues of reviews showing ``reference``: its title -> (next work, by, done)."""
    return {queue["title"]: (policy.next_label, policy.next_by, getattr(policy, "next_done", ""))
            for queue in my_work(user=user) if queue["title"].startswith("Reviews")
            for policy in queue["policies"] or () if policy.reference == reference}


@pytest.mark.parametrize("username", ["developer", "manager", "coordinator", "pcu", "lead"])
def test_in_implementation_a_review_due_names_the_move_to_monitoring_as_the_overview_does(client, people, policy_in,
                                                                                         username):
    with travel(PUBLISHED_ON):
        policy = reload(policy_in(Status.IMPLEMENTATION))
    # The annual report is not due before the review: the review's row is the policy's way on.
    Policy.objects.filter(pk=policy.pk).update(monitoring_report_due_on=datetime.date(2027, 6, 1))
    user = getattr(people, username)
    with travel(REVIEW_DUE_SOON):
        overview = overview_next(client, user, policy)
        assert overview == (COMPLETE_IMPLEMENTATION.page.title, COMPLETE_IMPLEMENTATION.taken_by, "")
        assert review_rows(user, policy.reference) == {"Reviews due within 6 months": overview}
        client.force_login(user)
        page = client.get("/").content.decode()
    assert "Next: <strong>Start a review</strong>" not in page, page


@pytest.mark.parametrize("username", ["coordinator", "pcu", "lead"])
def test_in_implementation_with_the_report_overdue_too_both_name_the_move_to_monitoring(client, people, policy_in,
                                                                                       username):
    with travel(PUBLISHED_ON):
        policy = reload(policy_in(Status.IMPLEMENTATION))
    user = getattr(people, username)
    with travel(OVERDUE):  # the review and the annual report both late
        overview = overview_next(client, user, policy)
        assert overview == (COMPLETE_IMPLEMENTATION.page.title, COMPLETE_IMPLEMENTATION.taken_by, "")
        assert review_rows(user, policy.reference) == {"Reviews overdue": overview}


@pytest.fixture
def review_in_quality_assurance(people, policy_in):
    """A policy in force whose review's new version is submitted for quality assurance, PCU (``pcu_qa``) having signed
    its part off; its review overdue (the reviewed version is not yet published)."""
    with travel(PUBLISHED_ON):
        policy = reload(policy_in(Status.MONITORING))
    with travel(datetime.date(2026, 6, 1)):
        s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
        policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
        s.policy_record_qa_signoff(policy=reload(policy), actor=people.pcu_qa, discipline="pcu")
    return reload(policy)


@pytest.mark.parametrize("username", ["manager", "coordinator", "pcu", "lead"])
def test_in_quality_assurance_my_work_names_the_disciplines_left_as_the_overview_does(client, people, username,
                                                                                     review_in_quality_assurance):
    policy = review_in_quality_assurance
    user = getattr(people, username)
    with travel(OVERDUE):
        overview = overview_next(client, user, policy)
        assert overview == ("Record quality assurance", "DCFD and DOI", "PCU has signed off.")
        assert review_rows(user, policy.reference) == {"Reviews overdue": overview}
        client.force_login(user)
        page = client.get("/").content.decode()
    assert "each for their part" not in page, page
    # Each abbreviation spelled out on its first use on the page: "Policy Co-ordination Unit (PCU) has signed off."
    assert ">PCU</abbr>) has signed off." in page, page


def test_once_dcfd_signs_too_both_name_doi_alone(client, people, review_in_quality_assurance):
    policy = review_in_quality_assurance
    with travel(OVERDUE):
        s.policy_record_qa_signoff(policy=reload(policy), actor=people.dcfd, discipline="dcfd")
        overview = overview_next(client, people.coordinator, policy)
        assert overview == ("Record quality assurance", "DOI", "PCU and DCFD have signed off.")
        assert review_rows(people.coordinator, policy.reference) == {"Reviews overdue": overview}


def test_a_developer_not_shown_the_submitted_draft_is_told_nothing_of_its_quality_assurance(
        client, people, review_in_quality_assurance):
    """Issue 4: a developer sees a draft "only while the policy is in scoping or development"; its overview shows them
    the version in force and says nothing of the draft's next step (``next_steps``: ``draft_unseen``). Nor does My
    work: not who is still to sign it off, nor who has."""
    policy = review_in_quality_assurance
    with travel(OVERDUE):
        assert overview_next(client, people.developer, policy) is None
        assert review_rows(people.developer, policy.reference) == {"Reviews overdue": ("", "", "")}
        client.force_login(people.developer)
        page = client.get("/").content.decode()
    assert "Record quality assurance" not in page, page
    assert "signed off" not in page


def test_dcfd_and_doi_see_their_own_part_to_record(people, review_in_quality_assurance):
    """Their queue of quality assurance holds their own work: named without whose it is, as before."""
    policy = review_in_quality_assurance
    with travel(OVERDUE):
        for user in (people.dcfd, people.doi):
            shown = {queue["title"]: (item.next_label, item.next_by) for queue in my_work(user=user)
                     for item in queue["policies"] or () if item.reference == policy.reference}
            assert list(shown.values()) == [("Record quality assurance", "")], shown


def test_naming_the_disciplines_left_costs_my_work_no_query_a_row(client, people, policy_in,
                                                                  review_in_quality_assurance):
    """Who has signed off is read with the queue's rows (``next_steps.QA_SIGNED``), not asked of each policy."""
    with travel(OVERDUE):
        client.force_login(people.coordinator)
        client.get("/")
        with CaptureQueriesContext(connection) as one:
            client.get("/")
    with travel(datetime.date(2026, 6, 1)):
        for _ in range(2):
            other = reload(policy_in(Status.MONITORING))
            Policy.objects.filter(pk=other.pk).update(review_due_on=datetime.date(2026, 12, 1))
            s.policy_start_review(policy=reload(other), actor=people.coordinator, reason="Three-year review.")
            other = advance_to(reload(other), Status.SUBMITTED_FOR_QA, people)
            s.policy_record_qa_signoff(policy=reload(other), actor=people.dcfd, discipline="dcfd")
    with travel(OVERDUE), CaptureQueriesContext(connection) as three:
        page = client.get("/").content.decode()
    assert page.count(" has signed off.") == 3, page
    assert len(three) == len(one), [query["sql"] for query in three]
