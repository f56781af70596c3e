"""Two people pressing the same button at the same moment: the row lock lets exactly one through, the other
is told it has already been done, and the evidence records the change once."""

from __future__ import annotations

import threading

import pytest
from django.utils import timezone

from core.audit import audit_verify_chain
from core.exceptions import ApplicationError
from core.models import AuditEvent
from core.submissions import AlreadyDone, step_purpose, submission_token_issue
from lifecycle import services as s
from lifecycle.models import ApprovalDecision, CommissioningDecision, QASignOff
from lifecycle.states import Status
from tests.factories import reload, what_was_read

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    """Run each call in its own thread, released together by a barrier. Returns (results, errors) in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = [None] * len(calls)

    def run(index, call):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except ApplicationError as error:
            errors[index] = error
        except BaseException as error:  # surfaced by the assertions below
            errors[index] = error
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting on a lock"
    return results, errors


def one_success_one_stale(results, errors):
    assert sum(result is not None for result in results) == 1, errors
    refusal = next(error for error in errors if error is not None)
    assert isinstance(refusal, ApplicationError), refusal
    assert refusal.code == "stale"
    assert "already" in refusal.message


def test_two_leads_commission_at_once(policy_in, people):
    policy = policy_in(Status.COMMISSIONING)
    events_before = AuditEvent.objects.count()
    call = lambda: s.policy_commission(policy=policy, actor=people.lead, comments="Go.")  # noqa: E731

    one_success_one_stale(*race(call, call))

    assert reload(policy).status == Status.DEVELOPMENT
    assert CommissioningDecision.objects.filter(policy=policy).count() == 1
    assert AuditEvent.objects.filter(action="policy.commissioned").count() == 1
    assert AuditEvent.objects.count() == events_before + 1
    assert audit_verify_chain().ok


def test_lead_approves_twice_at_once(policy_in, people):
    policy = policy_in(Status.WITH_LEAD)
    call = lambda: s.policy_approve(policy=policy, actor=people.lead, meeting_on=timezone.localdate(),  # noqa: E731
                                    minute_reference="COG/1")

    one_success_one_stale(*race(call, call))

    assert reload(policy).status == Status.APPROVED
    assert ApprovalDecision.objects.filter(policy_version__policy=policy).count() == 1
    assert AuditEvent.objects.filter(action="policy.approved").count() == 1
    assert audit_verify_chain().ok


def test_approve_and_reject_race(policy_in, people):
    policy = policy_in(Status.WITH_LEAD)

    results, errors = race(
        lambda: s.policy_approve(policy=policy, actor=people.lead, meeting_on=timezone.localdate(),
                                 minute_reference="COG/1"),
        lambda: s.policy_reject(policy=policy, actor=people.lead, reasons="Too broad."),
    )

    one_success_one_stale(results, errors)
    assert ApprovalDecision.objects.filter(policy_version__policy=policy).count() == 1
    assert reload(policy).status in {Status.APPROVED, Status.DEVELOPMENT}


def test_last_two_qa_signoffs_race_and_qa_passes_once(policy_in, people):
    policy = policy_in(Status.SUBMITTED_FOR_QA)
    s.policy_record_qa_signoff(policy=policy, actor=people.pcu, discipline="pcu")

    results, errors = race(
        lambda: s.policy_record_qa_signoff(policy=policy, actor=people.dcfd, discipline="dcfd"),
        lambda: s.policy_record_qa_signoff(policy=policy, actor=people.doi, discipline="doi"),
    )

    assert errors == [None, None]
    assert all(isinstance(result, QASignOff) for result in results)
    assert reload(policy).status == Status.QA_PASSED
    assert QASignOff.objects.filter(policy_version__policy=policy, outcome="passed").count() == 3
    assert AuditEvent.objects.filter(policy_id=policy.pk, action="policy.qa_passed").count() == 1
    assert audit_verify_chain().ok


def test_the_same_step_form_sent_twice_at_once_is_taken_once_and_the_other_said_as_done(policy_in, people):
    """A double click of a step's page (the same one-time token, core.submissions.step_purpose): the second post waits
    for the first under the policy's lock, finds its token claimed, and is told it was done, by whom and when."""
    policy = policy_in(Status.COMMISSIONING)
    sent = {**what_was_read(policy),
            "submission": submission_token_issue(user=people.lead, purpose=step_purpose("commission", policy.pk))}
    call = lambda: s.policy_commission(policy=policy, actor=people.lead, comments="Go.", **sent)  # noqa: E731

    results, errors = race(call, call)

    assert sum(result is not None for result in results) == 1, errors
    refusal = next(error for error in errors if error is not None)
    assert isinstance(refusal, AlreadyDone), refusal
    assert refusal.message.startswith(f"{policy.reference}: Development commissioned. Already done by you at ")
    assert reload(policy).status == Status.DEVELOPMENT
    assert CommissioningDecision.objects.filter(policy=policy).count() == 1
    assert AuditEvent.objects.filter(action="policy.commissioned").count() == 1
