"""The overview's links to the emergency route's late sign-offs (last session's leftover C): its "Sign off your part"
showed to every member of PCU and DOI while the policy was not impact assessed, and "What to do next" linked each
discipline's part to its sign-off page, while there was nothing to sign: the part still to be written by the policy's
authors, already signed off, another discipline's, or the policy's withdrawal decided. The page followed then only
said why, and sent them back.

Now each is linked only where its page would offer the sign-off: the sign-off services' own rule
(assessments.services.retrospective: retrospective_eia_refusal, retrospective_qa_refusal), which the overview reaches
through lifecycle.emergency.late_sign_off_refusal (assessments registers it: rule 20). A part that waits for its
authors is named without a link, with why."""

from __future__ import annotations

import pytest

from assessments.services import eia_complete_retrospective, retrospective_qa_signoff, workbook_update
from lifecycle import services as s
from tests.assessments.test_eia_signoff_bound import complete, text
from tests.assessments.test_emergency_signoff_bound import IMPACT_SECTIONS, approved  # noqa: F401 (fixture)
from tests.factories import reload

pytestmark = pytest.mark.django_db

LINK = "Sign off your part"


def overview(client, person, policy) -> str:
    client.force_login(person)
    return client.get(f"/policies/{policy.reference}/").content.decode()


def signoff_url(policy) -> str:
    return f"/policies/{policy.reference}/emergency/sign-off/"


def eia_signoff_url(policy) -> str:
    return f"/policies/{policy.reference}/eia/sign-off/"


def test_not_linked_while_its_authors_are_still_to_write_it(client, people, approved):  # noqa: F811
    for person in (people.pcu_qa, people.doi):
        page = overview(client, person, approved)
        assert LINK not in page and signoff_url(approved) not in page, person
        # The part is still theirs, named with why it waits (the sign-off service's own words).
        assert "nothing to sign off yet" in text(page), person
    page = overview(client, people.dcfd, approved)
    assert eia_signoff_url(approved) not in page and "nothing to sign off yet" in text(page)


def test_linked_to_each_discipline_once_its_part_is_written(client, people, approved):  # noqa: F811
    # DOI's part waits for the information management section alone.
    workbook_update(policy=reload(approved), actor=people.developer, information_management="Kept seven years.")
    assert signoff_url(approved) in overview(client, people.doi, approved)
    assert signoff_url(approved) not in overview(client, people.pcu_qa, approved)
    workbook_update(policy=reload(approved), actor=people.developer, **IMPACT_SECTIONS)
    assert LINK in overview(client, people.pcu_qa, approved)
    complete(approved, people)
    assert eia_signoff_url(approved) in overview(client, people.dcfd, approved)


def test_not_linked_once_signed_off_nor_for_another_disciplines_part(client, people, approved):  # noqa: F811
    workbook_update(policy=reload(approved), actor=people.developer, **IMPACT_SECTIONS)
    complete(approved, people)
    retrospective_qa_signoff(policy=reload(approved), actor=people.pcu_qa, discipline="pcu")
    eia_complete_retrospective(policy=reload(approved), actor=people.dcfd)
    # Only DOI's part is left: not PCU's to sign, nor DCFD's.
    page = overview(client, people.pcu, approved)
    assert LINK not in page and signoff_url(approved) not in page
    assert eia_signoff_url(approved) not in overview(client, people.dcfd, approved)
    assert LINK in overview(client, people.doi, approved)


def test_not_linked_once_the_withdrawal_is_decided(client, people, approved):  # noqa: F811
    workbook_update(policy=reload(approved), actor=people.developer, **IMPACT_SECTIONS)
    complete(approved, people)
    s.policy_decide_withdrawal(policy=reload(approved), actor=people.lead, reason="Replaced by national guidance.")
    for person in (people.pcu_qa, people.doi, people.dcfd):
        page = overview(client, person, approved)
        assert LINK not in page and signoff_url(approved) not in page and eia_signoff_url(approved) not in page
    # Nor is the Lead told to see it completed, nor anyone that it is chased (found in Chromium on POL-0014: "Nothing
    # is waiting for you" beside "As the risk owner: See that the retrospective EIA is completed", and "chased until
    # then" of parts whose reminders the decision had closed).
    page = text(overview(client, people.lead, approved))
    assert "As the risk owner" not in page and "See that the retrospective EIA is completed" not in page
    assert "chased until then" not in page
    assert "nothing of it is chased or signed off while the withdrawal decided is carried out" in page


def test_the_risk_owner_watches_until_the_withdrawal_is_decided(client, people, approved):  # noqa: F811
    page = text(overview(client, people.lead, approved))
    assert "As the risk owner: See that the retrospective EIA is completed" in page
    assert "chased until then" in page
