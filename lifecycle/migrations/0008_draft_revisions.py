"""Interim revisions of drafts (issue 12, "Every interim draft kept"), append-only on PostgreSQL.

SOP, "Role of Policy Developers": "Copies of document versions, including any interim amendments, must be
retained". A revision is written once by the save it records; a trigger refuses any UPDATE or DELETE, as for
submitted versions (0002) and the rest of the evidence (0007). SQLite (``make run``) has no trigger."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core.db import append_only_trigger_sql, postgres_only


class Migration(migrations.Migration):

    dependencies = [
        ('lifecycle', '0007_append_only_evidence'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DraftRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveIntegerField()),
                ('document', models.CharField(choices=[('statement', 'Policy Statement'), ('sop', 'SOP'), ('eia', 'Equality Impact Assessment'), ('workbook', 'Corporate Policy Workbook')], max_length=10)),
                ('content', models.JSONField()),
                ('content_hash', models.CharField(max_length=64)),
                ('saved_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('starting_point', models.BooleanField(default=False)),
                ('policy_version', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='lifecycle.policyversion')),
                ('restored_from', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='lifecycle.draftrevision')),
                ('saved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('sop', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='lifecycle.standardoperatingprocedure')),
            ],
            options={
                'ordering': ['policy_version', 'sequence'],
                'indexes': [models.Index(fields=['policy_version', 'document', 'sop', '-sequence'], name='draft_revision_latest_idx')],
                'constraints': [models.UniqueConstraint(fields=('policy_version', 'sequence'), name='draft_revision_unique_sequence'), models.CheckConstraint(condition=models.Q(models.Q(('document', 'sop'), ('sop__isnull', False)), models.Q(models.Q(('document', 'sop'), _negated=True), ('sop__isnull', True)), _connector='OR'), name='draft_revision_sop_iff_sop_document'), models.CheckConstraint(condition=models.Q(('saved_by__isnull', False), ('starting_point', True), _connector='OR'), name='draft_revision_saved_by_unless_starting_point')],
            },
        ),
        postgres_only(*append_only_trigger_sql(
            "lifecycle_draftrevision",
            message="a draft revision is evidence of an interim amendment: UPDATE and DELETE are refused",
        )),
    ]
