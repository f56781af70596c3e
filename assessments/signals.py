from django.dispatch import Signal

# Sent inside the transaction that submits a monitoring report answering the date its policy's annual report was due
# (assessments.services.monitoring_report_submit; the one rule: monitoring_periods.answers), so that what other apps
# keep for that date stops in the same transaction: the reminders of it (notifications; QA walk of 2026-12-05, D).
# Arguments: policy (locked), due_on (the date answered), actor.
monitoring_due_answered = Signal()

# Sent inside the transaction that clears a policy's "not impact assessed" marking: the last of what the emergency
# route skipped (the EIA, DCFD's; the Workbook's impact sections, PCU's; information management, DOI's) signed off
# (assessments.services.retrospective, ``_clear_when_nothing_is_outstanding``). So that what other apps chase for it
# stops in the same transaction: the reminders of the impact assessment after an emergency approval (notifications).
# Arguments: policy (locked).
emergency_assessed = Signal()

# Sent inside the transaction in which the co-ordinator passes or returns a monitoring report they were asked to
# quality-assure (SOP stage 6: "submitted to the Business Group Policy Co-ordinator for quality assurance"): the
# reminders of the report waiting for it stop (notifications).
# Arguments: policy (locked), report (locked).
monitoring_report_assured = Signal()

# Sent inside the transaction that records a remedial action as done (assessments.services.responses,
# ``monitoring_remedial_action_complete``): the reminders of that action stop (notifications).
# Arguments: policy (locked), response (the MonitoringResponse that directed it, locked).
remedial_action_completed = Signal()
