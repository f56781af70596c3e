"""The content hash covers whether each SOP is published externally (rule 17: a decision binds to what was read).

Migration 0019 froze the flag with each version (SOPVersion.publish_externally), but the hash did not cover it: a
decision bound to a draft's hash (the Lead's request for emergency approval, a Lead's agreement to a local work
instruction, any decision page) did not notice the flag changing, and what went on the public Publication Scheme could
differ from what was read. PolicyVersion.hash_covers_sop_flags says whether a version's hash covers the flags.

A version submitted before this migration keeps False: its stored hash did not cover them and must still verify (its
row is append-only, so nothing here writes it; adding a column writes no row). Drafts take True, as every version
drafted from now on does: a decision already bound to such a draft's hash (an emergency request PCU has not answered,
a Lead's agreement to a local work instruction) no longer matches it, and is read and made again; erring that way
binds nothing to a flag nobody was shown to be covered.

Backwards the column goes, and with it what says which hashes cover the flags: a version submitted since, holding an
SOP, would no longer recompute to the hash stored with it (under the code before this migration, or this one applied
again). So going back is refused while there is such a version, naming it: restore a backup taken before instead."""

from django.db import migrations, models


def drafts_hash_the_flags(apps, schema_editor):
    PolicyVersion = apps.get_model("lifecycle", "PolicyVersion")
    PolicyVersion.objects.filter(submitted_at__isnull=True).update(hash_covers_sop_flags=True)


def refuse_while_hashes_cover_flags(apps, schema_editor):
    PolicyVersion = apps.get_model("lifecycle", "PolicyVersion")
    covered = list(PolicyVersion.objects.filter(submitted_at__isnull=False, hash_covers_sop_flags=True,
                                                sop_versions__isnull=False).distinct()
                   .order_by("policy__reference", "major", "minor")
                   .values_list("policy__reference", "major", "minor"))
    if covered:
        named = ", ".join(f"{reference} v{major}.{minor}" for reference, major, minor in covered[:10])
        more = f" and {len(covered) - 10} more" if len(covered) > 10 else ""
        raise RuntimeError(
            f"lifecycle 0020 cannot be reversed: {len(covered)} submitted version(s) ({named}{more}) hold SOPs and "
            "were hashed with their 'publish externally' flags; without hash_covers_sop_flags their stored hashes "
            "would no longer verify. Restore a backup taken before 0020 instead.")


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0019_sop_publish_externally_per_version")]

    operations = [
        # Every existing row takes False (the column's default while it is added), drafts then True.
        migrations.AddField(
            model_name="policyversion",
            name="hash_covers_sop_flags",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(drafts_hash_the_flags, refuse_while_hashes_cover_flags, elidable=False),
        migrations.AlterField(
            model_name="policyversion",
            name="hash_covers_sop_flags",
            field=models.BooleanField(default=True, editable=False),
        ),
    ]
