"""The comparison of two versions, with its SOPs, Workbook and EIA (tests/web/test_compare_every_document.py), passes
axe-core and fits 320 px. Checked in Chromium, screenshots kept."""

import pytest

from assessments import services as assessment_services
from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import advance_to, make_people, reload

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_comparison_of_every_document_is_accessible(browser_user):
    people = make_people()
    policy = advance_to(people.policy(title="Body-worn video"), Status.DEVELOPMENT, people)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Retaining footage",
                       text="<p>Keep footage for 31 days.</p>")
    policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
    s.policy_return_from_qa(policy=reload(policy), actor=people.pcu_qa, discipline="pcu",
                            comments="Number the SOP's steps; give the DPIA reference.")
    s.sop_update_draft(sop=sop, actor=people.developer,
                       text="<ol><li><p>Keep footage for 31 days.</p></li><li><p>Then delete it.</p></li></ol>")
    assessment_services.workbook_update(policy=reload(policy), actor=people.developer,
                                        information_management="DPIA reference DP-2026-114.")
    browser = browser_user
    browser.sign_in(people.developer.username)
    browser.goto(f"/policies/{policy.reference}/versions/compare/?from=1.0&to=1.1")
    assert browser.page.get_by_text("DPIA reference DP-2026-114.").count() == 1
    browser.assert_accessible("compare 1.0 and 1.1, every document")
    browser.assert_fits("compare 1.0 and 1.1, every document")
    browser.screenshot("developer: compare 1.0 and 1.1")
