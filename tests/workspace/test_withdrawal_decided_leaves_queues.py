"""A policy whose withdrawal is decided waits only for PCU to carry it out (lifecycle.steps.HALTS): My work's queues of
the cycle's steps, and of reviews and monitoring reports due, no longer list it to anyone (found with the demo: the
co-ordinator's "To forward" still listed POL-0010, whose Lead had decided to withdraw it). PCU's "Withdrawals to carry
out" lists it, as before."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from core.exceptions import ApplicationError
from lifecycle import services as s
from lifecycle.states import Status
from lifecycle.workflow import WITHDRAW, way_on_of
from publication.services import policy_republish_no_change
from tests.factories import advance_to, monitoring_up_to_date, reload
from tests.workspace.test_next_agrees_with_overview import overview_next
from workspace.role_queues import WITHDRAWALS
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

SINCE = datetime.date(2026, 11, 2)
DECIDED = datetime.date(2026, 12, 7)


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC), tick=False)


def listed(user, reference: str) -> list[str]:
    """The titles of the queues of ``user``'s My work listing ``reference``."""
    return [queue["title"] for queue in my_work(user=user) for item in queue["policies"] or ()
            if item.reference == reference]


# Each status, and who had it in a queue of theirs before the decision.
WAITING_ON = [
    (Status.DEVELOPMENT, "developer"),
    (Status.COMMISSIONING, "lead"),
    (Status.SUBMITTED_FOR_QA, "dcfd"),
    (Status.QA_PASSED, "coordinator"),
    (Status.WITH_LEAD, "lead"),
    (Status.APPROVED, "coordinator"),
    (Status.AWAITING_PUBLICATION, "pcu"),
]


@pytest.mark.parametrize(("status", "holder"), WAITING_ON)
def test_a_decided_withdrawal_leaves_the_steps_queues(people, status, holder):
    with on(SINCE):
        policy = advance_to(people.policy(), status, people)
    with on(DECIDED):
        assert listed(getattr(people, holder), policy.reference), (status, holder)
        s.policy_decide_withdrawal(policy=reload(policy), actor=people.lead, reason="Replaced.")
        for person in (people.developer, people.manager, people.coordinator, people.lead, people.owner, people.dcfd,
                       people.doi):
            assert listed(person, policy.reference) == [], (status, person.username)
        # PCU's own: the withdrawal to carry out, and nothing else.
        for person in (people.pcu, people.pcu_qa):
            assert listed(person, policy.reference) == [WITHDRAWALS], (status, person.username)


def test_reviews_and_reports_due_leave_the_queues(people):
    with on(datetime.date(2024, 1, 15)):
        policy = advance_to(people.policy(), Status.MONITORING, people)
    decided = datetime.date(2026, 8, 3)  # the report overdue since 15 January 2025, the review due within 6 months
    with on(decided):
        assert {"Monitoring reports overdue", "Reviews due within 6 months"} <= set(
            listed(people.developer, policy.reference))
        s.policy_decide_withdrawal(policy=reload(policy), actor=people.owner, reason="Replaced.")
        for person in (people.developer, people.manager, people.coordinator, people.lead, people.owner):
            assert listed(person, policy.reference) == [], person.username
        assert listed(people.pcu, policy.reference) == [WITHDRAWALS]


@pytest.mark.parametrize("eia", ["none yet", "stands"])
def test_a_review_concluded_no_change_then_a_withdrawal_decided_waits_for_the_withdrawal(client, people, eia):
    """The edge found with the demo: a review concluded "no change" and a withdrawal decided on the same policy. "Next:"
    named the re-publication (or DCFD's confirmation) while the deadline was the withdrawal's: the policy waits for PCU
    to carry out the withdrawal, and for nothing else, on its overview and on My work."""
    with on(datetime.date(2024, 1, 15)):
        policy = advance_to(people.policy(), Status.MONITORING, people)
    with on(datetime.date(2026, 8, 3)):
        monitoring_up_to_date(policy, people)
        s.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="Still fit.")
        if eia == "stands":
            s.policy_confirm_eia(policy=reload(policy), actor=people.dcfd, eia_outcome="stands")
        s.policy_decide_withdrawal(policy=reload(policy), actor=people.owner, reason="Replaced.")
        assert way_on_of(reload(policy)) is WITHDRAW
        for person in (people.lead, people.pcu, people.dcfd, people.coordinator):
            assert overview_next(client, person, policy) == (WITHDRAW.page.title, WITHDRAW.taken_by), person.username
        for person in (people.dcfd, people.coordinator, people.lead, people.developer):
            assert listed(person, policy.reference) == [], person.username
        assert listed(people.pcu, policy.reference) == [WITHDRAWALS]
        pcu_rows = [item for queue in my_work(user=people.pcu) for item in queue["policies"] or ()
                    if item.reference == policy.reference]
        assert [item.next_label for item in pcu_rows] == [WITHDRAW.page.title]
        with pytest.raises(ApplicationError, match="its withdrawal was decided by"):
            if eia == "stands":
                policy_republish_no_change(policy=reload(policy), actor=people.pcu)
            else:
                s.policy_confirm_eia(policy=reload(policy), actor=people.dcfd, eia_outcome="stands")
