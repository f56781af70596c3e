"""The decisions made after approval are evidence: written once, then filled in only by the one-way steps their
services take, never rewritten or deleted in the database (integrity review of 2026-12-06, MEDIUM 7: a raw UPDATE or
DELETE of a withdrawal decision, a no-change review or an emergency request succeeded, where the commissioning, QA
and approval decisions beside them have been refused since lifecycle 0002).

SOP, "Role of Policy Managers/Unit Heads": "Ensure an audit trail of consultation results and decisions is
maintained". Each table is tested alike: the services' own updates still work (carried out; answered; EIA confirmed,
updated EIA signed off, re-published); a raw UPDATE of what was decided, of a step already taken, and a DELETE are
refused. PostgreSQL's triggers (lifecycle 0031); SQLite, ``make run``'s zero-set-up default, has none."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection, transaction

from lifecycle import services as s
from lifecycle.models import ApprovalDecision, EmergencyRequest, NoChangeReview, WithdrawalDecision
from lifecycle.states import Status
from publication import services as publication_services
from tests.clock import travel
from tests.core.test_append_only import refused, run
from tests.factories import advance_to, monitoring_up_to_date, reload, what_was_read

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")]


def _sql(statement, params):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.rowcount
    except Exception as error:  # noqa: BLE001 - the trigger's refusal
        return error


def test_decisions_cannot_be_rewritten_in_the_database(people, policy_in):
    """The review's reproduction, as found (tests/rev-int: test_ri_findings.py, F7)."""
    policy = policy_in(Status.IMPLEMENTATION)
    s.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="Superseded by national guidance.")
    decision = WithdrawalDecision.objects.get(policy=policy)
    approval = ApprovalDecision.objects.filter(policy_version__policy=policy).first()
    # Control: the Lead's approval is protected.
    control = _sql("UPDATE lifecycle_approvaldecision SET reasons = 'rewritten' WHERE id = %s", [approval.pk])
    assert isinstance(control, Exception), control
    rewritten = _sql("UPDATE lifecycle_withdrawaldecision SET reason = 'rewritten', decided_by_id = %s WHERE id = %s",
                     [people.owner.pk, decision.pk])
    deleted = _sql("DELETE FROM lifecycle_withdrawaldecision WHERE id = %s", [decision.pk])
    assert isinstance(rewritten, Exception) and isinstance(deleted, Exception), (rewritten, deleted)


# --- Withdrawal decisions --------------------------------------------------------------------------------------------


def test_a_withdrawal_decision_is_carried_out_once_and_never_rewritten(people, policy_in):
    policy = policy_in(Status.IMPLEMENTATION)
    replacement = policy_in(Status.IMPLEMENTATION)
    decision = s.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="Superseded.",
                                          replaced_by=replacement.reference)
    table = "lifecycle_withdrawaldecision"
    # Open: what was decided, by whom and when, is fixed already.
    refused(f"UPDATE {table} SET reason = 'Rewritten.' WHERE id = %s", [decision.pk])
    refused(f"UPDATE {table} SET replaced_by_id = NULL WHERE id = %s", [decision.pk])
    refused(f"UPDATE {table} SET decided_by_id = %s WHERE id = %s", [people.owner.pk, decision.pk])
    refused(f"UPDATE {table} SET decided_at = decided_at - interval '1 day' WHERE id = %s", [decision.pk])
    refused(f"UPDATE {table} SET policy_id = %s WHERE id = %s", [replacement.pk, decision.pk])
    refused(f"DELETE FROM {table} WHERE id = %s", [decision.pk])
    # PCU carries it out, through the service: the one fill it takes.
    s.policy_withdraw(policy=reload(policy), actor=people.pcu)
    decision = WithdrawalDecision.objects.get(pk=decision.pk)
    assert (decision.carried_out_by, reload(policy).status) == (people.pcu, Status.WITHDRAWN)
    # Carried out: by whom and when stays.
    refused(f"UPDATE {table} SET carried_out_by_id = %s WHERE id = %s", [people.coordinator.pk, decision.pk])
    refused(f"UPDATE {table} SET carried_out_at = now() - interval '1 day' WHERE id = %s", [decision.pk])
    refused(f"UPDATE {table} SET carried_out_at = NULL, carried_out_by_id = NULL WHERE id = %s", [decision.pk])
    refused(f"DELETE FROM {table} WHERE id = %s", [decision.pk])
    assert WithdrawalDecision.objects.filter(pk=decision.pk, reason="Superseded.",
                                             replaced_by=replacement, decided_by=people.lead).exists()


