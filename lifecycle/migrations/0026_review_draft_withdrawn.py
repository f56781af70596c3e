"""A review draft the Designated Lead withdraws before approving it (QA walk: nothing let anyone abandon one) is kept
for ever as evidence, marked withdrawn (``PolicyVersion.withdrawn_at``; SOP, "Role of Policy Developers": "Retain an
audit trail of all versions of policy statements and SOPs").

On PostgreSQL the append-only triggers of migrations 0002 and 0007 are widened to match:
- a version: a submitted or withdrawn one refuses UPDATE and DELETE, except the one UPDATE that marks a version not
  yet withdrawn withdrawn, and changes nothing else (a submitted version of the review is withdrawn too);
- an SOP text: frozen in a submitted or withdrawn package;
- a consultation record: evidence once its cycle has a submitted or withdrawn version and no draft of it is still
  being worked on (a withdrawn draft is worked on no more)."""

from django.db import migrations, models

from core.db import append_only_trigger_sql, postgres_only

VERSION_FROZEN = (
    "(OLD.submitted_at IS NOT NULL OR OLD.withdrawn_at IS NOT NULL)"
    " AND NOT (TG_OP = 'UPDATE' AND OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL"
    " AND (to_jsonb(NEW) - 'withdrawn_at') = (to_jsonb(OLD) - 'withdrawn_at'))"
)
version_forward, _ = append_only_trigger_sql(
    "lifecycle_policyversion", when=VERSION_FROZEN,
    message="a submitted or withdrawn policy version is frozen: UPDATE and DELETE are refused",
)
# Migration 0002's, for the way back.
version_before, _ = append_only_trigger_sql(
    "lifecycle_policyversion", when="OLD.submitted_at IS NOT NULL",
    message="a submitted policy version is frozen: UPDATE and DELETE are refused",
)
sop_forward, _ = append_only_trigger_sql(
    "lifecycle_sopversion",
    when="EXISTS (SELECT 1 FROM lifecycle_policyversion v WHERE v.id = OLD.policy_version_id "
    "AND (v.submitted_at IS NOT NULL OR v.withdrawn_at IS NOT NULL))",
    message="an SOP text in a submitted or withdrawn package is frozen: UPDATE and DELETE are refused",
)
sop_before, _ = append_only_trigger_sql(
    "lifecycle_sopversion",
    when="EXISTS (SELECT 1 FROM lifecycle_policyversion v WHERE v.id = OLD.policy_version_id "
    "AND v.submitted_at IS NOT NULL)",
    message="an SOP text in a submitted package is frozen: UPDATE and DELETE are refused",
)
consultation_forward, _ = append_only_trigger_sql(
    "lifecycle_consultationrecord",
    when="EXISTS (SELECT 1 FROM lifecycle_policyversion v WHERE v.policy_id = OLD.policy_id AND v.major = OLD.cycle"
    " AND (v.submitted_at IS NOT NULL OR v.withdrawn_at IS NOT NULL))"
    " AND NOT EXISTS (SELECT 1 FROM lifecycle_policyversion v WHERE v.policy_id = OLD.policy_id"
    " AND v.major = OLD.cycle AND v.submitted_at IS NULL AND v.withdrawn_at IS NULL)",
    message="a consultation record of a submitted cycle is evidence: UPDATE and DELETE are refused",
)
consultation_before, _ = append_only_trigger_sql(
    "lifecycle_consultationrecord",
    when="EXISTS (SELECT 1 FROM lifecycle_policyversion v WHERE v.policy_id = OLD.policy_id AND v.major = OLD.cycle"
    " AND v.submitted_at IS NOT NULL)"
    " AND NOT EXISTS (SELECT 1 FROM lifecycle_policyversion v WHERE v.policy_id = OLD.policy_id"
    " AND v.major = OLD.cycle AND v.submitted_at IS NULL)",
    message="a consultation record of a submitted cycle is evidence: UPDATE and DELETE are refused",
)


class Migration(migrations.Migration):

    dependencies = [
        ('lifecycle', '0025_policy_lead_check_idx_and_statistics'),
    ]

    operations = [
        migrations.AddField(
            model_name='policyversion',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        postgres_only(version_forward, version_before),
        postgres_only(sop_forward, sop_before),
        postgres_only(consultation_forward, consultation_before),
    ]
