"""Withdrawal (issue 13), over HTTP: decided by the Designated Lead or the Management Board owner, who "retain
ultimate ownership" (a reason; the replacing policy, if any), then carried out by PCU: off the intranet and the
Publication Scheme, kept in the archive, its reminders stopped, audited and notified. Every refusal says why and
changes nothing."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.contrib.messages import get_messages

from core.models import AuditEvent, OutboxEvent
from lifecycle.models import Policy, WithdrawalDecision
from lifecycle.states import Status
from notifications.models import Reminder
from notifications.services import chase_run
from tests.clock import travel
from tests.factories import advance_to, reload, what_was_read

PUBLISHED_ON = datetime.date(2024, 1, 15)




def post(client, user, policy, slug, data):
    client.force_login(user)
    return client.post(f"/policies/{policy.reference}/actions/{slug}/", {**what_was_read(policy), **data})


def errors(response) -> str:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.content.decode(), re.DOTALL)
    return unescape(re.sub(r"<[^>]+>", " ", summary.group(1))) if summary else ""


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def state(policy) -> tuple:
    policy = reload(policy)
    return (policy.status, WithdrawalDecision.objects.count(), AuditEvent.objects.filter(policy_id=policy.pk).count(),
            Reminder.objects.filter(superseded_at__isnull=True).count())


@pytest.fixture
def published(people):
    with travel(PUBLISHED_ON):
        return _publish_on_scheme(people)


def _publish_on_scheme(people):
    from publication.services import policy_publish

    policy = advance_to(people.policy(), Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
    return reload(policy)


def test_the_lead_decides_pcu_carries_it_out(client, published, people):
    replacement = people.policy()
    review_due = published.review_due_on
    chase_run(today=review_due)  # the review is chased: open reminders
    assert Reminder.objects.filter(policy=published, superseded_at__isnull=True).exists()
    assert client.get(f"/publication-scheme/{published.reference}/").status_code == 200

    with travel(review_due):
        response = post(client, people.lead, published, "decide-withdrawal",
                        {"reason": "Superseded by national guidance.", "replaced_by": replacement.reference})
        assert response.status_code == 302, errors(response)
        assert reload(published).status == Status.IMPLEMENTATION  # decided, still in force until PCU acts
        decision = WithdrawalDecision.objects.get(policy=published)
        assert (decision.decided_by, decision.replaced_by) == (people.lead, replacement)
        # PCU is told: the decision's event goes to the outbox, routed to PCU among others.
        assert OutboxEvent.objects.filter(topic="policy.withdrawal_decided").exists()

        client.force_login(people.pcu)
        assert client.get(f"/policies/{published.reference}/actions/withdraw/").status_code == 200
        response = post(client, people.pcu, published, "withdraw", {"comments": ""})
        assert response.status_code == 302, errors(response)

    policy = reload(published)
    assert policy.status == Status.WITHDRAWN
    # Off the Scheme, off the intranet register of policies in force, kept in the archive for those who see it.
    client.logout()
    assert client.get(f"/publication-scheme/{policy.reference}/").status_code == 410  # its page says it was withdrawn
    assert not Policy.objects.filter(pk=policy.pk, status__in=["implementation", "monitoring"]).exists()
    client.force_login(people.coordinator)
    assert client.get(f"/policies/{policy.reference}/").status_code == 200
    # Its reminders stopped, saying why (the review's already at the decision, after which only the withdrawal is
    # chased: lifecycle.steps.HALTS), and the chase does not start them again.
    assert not Reminder.objects.filter(policy=policy, superseded_at__isnull=True).exists()
    assert set(Reminder.objects.filter(policy=policy).values_list("closed_because", flat=True)) == {
        "withdrawal_decided"}
    chase_run(today=review_due + datetime.timedelta(days=7))
    assert not Reminder.objects.filter(policy=policy, superseded_at__isnull=True).exists()
    event = AuditEvent.objects.filter(policy_id=policy.pk, action="policy.withdrawn").get()
    assert (event.actor, event.changes["decided_by"], event.changes["replaced_by"]) == (
        people.pcu, "lead", replacement.reference)


def test_refusals_say_why_and_change_nothing(client, published, people):
    before = state(published)
    response = post(client, people.pcu, published, "withdraw", {"comments": ""})
    assert response.status_code == 400 and "decided to withdraw" in errors(response)
    for outsider in (people.pcu, people.coordinator, people.developer, people.lead2):
        response = post(client, outsider, published, "decide-withdrawal", {"reason": "No longer needed."})
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert "Only the Designated Lead or the Management Board owner" in messages_of(response) \
                or "not available to you" in messages_of(response)
    response = post(client, people.owner, published, "decide-withdrawal", {"reason": "", "replaced_by": ""})
    assert response.status_code == 400 and "Enter the reason" in errors(response)
    response = post(client, people.owner, published, "decide-withdrawal",
                    {"reason": "Replaced.", "replaced_by": "POL-9999"})
    assert response.status_code == 400 and "There is no policy POL-9999" in errors(response)
    assert "Replaced." in response.content.decode()  # what was typed is kept
    assert state(published) == before

    assert post(client, people.owner, published, "decide-withdrawal", {"reason": "Obsolete."}).status_code == 302
    before = state(published)
    response = post(client, people.lead, published, "decide-withdrawal", {"reason": "Again."})
    # Refused as every step but PCU's withdrawal is once one is decided (lifecycle.steps.HALTS), naming the decision,
    # with what was typed shown back.
    page = unescape(response.content.decode())
    assert response.status_code == 409 and f"its withdrawal was decided by {people.owner}" in page
    assert "Again." in page
    response = post(client, people.lead, published, "withdraw", {"comments": ""})
    assert response.status_code == 302
    assert "Only the Policy Co-ordination Unit can withdraw" in messages_of(response)
    assert state(published) == before
