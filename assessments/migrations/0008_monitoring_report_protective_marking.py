"""A monitoring report records the protective marking it was written under (MonitoringReport.protective_marking), as a
version freezes its own in its details. Until now a report was read by its policy's marking as it stands, so a report
published while the policy was OFFICIAL-SENSITIVE became readable by all staff, and its published sections by the
public on the Publication Scheme, once a review's OFFICIAL version was published.

What each existing report takes, and why. The service records the strictest marking the policy was in force with
while the report was written, submitted and published. For the reports already written, that history is read from
what the database holds of it:
  - the versions in force while the report was worked on: each publication from the one in force when the report
    was started (not superseded before it) to the one in force when it was published (or now, for a report not yet
    published), with the marking its version was frozen with (PolicyVersion.details). A review's downgrade comes
    into force only with its version's publication, so a report made while an OFFICIAL-SENSITIVE version was in force
    is found OFFICIAL-SENSITIVE here;
  - the policy's marking now. A re-marking up during a review is in force at once, before any version carries it,
    and only the audit trail records when: a report made then would not be found by its versions alone. Taking the
    policy's marking now as well errs the safe way: a report of a policy marked OFFICIAL-SENSITIVE now is so (as it
    is read today), and stays so should a later review mark the policy OFFICIAL. It can only mark a report higher than
    it was written under (an OFFICIAL report of a policy re-marked up since), never lower: those cleared for the
    business group still read it, and nobody reads it who could not read it today.
A version published before versions recorded their details has no marking in them; the policy's marking now stands
for it, as above.

Published reports are append-only (migration 0004's trigger): that trigger is switched off for this one statement, by
the owner that runs migrations (the app's role cannot: core.management.commands.db_roles), as lifecycle's 0019 does
for the versions. The library's rows of these reports take the marking in library's migration 0006."""

from django.db import migrations, models

# Named as core.db.append_only_trigger_sql names it (migration 0004).
REPORT_APPEND_ONLY = "assessments_monitoringreport_append_only_trigger"


def _sensitive_reports_sql(vendor: str) -> str:
    postgres = vendor == "postgresql"
    version_marking = ("v.details ->> 'protective_marking'" if postgres
                       else "json_extract(v.details, '$.protective_marking')")
    now = "now()" if postgres else "CURRENT_TIMESTAMP"
    return f"""
UPDATE assessments_monitoringreport SET protective_marking = 'official_sensitive'
WHERE policy_id IN (SELECT id FROM lifecycle_policy WHERE protective_marking = 'official_sensitive')
   OR EXISTS (
        SELECT 1 FROM publication_publication p JOIN lifecycle_policyversion v ON v.id = p.policy_version_id
        WHERE p.policy_id = assessments_monitoringreport.policy_id AND p.status = 'published'
          AND {version_marking} = 'official_sensitive'
          AND p.published_at <= COALESCE(assessments_monitoringreport.published_at, {now})
          AND (p.superseded_at IS NULL OR p.superseded_at > assessments_monitoringreport.created_at))
"""


def reports_take_the_marking_they_were_written_under(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE assessments_monitoringreport DISABLE TRIGGER {REPORT_APPEND_ONLY}")
    schema_editor.execute(_sensitive_reports_sql(vendor))
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE assessments_monitoringreport ENABLE TRIGGER {REPORT_APPEND_ONLY}")


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0007_monitoring_report_queue_index"),
        ("lifecycle", "0024_policy_proposed_protective_marking"),
        # The publications say which version was in force when: read, not changed.
        ("publication", "0010_publication_on_scheme_idx"),
    ]

    operations = [
        # Every existing report OFFICIAL first (a default for this migration only: the service sets each new one)...
        migrations.AddField(
            model_name="monitoringreport",
            name="protective_marking",
            field=models.CharField(choices=[("official", "OFFICIAL"), ("official_sensitive", "OFFICIAL-SENSITIVE")],
                                   default="official", editable=False, max_length=20),
            preserve_default=False,
        ),
        # ... then OFFICIAL-SENSITIVE where it was written under that marking (above). Backwards, the column goes.
        migrations.RunPython(reports_take_the_marking_they_were_written_under, migrations.RunPython.noop,
                             elidable=False),
        migrations.AddConstraint(
            model_name="monitoringreport",
            constraint=models.CheckConstraint(
                condition=models.Q(("protective_marking__in", ["official", "official_sensitive"])),
                name="monitoring_report_is_marked"),
        ),
    ]
