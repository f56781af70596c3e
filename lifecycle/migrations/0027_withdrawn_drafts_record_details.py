"""A review draft withdrawn before it was submitted records the details it had, its protective marking among them, as
a submitted version does (PolicyVersion.details; lifecycle.services.review_draft._details_withdrawn from now on).
Until now withdrawing set only ``withdrawn_at``: such a draft kept no details, so the readers of a version's frozen
marking (lifecycle.selectors.FROZEN_SENSITIVE) never found it OFFICIAL-SENSITIVE, and once a later review published the
policy OFFICIAL its statement, its number and the Lead's reason for withdrawing it reached staff not cleared for them
(security review, HIGH).

What each such version takes, from what the database holds of the moment it was withdrawn (the withdrawal's audit
event, ``policy.review_draft_withdrawn``, names it among its "withdrawn_versions"):
  - the marking: the service records the policy's marking in force while the draft was written, never a downgrade it
    proposed. Here OFFICIAL only when everything says so: the version in force the event names was frozen OFFICIAL,
    the policy is OFFICIAL now, and no event of the policy up to the withdrawal records OFFICIAL-SENSITIVE anywhere in
    what it changed (its creation, a re-marking, a raise during the review: lifecycle.services.details records each);
    OFFICIAL-SENSITIVE otherwise, and with no such event. Erring that way, those cleared for the business group still
    read it, and nobody reads it who could not while it was drafted;
  - the other details: those of the version in force the event names, which the draft started from (a review drafts
    on the policy's details, the version in force's) and the withdrawal put back on the policy; with none recorded
    (published before versions recorded their details), the policy's as they stand, which every page read for the
    draft until now (PolicyVersion.details_read).
A version submitted before it was withdrawn keeps the details it was frozen with (or none, for one frozen before
versions recorded them): its content hash covers them as they are.

A withdrawn version is append-only (migration 0026's trigger): that trigger is switched off for these statements by the
owner that runs migrations (the app's role cannot: core.management.commands.db_roles), as 0019 did. Backwards, nothing
is undone: the details recorded stay, and forwards again finds nothing left to record."""

import json

from django.db import migrations

# Named as core.db.append_only_trigger_sql names it (migrations 0002, 0026).
VERSION_APPEND_ONLY = "lifecycle_policyversion_append_only_trigger"
WITHDRAWN = "policy.review_draft_withdrawn"
OFFICIAL, SENSITIVE = "official", "official_sensitive"
# lifecycle.details.DETAIL_FIELDS as this migration was written.
DETAIL_NAMES = ("title", "purpose", "relevant_to", "protective_marking", "suitable_for_publication_scheme",
                "risk_tier", "registered_file_reference", "legislation_links")


def _details_now(policy) -> dict:
    """lifecycle.details.details_of as this migration was written: the policy's details, a review's proposed title and
    marking being the draft's."""
    details = {name: ([dict(link) for link in (policy.legislation_links or [])] if name == "legislation_links"
                      else getattr(policy, name)) for name in DETAIL_NAMES}
    details["title"] = policy.proposed_title or policy.title
    details["protective_marking"] = policy.proposed_protective_marking or policy.protective_marking
    return details


def _names_sensitive(changes) -> bool:
    """Whether an event's changes say OFFICIAL-SENSITIVE anywhere, as a value or as shown ("OFFICIAL-SENSITIVE")."""
    text = json.dumps(changes, default=str).lower()
    return SENSITIVE in text or "official-sensitive" in text


def _number(version) -> str:
    return f"{version.major}.{version.minor}"


def _recorded(version, versions, events) -> dict:
    policy = version.policy
    withdrawal = next((event for event in events.filter(policy_id=policy.pk, action=WITHDRAWN).order_by("sequence")
                       if _number(version) in (event.changes or {}).get("withdrawn_versions", [])), None)
    in_force = None
    if withdrawal is not None and (withdrawal.changes or {}).get("version_in_force"):
        major, _, minor = withdrawal.changes["version_in_force"].partition(".")
        in_force = versions.filter(policy_id=policy.pk, major=int(major), minor=int(minor)).first()
    in_force_details = in_force.details if in_force is not None else None
    details = dict(in_force_details) if in_force_details else _details_now(policy)
    official = (
        withdrawal is not None
        and (in_force_details or {}).get("protective_marking") == OFFICIAL
        and policy.protective_marking == OFFICIAL
        and not any(_names_sensitive(changes) for changes in events.filter(
            policy_id=policy.pk, sequence__lte=withdrawal.sequence).values_list("changes", flat=True).iterator())
    )
    details["protective_marking"] = OFFICIAL if official else SENSITIVE
    return details


def withdrawn_drafts_record_details(apps, schema_editor):
    versions = apps.get_model("lifecycle", "PolicyVersion")
    events = apps.get_model("core", "AuditEvent")
    unrecorded = list(versions.objects.filter(withdrawn_at__isnull=False, submitted_at__isnull=True,
                                              details__isnull=True).select_related("policy").order_by("pk"))
    if not unrecorded:
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE lifecycle_policyversion DISABLE TRIGGER {VERSION_APPEND_ONLY}")
    for version in unrecorded:
        versions.objects.filter(pk=version.pk, details__isnull=True).update(
            details=_recorded(version, versions.objects, events.objects))
    if postgres:
        schema_editor.execute(f"ALTER TABLE lifecycle_policyversion ENABLE TRIGGER {VERSION_APPEND_ONLY}")


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycle", "0026_review_draft_withdrawn"),
        # The withdrawals' audit events are read, not changed.
        ("core", "0014_submitted_form"),
    ]

    operations = [
        migrations.RunPython(withdrawn_drafts_record_details, migrations.RunPython.noop, elidable=False),
    ]
