"""Issue 11, finding 3: an audit trail that survives its database.

On the old main, a database administrator who changed an event's actor and recomputed every SHA-256 hash and
the chain head passed ``verify_audit``. Now the chain is keyed (HMAC-SHA256 under a key the database never
holds) and its head is anchored outside the database, so the same rewrite is caught through the key, and even
an insider holding the key is caught through the anchor."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from enum import Enum
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from core.audit import (
    GENESIS_HASH,
    AuditChainBroken,
    audit_anchor_write,
    audit_current_key,
    audit_log,
    audit_verify_chain,
    compute_event_hash,
    compute_event_mac,
    compute_head_mac,
)
from core.models import AuditChainHead, AuditEvent
from core.tasks import anchor_audit_chain
from tests.core.test_audit import tamper
from tests.factories import BusinessGroupFactory

FIELDS = ["sequence", "occurred_at", "actor_id", "actor_username", "action", "object_type", "object_id",
          "object_repr", "policy_id", "changes", "previous_hash"]


@pytest.fixture
def anchors(settings, tmp_path):
    """Anchoring on, to a file of this test's own."""
    path = tmp_path / "anchors" / "audit-anchor.jsonl"
    settings.POLICYHUB_AUDIT_ANCHOR_PATH = str(path)
    return path


@pytest.fixture
def chain(db):
    """Twenty events on a business group, written through audit_log."""
    group = BusinessGroupFactory()
    for number in range(20):
        record(group, f"test.event_{number}", {"n": number})
    return group


def record(obj, action="test.recorded", changes=None):
    with transaction.atomic():
        return audit_log(actor=None, action=action, obj=obj, changes=changes)


def anchor_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def rewrite_from(sequence: int, *, actor_username: str, keyed: bool) -> None:
    """What a DBA does: change one event's actor, then recompute every later hash and the chain head so every
    link holds again. ``keyed=False`` is all a DBA can do (plain SHA-256); ``keyed=True`` is an insider who also
    stole the key."""
    key_id, key = audit_current_key()
    rows = list(AuditEvent.objects.order_by("sequence").values("id", *FIELDS))
    previous = AuditEvent.objects.get(sequence=sequence - 1).hash if sequence > 1 else GENESIS_HASH
    statements, params = [], []
    for row in rows[sequence - 1:]:
        fields = {name: row[name] for name in FIELDS}
        fields["previous_hash"] = previous
        if row["sequence"] == sequence:
            fields["actor_username"] = actor_username
        new_hash = compute_event_mac(key=key, key_id=key_id, **fields) if keyed else compute_event_hash(**fields)
        statements.append("UPDATE core_auditevent SET actor_username = %s, previous_hash = %s, hash = %s "
                          "WHERE id = %s;")
        params += [fields["actor_username"], previous, new_hash, row["id"]]
        previous = new_hash
    head = AuditChainHead.objects.get()
    head_mac = compute_head_mac(key=key, last_sequence=head.last_sequence, last_hash=previous,
                                legacy_until=head.legacy_until) if keyed else head.mac
    statements.append("UPDATE core_auditchainhead SET last_hash = %s, mac = %s WHERE id = 1;")
    params += [previous, head_mac]
    # Hashes are unique: park the rows' hashes first so the rewrite never collides with itself.
    tamper("UPDATE core_auditevent SET hash = 'x' || id WHERE sequence >= %s;" + "".join(statements),
           [sequence, *params])


# --- through the key -------------------------------------------------------------------------------------------


def test_events_are_keyed_macs_not_plain_hashes(chain):
    key_id, key = audit_current_key()
    event = AuditEvent.objects.get(sequence=5)
    fields = {name: getattr(event, name) for name in FIELDS}

    assert (event.mac_algorithm, event.key_id) == ("hmac-sha256", key_id)
    assert event.hash == compute_event_mac(key=key, key_id=key_id, **fields)
    assert event.hash != compute_event_hash(**fields)


def test_dba_changing_an_actor_and_recomputing_every_hash_and_the_head_is_detected_by_the_key(chain):
    rewrite_from(7, actor_username="someone_else", keyed=False)

    report = audit_verify_chain()

    assert not report.ok
    assert report.broken_sequence in (7, 20)  # the head's seal or the first re-hashed event, whichever is met first
    assert "key" in report.message


