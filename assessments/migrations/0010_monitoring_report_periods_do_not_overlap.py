"""A monitoring report may be discarded (its status ``discarded``), and on PostgreSQL no two of a policy's reports
that hold their period (all but the discarded) cover the same day.

SOP, stage 6: monitoring reports "on an annual basis": each day of a policy's life in force is reported once. The
service refuses an overlapping period under the policy's row lock (assessments.services.monitoring_periods, which
SQLite relies on); this exclusion constraint refuses it whatever writes the row (the admin, plain SQL). Periods are
half-open, [start, end): the day one report ends is the day the next begins (seed_demo's reports are so).
btree_gist lets the constraint compare the policy's id by equality; it is a trusted extension (PostgreSQL 13+), so
the database's owner, who runs migrations, may create it.

A database where the fault already let overlapping periods in (QA's walk) must have them resolved first: the
migration names them rather than fail on the constraint's own message."""

from django.db import migrations
import django_fsm

CONSTRAINT = "assessments_monitoring_periods_do_not_overlap"
TABLE = "assessments_monitoringreport"
PERIOD = "daterange(period_start, period_end, '[)')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"ALTER TABLE {TABLE} ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist (policy_id WITH =, {PERIOD} WITH &&) "
    "WHERE (status <> 'discarded')",
]
REVERSE = [f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {CONSTRAINT}"]

OVERLAPPING = f"""
SELECT a.id, b.id FROM {TABLE} a JOIN {TABLE} b
  ON a.policy_id = b.policy_id AND a.id < b.id AND a.period_start < b.period_end AND b.period_start < a.period_end
 WHERE a.status <> 'discarded' AND b.status <> 'discarded'
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OVERLAPPING)
        pairs = cursor.fetchall()
    if pairs:
        raise RuntimeError(
            "Monitoring reports of one policy cover the same days (report ids): "
            + ", ".join(f"{first} and {second}" for first, second in pairs)
            + ". Discard the draft of each pair started by mistake (assessments.services.monitoring_report_discard) "
            "or correct its period, then migrate again.")
    for statement in FORWARD:
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0009_monitoring_reports_awaiting_response")]
    operations = [
        migrations.AlterField(
            model_name="monitoringreport",
            name="status",
            field=django_fsm.FSMField(
                choices=[("draft", "Draft"), ("submitted", "With the co-ordinator for quality assurance"),
                         ("qa_passed", "Quality assured: with PCU for publication"), ("published", "Published"),
                         ("discarded", "Discarded")],
                default="draft", max_length=50, protected=True),
        ),
        migrations.RunPython(forward, reverse, elidable=False),
    ]
