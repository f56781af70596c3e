"""An invitation to advise on a draft reached DCFD, DOI or SHRMT only as a notification: their My work showed nothing,
and neither did SHRMT's for a consultation it was sent (found by the twelfth session's Chromium walk). My work now
lists the advice asked of their team until it is given, and SHRMT's the consultations awaiting its response, each
linked to where it is recorded."""

from __future__ import annotations

import datetime

import pytest

from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import advance_to
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db


def entries(user, title):
    return [(entry["label"], entry["url"]) for queue in my_work(user=user) if queue["title"] == title
            for entry in queue["entries"] or ()]


def test_advice_and_consultations_asked_are_in_my_work_until_given(people):
    policy = advance_to(people.policy(title="Body-worn video"), Status.DEVELOPMENT, people)
    invitation = s.advice_invite(policy=policy, actor=people.developer, team="dcfd", note="The age impact, please.")
    advice = f"/policies/{policy.reference}/advice/"
    assert entries(people.dcfd, "Advice asked of you") == [
        (f"{policy.reference} Body-worn video: The age impact, please.", advice)]
    assert entries(people.doi, "Advice asked of you") == []
    s.advice_comment(invitation=invitation, actor=people.dcfd, text="Add the night-time data.")
    assert entries(people.dcfd, "Advice asked of you") == []

    record = s.consultation_record(policy=policy, actor=people.developer, consultee="SHRMT duty desk",
                                   organisation="SHRMT", consultee_type="shrmt", date_sent=datetime.date(2026, 11, 2))
    assert entries(people.shrmt, "Consultations to answer") == [
        (f"{policy.reference} Body-worn video: sent 2 November 2026",
         f"/policies/{policy.reference}/consultation/{record.pk}/response/")]
    s.consultation_record_response(record=record, actor=people.shrmt, response="No concerns.")
    assert entries(people.shrmt, "Consultations to answer") == []
    # Submitted, the draft asks for advice no more.
    s.advice_invite(policy=policy, actor=people.developer, team="doi")
    advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    assert entries(people.doi, "Advice asked of you") == []
