"""A version records its authors when it is submitted (PolicyVersion.authors): the policy's developers then, by their
names, as the force's document-control block names a document's "Authors". Until now the library page, the overview
and the PDF named the developers *now* as the authors of every version, so a handover renamed the authors of what was
submitted years before (QA walk of 2026-12-06, MEDIUM).

For each version submitted before this migration, the authors are worked out from what the database holds: the
developers named now, with every later change of developer undone, newest first. Every change of a policy's developers
is audited on it with the parts it moved, each ``[part, from, to]`` by username ("parts": the replacement or removal
of one developer, a business-group move, a leaver's handover: lifecycle.services.people); a policy's first developers
are named when it is created, before any version is submitted. A replacement names someone not yet a developer (the
service refuses one already named); a handover or a business-group move may hand a leaver's part to a developer already
named, and then undoing it keeps them, when the audit trail shows them named before it (an older event named them and
none since took them off, or they drafted or submitted a version of the policy before it; only a developer first
named when the policy was created, who never drafted, is not shown so). A version is placed among the events by the
sequence of the event of the step that froze it (which names it, in the same transaction), not by the clock. Each name
is the person's name as it stands now (an event records the username, not the name then).

A submitted version is append-only (migration 0026's trigger): that trigger is switched off for these statements by the
owner that runs migrations (the app's role cannot: core.management.commands.db_roles), as 0019 and 0027 did. Backwards,
the column goes; forwards again works the authors out afresh."""

from django.db import migrations, models
from django.db.models import Q

# Named as core.db.append_only_trigger_sql names it (migrations 0002, 0026).
VERSION_APPEND_ONLY = "lifecycle_policyversion_append_only_trigger"
# lifecycle.services.people.parts.DEVELOPER and core.events.AuditAction.POLICY_REASSIGNED as this migration was written.
DEVELOPER = "developer"
REASSIGNED = "policy.reassigned"
# The audit actions of the steps that freeze a version (lifecycle.services.drafting.freeze's callers) as this migration
# was written: a submission for quality assurance, an emergency approval and a local work instruction's approval name
# it as "version"; DCFD's confirmation that the EIA must be updated names the copy of the version in force it freezes
# as "reopened_in_version" (and that version as "version_in_force").
FREEZING_NAMING_VERSION = ("policy.submitted_for_qa", "policy.emergency_approved", "policy.local_instruction_approved")
REOPENED = "policy.review_eia_confirmed"
# The roles whose holders draft or start a version without being named developers (lifecycle.permissions.can_draft:
# a unit's manager; PCU and the Lead start drafts too): a version they drafted is no sign they were named.
DRAFT_WITHOUT_BEING_NAMED = ("manager", "pcu", "lead", "coordinator", "owner")


def _name(user) -> str:
    """core.User.__str__ as this migration was written (a historical model has no methods)."""
    return f"{user.first_name} {user.last_name}".strip() or user.username


def _developer_moves(parts) -> list[tuple[str | None, str | None]]:
    return [(old, new) for part, old, new in parts if part == DEVELOPER]


def _named_before(username: str, index: int, moves: list, drafted: list) -> bool:
    """Whether ``username`` was a developer of the policy before the event ``moves[index]`` (newest first), as the
    audit trail shows it: an older event named them and none since took them off, or they drafted one of its versions
    before it holding no role that drafts without being named (``DRAFT_WITHOUT_BEING_NAMED``; who submitted a version
    is no sign: a manager submits their unit's)."""
    sequence, occurred_at, _action, _moves = moves[index]
    for _sequence, _at, _action, older in moves[index + 1:]:
        if any(old == username for old, _new in older):
            return False
        if any(new == username for _old, new in older):
            return True
    return any(who == username and at < occurred_at for who, at in drafted)


def _developers_then(version, named_now: set[str], moves: list, drafted: list, submission: int | None) -> set[str]:
    """The usernames of the developers of ``version``'s policy when it was submitted: those named now, with each
    change of developer after the submission undone, newest first (``moves``: (sequence, when, action, developer
    moves) of each event; ``submission``: the sequence of the event of the step that froze it, when found). A
    replacement named one not yet a developer (refused otherwise); a handover or a move may name one already
    named, whose place the undoing keeps (``_named_before``)."""
    developers = set(named_now)
    for index, (sequence, occurred_at, action, developer_moves) in enumerate(moves):
        before = (sequence < submission) if submission is not None else (occurred_at <= version.submitted_at)
        if before:
            break
        for old, new in developer_moves:
            if new is not None and (action == REASSIGNED or not _named_before(new, index, moves, drafted)):
                developers.discard(new)
            if old is not None:
                developers.add(old)
    return developers


def _in_force_copied(frozen_by, authors_of: dict) -> list[str] | None:
    """The authors of the version in force that a version reopened for its EIA copies (the service names them:
    lifecycle.services.review), when ``frozen_by`` (sequence, action, changes) is that reopening; else None."""
    if frozen_by is None or frozen_by[1] != REOPENED:
        return None
    major, _, minor = str((frozen_by[2] or {}).get("version_in_force", "")).partition(".")
    if not (major.isdigit() and minor.isdigit()):
        return None
    return authors_of.get((int(major), int(minor)))


def versions_record_authors(apps, schema_editor):
    versions = apps.get_model("lifecycle", "PolicyVersion")
    roles = apps.get_model("core", "RoleAssignment")
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
        # Newest first: every event of the policy that moved a developer ("parts").
        moves = [(sequence, occurred_at, action, _developer_moves(changes["parts"]))
                 for sequence, occurred_at, action, changes in
                 events.objects.filter(policy_id=policy_id, changes__has_key="parts").order_by("-sequence")
                 .values_list("sequence", "occurred_at", "action", "changes").iterator()
                 if isinstance(changes.get("parts"), list)]
        moves = [move for move in moves if move[3]]
        drafted = list(versions.objects.filter(policy_id=policy_id).exclude(
            author__in=roles.objects.filter(role__in=DRAFT_WITHOUT_BEING_NAMED).values("user_id"))
            .values_list("author__username", "created_at"))
        # Oldest first (by pk), so that a copy of the version in force finds that version's authors worked out.
        authors_of = {(major, minor): authors for major, minor, authors in versions.objects.filter(
            policy_id=policy_id, authors__isnull=False).values_list("major", "minor", "authors")}
        for version in its_versions:
            # The step that froze it audits it in the same transaction, naming it, at or after its submission.
            number = f"{version.major}.{version.minor}"
            frozen_by = (events.objects.filter(
                Q(action__in=FREEZING_NAMING_VERSION, changes__version=number)
                | Q(action=REOPENED, changes__reopened_in_version=number),
                policy_id=policy_id, occurred_at__gte=version.submitted_at)
                .order_by("sequence").values_list("sequence", "action", "changes").first())
            copied = _in_force_copied(frozen_by, authors_of)
            if copied is not None:
                authors = copied
            else:
                usernames = _developers_then(version, named_now, moves, drafted,
                                             frozen_by[0] if frozen_by else None)
                people = users.objects.filter(username__in=usernames).order_by("last_name", "first_name", "username")
                authors = [_name(person) for person in people]
            authors_of[(version.major, version.minor)] = authors
            versions.objects.filter(pk=version.pk, authors__isnull=True).update(authors=authors)
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
