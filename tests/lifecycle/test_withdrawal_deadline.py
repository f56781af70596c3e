"""A withdrawal decided while the policy waited in a stage (QA walk in Chromium: the demo's POL-0010, quality-assured,
and POL-0004, awaiting publication). Straight after the Lead's decision the confirmation and the overview said "Next:
Carry out the withdrawal, by PCU, expected by 4 December 2026 (2 days overdue)": the deadline of the status the policy
had been waiting in, counted from when it entered it, not from the decision. The chase then reminded the co-ordinator
"[stuck] POL-0010 waiting for forwarding to the Designated Lead", and the register's "stuck" filter listed it so.

Once a withdrawal is decided the policy waits for PCU to carry it out, due from the decision by its declared allowance
(lifecycle.deadlines.WITHDRAWAL): the confirmation, the overview, My work, the chase (PCU, not the old step's people),
the register's "stuck" filter and the dashboard all read that one declaration. Checked from every status the decision
may be taken in (``DECIDE_WITHDRAWAL.source``)."""

from __future__ import annotations

import datetime
import html
import re

import pytest
import time_machine
from django.contrib.messages import get_messages

from core.models import Role, RoleAssignment, User
from lifecycle import deadlines
from lifecycle.models import Policy
from lifecycle.workflow import DECIDE_WITHDRAWAL
from notifications.models import Reminder
from notifications.services import chase_plan, chase_run, ledger
from notifications.services.plan import policy_plan
from tests.factories import advance_to, reload, what_was_read
from tests.oversight.test_dashboard import figure_table, register_count
from workspace.role_queues import WITHDRAWALS
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

SINCE = datetime.date(2026, 2, 2)  # a Monday: every stage's 10 working days ended on 16 February
DECIDED = datetime.date(2026, 3, 2)  # a Monday, long after the stage's deadline
EXPECTED = datetime.date(2026, 3, 16)  # 10 working days after the decision (no bank holiday between)


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC), tick=False)


def decide(client, people, policy) -> str:
    client.force_login(people.lead)
    response = client.post(f"/policies/{policy.reference}/actions/decide-withdrawal/",
                           {**what_was_read(policy), "reason": "Replaced by national guidance."})
    assert response.status_code == 302, response.content.decode()[:2000]
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def pcu_holders() -> set[str]:
    return set(RoleAssignment.objects.filter(role=Role.PCU, business_group__isnull=True, user__is_active=True)
               .values_list("user__username", flat=True))


def to_carry_out(people) -> list[tuple]:
    return [(item.reference, item.expected_by, item.expected_late) for queue in my_work(user=people.pcu)
            if queue["title"] == WITHDRAWALS for item in queue["policies"] or ()]


def username(user_id: int) -> str:
    return User.objects.get(pk=user_id).username


def planned(policy, day) -> set[tuple[str, str]]:
    return {(reminder.kind, reminder.message) for reminder in chase_plan(today=day) if reminder.policy_id == policy.pk
            and reminder.kind in ("stuck", "withdrawal")}


@pytest.mark.parametrize("status", DECIDE_WITHDRAWAL.source)
def test_a_decided_withdrawal_is_due_from_the_decision_and_chased_to_pcu(client, people, status):
    with on(SINCE):
        policy = advance_to(people.policy(), status, people)
    with on(DECIDED):
        said = decide(client, people, reload(policy))
        # The confirmation: PCU carries it out, expected by the allowance counted from the decision.
        assert (f"Next: Carry out the withdrawal, by the Policy Co-ordination Unit, expected by {EXPECTED:%-d %B %Y}."
                in said), said
        state = deadlines.stage_deadline_state(reload(policy))
        assert (state.due, state.is_overdue) == (EXPECTED, False)
        # The overview, for the Lead and for PCU.
        for reader in (people.lead, people.pcu):
            client.force_login(reader)
            page = client.get(f"/policies/{policy.reference}/").content.decode()
            assert f"Expected by {EXPECTED:%-d %B %Y} (due in 14 days)." in page, reader
            assert "Waiting too long" not in page
        # PCU's My work: the withdrawal to carry out, by the same date.
        assert to_carry_out(people) == [(policy.reference, EXPECTED, False)]
        # Not stuck: the old stage's deadline no longer holds, the withdrawal's has not come.
        assert not Policy.objects.filter(deadlines.stuck(None, DECIDED), pk=policy.pk).exists()
    # The old step's people are not chased for it; PCU is not chased before its deadline.
    assert planned(policy, DECIDED + datetime.timedelta(days=7)) == set()
    reminders = [reminder for reminder in chase_plan(today=EXPECTED) if reminder.policy_id == policy.pk
                 and reminder.kind in ("stuck", "withdrawal")]
    assert {reminder.kind for reminder in reminders} == {"withdrawal"}
    assert {username(reminder.recipient_id) for reminder in reminders} == pcu_holders()
    assert all(f"since {DECIDED:%-d %B %Y}, expected by {EXPECTED:%-d %B %Y}" in reminder.message
               and "the withdrawal to be carried out by PCU" in reminder.message for reminder in reminders)
    # Late: stuck in the withdrawal, by the one rule the register's filter and the dashboard read, in no other stage.
    late = EXPECTED + datetime.timedelta(days=1)
    assert Policy.objects.filter(deadlines.stuck(None, late), pk=policy.pk).exists()
    assert Policy.objects.filter(deadlines.stuck("withdrawal", late), pk=policy.pk).exists()
    for stage in deadlines.STUCK_STAGES:
        if stage is not deadlines.WITHDRAWAL:
            assert not Policy.objects.filter(deadlines.stuck(stage.key, late), pk=policy.pk).exists(), stage.key
    with on(late):
        client.force_login(people.pcu)
        table = figure_table(client.get("/dashboard/").content.decode())
        assert table["stuck_withdrawal"][-1][0] == 1
        assert register_count(client, table["stuck_withdrawal"][-1][1]) == 1
        listed = client.get("/policies/?stuck=withdrawal").content.decode()
        assert policy.reference in listed
        page = client.get(f"/policies/{policy.reference}/").content.decode()
        assert re.search(rf"Waiting too long</strong>: expected by {EXPECTED:%-d %B %Y} \(1 day overdue\)", page)
        assert to_carry_out(people) == [(policy.reference, EXPECTED, True)]


