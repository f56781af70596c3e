"""A review of an OFFICIAL-SENSITIVE policy keeps its records for ever: its consultation log, its invitations to advise,
its timeline. Once a later review publishes the policy OFFICIAL, staff not cleared for OFFICIAL-SENSITIVE material may
read the policy, and the records of the cycles written while it was OFFICIAL-SENSITIVE are not theirs to read (review
of 2026-12-06, HIGH, found by probing the withdrawn-version fix):

- the timeline judged an event naming no version (a consultation recorded) by the newest version's frozen details
  only, so a withdrawn review version that had proposed the downgrade (frozen OFFICIAL, withdrawn while the policy was
  OFFICIAL-SENSITIVE: ``PolicyVersion.withdrawn_marking``) let its cycle's consultee through;
- the consultation log showed every cycle's records, and the advice page every cycle's invitations, with no marking
  read at all: the first cycle's, published OFFICIAL-SENSITIVE, and the withdrawn review's.

A cycle with a version frozen OFFICIAL-SENSITIVE (``lifecycle.selectors.FROZEN_SENSITIVE``, which reads both) is now
withheld from those not cleared, on the timeline, the consultation log and the advice page; the cleared read it all."""

from __future__ import annotations

import datetime

import pytest

from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from publication.services import policy_publish
from tests.factories import advance_to, fill_development, reload, take_step
from tests.lifecycle.test_details import update
from tests.lifecycle.test_details_downgrade import media_root, publish_reviewed  # noqa: F401 (media_root: a fixture)
from tests.lifecycle.test_withdrawn_draft_marking import downgraded_later, withdraw

pytestmark = pytest.mark.django_db

OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE
FIRST_CONSULTEE = "Numbatfirst"  # consulted on version 1.0, published OFFICIAL-SENSITIVE
WITHDRAWN_CONSULTEE = "Wombatinformant"  # consulted on the review withdrawn
FIRST_ADVICE = "Bilbyadvice"  # DCFD's advice on version 1.0
WITHDRAWN_ADVICE = "Platypusnote"  # DCFD's advice on the review withdrawn
LATER_CONSULTEE = "Quollofficial"  # consulted on the review published OFFICIAL, while 1.0 was in force
OFFICIAL_CONSULTEE = "Dunnartofficial"  # consulted on review 4.0, the policy OFFICIAL


def consult(policy, people, consultee: str) -> None:
    s.consultation_record(policy=reload(policy), actor=people.developer, consultee=consultee,
                          organisation="Covert unit", consultee_type="staff_association",
                          date_sent=datetime.date.today())


def advised(policy, people, words: str) -> None:
    """DCFD invited to advise on the draft, and advising, in ``words``."""
    invitation = s.advice_invite(policy=reload(policy), actor=people.developer, team="dcfd", note=f"On {words}?")
    s.advice_comment(invitation=invitation, actor=people.dcfd, text=f"{words}: state the equality duty.")


@pytest.fixture(params=["submitted", "never submitted"])
def downgraded(request, people, django_capture_on_commit_callbacks):
    """1.0 published OFFICIAL-SENSITIVE after consulting FIRST_CONSULTEE; review 2.0 consulted WITHDRAWN_CONSULTEE and
    asked advice, proposed OFFICIAL (and, param, was submitted), then withdrawn; review 3.0 consulted LATER_CONSULTEE
    and published OFFICIAL; review 4.0 open, with a reader given consult_policy, not cleared."""
    policy = people.policy(title="Covert tasking", protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    s.sop_create(policy=policy, actor=people.developer, title="Procedure", text="<p>Brief the handler.</p>")
    policy = advance_to(policy, Status.DEVELOPMENT, people)
    consult(policy, people, FIRST_CONSULTEE)
    advised(policy, people, FIRST_ADVICE)
    policy = advance_to(reload(policy), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_intranet=True)
    policy = advance_to(reload(policy), Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.lead, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=OFFICIAL, suitable_for_publication_scheme=True,
           purpose="To govern deployments.")
    policy = advance_to(reload(policy), Status.DEVELOPMENT, people)
    consult(policy, people, WITHDRAWN_CONSULTEE)
    advised(policy, people, WITHDRAWN_ADVICE)
    if request.param == "submitted":
        fill_development(reload(policy), people)
        take_step(reload(policy), people, Status.SUBMITTED_FOR_QA)
        assert reload(policy).current_version.details["protective_marking"] == OFFICIAL
    return downgraded_later(withdraw(reload(policy), people), people, django_capture_on_commit_callbacks,
                            while_drafted=lambda drafted: consult(drafted, people, LATER_CONSULTEE))


def read(client, user, policy, page: str) -> str:
    client.force_login(user)
    response = client.get(f"/policies/{policy.reference}/{page}/")
    assert response.status_code == 200
    return response.content.decode()


def test_those_not_cleared_read_only_the_official_cycles(client, downgraded, people):
    policy, reader = downgraded
    consult(advance_to(policy, Status.DEVELOPMENT, people), people, OFFICIAL_CONSULTEE)
    timeline, log, advice = (read(client, reader, policy, page) for page in ("timeline", "consultation", "advice"))
    # Review 3.0 was drafted and consulted on while 1.0, OFFICIAL-SENSITIVE, was in force: its consultee too (security
    # review of 2026-12-06, MEDIUM; tests/lifecycle/test_downgrade_cycle_records.py).
    for page in (timeline, log, advice):
        for words in (FIRST_CONSULTEE, WITHDRAWN_CONSULTEE, FIRST_ADVICE, WITHDRAWN_ADVICE, LATER_CONSULTEE):
            assert words not in page
    assert OFFICIAL_CONSULTEE in log and OFFICIAL_CONSULTEE in timeline


def test_those_cleared_read_every_cycle(client, downgraded, people):
    policy, _ = downgraded
    log = read(client, people.developer, policy, "consultation")
    advice = read(client, people.developer, policy, "advice")
    for consultee in (FIRST_CONSULTEE, WITHDRAWN_CONSULTEE, LATER_CONSULTEE):
        assert consultee in log
    # Version 1.0's invitation is open still (advice is closed only with a draft withdrawn): its note and advice shown.
    assert FIRST_ADVICE in advice
    assert WITHDRAWN_CONSULTEE in read(client, people.developer, policy, "timeline")
