"""Once a withdrawal is decided, nothing moves the policy on but PCU's withdrawal (found with the demo, after the commit
that made the withdrawal the policy's next step): the co-ordinator could still forward POL-0010 to the Lead, the Lead
approve it, PCU publish it; POL-0004's publication scheduled for 16 December would have gone out before the withdrawal
was due on 18 December, a policy its Lead decided to withdraw published to staff, Notices and the public Scheme.

While a withdrawal decision is open (decided, not yet carried out) every step of the cycle but PCU's withdrawal is
closed, by one rule declared once (lifecycle.steps.HALTS), saying who decided it and when and that PCU is to carry it
out: its page is not offered, its address and its service refuse, the fsm transition does not fire. A publication
scheduled when the withdrawal is decided is cancelled by the decision, in its transaction, audited, PCU told; and the
scheduler asks the same rule when a publication falls due."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django_fsm import can_proceed

from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import AuditEvent, OutboxEvent
from lifecycle import services as s
from lifecycle.models import WithdrawalDecision
from lifecycle.services.base import check_step_allowed
from lifecycle.states import Status
from lifecycle.steps import permits
from lifecycle.workflow import CYCLE, PAGES, WITHDRAW
from publication.models import Publication
from publication.services import policy_publish, publication_bring_forward, publication_publish_due
from tests.factories import PATH, advance_to, reload, what_was_read

pytestmark = pytest.mark.django_db

SINCE = datetime.date(2026, 11, 2)  # a Monday
DECIDED = datetime.date(2026, 12, 7)  # a Monday
SCHEDULED_FOR = datetime.date(2026, 12, 16)  # before the withdrawal is due (21 December)


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC), tick=False)


def everyone(people) -> list:
    return [people.developer, people.manager, people.coordinator, people.lead, people.owner, people.pcu,
            people.pcu_qa, people.dcfd, people.doi, people.shrmt]


def decide(people, policy) -> WithdrawalDecision:
    return s.policy_decide_withdrawal(policy=reload(policy), actor=people.lead, reason="Replaced by national guidance.")


def said_of_the_decision(people) -> tuple[str, ...]:
    """What every refusal says of the decision: who made it, when, and that PCU is to carry it out."""
    return (f"its withdrawal was decided by {people.lead} at 10:00 on 7 December 2026",
            "the Policy Co-ordination Unit is to carry it out")


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.mark.parametrize("status", PATH)
def test_no_step_but_the_withdrawal_is_open_once_it_is_decided(people, status):
    with on(SINCE):
        policy = advance_to(people.policy(), status, people)
    with on(DECIDED):
        decide(people, policy)
        policy = reload(policy)
        steps = [step for step in CYCLE.from_status[status] if step.applies_to(policy) and step is not WITHDRAW]
        assert steps, status
        for step in steps:
            # Offered to nobody: no page, no button.
            assert not [person for person in everyone(people) if permits(person, reload(policy), step)], step.name
            # The service's ceremony refuses it, saying why; the fsm transition does not fire.
            with pytest.raises(ApplicationError) as refusal:
                check_step_allowed(reload(policy), step, None)
            for fragment in said_of_the_decision(people):
                assert fragment in refusal.value.message, (step.name, refusal.value.message)
            assert not can_proceed(getattr(reload(policy), step.name)), step.name
        # PCU's withdrawal is the one step open, and the only page offered to anyone.
        offered = {page.slug for person in everyone(people) for page in CYCLE.pages_offered(person, reload(policy))}
        assert offered == {WITHDRAW.page.slug}, offered


def test_the_coordinator_cannot_forward_it_nor_open_the_page(client, people):
    with on(SINCE):
        policy = advance_to(people.policy(), Status.QA_PASSED, people)
    with on(DECIDED):
        decide(people, policy)
        client.force_login(people.coordinator)
        overview = client.get(f"/policies/{policy.reference}/").content.decode()
        assert "/actions/forward-to-lead/" not in overview
        response = client.get(f"/policies/{policy.reference}/actions/forward-to-lead/")
        assert response.status_code == 302
        said = messages_of(response)
        assert f"Cannot forward to the Designated Lead {policy.reference}" in said
        for fragment in said_of_the_decision(people):
            assert fragment in said, said
        response = client.post(f"/policies/{policy.reference}/actions/forward-to-lead/", what_was_read(policy))
        assert reload(policy).status == Status.QA_PASSED
        assert "its withdrawal was decided by" in messages_of(response)


def test_the_lead_cannot_approve_it(client, people):
    with on(SINCE):
        policy = advance_to(people.policy(), Status.WITH_LEAD, people)
    with on(DECIDED):
        decide(people, policy)
        client.force_login(people.lead)
        response = client.post(f"/policies/{policy.reference}/actions/decide/", {
            **what_was_read(policy), "decision": "approve", "comments": "Approved.", "meeting_on": "2026-12-07",
            "minute_reference": "COG/2026/14"})
        assert reload(policy).status == Status.WITH_LEAD
        assert "its withdrawal was decided by" in response.content.decode() + messages_of(response)


def test_pcu_can_neither_publish_nor_schedule_it(client, people):
    with on(SINCE):
        policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    with on(DECIDED):
        decide(people, policy)
        for publish_on in (None, SCHEDULED_FOR):
            with pytest.raises(ApplicationError) as refusal:
                policy_publish(policy=reload(policy), actor=people.pcu, publish_on=publish_on)
            assert "its withdrawal was decided by" in refusal.value.message
        assert not Publication.objects.filter(policy=policy).exists()
        assert reload(policy).status == Status.AWAITING_PUBLICATION


def test_a_review_cannot_be_started(people):
    with on(SINCE):
        policy = advance_to(people.policy(), Status.MONITORING, people)
    with on(DECIDED):
        decide(people, policy)
        with pytest.raises(ApplicationError) as refusal:
            s.policy_start_review(policy=reload(policy), actor=people.developer, reason="Due.")
        assert "its withdrawal was decided by" in refusal.value.message
        assert reload(policy).current_version.number == "1.0"


def test_a_second_decision_is_refused_naming_the_first(client, people):
    with on(SINCE):
        policy = advance_to(people.policy(), Status.MONITORING, people)
    with on(DECIDED):
        decide(people, policy)
        with pytest.raises(ApplicationError) as refusal:
            s.policy_decide_withdrawal(policy=reload(policy), actor=people.owner, reason="Again.")
        for fragment in said_of_the_decision(people):
            assert fragment in refusal.value.message
        assert WithdrawalDecision.objects.filter(policy=policy).count() == 1


def test_pcu_still_carries_it_out(people):
    with on(SINCE):
        policy = advance_to(people.policy(), Status.WITH_LEAD, people)
    with on(DECIDED):
        decide(people, policy)
        s.policy_withdraw(policy=reload(policy), actor=people.pcu)
    assert reload(policy).status == Status.WITHDRAWN


# --- a publication already scheduled ------------------------------------------------------------------------------


@pytest.fixture
def scheduled(people):
    """POL-0004 of the demo: awaiting publication, scheduled by PCU for 16 December."""
    with on(SINCE):
        policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
        publication = policy_publish(policy=policy, actor=people.pcu, publish_on=SCHEDULED_FOR,
                                     on_publication_scheme=True)
    assert publication.status == Publication.Status.SCHEDULED
    return reload(policy), publication


def test_the_decision_cancels_a_scheduled_publication(people, scheduled):
    policy, publication = scheduled
    with on(DECIDED):
        decide(people, policy)
    publication.refresh_from_db()
    assert publication.status == Publication.Status.CANCELLED
    # Its own audit event, in the decision's transaction, saying why; PCU is told (the event's route).
    event = AuditEvent.objects.filter(policy_id=policy.pk, action=AuditAction.POLICY_PUBLICATION_CANCELLED).get()
    assert event.actor == people.lead
    assert event.changes["scheduled_for"] == SCHEDULED_FOR.isoformat()
    assert "withdrawal" in event.changes["reason"] and str(people.lead) in event.changes["reason"]
    decided = AuditEvent.objects.get(policy_id=policy.pk, action=AuditAction.POLICY_WITHDRAWAL_DECIDED)
    assert decided.sequence < event.sequence
    assert OutboxEvent.objects.filter(topic="policy.publication_cancelled").exists()
    # On its date nothing goes out: not to staff, not in Notices, not on the public Scheme.
    with on(SCHEDULED_FOR):
        assert publication_publish_due() == []
    assert reload(policy).status == Status.AWAITING_PUBLICATION
    assert not Publication.objects.filter(policy=policy, status=Publication.Status.PUBLISHED).exists()
    # Nor can PCU bring it forward.
    with on(DECIDED), pytest.raises(ApplicationError):
        publication_bring_forward(publication=publication, actor=people.pcu)


def test_the_scheduler_asks_the_same_rule_when_it_fires(people, scheduled):
    """A decision recorded beside a schedule still standing (the decision's transaction cancels it; one recorded before
    this rule, or by hand, does not): the publication task refuses it at its time, and cancels it, saying why."""
    policy, publication = scheduled
    with on(DECIDED):
        WithdrawalDecision.objects.create(policy=policy, reason="Recorded by hand.", decided_by=people.owner)
    with on(SCHEDULED_FOR):
        assert publication_publish_due() == []
    publication.refresh_from_db()
    assert publication.status == Publication.Status.CANCELLED
    assert reload(policy).status == Status.AWAITING_PUBLICATION
    event = AuditEvent.objects.filter(policy_id=policy.pk, action=AuditAction.POLICY_PUBLICATION_CANCELLED).get()
    assert f"its withdrawal was decided by {people.owner}" in event.changes["reason"]


def test_bringing_a_schedule_forward_is_refused(people, scheduled):
    policy, publication = scheduled
    with on(DECIDED):
        WithdrawalDecision.objects.create(policy=policy, reason="Recorded by hand.", decided_by=people.owner)
        with pytest.raises(ApplicationError) as refusal:
            publication_bring_forward(publication=publication, actor=people.pcu)
    assert "its withdrawal was decided by" in refusal.value.message
    publication.refresh_from_db()
    assert publication.status == Publication.Status.SCHEDULED


def test_every_page_of_the_cycle_is_covered():
    """The rule is the cycle's, not a list of steps: every page but PCU's withdrawal is closed by it."""
    closed = {slug for slug, (_page, steps) in PAGES.items() if all(step.halts for step in steps)}
    assert set(PAGES) - closed == {WITHDRAW.page.slug}


def test_the_overview_lists_no_draft_checklist_for_a_step_that_is_closed(client, people):
    """The drafting checklist is the gates of the next step (its "Before you can submit ..."): once the withdrawal is
    decided that step is closed, and the overview says what comes next is PCU's withdrawal, not the draft's gaps."""
    with on(SINCE):
        policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
        client.force_login(people.developer)
        assert client.get(f"/policies/{policy.reference}/").context.get("checklist")
    with on(DECIDED):
        decide(people, policy)
        client.force_login(people.developer)
        response = client.get(f"/policies/{policy.reference}/")
    assert not response.context.get("checklist")
    assert response.context["next"].work.title == WITHDRAW.page.title