def test_the_old_steps_reminder_closes_when_the_withdrawal_is_decided(client, people):
    """The co-ordinator was chased to forward it to the Lead; once the withdrawal is decided that wait is over: the
    reminder closes, saying why, and the chase does not write it again."""
    with on(SINCE):
        policy = advance_to(people.policy(), "qa_passed", people)
    with on(datetime.date(2026, 2, 16)):
        chase_run(today=datetime.date(2026, 2, 16))
    old = Reminder.objects.get(policy=policy, kind="stuck")
    assert old.recipient == people.coordinator and "forwarding to the Designated Lead" in old.message
    with on(DECIDED):
        decide(client, people, reload(policy))
    old.refresh_from_db()
    assert old.superseded_at is not None and old.closed_because == "withdrawal_decided"
    with on(datetime.date(2026, 3, 9)):
        chase_run(today=datetime.date(2026, 3, 9))
    assert not Reminder.objects.filter(policy=policy, kind="stuck", superseded_at__isnull=True).exists()
    with on(EXPECTED):
        chase_run(today=EXPECTED)
    assert set(Reminder.objects.filter(policy=policy, superseded_at__isnull=True)
               .values_list("kind", "recipient__username")) == {("withdrawal", name) for name in pcu_holders()}


def test_a_stuck_reminder_planned_before_the_decision_is_not_written_after_it(client, people, monkeypatch):
    """The chase plans before it takes its lock: a reminder of the old step it planned before the decision committed
    is left out when it writes, as the decision would have closed it (notifications.services.ledger)."""
    chased_on = datetime.date(2026, 2, 16)
    with on(SINCE):
        policy = advance_to(people.policy(), "qa_passed", people)
    with on(chased_on):
        planned = policy_plan(chased_on)  # the chase has planned ...
        decide(client, people, reload(policy))  # ... the Lead decides and commits ...
    assert any(item.policy_id == policy.pk and item.kind == "stuck" for item in planned)
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    with on(chased_on):
        chase_run(today=chased_on)  # ... and the chase writes what it planned
    assert not Reminder.objects.filter(policy=policy, kind="stuck").exists()


def test_a_scheduled_publication_does_not_hide_a_decided_withdrawal(client, people):
    """POL-0004, awaiting publication: PCU had scheduled it for a date, so it waited on that date, not on PCU. Once its
    withdrawal is decided it waits for PCU to carry that out, by the withdrawal's deadline, schedule or not."""
    from publication.services import policy_publish

    with on(SINCE):
        policy = advance_to(people.policy(), "awaiting_publication", people)
        policy_publish(policy=policy, actor=people.pcu, publish_on=datetime.date(2026, 6, 1))
    with on(DECIDED):
        said = decide(client, people, reload(policy))
        assert f"expected by {EXPECTED:%-d %B %Y}." in said, said
        client.force_login(people.pcu)
        assert f"Expected by {EXPECTED:%-d %B %Y}" in client.get(f"/policies/{policy.reference}/").content.decode()
        assert to_carry_out(people) == [(policy.reference, EXPECTED, False)]
    assert {reminder.kind for reminder in chase_plan(today=EXPECTED) if reminder.policy_id == policy.pk} == {
        "withdrawal"}
    assert Policy.objects.filter(deadlines.stuck("withdrawal", EXPECTED + datetime.timedelta(days=1)),
                                 pk=policy.pk).exists()


def test_a_review_reminder_closed_by_the_decision_says_why_in_words_that_fit_it(client, people):
    """The inbox said of the authors' review reminder, closed by the decision, that the policy "waits for PCU to carry
    it out, not for this step": a review is no step. The words now fit every reminder the decision closes."""
    with on(datetime.date(2022, 3, 1)):
        policy = advance_to(people.policy(), "implementation", people)
    due = reload(policy).review_due_on
    with on(due):
        chase_run(today=due)
    assert Reminder.objects.filter(policy=policy, kind="review_due", recipient=people.developer).exists()
    with on(due + datetime.timedelta(days=1)):
        decide(client, people, reload(policy))
        client.force_login(people.developer)
        page = html.unescape(re.sub(r"\s+", " ", client.get("/notifications/").content.decode()))
    assert "not for this step" not in page
    assert ("the policy's withdrawal was decided: it waits for the Policy Co-ordination Unit to carry it out, and "
            "for nothing else") in page
