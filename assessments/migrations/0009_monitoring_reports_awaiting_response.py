"""assessments.MonitoringReportAwaitingResponse: the quality-assured monitoring reports without the Designated Lead's
response, kept by triggers on assessments_monitoringreport and assessments_monitoringresponse (whatever writes them),
and filled from the reports already there. The queue's statuses are lifecycle.monitoring_reports.QUALITY_ASSURED_REPORT_STATUSES,
written out here as a migration must be.

PostgreSQL: statement-level triggers (the bench's COPY refreshes its reports once), calling one function that works
out again, for the reports changed, whether each awaits a response. It first locks those reports' rows (FOR NO KEY
UPDATE, which an update of the report takes too), and reads in statements of its own, so that it sees what another
change of the same report committed (READ COMMITTED): a response recorded while the report was published in another
transaction would otherwise miss the row that publication wrote, and leave the report in the queue. The function runs
as the tables' owner (SECURITY DEFINER): the app's role may only read the table (``manage.py db_roles``). A lock is no
update: the append-only trigger of a published report does not fire.

SQLite (``make run``): row triggers doing the same for the report of each row (one writer at a time: no lock)."""

import django.db.models.deletion
from django.db import migrations, models

from core.db import per_database

AWAITING = "assessments_monitoringreportawaitingresponse"
QUALITY_ASSURED = "('qa_passed', 'published')"
# Each table followed: its trigger function, and the column naming the report of each of its rows.
FOLLOWERS = {
    "assessments_monitoringreport": ("assessments_awaiting_response_follow_reports", "id"),
    "assessments_monitoringresponse": ("assessments_awaiting_response_follow_responses", "report_id"),
}

