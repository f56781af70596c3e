"""My work's reads from indexes (issue 16): the count of the policies a person sees in each status (the OFFICIAL
policies in force by status, and the status after the business group in the OFFICIAL-SENSITIVE ones' index), and the
queues of one status in the order they have waited."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_spreadsheet_export'),
        ('lifecycle', '0016_policy_proposed_title'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='policy',
            name='policy_in_force_sensitive_idx',
        ),
        migrations.AddIndex(
            model_name='policy',
            index=models.Index(condition=models.Q(('first_published_on__isnull', False), models.Q(('status', 'withdrawn'), _negated=True)), fields=['protective_marking', 'status'], name='policy_in_force_status_idx'),
        ),
        migrations.AddIndex(
            model_name='policy',
            index=models.Index(condition=models.Q(('first_published_on__isnull', False), models.Q(('status', 'withdrawn'), _negated=True), models.Q(('protective_marking', 'official'), _negated=True)), fields=['business_group_id', 'status'], name='policy_in_force_sensitive_idx'),
        ),
        migrations.AddIndex(
            model_name='policy',
            index=models.Index(fields=['status', 'updated_at', 'id'], name='policy_status_updated_idx'),
        ),
    ]
