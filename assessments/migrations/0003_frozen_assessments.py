from django.db import migrations

from core.db import append_only_trigger_sql, postgres_only

tables = ["assessments_equalityimpactassessment", "assessments_policyworkbook"]


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_initial"), ("core", "0002_audit_append_only")]
    operations = [
        postgres_only(*append_only_trigger_sql(
            table, when="OLD.frozen_at IS NOT NULL",
            message="a frozen impact assessment or workbook is evidence: UPDATE and DELETE are refused",
        ))
        for table in tables
    ]
