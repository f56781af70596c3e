"""PostgreSQL: a confirmation, once given, is evidence (who read which version, when): never changed or removed.
An audience, once chosen, is part of the record of the publication that asked."""

from django.db import migrations

from core.db import append_only_trigger_sql, postgres_only


class Migration(migrations.Migration):
    dependencies = [("acknowledgements", "0001_initial")]

    operations = [
        postgres_only(*append_only_trigger_sql(
            "acknowledgements_acknowledgement", message="Acknowledgements are evidence: they are never changed.")),
    ]