def test_an_unchanged_update_of_a_decision_is_not_refused(people, policy_in):
    """Locking a decision's row (the services' select_for_update) or writing it back unchanged is no rewrite."""
    policy = policy_in(Status.IMPLEMENTATION)
    decision = s.policy_decide_withdrawal(policy=policy, actor=people.lead, reason="Superseded.")
    assert run("UPDATE lifecycle_withdrawaldecision SET reason = reason WHERE id = %s", [decision.pk]) == 1
    assert list(WithdrawalDecision.objects.select_for_update().filter(pk=decision.pk)) == [decision]


# --- Emergency requests -----------------------------------------------------------------------------------------------

RISK = "Operational need: new legislation in force on Monday. I accept the risk of the missing EIA."


@pytest.fixture
def urgent(people):
    policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Stop and search under the new Act.</p>")
    return reload(policy)


def test_an_emergency_request_is_answered_once_and_never_rewritten(people, urgent):
    request = s.policy_request_emergency_approval(policy=urgent, actor=people.lead, risk_statement=RISK)
    table = "lifecycle_emergencyrequest"
    refused(f"UPDATE {table} SET risk_statement = 'Rewritten.' WHERE id = %s", [request.pk])
    refused(f"UPDATE {table} SET content_hash = %s WHERE id = %s", ["0" * 64, request.pk])
    refused(f"UPDATE {table} SET eia_due_on = eia_due_on + 30 WHERE id = %s", [request.pk])
    refused(f"UPDATE {table} SET requested_by_id = %s WHERE id = %s", [people.owner.pk, request.pk])
    # A refusal's reason belongs to the answer: not written into a request still open.
    refused(f"UPDATE {table} SET refusal_reason = 'Planted.' WHERE id = %s", [request.pk])
    refused(f"DELETE FROM {table} WHERE id = %s", [request.pk])
    # PCU agrees, through the service.
    s.policy_agree_emergency_approval(policy=reload(urgent), actor=people.pcu)
    request = EmergencyRequest.objects.get(pk=request.pk)
    assert (request.agreed, request.answered_by) == (True, people.pcu)
    refused(f"UPDATE {table} SET agreed = false, refusal_reason = 'Changed my mind.' WHERE id = %s", [request.pk])
    refused(f"UPDATE {table} SET answered_by_id = %s WHERE id = %s", [people.coordinator.pk, request.pk])
    refused(f"UPDATE {table} SET answered_at = NULL, answered_by_id = NULL, agreed = NULL WHERE id = %s",
            [request.pk])
    refused(f"DELETE FROM {table} WHERE id = %s", [request.pk])


def test_a_refused_emergency_request_keeps_its_reason(people, urgent):
    request = s.policy_request_emergency_approval(policy=urgent, actor=people.lead, risk_statement=RISK)
    s.policy_refuse_emergency_approval(policy=reload(urgent), actor=people.pcu, reason="Not urgent enough.")
    request = EmergencyRequest.objects.get(pk=request.pk)
    assert (request.agreed, request.refusal_reason) == (False, "Not urgent enough.")
    table = "lifecycle_emergencyrequest"
    refused(f"UPDATE {table} SET refusal_reason = 'Rewritten.' WHERE id = %s", [request.pk])
    refused(f"UPDATE {table} SET agreed = true WHERE id = %s", [request.pk])
    refused(f"DELETE FROM {table} WHERE id = %s", [request.pk])
    # The Lead may ask again: a new request, the refused one kept.
    again = s.policy_request_emergency_approval(policy=reload(urgent), actor=people.lead, risk_statement=RISK)
    assert again.pk != request.pk and EmergencyRequest.objects.filter(policy=urgent).count() == 2


# --- No-change reviews ------------------------------------------------------------------------------------------------

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review falls due on 15 January 2027
IN_THE_WINDOW = datetime.date(2026, 8, 3)  # within 6 months of it: the Lead may conclude "no change"


@pytest.fixture
def published(policy_in):
    with travel(PUBLISHED_ON):
        return reload(policy_in(Status.MONITORING))


def _concluded(policy, people) -> NoChangeReview:
    monitoring_up_to_date(policy, people)
    return s.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="Still fit.",
                                       **what_was_read(reload(policy)))


