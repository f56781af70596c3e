from django.db import migrations

from core.db import append_only_trigger_sql, postgres_only

version_forward, version_reverse = append_only_trigger_sql(
    "lifecycle_policyversion",
    when="OLD.submitted_at IS NOT NULL",
    message="a submitted policy version is frozen: UPDATE and DELETE are refused",
)
sop_forward, sop_reverse = append_only_trigger_sql(
    "lifecycle_sopversion",
    when="EXISTS (SELECT 1 FROM lifecycle_policyversion v WHERE v.id = OLD.policy_version_id "
    "AND v.submitted_at IS NOT NULL)",
    message="an SOP text in a submitted package is frozen: UPDATE and DELETE are refused",
)
decision_tables = ["lifecycle_commissioningdecision", "lifecycle_qasignoff", "lifecycle_approvaldecision"]


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial"), ("core", "0002_audit_append_only")]
    operations = [
        postgres_only(version_forward, version_reverse),
        postgres_only(sop_forward, sop_reverse),
        *[
            postgres_only(*append_only_trigger_sql(table, message="decisions are evidence: UPDATE and DELETE "
                                                   "are refused"))
            for table in decision_tables
        ],
    ]
