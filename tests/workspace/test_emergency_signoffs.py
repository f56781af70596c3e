"""What the emergency route skipped, on My work of each discipline that signs it off late (QA crawl, finding 4):
POL-0014's overview listed the Workbook's impact sections (PCU) and DOI's quality assurance as outstanding, with a
"Sign off your part" link, yet PCU's My work said "Nothing waiting" and DOI's had no such queue: only DCFD's listed it.
Each discipline is now shown, with its quality assurance (which this is, given late), the policies where its own part
is outstanding, and no longer once it is signed off; the Lead, as risk owner, sees them until all is signed off."""

from __future__ import annotations

import pytest

from assessments.services import eia_complete_retrospective, eia_update, retrospective_qa_signoff, workbook_update
from lifecycle import services as s
from lifecycle.states import Status
from publication.services import policy_publish
from tests.factories import ALL_IMPACTS, reload
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

QUEUES = ("Submissions to quality-assure", "Emergency approvals")


@pytest.fixture
def emergency_approved(policy_in, people):
    """Approved by the emergency route (the Lead asks, a member of PCU agrees) and published, as POL-0014 is."""
    policy = policy_in(Status.DEVELOPMENT)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Taser for response officers.</p>")
    s.policy_request_emergency_approval(policy=reload(policy), actor=people.lead,
                                        risk_statement="Immediate operational need. I accept the risk.")
    s.policy_agree_emergency_approval(policy=reload(policy), actor=people.pcu)
    s.policy_forward_for_publication(policy=reload(policy), actor=people.coordinator)
    policy_publish(policy=reload(policy), actor=people.pcu)
    policy = reload(policy)
    assert policy.not_impact_assessed and policy.status == Status.IMPLEMENTATION
    return policy


def waiting(user) -> dict[str, str]:
    """The emergency approvals on ``user``'s My work: reference -> what it says to do next."""
    queues = [queue for queue in my_work(user=user) if queue["title"].startswith(QUEUES)]
    return {policy.reference: policy.next_label for queue in queues for policy in queue["policies"]}


def test_each_discipline_is_shown_its_own_part_until_it_signs_it_off(people, emergency_approved):
    policy = emergency_approved
    ref = policy.reference
    assert waiting(people.dcfd) == {ref: "Sign off the retrospective EIA"}
    assert waiting(people.pcu_qa) == {ref: "Sign off the Workbook's impact sections"}
    assert waiting(people.doi) == {ref: "Sign off the quality assurance of information management"}

    eia_update(policy=policy, actor=people.developer, aims="Protect officers and the public.", impacts=ALL_IMPACTS,
               decision="no_major_change")
    eia_complete_retrospective(policy=reload(policy), actor=people.dcfd)
    # DCFD's part is done: no longer DCFD's work, though the policy stays "not impact assessed".
    assert reload(policy).not_impact_assessed
    assert waiting(people.dcfd) == {}
    assert ref in waiting(people.pcu_qa) and ref in waiting(people.doi)

    workbook_update(policy=reload(policy), actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Consulted after the event.", health_and_safety_impact="none",
                    health_and_safety_statement="No health and safety impact.")
    retrospective_qa_signoff(policy=reload(policy), actor=people.pcu_qa, discipline="pcu")
    assert waiting(people.pcu_qa) == {} and waiting(people.pcu) == {}
    assert waiting(people.doi) == {ref: "Sign off the quality assurance of information management"}

    retrospective_qa_signoff(policy=reload(policy), actor=people.doi, discipline="doi")
    assert not reload(policy).not_impact_assessed
    assert waiting(people.doi) == {} and waiting(people.lead) == {}


def test_the_lead_sees_it_until_everything_is_signed_off(people, emergency_approved):
    assert waiting(people.lead) == {emergency_approved.reference: "See that the retrospective EIA is completed"}


def test_my_work_page_lists_it_for_pcu_and_doi(client, people, emergency_approved):
    for person in (people.pcu_qa, people.doi):
        client.force_login(person)
        page = client.get("/").content.decode()
        assert f'href="/policies/{emergency_approved.reference}/"' in page
        at = page.index("emergency approvals to ")
        assert emergency_approved.reference in page[at:page.index("</ul>", at)]
