"""The co-ordinator's inbox items that asked for a monitoring report's quality assurance ("Monitoring report to
quality-assure", told of its submission) are closed when the report is passed or returned
(notifications.services.inbox.report_qa_items_close). Those the code before left open (QA walk of 2026-12-06: POL-0003's
items of November 2026 and April 2024 still New after its report was returned), whose report no longer waits for
quality assurance, are closed now "because the co-ordinator quality-assured the report (passed or returned it)", as of
the first pass or return of that report after the submission told of (in the audit trail's order) (now, where none was recorded). An item of a
report still waiting is left as it is."""

from django.db import migrations
from django.utils import timezone

REPORT_TYPE = "assessments.monitoringreport"


def items_of_reports_assured_close(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    AuditEvent = apps.get_model("core", "AuditEvent")
    items = list(Notification.objects.filter(
        closed_at__isnull=True, report__isnull=False, source_event__topic="monitoring_report.submitted").exclude(
        report__status="submitted").values_list("pk", "report_id", "source_event__audit_event__sequence"))
    if not items:
        return
    decided: dict[int, list] = {}
    for object_id, sequence, occurred_at in AuditEvent.objects.filter(
            object_type=REPORT_TYPE, object_id__in={str(report_id) for _, report_id, _ in items},
            action__in=["monitoring_report.qa_passed", "monitoring_report.returned"]).values_list(
            "object_id", "sequence", "occurred_at").order_by("sequence"):
        decided.setdefault(int(object_id), []).append((sequence, occurred_at))
    now = timezone.now()
    Notification.objects.bulk_update([
        Notification(pk=pk, closed_because="report_assured",
                     closed_at=next((at for sequence, at in decided.get(report_id, ()) if sequence > submitted), now))
        for pk, report_id, submitted in items], ["closed_at", "closed_because"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0011_monitoring_report_draft_revision'),
        ('core', '0015_submitted_form_repeat'),
        ('notifications', '0017_notification_closed'),
    ]

    operations = [
        migrations.RunPython(items_of_reports_assured_close, migrations.RunPython.noop),
    ]
