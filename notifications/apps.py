from django.apps import AppConfig
from django.conf import settings


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and chasing"

    def ready(self) -> None:
        # Its tasks are registered in every process, so that the relay queues one by name (notifications.tasks builds
        # on services) and eager mode (make run, the tests) runs it in-process, as publication's are.
        from acknowledgements.signals import policy_acknowledged
        from assessments.signals import (
            emergency_assessed,
            monitoring_due_answered,
            monitoring_report_assured,
            remedial_action_completed,
        )
        from lifecycle.services.people import holders_changed, open_tasks_requested
        from lifecycle.signals import (
            policy_withdrawn,
            qa_signed_off,
            review_completed,
            review_date_changed,
            status_changed,
            withdrawal_decided,
        )
        from notifications import receivers, tasks  # noqa: F401

        # Issue 12: open reminders follow the new holder of a part; a handover preview lists them.
        holders_changed.connect(receivers.reminders_follow_holders, dispatch_uid="notifications.follow")
        open_tasks_requested.connect(receivers.open_tasks, dispatch_uid="notifications.open_tasks")
        # Issue 13: a withdrawn policy's reminders stop.
        policy_withdrawn.connect(receivers.reminders_stop, dispatch_uid="notifications.withdrawn")
        # QA walk of 2026-12-05 (D): a monitoring report answering the date due closes the reminders of it.
        monitoring_due_answered.connect(receivers.monitoring_due_answered, dispatch_uid="notifications.answered")
        # QA walk of 2026-12-05 (qa9): the publication that completes a review closes the reminders of it.
        review_completed.connect(receivers.review_completed, dispatch_uid="notifications.review_completed")
        # The defect left open on 2026-12-05: a review brought forward closes the reminders of the date it replaces.
        review_date_changed.connect(receivers.review_date_changed, dispatch_uid="notifications.review_date_changed")
        # Found on 2026-12-06: the step that does the work a reminder chases closes it (POL-0009's "waiting for the
        # Designated Lead's decision" stayed New after the Lead approved it). A review draft withdrawn closes the
        # reminders of its stage by the same rule, saying so (QA walk; the review's own go on: it is still due).
        status_changed.connect(receivers.status_changed, dispatch_uid="notifications.status_changed")
        # A withdrawal decided closes the reminders of the step its status waited for (QA walk in Chromium: the
        # co-ordinator was still chased to forward POL-0010 to the Designated Lead).
        withdrawal_decided.connect(receivers.withdrawal_decided, dispatch_uid="notifications.withdrawal_decided")
        # A quality assurance discipline's sign-off closes the reminders addressed to it (found on 2026-12-06).
        qa_signed_off.connect(receivers.qa_signed_off, dispatch_uid="notifications.qa_signed_off")
        emergency_assessed.connect(receivers.emergency_assessed, dispatch_uid="notifications.emergency_assessed")
        monitoring_report_assured.connect(receivers.monitoring_report_assured,
                                          dispatch_uid="notifications.monitoring_report_assured")
        remedial_action_completed.connect(receivers.remedial_action_completed,
                                          dispatch_uid="notifications.remedial_action_completed")
        # Issue 14: a confirmation that a policy was read marks the requests to read it read.
        policy_acknowledged.connect(receivers.requests_to_read_done, dispatch_uid="notifications.acknowledged")
        if getattr(settings, "POLICYHUB_RELAY_ON_COMMIT", False):
            from core.audit import outbox_written

            outbox_written.connect(receivers.relay_now, dispatch_uid="notifications.relay_now")
