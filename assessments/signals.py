from django.dispatch import Signal

# Sent inside the transaction that submits a monitoring report answering the date its policy's annual report was due
# (assessments.services.monitoring_report_submit; the one rule: monitoring_periods.answers), so that what other apps
# keep for that date stops in the same transaction: the reminders of it (notifications; QA walk of 2026-12-05, D).
# Arguments: policy (locked), due_on (the date answered), actor.
monitoring_due_answered = Signal()
