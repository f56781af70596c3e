"""Reminders that chase a task close when the task is done (found on 2026-12-06: POL-0009's "has been waiting for the
Designated Lead's decision" stayed New after the Lead approved it): four more reasons a reminder was closed
(``Reminder.closed_because``), written by the steps that do the work (notifications.services.reminders).

The reminders of such work written before, and still open though the work is done, are closed now by the same rules
(``superseded_at`` is when this ran: when the step was taken was not recorded on them), so that they leave the inbox's
New and a handover no longer passes them on:

- work waiting too long (STUCK) whose policy has changed status on or after the reminder's day (a step taken since: the
  chase's INSERT leaves such a reminder out by the same rule, ledger._reminders_insert);
- the impact assessment after an emergency approval, whose policy is no longer "not impact assessed";
- a monitoring report waiting for quality assurance, whose policy has no report with the co-ordinator now;
- a remedial action recorded as done."""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import TruncDate
from django.utils import timezone


def reminders_of_work_done_close(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    MonitoringReport = apps.get_model("assessments", "MonitoringReport")
    MonitoringResponse = apps.get_model("assessments", "MonitoringResponse")
    now = timezone.now()
    still_open = Reminder.objects.filter(superseded_at__isnull=True)
    # The day in local time, as the chase counts days (TruncDate in the current time zone).
    stuck_over = list(still_open.filter(kind="stuck", policy__status_changed_at__isnull=False)
                      .annotate(changed_on=TruncDate("policy__status_changed_at"))
                      .filter(changed_on__gte=F("due_on")).values_list("pk", flat=True))
    Reminder.objects.filter(pk__in=stuck_over).update(superseded_at=now, closed_because="step_taken")
    still_open.filter(kind="emergency_eia", policy__not_impact_assessed=False).update(
        superseded_at=now, closed_because="impact_assessed")
    in_qa = MonitoringReport.objects.filter(status="submitted").values("policy_id")
    still_open.filter(kind="monitoring_qa").exclude(policy_id__in=in_qa).update(
        superseded_at=now, closed_because="report_assured")
    done = MonitoringResponse.objects.filter(remedial_completed_at__isnull=False).values("pk")
    still_open.filter(kind="remedial_action", chased_item__in=done).update(
        superseded_at=now, closed_because="action_completed")


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0010_monitoring_report_periods_do_not_overlap'),
        ('lifecycle', '0025_policy_lead_check_idx_and_statistics'),
        ('notifications', '0014_review_reminder_items'),
    ]

    operations = [
        migrations.AlterField(
            model_name='reminder',
            name='closed_because',
            field=models.CharField(blank=True, choices=[('action_completed', 'the action was recorded as done'), ('handed_over', 'it was handed over with the work'), ('impact_assessed', 'the impact assessment, and all else the emergency approval skipped, was signed off'), ('orphan_resolved', 'the part it named has a holder who may act, or is chased to someone else'), ('policy_withdrawn', 'the policy was withdrawn'), ('report_assured', 'the co-ordinator quality-assured the report (passed or returned it)'), ('report_submitted', 'a monitoring report answering the date due was submitted'), ('review_completed', 'the review is done and its next date set'), ('review_date_changed', 'the review date was changed, and reminders follow the new date'), ('step_taken', 'the step it waited for was taken')], db_default='', default='', max_length=20),
        ),
        migrations.RunPython(reminders_of_work_done_close, migrations.RunPython.noop),
    ]
