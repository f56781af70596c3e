"""The Publication page's history says, of a cancelled publication, who cancelled it, when and why (PCU must give a
reason: publication.services.publication_cancel), whether PCU did, the withdrawal did or the scheduled job found
the policy had moved on; and, of a scheduled or published one, which staff are (or were) asked to confirm they have
read the version once it is in force (issue 14's read and acknowledge, chosen on the publish page)."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import strip_tags

from core.dates import date_shown
from core.models import Role
from lifecycle import services as lifecycle_services
from lifecycle.models import Policy
from lifecycle.states import Status
from publication.services import policy_publish, publication_cancel, publication_publish_due
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def words(html: str) -> str:
    """The page's text as read: each tag a word break."""
    return " ".join(unescape(strip_tags(re.sub(r"<[^>]+>", " ", html))).split())


def page_text(client, user, policy) -> str:
    client.force_login(user)
    response = client.get(f"/policies/{policy.reference}/publication/")
    assert response.status_code == 200
    return words(response.content.decode())


def schedule(policy, people, days: int = 10, **asked):
    return policy_publish(policy=policy, actor=people.pcu, asked_to_acknowledge=asked or None,
                          publish_on=timezone.localdate() + datetime.timedelta(days=days))


def test_a_publication_cancelled_by_pcu_says_who_when_and_why(client, people, policy_in):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    publication = schedule(policy, people)
    publication_cancel(publication=publication, actor=people.pcu, reason="The implementation plan moved to spring.")

    text = page_text(client, people.coordinator, policy)

    today = date_shown(timezone.localdate())
    assert f"Version 1.0: cancelled on {today}" in text
    assert re.search(rf"Cancelled {today}, \d\d:\d\d by {people.pcu}", text)
    assert "Reason for cancelling The implementation plan moved to spring." in text


def test_each_cancellation_of_the_same_version_keeps_its_own_reason(client, people, policy_in):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    publication_cancel(publication=schedule(policy, people), actor=people.pcu, reason="First: the plan moved.")
    publication_cancel(publication=schedule(policy, people, days=20), actor=people.pcu_qa,
                       reason="Second: the training is not ready.")

    text = page_text(client, people.pcu, policy)

    # Newest first, each with its own person and reason.
    second = text.index("Second: the training is not ready.")
    first = text.index("First: the plan moved.")
    assert second < first
    assert f"by {people.pcu_qa} Reason for cancelling Second" in text
    assert f"by {people.pcu} Reason for cancelling First" in text


def test_a_publication_cancelled_by_the_withdrawal_or_the_job_says_so(client, people, policy_in):
    withdrawn = policy_in(Status.AWAITING_PUBLICATION)
    schedule(withdrawn, people)
    lifecycle_services.policy_decide_withdrawal(policy=withdrawn, actor=people.lead, reason="Not needed.")
    lifecycle_services.policy_withdraw(policy=withdrawn, actor=people.pcu)

    # Cancelled by the decision, by whoever decided (lifecycle.steps.HALTS: a policy decided for withdrawal is not
    # published on the way out), saying who decided and when.
    text = page_text(client, people.pcu, withdrawn)
    assert (f"by {people.lead} Reason for cancelling Not published: its withdrawal was decided by {people.lead} at "
            in text)

    moved_on = policy_in(Status.AWAITING_PUBLICATION)
    schedule(moved_on, people, days=3)
    # No service moves a policy on under a schedule today; the job checks all the same (it publishes only the version
    # awaiting publication), so the policy is put there directly.
    Policy.objects.filter(pk=moved_on.pk).update(status=Status.APPROVED)
    assert publication_publish_due(today=timezone.localdate() + datetime.timedelta(days=4)) == []

    text = page_text(client, people.pcu, moved_on)
    assert ("by the scheduled job Reason for cancelling The policy moved on before its scheduled publication date."
            in text)


def test_a_scheduled_publication_names_the_staff_to_be_asked_to_confirm_they_have_read_it(client, people, policy_in):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    other_unit = UnitFactory(business_group=people.group2, name="Armed Policing")
    schedule(policy, people, business_groups=[people.group2], units=[people.unit, other_unit],
             roles=[Role.DEVELOPER])

    text = page_text(client, people.pcu, policy)

    assert ("To be asked to confirm they have read it "
            f"The staff of {people.group2} "
            f"The staff of {other_unit} ({people.group2}) "
            f"The staff of {people.unit} ({people.group}) "
            "Everyone holding the role Policy Developer") in text


def test_a_published_publication_names_whom_it_asked_and_says_when_nobody_was(client, people, policy_in):
    asked = policy_in(Status.AWAITING_PUBLICATION)
    policy_publish(policy=asked, actor=people.pcu, asked_to_acknowledge={"units": [people.unit]})
    nobody = policy_in(Status.AWAITING_PUBLICATION)
    policy_publish(policy=nobody, actor=people.pcu)

    assert f"Asked to confirm they have read it The staff of {people.unit} ({people.group})" in page_text(
        client, people.pcu, asked)
    assert "Asked to confirm they have read it Nobody was chosen." in page_text(client, people.pcu, nobody)



def test_the_history_costs_the_same_queries_however_many_cancellations_and_people_asked(
        client, people, policy_in, django_assert_num_queries):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    publication_cancel(publication=schedule(policy, people), actor=people.pcu, reason="One.")
    schedule(policy, people, days=20, units=[people.unit])
    client.force_login(people.pcu)
    url = f"/policies/{policy.reference}/publication/"
    client.get(url)  # the session and the caches warmed
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for reason in ("Two.", "Three."):
        publication_cancel(publication=policy.publications.get(status="scheduled"), actor=people.pcu, reason=reason)
        schedule(policy, people, days=30, business_groups=[people.group, people.group2], units=[people.unit2],
                 roles=[Role.LEAD, Role.OWNER])

    with django_assert_num_queries(len(few.captured_queries)):
        text = words(client.get(url).content.decode())
    assert text.count("Reason for cancelling") == 3 and "Everyone holding the role Designated" in text
