"""Whether an SOP is published externally is frozen with each version, as its text is: the flag moves from the SOP
to its versions (SOPVersion). Found by a user walk: turning the SOP's one flag off while drafting a review took it off
the Publication Scheme page of the version in force at once, though that version's stored PDF kept it.

Every existing version takes the SOP's flag as it stood, which is what the Scheme showed for it until now. The
versions of submitted packages are append-only (migration 0002's trigger), so that trigger is switched off for this
one statement, by the owner that runs migrations (the app's role cannot: core.management.commands.db_roles).

The database's sop_sensitive_not_external constraint spanned one row; it now spans two tables, so on PostgreSQL it
is a pair of triggers: a version of an OFFICIAL-SENSITIVE SOP is never published externally, and an SOP with a
version published externally is never marked OFFICIAL-SENSITIVE."""

from django.db import migrations, models

from core.db import postgres_only

# Named as core.db.append_only_trigger_sql names it (migration 0002).
SOPVERSION_APPEND_ONLY = "lifecycle_sopversion_append_only_trigger"


def _run_with_sop_versions_writable(schema_editor, sql: str) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE lifecycle_sopversion DISABLE TRIGGER {SOPVERSION_APPEND_ONLY}")
    schema_editor.execute(sql)
    if postgres:
        schema_editor.execute(f"ALTER TABLE lifecycle_sopversion ENABLE TRIGGER {SOPVERSION_APPEND_ONLY}")


def versions_take_the_sops_flag(apps, schema_editor):
    _run_with_sop_versions_writable(schema_editor, (
        "UPDATE lifecycle_sopversion SET publish_externally = TRUE WHERE sop_id IN "
        "(SELECT id FROM lifecycle_standardoperatingprocedure WHERE publish_externally)"
    ))


def sops_take_their_newest_versions_flag(apps, schema_editor):
    """Backwards: the SOP's one flag again, as its newest version has it (what a new draft would carry forward)."""
    schema_editor.execute(
        "UPDATE lifecycle_standardoperatingprocedure SET publish_externally = COALESCE(("
        "SELECT v.publish_externally FROM lifecycle_sopversion v"
        " JOIN lifecycle_policyversion p ON p.id = v.policy_version_id"
        " WHERE v.sop_id = lifecycle_standardoperatingprocedure.id"
        " ORDER BY p.major DESC, p.minor DESC LIMIT 1), FALSE)"
    )


SENSITIVE_NOT_EXTERNAL = """
CREATE OR REPLACE FUNCTION lifecycle_sop_sensitive_not_external() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'lifecycle_sopversion' THEN
        IF NEW.publish_externally AND EXISTS (SELECT 1 FROM lifecycle_standardoperatingprocedure s
                WHERE s.id = NEW.sop_id AND s.protective_marking = 'official_sensitive') THEN
            RAISE EXCEPTION 'an OFFICIAL-SENSITIVE SOP is never published externally'
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF NEW.protective_marking = 'official_sensitive' AND EXISTS (SELECT 1 FROM lifecycle_sopversion v
            WHERE v.sop_id = NEW.id AND v.publish_externally) THEN
        RAISE EXCEPTION 'an SOP published externally in a version cannot be marked OFFICIAL-SENSITIVE'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS lifecycle_sopversion_sensitive_not_external ON lifecycle_sopversion;
CREATE TRIGGER lifecycle_sopversion_sensitive_not_external BEFORE INSERT OR UPDATE ON lifecycle_sopversion
    FOR EACH ROW EXECUTE FUNCTION lifecycle_sop_sensitive_not_external();
DROP TRIGGER IF EXISTS lifecycle_sop_sensitive_not_external ON lifecycle_standardoperatingprocedure;
CREATE TRIGGER lifecycle_sop_sensitive_not_external BEFORE INSERT OR UPDATE ON lifecycle_standardoperatingprocedure
    FOR EACH ROW EXECUTE FUNCTION lifecycle_sop_sensitive_not_external();
"""
SENSITIVE_NOT_EXTERNAL_REVERSE = """
DROP TRIGGER IF EXISTS lifecycle_sopversion_sensitive_not_external ON lifecycle_sopversion;
DROP TRIGGER IF EXISTS lifecycle_sop_sensitive_not_external ON lifecycle_standardoperatingprocedure;
DROP FUNCTION IF EXISTS lifecycle_sop_sensitive_not_external();
"""


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0018_in_force_indexes_by_kind")]

    operations = [
        migrations.AddField(
            model_name="sopversion",
            name="publish_externally",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(versions_take_the_sops_flag, sops_take_their_newest_versions_flag, elidable=False),
        migrations.RemoveConstraint(
            model_name="standardoperatingprocedure",
            name="sop_sensitive_not_external",
        ),
        migrations.RemoveField(
            model_name="standardoperatingprocedure",
            name="publish_externally",
        ),
        postgres_only(SENSITIVE_NOT_EXTERNAL, SENSITIVE_NOT_EXTERNAL_REVERSE),
    ]
