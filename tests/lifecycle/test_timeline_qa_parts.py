"""The timeline said "Quality assurance passed (version 1.0)" for PCU's sign-off, and four days later "Returned from
quality assurance with comments (version 1.0)" (QA crawl of the demo, POL-0013): the first entry was only PCU's
part, but read as if the whole quality assurance had passed. Each discipline's sign-off now names the discipline and
that it was its part; the whole is the entry of its own once all three have signed off."""

import pytest

from lifecycle import services as s
from lifecycle import workflow
from lifecycle.states import Status
from tests.factories import advance_to, reload, what_was_read
from tests.lifecycle.test_qa_return_unchecked import plain

pytestmark = pytest.mark.django_db


def _timeline(client, reader, policy) -> str:
    client.force_login(reader)
    return plain(client.get(f"/policies/{policy.reference}/timeline/").content.decode())


def test_a_disciplines_sign_off_is_its_part_not_the_whole(client, people):
    policy = advance_to(people.policy(title="Harmful practice"), Status.SUBMITTED_FOR_QA, people)
    s.policy_record_qa_signoff(policy=reload(policy), actor=people.pcu_qa, discipline="pcu", **what_was_read(policy))
    s.policy_return_from_qa(policy=reload(policy), actor=people.dcfd, discipline="dcfd",
                            comments="The EIA misses the consultation.", **what_was_read(policy))
    page = _timeline(client, people.developer, policy)
    assert "PCU passed its part of quality assurance (version 1.0)" in page
    assert "Quality assurance passed (version 1.0)" not in page
    assert "Returned from quality assurance with comments (version 1.0)" in page


def test_each_discipline_is_named_and_the_whole_has_its_own_entry(client, people):
    policy = advance_to(people.policy(title="Harmful practice"), Status.SUBMITTED_FOR_QA, people)
    for discipline, actor in (("pcu", people.pcu_qa), ("dcfd", people.dcfd), ("doi", people.doi)):
        s.policy_record_qa_signoff(policy=reload(policy), actor=actor, discipline=discipline,
                                   **what_was_read(policy))
    assert reload(policy).status == Status.QA_PASSED
    page = _timeline(client, people.coordinator, policy)
    for short in ("PCU", "DCFD", "DOI"):
        assert f"{short} passed its part of quality assurance (version 1.0)" in page
    assert f"{workflow.PASS_QA.done} (version 1.0)" in page