POSTGRESQL = [
    f"""
CREATE OR REPLACE FUNCTION assessments_awaiting_response_refresh(reports bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM 1 FROM assessments_monitoringreport WHERE id = ANY(reports) ORDER BY id FOR NO KEY UPDATE;
    -- Read after the lock, in statements of their own: what another change of the same reports committed is seen.
    DELETE FROM {AWAITING} WHERE report_id = ANY(reports);
    INSERT INTO {AWAITING} (report_id, policy_id, qa_at)
        SELECT report.id, report.policy_id, report.qa_at FROM assessments_monitoringreport AS report
        WHERE report.id = ANY(reports) AND report.status IN {QUALITY_ASSURED}
          AND NOT EXISTS (SELECT 1 FROM assessments_monitoringresponse AS response
                          WHERE response.report_id = report.id);
END
$$
""",
    # The reports' rows changed: their ids; the responses' rows changed: the reports they answer (or answered).
    *(f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    reports bigint[] := '{{}}';
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        reports := ARRAY(SELECT id FROM assessments_monitoringreport);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        reports := reports || ARRAY(SELECT {column} FROM changed_to);
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        reports := reports || ARRAY(SELECT {column} FROM changed_from);
    END IF;
    PERFORM assessments_awaiting_response_refresh(reports);
    RETURN NULL;
END
$$
""" for function, column in FOLLOWERS.values()),
    *(statement
      for table, (function, _column) in FOLLOWERS.items()
      for statement in (
          f"CREATE TRIGGER {table}_awaiting_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS changed_to "
          f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
          f"CREATE TRIGGER {table}_awaiting_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS changed_from "
          f"NEW TABLE AS changed_to FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
          f"CREATE TRIGGER {table}_awaiting_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS changed_from "
          f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
          f"CREATE TRIGGER {table}_awaiting_truncate AFTER TRUNCATE ON {table} "
          f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
      )),
    # The reports already there: no other change can be under way on a table the migration creates.
    f"INSERT INTO {AWAITING} (report_id, policy_id, qa_at) SELECT report.id, report.policy_id, report.qa_at "
    f"FROM assessments_monitoringreport AS report WHERE report.status IN {QUALITY_ASSURED} AND NOT EXISTS "
    f"(SELECT 1 FROM assessments_monitoringresponse AS response WHERE response.report_id = report.id)",
    f"ANALYZE {AWAITING}",
]
POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {table}_awaiting_{event} ON {table}"
      for table in FOLLOWERS for event in ("insert", "update", "delete", "truncate")),
    *(f"DROP FUNCTION IF EXISTS {function}()" for function, _column in FOLLOWERS.values()),
    "DROP FUNCTION IF EXISTS assessments_awaiting_response_refresh(bigint[])",
]


def _sqlite_refresh(report: str) -> str:
    return (f"DELETE FROM {AWAITING} WHERE report_id = {report}; "
            f"INSERT INTO {AWAITING} (report_id, policy_id, qa_at) SELECT id, policy_id, qa_at "
            f"FROM assessments_monitoringreport AS report WHERE id = {report} AND status IN {QUALITY_ASSURED} "
            f"AND NOT EXISTS (SELECT 1 FROM assessments_monitoringresponse AS response "
            f"WHERE response.report_id = report.id);")


SQLITE = [
    f"CREATE TRIGGER assessments_monitoringreport_awaiting_insert AFTER INSERT ON assessments_monitoringreport "
    f"BEGIN {_sqlite_refresh('NEW.id')} END",
    f"CREATE TRIGGER assessments_monitoringreport_awaiting_update AFTER UPDATE ON assessments_monitoringreport "
    f"BEGIN {_sqlite_refresh('OLD.id')} {_sqlite_refresh('NEW.id')} END",
    f"CREATE TRIGGER assessments_monitoringreport_awaiting_delete AFTER DELETE ON assessments_monitoringreport "
    f"BEGIN DELETE FROM {AWAITING} WHERE report_id = OLD.id; END",
    f"CREATE TRIGGER assessments_monitoringresponse_awaiting_insert AFTER INSERT ON assessments_monitoringresponse "
    f"BEGIN {_sqlite_refresh('NEW.report_id')} END",
    f"CREATE TRIGGER assessments_monitoringresponse_awaiting_update AFTER UPDATE ON assessments_monitoringresponse "
    f"BEGIN {_sqlite_refresh('OLD.report_id')} {_sqlite_refresh('NEW.report_id')} END",
    f"CREATE TRIGGER assessments_monitoringresponse_awaiting_delete AFTER DELETE ON assessments_monitoringresponse "
    f"BEGIN {_sqlite_refresh('OLD.report_id')} END",
    f"INSERT INTO {AWAITING} (report_id, policy_id, qa_at) SELECT id, policy_id, qa_at "
    f"FROM assessments_monitoringreport AS report WHERE status IN {QUALITY_ASSURED} AND NOT EXISTS "
    f"(SELECT 1 FROM assessments_monitoringresponse AS response WHERE response.report_id = report.id)",
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {table}_awaiting_{event}"
                  for table in FOLLOWERS for event in ("insert", "update", "delete")]


class Migration(migrations.Migration):

    dependencies = [
        # After the reports' marking (0008): that migration rebuilds the reports' table on SQLite, which the SQLite
        # triggers below, naming the table, would refuse ("error in trigger ...: no such table"). A later migration
        # that rebuilds either table on SQLite must drop these triggers first and create them again after.
        ('assessments', '0008_monitoring_report_protective_marking'),
        ('lifecycle', '0024_policy_proposed_protective_marking'),
    ]

    operations = [
        migrations.CreateModel(
            name='MonitoringReportAwaitingResponse',
            fields=[
                ('report', models.OneToOneField(on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='awaiting_response', serialize=False, to='assessments.monitoringreport')),
                ('qa_at', models.DateTimeField(null=True)),
                ('policy', models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='lifecycle.policy')),
            ],
            options={
                'indexes': [models.Index(fields=['qa_at', 'report'], name='monitoring_awaiting_queue_idx')],
            },
        ),
        per_database(postgresql=(POSTGRESQL, POSTGRESQL_REVERSE), sqlite=(SQLITE, SQLITE_REVERSE)),
    ]