def test_dba_downgrading_the_chain_to_unkeyed_hashes_is_detected(chain):
    """Marking every event as written before the key, recomputing plain SHA-256 and moving the head's legacy
    boundary: the head's seal is the key's, so it cannot follow."""
    rows = list(AuditEvent.objects.order_by("sequence").values("id", *FIELDS))
    previous, statements, params = GENESIS_HASH, [], []
    for row in rows:
        fields = {name: row[name] for name in FIELDS} | {"previous_hash": previous}
        new_hash = compute_event_hash(**fields)
        statements.append("UPDATE core_auditevent SET mac_algorithm = 'sha256', key_id = '', previous_hash = %s, "
                          "hash = %s WHERE id = %s;")
        params += [previous, new_hash, row["id"]]
        previous = new_hash
    tamper("UPDATE core_auditevent SET hash = 'x' || id;" + "".join(statements)
           + "UPDATE core_auditchainhead SET last_hash = %s, legacy_until = last_sequence, mac = '' WHERE id = 1;",
           [*params, previous])

    report = audit_verify_chain()

    assert not report.ok
    assert "not sealed by the audit key" in report.message


def test_one_unkeyed_event_slipped_into_a_keyed_chain_is_detected(chain):
    event = AuditEvent.objects.get(sequence=9)
    fields = {name: getattr(event, name) for name in FIELDS}
    tamper("UPDATE core_auditevent SET mac_algorithm = 'sha256', key_id = '', hash = %s WHERE id = %s",
           [compute_event_hash(**fields), event.pk])

    report = audit_verify_chain()

    assert (report.ok, report.broken_sequence) == (False, 9)
    assert "carries no MAC" in report.message


def test_a_verifier_with_another_key_reports_the_unknown_key(chain, settings):
    settings.POLICYHUB_AUDIT_KEY = "another-key-" + "k" * 40

    report = audit_verify_chain()

    assert not report.ok


def test_rotated_key_still_verifies_the_events_it_signed(chain, settings):
    old_key = settings.POLICYHUB_AUDIT_KEY
    settings.POLICYHUB_AUDIT_KEY = "the-new-audit-key-" + "n" * 40
    settings.POLICYHUB_AUDIT_PREVIOUS_KEYS = [old_key]
    record(chain, "test.after_rotation")

    report = audit_verify_chain()

    assert report.ok, report.message
    assert report.checked == 21
    assert len(set(AuditEvent.objects.values_list("key_id", flat=True))) == 2


def test_a_short_key_is_refused(chain, settings):
    settings.POLICYHUB_AUDIT_KEY = "too-short"
    with pytest.raises(ImproperlyConfigured, match="at least 32 characters"):
        record(chain)


def test_action_given_as_an_enum_is_stored_as_its_value(chain):
    class Action(str, Enum):  # noqa: UP042 (a str-mixin Enum, whose str() is not its value)
        DONE = "test.done"

    event = record(chain, Action.DONE)

    assert AuditEvent.objects.get(pk=event.pk).action == "test.done"
    assert audit_verify_chain().ok


def test_events_written_before_the_key_stay_verifiable_and_sealed(db):
    """What migration 0005 does to an existing chain: its SHA-256 events are kept and sealed by the keyed head;
    the keyed events that follow chain on from them."""
    group = BusinessGroupFactory()
    previous = GENESIS_HASH
    for sequence in (1, 2, 3):
        fields = {"sequence": sequence, "occurred_at": group_time(), "actor_id": None, "actor_username": "",
                  "action": "legacy.event", "object_type": "core.businessgroup", "object_id": str(group.pk),
                  "object_repr": str(group), "policy_id": None, "changes": {"n": sequence},
                  "previous_hash": previous}
        previous = compute_event_hash(**fields)
        AuditEvent.objects.create(**fields, hash=previous, mac_algorithm="sha256", key_id="")
    AuditChainHead.objects.create(id=1, last_sequence=3, last_hash=previous)
    migration = importlib.import_module("core.migrations.0005_audit_keyed_chain")
    migration.seal_head(django_apps, SimpleNamespace(connection=connection))
    record(group, "test.keyed")

    report = audit_verify_chain()
    assert report.ok, report.message
    assert AuditChainHead.objects.get().legacy_until == 3
    assert any("predate the audit key" in warning for warning in report.warnings)

    # Rewriting a legacy event (recomputing the legacy chain) breaks the first keyed event's link.
    rewrite_legacy = AuditEvent.objects.get(sequence=2)
    fields = {name: getattr(rewrite_legacy, name) for name in FIELDS} | {"changes": {"n": 99}}
    tamper("UPDATE core_auditevent SET changes = '{\"n\": 99}'::jsonb, hash = %s WHERE sequence = 2",
           [compute_event_hash(**fields)])
    assert audit_verify_chain().broken_sequence == 3


def group_time():
    from django.utils import timezone

    return timezone.now()


