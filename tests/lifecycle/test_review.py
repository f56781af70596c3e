"""Stage 6 feeds stage 1: a published policy is reviewed in a new cycle and published again (SOP: "Ensure
policies are reviewed and published at least once every 3 years"; monitoring reports "on an annual basis")."""

from __future__ import annotations

import datetime

import pytest

from core.models import AuditEvent
from lifecycle import gates
from lifecycle import services as s
from lifecycle.models import CommissioningDecision, PolicyVersion
from lifecycle.states import Status
from publication.models import Publication
from tests.clock import travel
from tests.factories import advance_to, fill_development, refused, reload


@pytest.mark.parametrize(
    "published_on,review_due_on,monitoring_due_on",
    [
        (datetime.date(2024, 1, 15), datetime.date(2027, 1, 15), datetime.date(2025, 1, 15)),
        # A leap day: relativedelta keeps to the end of February rather than spilling into March.
        (datetime.date(2024, 2, 29), datetime.date(2027, 2, 28), datetime.date(2025, 2, 28)),
    ],
)
def test_publication_sets_the_review_and_monitoring_dates(policy_in, people, published_on, review_due_on,
                                                          monitoring_due_on):
    with travel(published_on):
        policy = policy_in(Status.IMPLEMENTATION)

    assert policy.first_published_on == policy.last_published_on == published_on
    assert policy.review_due_on == review_due_on
    assert policy.monitoring_report_due_on == monitoring_due_on


def test_review_cycle_from_publication_to_republication(policy_in, people):
    with travel(datetime.date(2024, 1, 15)):
        policy = policy_in(Status.MONITORING)
    published = policy.current_version
    assert published.number == "1.0"

    with travel(datetime.date(2026, 6, 1)):
        with refused("invalid", "reason for the review"):
            s.policy_start_review(policy=policy, actor=people.coordinator, reason="")
        with refused("forbidden", "not allowed to start a review"):
            s.policy_start_review(policy=policy, actor=people.lead2, reason="Not mine.")
        draft = s.policy_start_review(policy=policy, actor=people.coordinator, reason="Legislation changed.")

    policy = reload(policy)
    assert policy.status == Status.SCOPING
    assert (draft.major, draft.minor) == (2, 0)
    assert policy.current_version == draft and policy.current_cycle == 2
    assert draft.statement == published.statement
    assert draft.summary_of_changes == ""
    assert draft.revises_published is True
    # The author stays the developer: the co-ordinator who opened the review does not write it.
    assert draft.author == people.developer
    # The EIA and Workbook carry forward as a starting point; the decision and feedback are made afresh.
    assert draft.eia.aims == published.eia.aims
    assert (draft.eia.decision, draft.eia.decision_rationale, draft.eia.consultation_summary) == ("", "", "")
    assert not draft.eia.is_complete
    assert draft.workbook.need == published.workbook.need and draft.workbook.consultation_summary == ""
    # The published version stays as it was, in force, until replaced.
    assert PolicyVersion.objects.get(pk=published.pk).is_frozen
    assert policy.first_published_on == datetime.date(2024, 1, 15)
    assert AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence").changes == {
        "status": [Status.MONITORING, Status.SCOPING], "reason": "Legislation changed.",
        "previous_version": "1.0", "new_draft": "2.0", "version": "1.0",
    }

    with travel(datetime.date(2026, 6, 2)):
        policy = advance_to(policy, Status.DEVELOPMENT, people)
    # The new cycle needs its own commissioning decision, not the one from 2024.
    assert list(CommissioningDecision.objects.filter(policy=policy).values_list("cycle", flat=True)) == [1, 2]

    with travel(datetime.date(2026, 6, 3)):
        fill_development(policy, people, omit={"summary_of_changes_for_review"})
        with refused("gate", gates.summary_of_changes_for_review.reason):
            s.policy_submit_for_qa(policy=policy, actor=people.developer)
        assert reload(policy).status == Status.DEVELOPMENT

        s.draft_update(policy=policy, actor=people.developer, statement=draft.statement,
                       summary_of_changes="Section 3 rewritten for the new Act.")
        policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)

    with travel(datetime.date(2026, 7, 1)):
        policy = advance_to(policy, Status.IMPLEMENTATION, people)

    assert policy.current_version.number == "2.0"
    assert policy.first_published_on == datetime.date(2024, 1, 15)
    assert policy.last_published_on == datetime.date(2026, 7, 1)
    assert policy.review_due_on == datetime.date(2029, 7, 1)
    # Issue 13: re-publication does not move the monitoring date; no report was submitted, so the one due on
    # 15 January 2025 is still due, and late.
    assert policy.monitoring_report_due_on == datetime.date(2025, 1, 15)
    assert list(Publication.objects.filter(policy=policy).order_by("pk").values_list(
        "policy_version__major", flat=True)) == [1, 2]


def test_previous_cycle_consultation_does_not_count_in_the_review(policy_in, people):
    policy = policy_in(Status.IMPLEMENTATION)
    s.policy_start_review(policy=policy, actor=people.developer, reason="Annual monitoring found gaps.")
    policy = advance_to(policy, Status.DEVELOPMENT, people)
    fill_development(policy, people, omit={"shrmt_consulted"})

    with refused("gate", gates.shrmt_consulted.reason):
        s.policy_submit_for_qa(policy=policy, actor=people.developer)


def test_review_date_can_only_be_brought_forward(policy_in, people):
    with travel(datetime.date(2024, 1, 15)):
        policy = policy_in(Status.IMPLEMENTATION)
        with refused("refused", "must be earlier"):
            s.policy_set_review_date(policy=policy, actor=people.lead, review_due_on=datetime.date(2027, 6, 1),
                                     reason="Later.")
        with refused("forbidden"):
            s.policy_set_review_date(policy=policy, actor=people.developer,
                                     review_due_on=datetime.date(2025, 6, 1), reason="Sooner.")
        s.policy_set_review_date(policy=policy, actor=people.lead, review_due_on=datetime.date(2025, 6, 1),
                                 reason="Critical incident.")
    assert reload(policy).review_due_on == datetime.date(2025, 6, 1)
