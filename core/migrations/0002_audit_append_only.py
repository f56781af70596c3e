from django.db import migrations

from core.db import append_only_trigger_sql, postgres_only

forward, reverse = append_only_trigger_sql(
    "core_auditevent", message="audit events are append-only: UPDATE and DELETE are refused"
)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [postgres_only(forward, reverse)]
