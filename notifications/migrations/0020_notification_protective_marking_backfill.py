"""Migration 0019 added Notification.protective_marking, the marking of an item's policy when the item was written,
which every writer records from now on and the inbox, the header's count and the digest read with the policy's marking
now (notifications.selectors.withheld_unless_cleared; security review of 2026-12-06: an item of version 1.0, written
while the policy was OFFICIAL-SENSITIVE, came back to a co-ordinator whose role was revoked once a review retitled the
policy and published it OFFICIAL). 0019 gave every item written before it OFFICIAL; here each item about a policy takes
OFFICIAL-SENSITIVE where the database says, or cannot rule out, that its policy was OFFICIAL-SENSITIVE when it was
written. Its "time" is its ``created_at``, and the version in force then is that of the policy's latest publication
with status "published" and ``published_at`` at or before it. It is marked OFFICIAL-SENSITIVE if:

  - its policy is not OFFICIAL now (read so already; recorded too, so that the item stays withheld if the policy is
    re-marked OFFICIAL later);
  - the version in force then was frozen OFFICIAL-SENSITIVE (``PolicyVersion.details`` ->> 'protective_marking');
  - the version in force then was frozen OFFICIAL, and a re-marking of the policy after that publication and up to
    the item (a ``policy.details_changed`` event) names OFFICIAL-SENSITIVE anywhere in what it changed: a review's
    re-marking up is in force at once (lifecycle.services.details), and one re-marked back down again before the item
    counts too;
  - there was no version in force then (the policy not yet published: a re-marking is in force at once either way),
    or the one in force records no marking (frozen before versions recorded their details): its creation or a
    re-marking up to the item (``policy.created``, ``policy.details_changed``) names OFFICIAL-SENSITIVE anywhere, or
    there is no record of its creation up to the item at all.

Erring that way (conservative wins): those cleared for the policy's business group still see every such item, as
they did; someone not cleared sees no item that might have been written under OFFICIAL-SENSITIVE, though a few written
under OFFICIAL (a policy created OFFICIAL-SENSITIVE and re-marked OFFICIAL before its first publication, say) are
withheld from them too. Items about no policy (a leaver's handover notice, the count of policies to read) stay
OFFICIAL. An item is never updated otherwise, and no trigger guards this table (items are marked read and closed).

Only the items of a policy that could have been OFFICIAL-SENSITIVE at some time are read item by item: those of a
policy not OFFICIAL now, with a published version frozen otherwise than OFFICIAL, whose creation or a re-marking names
OFFICIAL-SENSITIVE, or with no record of its creation. The same SQL on PostgreSQL and SQLite. Backwards, 0019 drops the
column."""

from django.db import migrations

OFFICIAL, SENSITIVE = "official", "official_sensitive"
CREATED, DETAILS_CHANGED = "policy.created", "policy.details_changed"

# Whether an audit event's changes (alias a) name OFFICIAL-SENSITIVE anywhere, as a value or as shown.
NAMES_SENSITIVE = (f"(LOWER(CAST(a.changes AS TEXT)) LIKE '%{SENSITIVE}%' "
                   "OR LOWER(CAST(a.changes AS TEXT)) LIKE '%official-sensitive%')")


def _sql(vendor: str) -> str:
    """The one UPDATE. Every value is a constant of this module, written into the SQL (no parameters)."""
    frozen = ("v.details ->> 'protective_marking'" if vendor == "postgresql"
              else "json_extract(v.details, '$.protective_marking')")
    # The publication in force when the item (n) was written: what ``what`` asks of it; NULL for none.
    in_force = ("(SELECT {what} FROM publication_publication pub "
                "JOIN lifecycle_policyversion v ON v.id = pub.policy_version_id "
                "WHERE pub.policy_id = n.policy_id AND pub.status = 'published' AND pub.published_at <= n.created_at "
                "ORDER BY pub.published_at DESC, pub.id DESC LIMIT 1)")
    # Its frozen marking, '' where it records none.
    in_force_marking = in_force.format(what=f"COALESCE({frozen}, '')")
    in_force_at = in_force.format(what="pub.published_at")
    # The policies whose items could have been written under OFFICIAL-SENSITIVE.
    candidates = (
        f"SELECT p.id FROM lifecycle_policy p WHERE p.protective_marking <> '{OFFICIAL}' "  # noqa: S608
        "OR EXISTS (SELECT 1 FROM publication_publication pub JOIN lifecycle_policyversion v "
        "ON v.id = pub.policy_version_id WHERE pub.policy_id = p.id AND pub.status = 'published' "
        f"AND COALESCE({frozen}, '') <> '{OFFICIAL}') "
        "OR EXISTS (SELECT 1 FROM core_auditevent a WHERE a.policy_id = p.id "
        f"AND a.action IN ('{CREATED}', '{DETAILS_CHANGED}') AND {NAMES_SENSITIVE}) "
        f"OR NOT EXISTS (SELECT 1 FROM core_auditevent a WHERE a.policy_id = p.id AND a.action = '{CREATED}')")
    # A re-marking after the version in force was published, up to the item, that names OFFICIAL-SENSITIVE.
    remarked_since = (
        f"EXISTS (SELECT 1 FROM core_auditevent a WHERE a.policy_id = n.policy_id AND a.action = '{DETAILS_CHANGED}' "  # noqa: S608
        f"AND a.occurred_at > {in_force_at} AND a.occurred_at <= n.created_at AND {NAMES_SENSITIVE})")
    # Its creation or a re-marking up to the item names OFFICIAL-SENSITIVE, or its creation is not recorded by then.
    named_until = (
        "(EXISTS (SELECT 1 FROM core_auditevent a WHERE a.policy_id = n.policy_id "  # noqa: S608
        f"AND a.action IN ('{CREATED}', '{DETAILS_CHANGED}') AND a.occurred_at <= n.created_at AND {NAMES_SENSITIVE}) "
        f"OR NOT EXISTS (SELECT 1 FROM core_auditevent a WHERE a.policy_id = n.policy_id AND a.action = '{CREATED}' "
        "AND a.occurred_at <= n.created_at))")
    return (
        f"UPDATE notifications_notification SET protective_marking = '{SENSITIVE}' WHERE id IN ("  # noqa: S608
        "SELECT n.id FROM notifications_notification n JOIN lifecycle_policy p ON p.id = n.policy_id "
        f"WHERE n.protective_marking = '{OFFICIAL}' AND n.policy_id IN ({candidates}) AND ("
        f"p.protective_marking <> '{OFFICIAL}' "
        f"OR {in_force_marking} = '{SENSITIVE}' "
        f"OR ({in_force_marking} = '{OFFICIAL}' AND {remarked_since}) "
        f"OR (COALESCE({in_force_marking}, '') NOT IN ('{OFFICIAL}', '{SENSITIVE}') AND {named_until})))"
    )


def items_take_the_marking_they_were_written_under(apps, schema_editor):
    schema_editor.execute(_sql(schema_editor.connection.vendor), params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0019_notification_protective_marking'),
        # Read, not changed: the policies, their versions, publications and audit events.
        ('lifecycle', '0030_version_withdrawn_has_marking'),
        ('publication', '0010_publication_on_scheme_idx'),
        ('core', '0015_submitted_form_repeat'),
    ]

    operations = [
        migrations.RunPython(items_take_the_marking_they_were_written_under, migrations.RunPython.noop,
                             elidable=False),
    ]
