"""The library's row of a monitoring report is marked as the stricter of its policy's marking and the report's own
(assessments migration 0008; library.services): a report made while its policy was OFFICIAL-SENSITIVE stays so in
the library's search and pages once a review's OFFICIAL version is published. The rows are derived data; those of
such reports are raised here, so that no reindex is needed for it (library_reindex would give the same)."""

from django.db import migrations

RAISE = """
UPDATE library_librarydocument SET protective_marking = 'official_sensitive'
WHERE monitoring_report_id IN (
    SELECT id FROM assessments_monitoringreport WHERE protective_marking = 'official_sensitive')
"""


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0008_monitoring_report_protective_marking"),
        ("library", "0005_library_statement_title_indexes"),
    ]

    # Backwards: nothing to undo (the rows are rebuilt from what is published by library_reindex).
    operations = [migrations.RunSQL(RAISE, migrations.RunSQL.noop, elidable=False)]
