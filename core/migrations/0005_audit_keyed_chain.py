"""Key the audit chain (issue 11, finding 3).

Existing events keep their plain SHA-256 and are marked ``sha256``: re-chaining them under the key would sign
whatever had been done to them before and destroy the evidence of it. They are sealed instead: the chain head
records how many there are (``legacy_until``) under the key's MAC, so an unkeyed event after them is a break,
and the first keyed event MACs the last of them as its previous_hash, so none of them can change unnoticed.
This migration therefore needs POLICYHUB_AUDIT_KEY, as the app itself does."""

from django.db import migrations, models

from core.audit import audit_current_key, compute_head_mac


def seal_head(apps, schema_editor):
    head = apps.get_model("core", "AuditChainHead").objects.using(schema_editor.connection.alias).filter(id=1).first()
    if head is None:
        return
    _key_id, key = audit_current_key()
    head.legacy_until = head.last_sequence
    head.mac = compute_head_mac(key=key, last_sequence=head.last_sequence, last_hash=head.last_hash,
                                legacy_until=head.legacy_until)
    head.save(update_fields=["legacy_until", "mac"])


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_policy_timeline_index")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="mac_algorithm",
            field=models.CharField(db_default="sha256", editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="legacy_until",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(seal_head, migrations.RunPython.noop, elidable=False),
    ]
