"""Once the Lead decided to withdraw a policy, PCU's My work did not show it (it still said "Write the monitoring
report" for it), so the withdrawal waited unseen (found by the twelfth session's Chromium walk). PCU's My work lists
the withdrawals decided and not yet carried out, first, with what to do: carry it out; it no longer asks PCU for its
monitoring report."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import reload, what_was_read
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db


def items(queues, title):
    return [(policy.reference, policy.next_label) for queue in queues if queue["title"] == title
            for policy in queue["policies"] or ()]


def test_pcu_is_asked_to_carry_out_a_decided_withdrawal(people, policy_in):
    policy = policy_in(Status.MONITORING)
    overdue_day = policy.monitoring_report_due_on + datetime.timedelta(days=5)
    with time_machine.travel(datetime.datetime.combine(overdue_day, datetime.time(10), tzinfo=datetime.UTC)):
        s.policy_decide_withdrawal(policy=reload(policy), actor=people.lead, reason="Replaced by national guidance.",
                                   **what_was_read(reload(policy)))
        queues = my_work(user=people.pcu)
        assert items(queues, "Withdrawals to carry out") == [(policy.reference, "Carry out the withdrawal")]
        assert queues[0]["title"] == "Withdrawals to carry out"
        for queue in queues[1:]:
            assert policy.reference not in [item.reference for item in queue["policies"] or ()]
        # Carried out, it leaves the queue.
        s.policy_withdraw(policy=reload(policy), actor=people.pcu, **what_was_read(reload(policy)))
        assert items(my_work(user=people.pcu), "Withdrawals to carry out") == []