def test_production_refuses_to_start_without_an_audit_key():
    env = {"DJANGO_SECRET_KEY": "s" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
           "DATABASE_URL": "postgres://x@127.0.0.1/x", "PATH": "/usr/bin:/bin",
           "POLICYHUB_AUDIT_ANCHOR_PATH": "/tmp/anchor.jsonl"}
    code = "import policyhub.settings.production"
    for key in (None, "short", "change-me-" + "x" * 40, env["DJANGO_SECRET_KEY"]):
        run_env = dict(env) if key is None else {**env, "POLICYHUB_AUDIT_KEY": key}
        result = subprocess.run([sys.executable, "-c", code], env=run_env, capture_output=True, text=True,
                                cwd=str(django_apps.get_app_config("core").path.rsplit("/", 1)[0]), check=False)
        assert result.returncode != 0
        assert "POLICYHUB_AUDIT_KEY" in result.stderr
    good = {**env, "POLICYHUB_AUDIT_KEY": "k" * 48}
    result = subprocess.run([sys.executable, "-c", code], env=good, capture_output=True, text=True,
                            cwd=str(django_apps.get_app_config("core").path.rsplit("/", 1)[0]), check=False)
    assert result.returncode == 0, result.stderr
    without_anchor = {name: value for name, value in good.items() if name != "POLICYHUB_AUDIT_ANCHOR_PATH"}
    result = subprocess.run([sys.executable, "-c", code], env=without_anchor, capture_output=True, text=True,
                            cwd=str(django_apps.get_app_config("core").path.rsplit("/", 1)[0]), check=False)
    assert "POLICYHUB_AUDIT_ANCHOR_PATH" in result.stderr


# --- through the anchor ----------------------------------------------------------------------------------------


def test_insider_with_the_key_rewriting_anchored_events_is_detected_by_the_anchor(chain, anchors):
    assert audit_anchor_write(source="test")["sequence"] == 20
    rewrite_from(7, actor_username="someone_else", keyed=True)

    report = audit_verify_chain()

    # Every link holds (the insider re-signed them), but the anchored event #20 is no longer what was anchored.
    assert (report.ok, report.broken_sequence) == (False, 20)
    assert "differs from the anchor" in report.message


def test_the_same_keyed_rewrite_passes_without_an_anchor(chain, settings):
    """Why the anchor matters: the key alone cannot catch someone who holds it."""
    rewrite_from(7, actor_username="someone_else", keyed=True)
    assert audit_verify_chain().ok


def test_dba_changing_an_actor_and_recomputing_sha256_is_detected_by_the_anchor_too(chain, anchors):
    audit_anchor_write(source="test")
    rewrite_from(7, actor_username="someone_else", keyed=False)
    assert not audit_verify_chain().ok


def test_newest_events_deleted_and_the_head_rewound_with_the_key_is_detected_by_the_anchor(chain, anchors):
    audit_anchor_write(source="test")
    key_id, key = audit_current_key()
    event = AuditEvent.objects.get(sequence=17)
    tamper("DELETE FROM core_outboxevent WHERE audit_event_id IN (SELECT id FROM core_auditevent WHERE sequence > 17);"
           "DELETE FROM core_auditevent WHERE sequence > 17;"
           "UPDATE core_auditchainhead SET last_sequence = 17, last_hash = %s, mac = %s WHERE id = 1",
           [event.hash, compute_head_mac(key=key, last_sequence=17, last_hash=event.hash, legacy_until=0)])

    report = audit_verify_chain()

    assert not report.ok
    assert "records event #20, but the chain ends at #17" in report.message


def test_an_edited_anchor_file_is_detected(chain, anchors):
    audit_anchor_write(source="test")
    record = anchor_lines(anchors)[0]
    record["hash"] = AuditEvent.objects.get(sequence=19).hash
    anchors.write_text(json.dumps(record) + "\n")

    report = audit_verify_chain()

    assert not report.ok
    assert "bad MAC" in report.message


def test_anchors_are_appended_with_their_own_mac(chain, anchors):
    first = audit_anchor_write(source="test")
    record(chain)
    second = audit_anchor_write(source="test")

    lines = anchor_lines(anchors)
    assert [line["sequence"] for line in lines] == [20, 21]
    assert lines[0] == first and lines[1] == second
    assert {"sequence", "hash", "at", "mac", "key_id", "legacy_until", "source", "verified"} <= set(lines[0])
    assert oct(anchors.stat().st_mode & 0o777) == oct(0o640)
    assert audit_verify_chain().anchors_checked == 2


def test_a_forged_head_is_never_anchored(chain, anchors):
    tamper("UPDATE core_auditchainhead SET last_hash = %s WHERE id = 1", [AuditEvent.objects.get(sequence=3).hash])
    with pytest.raises(AuditChainBroken, match="MAC"):
        audit_anchor_write(source="test")
    assert not anchors.exists()


