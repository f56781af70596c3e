"""A version records its authors when it is submitted (PolicyVersion.authors): the policy's developers then, by their
names, as the force's document-control block names a document's "Authors". Until now the library page, the overview
and the PDF named the developers *now* as the authors of every version, so a handover renamed the authors of what was
submitted years before (QA walk of 2026-12-06, MEDIUM).

For each version submitted before this migration, the authors are worked out from what the database holds: the
developers named now, with every later change of developer undone, newest first. Every change of a policy's developers
is audited on it with the parts it moved, each ``[part, from, to]`` by username ("parts": the replacement or removal
of one developer, a business-group move, a leaver's handover: lifecycle.services.people); a policy's first developers
are named when it is created, before any version is submitted. Each name is the person's name as it stands now (an
event records the username, not the name then).

A submitted version is append-only (migration 0026's trigger): that trigger is switched off for these statements by the
owner that runs migrations (the app's role cannot: core.management.commands.db_roles), as 0019 and 0027 did. Backwards,
the column goes; forwards again works the authors out afresh."""

from django.db import migrations, models

# Named as core.db.append_only_trigger_sql names it (migrations 0002, 0026).
VERSION_APPEND_ONLY = "lifecycle_policyversion_append_only_trigger"
# lifecycle.services.people.parts.DEVELOPER as this migration was written.
DEVELOPER = "developer"


def _name(user) -> str:
    """core.User.__str__ as this migration was written (a historical model has no methods)."""
    return f"{user.first_name} {user.last_name}".strip() or user.username


def _developers_then(version, named_now: set[str], moved: list) -> set[str]:
    """The usernames of the developers of ``version``'s policy when it was submitted: those named now, with each
    change of developer after the submission undone, newest first (``moved``: (when, parts) of each event)."""
    developers = set(named_now)
    for occurred_at, parts in moved:
        if occurred_at <= version.submitted_at:
            break
        for part, old, new in parts:
            if part != DEVELOPER:
                continue
            if new is not None:
                developers.discard(new)
            if old is not None:
                developers.add(old)
    return developers


def versions_record_authors(apps, schema_editor):
    versions = apps.get_model("lifecycle", "PolicyVersion")
    policies = apps.get_model("lifecycle", "Policy")
    users = apps.get_model("core", "User")
    events = apps.get_model("core", "AuditEvent")
    unrecorded = list(versions.objects.filter(submitted_at__isnull=False, authors__isnull=True).order_by("pk"))
    if not unrecorded:
        return
    through = policies.developers.through
    by_policy: dict[int, list] = {}
    for version in unrecorded:
        by_policy.setdefault(version.policy_id, []).append(version)
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE lifecycle_policyversion DISABLE TRIGGER {VERSION_APPEND_ONLY}")
    for policy_id, its_versions in by_policy.items():
        named_now = set(through.objects.filter(policy_id=policy_id).values_list("user__username", flat=True))
        # Newest first: every event of the policy that moved a part ("parts"), with when it happened.
        moved = [(occurred_at, changes["parts"]) for occurred_at, changes in
                 events.objects.filter(policy_id=policy_id, changes__has_key="parts").order_by("-sequence")
                 .values_list("occurred_at", "changes").iterator()
                 if isinstance(changes.get("parts"), list)]
        for version in its_versions:
            usernames = _developers_then(version, named_now, moved)
            people = users.objects.filter(username__in=usernames).order_by("last_name", "first_name", "username")
            versions.objects.filter(pk=version.pk, authors__isnull=True).update(
                authors=[_name(person) for person in people])
    if postgres:
        schema_editor.execute(f"ALTER TABLE lifecycle_policyversion ENABLE TRIGGER {VERSION_APPEND_ONLY}")


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycle", "0027_withdrawn_drafts_record_details"),
        # The audit events are read, not changed.
        ("core", "0015_submitted_form_repeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="policyversion",
            name="authors",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(versions_record_authors, migrations.RunPython.noop, elidable=False),
    ]
