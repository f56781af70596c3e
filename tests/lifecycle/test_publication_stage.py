"""A policy the Designated Lead approved, and one sent to PCU for publication, were tagged "4. Approval" while Help (and
the steps taken on them: send to PCU, publish) put publication in stage 5. SOP, "5. Implementation": "If approval for
publication is given, final versions of the above documents are to be sent to the Policy Co-ordination Unit to arrange
publication". Both statuses are now of stage 5 wherever a stage is shown or chosen: the overview, the register's
export and its stage filter, the dashboard's pipeline. What reads the approval pipeline (submitted and not yet
published: DCFD's and DOI's sight of a policy, the developer's submitted drafts) is unchanged."""

from __future__ import annotations

import pytest

from lifecycle.selectors import policy_list
from lifecycle.selectors.pages import user_may_see_drafts
from lifecycle.states import APPROVAL_PIPELINE, STAGE_OF, Stage, Status, statuses_in_stage
from tests.factories import advance_to, reload
from tests.oversight.tables import csv_rows
from workspace.selectors import my_work
from workspace.summary import home_summary

pytestmark = pytest.mark.django_db

AFTER_APPROVAL = (Status.APPROVED, Status.AWAITING_PUBLICATION)


@pytest.fixture
def approved(people):
    """One policy approved by the Lead (the co-ordinator to send it to PCU), one with PCU for publication, one with
    the Lead (still stage 4)."""
    return {status: advance_to(people.policy(title=f"Policy {status}"), status, people)
            for status in (*AFTER_APPROVAL, Status.WITH_LEAD)}


def test_approved_and_awaiting_publication_are_stage_5():
    for status in AFTER_APPROVAL:
        assert STAGE_OF[status] == Stage.IMPLEMENTATION, status
    assert statuses_in_stage(Stage.APPROVAL) == [Status.SUBMITTED_FOR_QA, Status.QA_PASSED, Status.WITH_LEAD]
    assert statuses_in_stage(Stage.IMPLEMENTATION) == [*AFTER_APPROVAL, Status.IMPLEMENTATION]


def test_the_overview_shows_stage_5_once_the_lead_has_approved(client, people, approved):
    client.force_login(people.pcu)
    for status in AFTER_APPROVAL:
        page = client.get(f"/policies/{approved[status].reference}/").content.decode()
        assert '<span class="govuk-body-s">5. Implementation</span>' in page, status
        assert "4. Approval" not in page, status
    page = client.get(f"/policies/{approved[Status.WITH_LEAD].reference}/").content.decode()
    assert '<span class="govuk-body-s">4. Approval</span>' in page


def test_the_register_export_and_its_stage_filter_say_stage_5(client, people, approved):
    client.force_login(people.pcu)
    rows = {row[0]: row for row in csv_rows(client.get("/policies/", {"format": "csv"}))[1:]}
    for status in AFTER_APPROVAL:
        assert rows[approved[status].reference][3] == "5. Implementation", status
    assert rows[approved[Status.WITH_LEAD].reference][3] == "4. Approval"

    def found(stage: str) -> set[str]:
        return {row[0] for row in csv_rows(client.get("/policies/", {"stage": stage, "format": "csv"}))[1:]}

    after_approval = {approved[status].reference for status in AFTER_APPROVAL}
    assert after_approval <= found("implementation")
    assert not after_approval & found("approval")
    assert approved[Status.WITH_LEAD].reference in found("approval")
    # The page lists what the file does.
    page = client.get("/policies/", {"stage": "implementation"}).content.decode()
    for status in AFTER_APPROVAL:
        assert approved[status].title in page, status


def test_the_dashboard_pipeline_counts_them_in_stage_5(client, people, approved):
    client.force_login(people.pcu)
    table = csv_rows(client.get("/dashboard/", {"format": "csv", "table": "pipeline"}))
    by_stage = {row[0]: row[-1] for row in table[1:]}
    assert by_stage["4. Approval"] == "1"
    assert by_stage["5. Implementation"] == "2"


def test_dcfd_and_doi_still_see_them_until_published(people, approved):
    """The approval pipeline (lifecycle.states.APPROVAL_PIPELINE), not the display stage: DCFD and DOI quality-assure
    the package PCU co-ordinates (SOP, "4. Approval") and keep sight of it, approved, until PCU publishes it."""
    assert set(APPROVAL_PIPELINE) == {Status.SUBMITTED_FOR_QA, Status.QA_PASSED, Status.WITH_LEAD, *AFTER_APPROVAL}
    for user in (people.dcfd, people.doi):
        seen = set(policy_list(user=user).values_list("pk", flat=True))
        for status, policy in approved.items():
            assert policy.pk in seen, (user, status)
            assert user_may_see_drafts(user=user, policy=reload(policy)), (user, status)


def test_my_work_still_lists_them_as_submitted_and_counts_them_before_publication(people, approved):
    entries = next(queue for queue in my_work(user=people.developer)
                   if queue["title"] == "Your submitted drafts")["entries"]
    assert len(entries) == 3
    summary = home_summary(user=people.pcu)
    assert summary["in_approval_or_awaiting_publication"] == 3 and summary["published"] == 0