def test_publication_anchors_the_head_after_commit(chain, anchors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        record(chain, "policy.published")
        assert not anchors.exists()  # not before the commit: an uncommitted head may yet roll back

    (line,) = anchor_lines(anchors)
    assert (line["sequence"], line["source"]) == (21, "publication")


def test_other_events_do_not_anchor(chain, anchors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record(chain, "policy.draft_saved")
    assert not anchors.exists()


def test_beat_task_verifies_then_anchors_as_verified(chain, anchors):
    assert "20 events verified" in anchor_audit_chain()
    record(chain)
    assert "1 events verified after event #20" in anchor_audit_chain()

    assert [(line["sequence"], line["verified"], line["source"]) for line in anchor_lines(anchors)] == [
        (20, True, "beat"), (21, True, "beat")]


def test_beat_task_refuses_to_anchor_a_broken_chain(chain, anchors):
    anchor_audit_chain()
    record(chain)
    tamper("UPDATE core_auditevent SET action = 'policy.withdrawn' WHERE sequence = 21")

    with pytest.raises(AuditChainBroken, match="#21"):
        anchor_audit_chain()
    assert len(anchor_lines(anchors)) == 1


# --- the command -----------------------------------------------------------------------------------------------


def test_verify_audit_fails_on_an_anchor_break(chain, anchors):
    audit_anchor_write(source="test")
    rewrite_from(3, actor_username="someone_else", keyed=True)

    with pytest.raises(CommandError, match="differs from the anchor"):
        call_command("verify_audit")


def test_verify_audit_since_anchor_walks_only_the_new_events(chain, anchors):
    from io import StringIO

    call_command("verify_audit", stdout=StringIO(), stderr=StringIO())  # records a verified anchor at #20
    for _ in range(3):
        record(chain)
    out = StringIO()

    call_command("verify_audit", "--since-anchor", "--no-anchor", stdout=out, stderr=StringIO())

    assert "3 events verified after event #20" in out.getvalue()
    # An edit before the verified anchor is the full walk's business; an edit after it is caught incrementally.
    tamper("UPDATE core_auditevent SET action = 'policy.withdrawn' WHERE sequence = 22")
    with pytest.raises(CommandError, match="#22"):
        call_command("verify_audit", "--since-anchor", stdout=StringIO(), stderr=StringIO())


def test_verify_audit_since_anchor_checks_the_anchored_event_itself(chain, anchors):
    from io import StringIO

    call_command("verify_audit", stdout=StringIO(), stderr=StringIO())
    tamper("UPDATE core_auditevent SET hash = CASE WHEN left(hash, 1) = 'f' THEN 'e' ELSE 'f' END || substr(hash, 2) "
           "WHERE sequence = 20")

    with pytest.raises(CommandError, match="#20"):
        call_command("verify_audit", "--since-anchor", stdout=StringIO(), stderr=StringIO())


def test_verify_audit_without_an_anchor_yet_does_a_full_walk(chain, anchors):
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", "--since-anchor", "--no-anchor", stdout=out, stderr=StringIO())
    assert "20 events verified." in out.getvalue()
    assert not anchors.exists()


def test_verify_audit_shows_progress_when_asked(chain, capsys):
    from io import StringIO

    call_command("verify_audit", "--progress", "always", "--batch-size", "5", stdout=StringIO())

    bar = capsys.readouterr().err
    assert "20/20 events" in bar and "#" * 40 in bar


def test_verify_streams_with_a_server_side_cursor(chain, django_assert_max_num_queries):
    """Constant memory: rows come through an iterator in batches, never a list of the whole chain."""
    with django_assert_max_num_queries(12):
        assert audit_verify_chain(batch_size=3).ok


def test_verify_audit_succeeds_but_warns_when_the_anchor_cannot_be_written(chain, settings, tmp_path):
    from io import StringIO

    (tmp_path / "a-file").write_text("not a directory")
    settings.POLICYHUB_AUDIT_ANCHOR_PATH = str(tmp_path / "a-file" / "anchor.jsonl")
    out, err = StringIO(), StringIO()

    call_command("verify_audit", stdout=out, stderr=err)

    assert "20 events verified" in out.getvalue()
    assert "not anchored" in err.getvalue()


def test_an_unreadable_anchor_file_is_a_break(chain, settings, tmp_path):
    settings.POLICYHUB_AUDIT_ANCHOR_PATH = str(tmp_path)  # a directory
    report = audit_verify_chain()
    assert not report.ok and "cannot be read" in report.message
