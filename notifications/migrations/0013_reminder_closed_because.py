"""Why a reminder was closed (``Reminder.closed_because``), written with ``superseded_at`` by whatever closes it. Of the
reminders closed before, those closed by a handover (``handed_to``) take that reason; the others are left without one
(what closed them was not recorded), and the inbox says of them what it said before."""

from django.db import migrations, models


def handed_over_say_so(apps, schema_editor):
    Reminder = apps.get_model("notifications", "Reminder")
    Reminder.objects.filter(handed_to__isnull=False, closed_because="").update(closed_because="handed_over")


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0012_notification_report_backfill'),
    ]

    operations = [
        migrations.AddField(
            model_name='reminder',
            name='closed_because',
            field=models.CharField(blank=True, choices=[('handed_over', 'it was handed over with the work'), ('orphan_resolved', 'the part it named has a holder who may act, or is chased to someone else'), ('policy_withdrawn', 'the policy was withdrawn'), ('report_submitted', 'a monitoring report answering the date due was submitted'), ('review_completed', 'the review is done and its next date set'), ('review_date_changed', 'the review date was changed, and reminders follow the new date')], db_default='', default='', max_length=20),
        ),
        migrations.RunPython(handed_over_say_so, migrations.RunPython.noop),
    ]
