"""A monitoring report's draft counts its saves (MonitoringReport.draft_revision), so that a save from a page drawn
before another is refused (core.stale_saves), as the EIA's and the Workbook's are.

The column is added by ``ALTER TABLE ... ADD COLUMN`` on both databases. Django's own AddField rebuilds the table on
SQLite (a new table, the rows copied, the old one dropped), which SQLite refuses while the triggers of migration 0009
on the responses name the reports' table, and which would drop the reports' own triggers with the old table."""

from django.db import migrations, models

from core.db import per_database

TABLE = "assessments_monitoringreport"

POSTGRESQL = [
    f'ALTER TABLE {TABLE} ADD COLUMN "draft_revision" integer DEFAULT 0 NOT NULL CHECK ("draft_revision" >= 0)',
    f'ALTER TABLE {TABLE} ALTER COLUMN "draft_revision" DROP DEFAULT',
]
SQLITE = [
    f'ALTER TABLE {TABLE} ADD COLUMN "draft_revision" integer unsigned DEFAULT 0 NOT NULL '
    'CHECK ("draft_revision" >= 0)',
]
REVERSE = [f'ALTER TABLE {TABLE} DROP COLUMN "draft_revision"']


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0010_monitoring_report_periods_do_not_overlap"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="monitoringreport",
                    name="draft_revision",
                    field=models.PositiveIntegerField(default=0, editable=False),
                ),
            ],
            database_operations=[per_database(postgresql=(POSTGRESQL, REVERSE), sqlite=(SQLITE, REVERSE))],
        ),
    ]
