"""The emergency route's late sign-offs once a withdrawal is decided (last session's leftover A): a decided withdrawal
closes every step of the cycle with its sentence, naming who decided and when (lifecycle.steps.HALTS), but DCFD's
sign-off of the retrospective EIA and PCU's and DOI's of the Workbook's impact sections are no cycle steps, and were
still taken: the policy the Lead decided to withdraw became "impact assessed" while it waited for PCU to withdraw it.

They ask the same halts now (lifecycle.steps.halted_by_any): refused under the policy's lock with the halt's sentence,
nothing signed off and nothing recorded; their pages are not offered and say why, with no button; a page opened
before the decision and posted after keeps the comment typed."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from assessments.services import (
    eia_complete_retrospective,
    retrospective_eia_refusal,
    retrospective_qa_refusal,
    retrospective_qa_signoff,
    workbook_update,
)
from core.exceptions import ApplicationError
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.gates import reason_for, withdrawal_not_decided
from lifecycle.models import QASignOff
from lifecycle.steps import halted_by_any
from tests.assessments.test_eia_signoff_bound import complete, hidden, text
from tests.assessments.test_emergency_signoff_bound import IMPACT_SECTIONS, approved  # noqa: F401 (fixture)
from tests.factories import reload

pytestmark = pytest.mark.django_db

COMMENT = "Read in full: satisfactory."


@pytest.fixture
def ready(approved, people):  # noqa: F811
    """Approved by the emergency route, its EIA and the Workbook's impact sections written: each part ready to sign."""
    complete(approved, people)
    workbook_update(policy=reload(approved), actor=people.developer, **IMPACT_SECTIONS)
    return reload(approved)


def decide(people, policy):
    return s.policy_decide_withdrawal(policy=reload(policy), actor=people.lead, reason="Replaced by national guidance.")


def said(policy) -> str:
    """The halt's sentence, as every step it closes says it (who decided, and when)."""
    return reason_for(withdrawal_not_decided, reload(policy))


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def test_halted_by_any_names_the_halt_that_fails(people, ready):
    assert halted_by_any(ready) is None
    decide(people, ready)
    assert halted_by_any(reload(ready)) is withdrawal_not_decided


@pytest.mark.parametrize("discipline", ["dcfd", "pcu", "doi"])
def test_each_late_sign_off_is_refused_with_the_halts_sentence(people, ready, discipline):
    decide(people, ready)
    policy = reload(ready)
    signer = {"dcfd": people.dcfd, "pcu": people.pcu_qa, "doi": people.doi}[discipline]
    # The rule the pages read says it ...
    refusal = (retrospective_eia_refusal(signer, policy) if discipline == "dcfd"
               else retrospective_qa_refusal(signer, policy, discipline))
    assert refusal is not None and said(policy) in refusal.message and policy.reference in refusal.message
    # ... and the service refuses under the lock, signing nothing and recording nothing.
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        if discipline == "dcfd":
            eia_complete_retrospective(policy=policy, actor=signer, comments=COMMENT)
        else:
            retrospective_qa_signoff(policy=policy, actor=signer, discipline=discipline, comments=COMMENT)
    assert said(policy) in refused.value.message
    assert AuditEvent.objects.count() == events
    assert not QASignOff.objects.filter(discipline=discipline).exists()
    assert reload(policy).not_impact_assessed


def test_the_pages_say_why_and_offer_no_button(client, people, ready):
    decide(people, ready)
    ref = ready.reference
    eia_signoff, emergency_signoff = f"/policies/{ref}/eia/sign-off/", f"/policies/{ref}/emergency/sign-off/"
    # DCFD: the EIA's page says why, with no sign-off; its sign-off page is not offered, and says why.
    client.force_login(people.dcfd)
    page = client.get(f"/policies/{ref}/eia/").content.decode()
    assert said(ready) in text(page) and eia_signoff not in page
    response = client.get(eia_signoff)
    assert response.status_code == 302 and said(ready) in messages_of(response)
    # PCU and DOI: the Workbook's page says why, with no "Sign off your part" (the overview's link: its own test,
    # tests/lifecycle/test_sign_off_your_part_offered.py).
    for person in (people.pcu_qa, people.doi):
        client.force_login(person)
        page = client.get(f"/policies/{ref}/workbook/").content.decode()
        assert said(ready) in text(page) and emergency_signoff not in page, person
        response = client.get(emergency_signoff)
        assert response.status_code == 302 and said(ready) in messages_of(response), person


@pytest.mark.parametrize("discipline", ["dcfd", "pcu", "doi"])
def test_a_page_opened_before_the_decision_keeps_the_comment(client, people, ready, discipline):
    ref = ready.reference
    signer = {"dcfd": people.dcfd, "pcu": people.pcu_qa, "doi": people.doi}[discipline]
    address = f"/policies/{ref}/eia/sign-off/" if discipline == "dcfd" else f"/policies/{ref}/emergency/sign-off/"
    document = "eia" if discipline == "dcfd" else "workbook"
    client.force_login(signer)
    page = client.get(address).content.decode()
    decide(people, ready)
    events = AuditEvent.objects.count()
    posted = {"comments": COMMENT, f"{document}_read": hidden(page, f"{document}_read"),
              f"{document}_hash": hidden(page, f"{document}_hash")}
    if discipline != "dcfd":
        posted["discipline"] = discipline
    response = client.post(address, posted)
    assert response.status_code == 409
    page = response.content.decode()
    assert COMMENT in page and said(ready) in text(page)
    assert AuditEvent.objects.count() == events
    assert not QASignOff.objects.filter(discipline=discipline).exists()
