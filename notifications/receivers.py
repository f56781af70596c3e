from core.events import AuditAction
from notifications.models import ReminderClosed
from notifications.services import (
    STUCK_STATUSES,
    draft_items_close,
    emergency_eia_reminders_close,
    monitoring_qa_reminders_close,
    monitoring_reminders_answered,
    open_tasks_for,
    outbox_relay,
    qa_reminders_signed_off_close,
    remedial_reminders_close,
    reminders_hand_over,
    reminders_stop_for,
    report_qa_items_close,
    requests_to_read_mark_read,
    review_reminders_close,
    stuck_reminders_close,
    withdrawal_decided_reminders_close,
)


def relay_now(sender, **kwargs) -> None:
    """``make run`` only (POLICYHUB_RELAY_ON_COMMIT): relay the outbox straight after the commit."""
    outbox_relay()


def reminders_follow_holders(sender, changes, **kwargs) -> None:
    """lifecycle.services.people.holders_changed, inside the change's transaction: open reminders follow."""
    reminders_hand_over(changes=changes)


def open_tasks(sender, user, policy_ids, **kwargs):
    """lifecycle.services.people.open_tasks_requested: the person's open reminders, for a handover preview."""
    return open_tasks_for(user=user, policy_ids=policy_ids)


def reminders_stop(sender, policy, **kwargs) -> None:
    """lifecycle.signals.policy_withdrawn, inside the withdrawal's transaction: its open reminders stop."""
    reminders_stop_for(policy_id=policy.pk)


def requests_to_read_done(sender, acknowledgement, **kwargs) -> None:
    """acknowledgements.signals.policy_acknowledged, inside the confirmation's transaction: the requests to read the
    policy in the person's inbox are read (QA crawl: the inbox still counted as new what they had just confirmed)."""
    requests_to_read_mark_read(user=acknowledgement.user, policy_id=acknowledgement.policy_id)


def monitoring_due_answered(sender, policy, due_on, **kwargs) -> None:
    """assessments.signals.monitoring_due_answered, inside the submission's transaction: the reminders of the date
    answered are no longer needed."""
    monitoring_reminders_answered(policy_id=policy.pk, due_on=due_on)


def review_completed(sender, policy, **kwargs) -> None:
    """lifecycle.signals.review_completed, inside the transaction that publishes the reviewed version (or re-publishes
    the version in force after a review that concluded no change): the review's reminders are no longer needed."""
    review_reminders_close(policy_id=policy.pk, review_due_on=policy.review_due_on,
                           because=ReminderClosed.REVIEW_COMPLETED)


def review_date_changed(sender, policy, **kwargs) -> None:
    """lifecycle.signals.review_date_changed, inside the transaction that brings the review forward: the reminders of
    the date it replaces no longer hold (the chase reminds of the new one)."""
    review_reminders_close(policy_id=policy.pk, review_due_on=policy.review_due_on,
                           because=ReminderClosed.REVIEW_DATE_CHANGED)


def status_changed(sender, policy, before, action, **kwargs) -> None:
    """lifecycle.signals.status_changed, inside the step's transaction: the reminders of work waiting too long in the
    stage it leaves are no longer needed, by one rule and one statement (``stuck_reminders_close``), with why. Only a
    stage with a deadline (``STUCK_STATUSES``) is chased as waiting too long: a step from any other status has none to
    close, and costs no statement. A review draft withdrawn (QA walk) ends the work of every stage the draft was in,
    from whichever it is withdrawn: what those stages chased is closed "because the review draft was withdrawn", not as
    a step taken (nobody took it); the review's own reminders go on, the review still due."""
    if action == AuditAction.POLICY_REVIEW_DRAFT_WITHDRAWN:
        stuck_reminders_close(policy_id=policy.pk, because=ReminderClosed.DRAFT_WITHDRAWN)
        # The inbox items that asked people to act on the draft, as its reminders (services.inbox.draft_items_close).
        draft_items_close(policy_id=policy.pk)
    elif before in STUCK_STATUSES:
        stuck_reminders_close(policy_id=policy.pk, because=ReminderClosed.STEP_TAKEN)


def withdrawal_decided(sender, policy, **kwargs) -> None:
    """lifecycle.signals.withdrawal_decided, inside the decision's transaction: the policy now waits for PCU to carry
    the withdrawal out and for nothing else (lifecycle.steps.HALTS), so the reminders of what it waited for before
    are closed, saying so: the step of its status, its review and its annual report among them
    (``withdrawal_decided_reminders_close``). The withdrawal's own reminder, to PCU, is of its own kind
    (rules.KIND_OF_DEADLINE): the chase writes it once the decision's deadline has come."""
    withdrawal_decided_reminders_close(policy_id=policy.pk)


def qa_signed_off(sender, policy, version, discipline, **kwargs) -> None:
    """lifecycle.signals.qa_signed_off, inside the sign-off's transaction: the reminders of quality assurance waiting
    too long addressed to the discipline that signed are no longer needed (found on 2026-12-06: DCFD's stayed New after
    DCFD signed, PCU and DOI still to sign). The last sign-off's status change closes the rest."""
    qa_reminders_signed_off_close(policy_id=policy.pk, version_id=version.pk, discipline=discipline)


def emergency_assessed(sender, policy, **kwargs) -> None:
    """assessments.signals.emergency_assessed, inside the sign-off's transaction that clears "not impact assessed":
    the reminders of the impact assessment after the emergency approval are no longer needed."""
    emergency_eia_reminders_close(policy_id=policy.pk)


def monitoring_report_assured(sender, policy, report, **kwargs) -> None:
    """assessments.signals.monitoring_report_assured, inside the transaction in which the co-ordinator passes or
    returns the report: the reminders of it waiting for quality assurance are no longer needed, nor the inbox items
    that asked for it (services.inbox.report_qa_items_close)."""
    monitoring_qa_reminders_close(policy_id=policy.pk)
    report_qa_items_close(policy_id=policy.pk)


def remedial_action_completed(sender, policy, response, **kwargs) -> None:
    """assessments.signals.remedial_action_completed, inside the transaction that records the action as done: the
    reminders of that action are no longer needed."""
    remedial_reminders_close(policy_id=policy.pk, response_id=response.pk)
