"""A withdrawn version records the marking it was read under (``PolicyVersion.withdrawn_marking``): the policy's marking
in force when it was withdrawn, never a downgrade the review proposed. A version submitted during a review is frozen
with the details it was submitted with, a proposed downgrade among them (its content hash covers them), so withdrawing
the review left it frozen OFFICIAL: once a later review published the policy OFFICIAL, its statement, its number and
the Lead's reason for withdrawing it reached staff not cleared for OFFICIAL-SENSITIVE material, though the downgrade was
never approved (the open item of the notes since 2026-12-05; 0027 mended the drafts never submitted, which take their
details when withdrawn). Every reader of a version's frozen marking reads both (lifecycle.selectors.frozen_sensitive).

On PostgreSQL migration 0026's trigger is widened to match: the one UPDATE that marks a submitted version withdrawn may
set ``withdrawn_marking`` with ``withdrawn_at``, and nothing else; once withdrawn, neither changes again.

What each version withdrawn before now takes:
  - one never submitted: the marking its details record, which the withdrawal (or 0027) recorded as the marking in
    force (lifecycle.services.review_draft._details_withdrawn);
  - one submitted: the marking in force as 0027 works it out from the withdrawal's audit event, OFFICIAL only when
    everything says so (the version in force it names was frozen OFFICIAL, the policy is OFFICIAL now, and no event of
    the policy up to the withdrawal records OFFICIAL-SENSITIVE), or OFFICIAL-SENSITIVE when its own details say so.
    Erring that way, those cleared for the business group still read it, and nobody reads it who could not while it
    was drafted.

The statements that record them switch the trigger off, as the owner that runs migrations may (the app's role cannot:
core.management.commands.db_roles), as 0019, 0027 and 0028 did. Backwards, the column goes and the trigger is
0026's."""

import importlib

from django.db import migrations, models

from core.db import append_only_trigger_sql, postgres_only

# Named as core.db.append_only_trigger_sql names it (migrations 0002, 0026).
VERSION_APPEND_ONLY = "lifecycle_policyversion_append_only_trigger"
OFFICIAL, SENSITIVE = "official", "official_sensitive"
MESSAGE = "a submitted or withdrawn policy version is frozen: UPDATE and DELETE are refused"

version_forward, _ = append_only_trigger_sql(
    "lifecycle_policyversion",
    when="(OLD.submitted_at IS NOT NULL OR OLD.withdrawn_at IS NOT NULL)"
    " AND NOT (TG_OP = 'UPDATE' AND OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL"
    " AND (to_jsonb(NEW) - 'withdrawn_at' - 'withdrawn_marking') = (to_jsonb(OLD) - 'withdrawn_at' - 'withdrawn_marking'))",
    message=MESSAGE,
)
# Migration 0026's, for the way back.
version_before, _ = append_only_trigger_sql(
    "lifecycle_policyversion",
    when="(OLD.submitted_at IS NOT NULL OR OLD.withdrawn_at IS NOT NULL)"
    " AND NOT (TG_OP = 'UPDATE' AND OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL"
    " AND (to_jsonb(NEW) - 'withdrawn_at') = (to_jsonb(OLD) - 'withdrawn_at'))",
    message=MESSAGE,
)


def _marking_in_force(version, versions, events) -> str:
    """0027's reading of the marking a withdrawn version was read under (its ``_recorded``), as that migration was
    written; its own details' marking when that is OFFICIAL-SENSITIVE."""
    recorded = importlib.import_module("lifecycle.migrations.0027_withdrawn_drafts_record_details")._recorded
    if (version.details or {}).get("protective_marking") == SENSITIVE:
        return SENSITIVE
    if version.submitted_at is None and version.details:
        return version.details.get("protective_marking") or SENSITIVE
    return recorded(version, versions, events)["protective_marking"]


def withdrawn_versions_record_marking(apps, schema_editor):
    versions = apps.get_model("lifecycle", "PolicyVersion")
    events = apps.get_model("core", "AuditEvent")
    unrecorded = list(versions.objects.filter(withdrawn_at__isnull=False, withdrawn_marking="")
                      .select_related("policy").order_by("pk"))
    if not unrecorded:
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE lifecycle_policyversion DISABLE TRIGGER {VERSION_APPEND_ONLY}")
    for version in unrecorded:
        versions.objects.filter(pk=version.pk, withdrawn_marking="").update(
            withdrawn_marking=_marking_in_force(version, versions.objects, events.objects))
    if postgres:
        schema_editor.execute(f"ALTER TABLE lifecycle_policyversion ENABLE TRIGGER {VERSION_APPEND_ONLY}")


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycle", "0028_version_authors"),
        # The withdrawals' audit events are read, not changed.
        ("core", "0014_submitted_form"),
    ]

    operations = [
        migrations.AddField(
            model_name="policyversion",
            name="withdrawn_marking",
            field=models.CharField(blank=True, choices=[("official", "OFFICIAL"),
                                                        ("official_sensitive", "OFFICIAL-SENSITIVE")],
                                   default="", editable=False, max_length=20),
        ),
        postgres_only(version_forward, version_before),
        migrations.RunPython(withdrawn_versions_record_marking, migrations.RunPython.noop, elidable=False),
    ]