def _frozen_once_concluded(review: NoChangeReview, people) -> None:
    table = "lifecycle_nochangereview"
    refused(f"UPDATE {table} SET reason = 'Rewritten.' WHERE id = %s", [review.pk])
    refused(f"UPDATE {table} SET concluded_by_id = %s WHERE id = %s", [people.owner.pk, review.pk])
    refused(f"UPDATE {table} SET concluded_at = concluded_at - interval '1 day' WHERE id = %s", [review.pk])
    refused(f"UPDATE {table} SET policy_version_id = NULL WHERE id = %s", [review.pk])
    refused(f"DELETE FROM {table} WHERE id = %s", [review.pk])


def test_a_no_change_review_is_filled_in_part_by_part_and_never_rewritten(people, published):
    table = "lifecycle_nochangereview"
    with travel(IN_THE_WINDOW):
        review = _concluded(published, people)
        _frozen_once_concluded(review, people)
        # Nothing of a later part is written before its step: no re-publication nor sign-off before DCFD confirms.
        refused(f"UPDATE {table} SET eia_comments = 'Planted.' WHERE id = %s", [review.pk])
        refused(f"UPDATE {table} SET updated_eia_signed_off_at = now(), updated_eia_signed_off_by_id = %s "
                "WHERE id = %s", [people.dcfd.pk, review.pk])
        # DCFD says the EIA must be updated (through the service): it is reopened in a new version.
        s.policy_confirm_eia(policy=reload(published), actor=people.dcfd, eia_outcome="updated",
                             eia_comments="Age data refreshed.", **what_was_read(reload(published)))
        review = NoChangeReview.objects.get(pk=review.pk)
        assert review.waits_for == "eia_update" and review.updated_eia_version is not None
        _frozen_once_concluded(review, people)
        refused(f"UPDATE {table} SET eia_outcome = 'stands' WHERE id = %s", [review.pk])
        refused(f"UPDATE {table} SET eia_comments = 'Rewritten.' WHERE id = %s", [review.pk])
        refused(f"UPDATE {table} SET eia_confirmed_by_id = %s WHERE id = %s", [people.pcu.pk, review.pk])
        refused(f"UPDATE {table} SET updated_eia_version_id = policy_version_id WHERE id = %s", [review.pk])
        # DCFD signs the updated EIA off (through the service).
        from assessments.services import eia_sign_off_update, eia_update
        eia_update(policy=reload(published), actor=people.developer, evidence_and_data="2025 data added.")
        eia_sign_off_update(policy=reload(published), actor=people.dcfd, comments="Sound.",
                            **what_was_read(reload(published)))
        review = NoChangeReview.objects.get(pk=review.pk)
        assert review.waits_for == "pcu" and review.updated_eia_signed_off_by == people.dcfd
        refused(f"UPDATE {table} SET updated_eia_signed_off_by_id = %s WHERE id = %s", [people.pcu.pk, review.pk])
        refused(f"UPDATE {table} SET updated_eia_signed_off_at = NULL, updated_eia_signed_off_by_id = NULL "
                "WHERE id = %s", [review.pk])
        # PCU re-publishes (through the service): the review closes.
        publication_services.policy_republish_no_change(policy=reload(published), actor=people.pcu,
                                                        **what_was_read(reload(published)))
        review = NoChangeReview.objects.get(pk=review.pk)
        assert (review.republished_on, review.republished_by) == (IN_THE_WINDOW, people.pcu)
        _frozen_once_concluded(review, people)
        refused(f"UPDATE {table} SET republished_on = republished_on + 1 WHERE id = %s", [review.pk])
        refused(f"UPDATE {table} SET republished_by_id = %s WHERE id = %s", [people.dcfd.pk, review.pk])
        refused(f"UPDATE {table} SET republished_on = NULL, republished_by_id = NULL WHERE id = %s", [review.pk])


def test_a_no_change_review_whose_eia_stands_is_republished(people, published):
    with travel(IN_THE_WINDOW):
        review = _concluded(published, people)
        s.policy_confirm_eia(policy=reload(published), actor=people.dcfd, eia_outcome="stands",
                             **what_was_read(reload(published)))
        refused("UPDATE lifecycle_nochangereview SET eia_outcome = 'updated', eia_comments = 'Rewritten.' "
                "WHERE id = %s", [review.pk])
        publication_services.policy_republish_no_change(policy=reload(published), actor=people.pcu,
                                                        **what_was_read(reload(published)))
    review = NoChangeReview.objects.get(pk=review.pk)
    assert (review.eia_outcome, review.eia_confirmed_by, review.republished_by) == ("stands", people.dcfd, people.pcu)
    refused("DELETE FROM lifecycle_nochangereview WHERE id = %s", [review.pk])
