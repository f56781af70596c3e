"""A withdrawn policy's overview still said "Review date 25 October 2029" and "Next monitoring report due 25 October
2027", and nowhere that it had been withdrawn, when, why, or what replaced it (found by the thirteenth session's
Chromium walk). Its document control now says so instead of the dates of a cycle that has ended."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import advance_to, reload

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_a_withdrawn_policys_overview_says_when_why_and_what_replaced_it(client, people):
    replacement = advance_to(people.policy(title="Body-worn video 2027"), Status.MONITORING, people)
    policy = advance_to(people.policy(title="Body-worn video"), Status.MONITORING, people)
    s.policy_decide_withdrawal(policy=reload(policy), actor=people.lead, reason="Superseded by the 2027 policy.",
                               replaced_by=replacement)
    s.policy_withdraw(policy=reload(policy), actor=people.pcu)
    client.force_login(people.coordinator)
    page = text(client.get(f"/policies/{policy.reference}/"))
    today = timezone.localdate()
    assert (f"Withdrawn {today:%-d %B %Y}, carried out by {people.pcu.get_full_name()}; decided by "
            f"{people.lead.get_full_name()}: Superseded by the 2027 policy. Replaced by {replacement.reference} "
            "Body-worn video 2027") in page
    assert "Review date" not in page and "Next monitoring report due" not in page
