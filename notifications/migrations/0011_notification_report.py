"""An inbox item records the monitoring report it tells of (Notification.report), so that the header's count, the inbox
and the digest read the report's marking by one join instead of four subqueries of the outbox, the audit trail and
the reports, planned again on every page (make bench, issue 16). The items already written take their report in
0012, a migration of its own: this one's lock on the table (adding a nullable column, no rewrite) is then held for
an instant, not for the backfill."""

from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0010_monitoring_report_periods_do_not_overlap'),
        ('notifications', '0010_reminder_kind_orphan_coordinator'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='report',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='assessments.monitoringreport'),
        ),
    ]
