"""The Designated Lead's responses to monitoring reports, and a review's readings of them, are evidence (integrity
review of 2026-12-06, MEDIUM 7: a raw UPDATE or DELETE of either succeeded; the responses' table had only the triggers
of migration 0009, keeping the queue of reports awaiting a response). Only triggers.

SOP, role of the Designated Business Group Policy Lead: "Review monitoring and compliance results and direct
appropriate remedial action"; "This monitoring data then feeds into future policy reviews"; and the Lead's decisions
are kept as "an audit trail of consultation results and decisions".

- A response (assessments.services.responses.monitoring_report_respond) is written once: the outcome, the reasons, the
  remedial action directed (what, who, by when) or the review date brought forward, by whom and when, never change.
  Its one later step: a remedial action recorded as done (``monitoring_remedial_action_complete``:
  remedial_completed_at, remedial_completed_by, remedial_outcome), once, and only for a remedial response
  (core.db.written_once_when). Never deleted.
- A reading (``monitoring_report_read_for_review``) is written once and never changed nor deleted.

The queue's triggers (migration 0009) fire after a change the database accepted: one refused here never reaches them.
PostgreSQL only, as the other append-only triggers: SQLite is only ``make run``'s zero-set-up default."""

from django.db import migrations

from core.db import Fill, append_only_trigger_sql, postgres_only, written_once_when

response_forward, response_reverse = append_only_trigger_sql(
    "assessments_monitoringresponse",
    when=written_once_when(Fill(("remedial_completed_at", "remedial_completed_by_id", "remedial_outcome"),
                                requires="OLD.outcome = 'remedial' AND NEW.remedial_completed_by_id IS NOT NULL"
                                         " AND NEW.remedial_outcome <> ''")),
    message="a response to a monitoring report is evidence: a remedial action is recorded as done once, and UPDATE "
            "and DELETE of it are otherwise refused",
)

reading_forward, reading_reverse = append_only_trigger_sql(
    "assessments_monitoringreportreading",
    message="a reading of a monitoring report for a review is evidence: UPDATE and DELETE are refused",
)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0012_monitoring_report_published_index")]
    operations = [
        postgres_only(response_forward, response_reverse),
        postgres_only(reading_forward, reading_reverse),
    ]
