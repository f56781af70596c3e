"""Issue 16: verify_audit over a million events in seconds, as strong as before.

The walk no longer reads model rows: PostgreSQL sends each event as text, ``event_payload`` writes the canonical
JSON field by field, ``Sha256Mac`` MACs it with the key's pads hashed once, and a long walk is split across worker
processes that share the verifier's snapshot. Each shortcut is proven here against what it replaces: the payload
byte for byte against ``json.dumps`` of the event (so chains written before still verify), the MAC against
``hmac.digest``, the rows PostgreSQL sends against the events audit_log wrote (awkward content included), and a
walk in worker processes against one walk here, tampering at the seams between their ranges included."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from core.audit import audit_keyring, audit_log, audit_verify_chain
from core.audit.keys import Sha256Mac, compute_event_hash, compute_event_mac
from core.audit.walk import RowChecker, django_batches, postgresql_batches, stitch
from core.models import AuditChainHead, AuditEvent
from core.models.audit import ALGORITHM_HMAC_SHA256
from tests.core.test_audit import delete_events, tamper
from tests.factories import BusinessGroupFactory

AWKWARD_CHANGES = [
    {},
    {"note": "plain"},
    {"title": "Réassigned – with “quotes”, an emoji 😀 and a\u2028line separator"},
    {"control": "tab\there, new\nline, bell\x07, delete\x7f, nul-free", "slash": "a\\b \"quoted\" </script>"},
    {"z": 1, "é": 2, "a": 3, "A": 4, "_": 5, "10": 6, "9": 7},
    {"status": ["scoping", "development"], "review_due_on": ["2026-01-01", None], "flags": [True, False, None]},
    {"values": {"purpose": {"before": "old", "after": ["new", {"deep": {"deeper": [1, 2, {"k": "é"}]}}]}}},
    {"numbers": [0, -1, 2**70, -(2**70), 1.5, 0.1, 1e-07, 123.456, 100.0]},
    {"empty": {"list": [], "dict": {}, "string": ""}},
]
MOMENTS = [dt.datetime(2026, 12, 3, 11, 0, 0, tzinfo=dt.UTC), dt.datetime(2026, 12, 3, 11, 0, 0, 120, tzinfo=dt.UTC),
           dt.datetime(1999, 1, 2, 3, 4, 5, 999999, tzinfo=dt.UTC)]


def reference_payload(fields: dict, *, keyed: dict | None = None) -> bytes:
    """The payload's definition, as the chain was first written: json.dumps of the event's content, sorted keys,
    no spaces, ASCII."""
    body = {**fields, "occurred_at": fields["occurred_at"].isoformat(), "object_id": str(fields["object_id"]),
            **(keyed or {})}
    return json.dumps(body, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")).encode("utf-8")


def event_fields(changes: dict, occurred_at: dt.datetime, **overrides) -> dict:
    return {"sequence": 42, "occurred_at": occurred_at, "actor_id": 7, "actor_username": "dévelopeur\t1",
            "action": "policy.reassigned", "object_type": "lifecycle.policy", "object_id": "1234",
            "object_repr": "POL-001234 “Stop” and \\search\\", "policy_id": 1234,
            "changes": json.loads(json.dumps(changes)), "previous_hash": "ab" * 32, **overrides}


@pytest.mark.parametrize("changes", AWKWARD_CHANGES)
@pytest.mark.parametrize("occurred_at", MOMENTS)
@pytest.mark.parametrize("overrides", [{}, {"actor_id": None, "policy_id": None, "actor_username": ""}])
def test_the_payload_is_the_json_dumps_of_the_event_byte_for_byte(changes, occurred_at, overrides):
    fields = event_fields(changes, occurred_at, **overrides)
    key, key_id = b"k" * 40, "0123456789abcdef"

    keyed = reference_payload(fields, keyed={"algorithm": ALGORITHM_HMAC_SHA256, "key_id": key_id})
    assert compute_event_mac(key=key, key_id=key_id, **fields) == hmac.digest(key, keyed, "sha256").hex()
    assert compute_event_hash(**fields) == hashlib.sha256(reference_payload(fields)).hexdigest()


@pytest.mark.parametrize("length", [32, 63, 64, 65, 200])
def test_the_walks_hmac_is_hmac_sha256(length):
    key = bytes(range(256))[:length] if length <= 256 else b"x" * length
    mac = Sha256Mac(key)
    for message in [b"", b"a", b"x" * 55, b"x" * 64, b"y" * 1000, "“é”".encode()]:
        assert mac.hexdigest(message) == hmac.digest(key, message, "sha256").hex()


def write_awkward_chain() -> int:
    group = BusinessGroupFactory()
    for number, changes in enumerate(AWKWARD_CHANGES):
        with transaction.atomic():
            audit_log(actor=None, action=f"test.awkward_{number}", obj=group, changes=changes)
    return AuditEvent.objects.count()


def test_rows_read_back_from_postgresql_verify_whatever_their_content(db):
    count = write_awkward_chain()

    report = audit_verify_chain(batch_size=4)

    assert report.ok, report.message
    assert report.checked == count


def test_the_orm_rows_used_off_postgresql_verify_the_same_chain(db):
    """The demo's SQLite reads the same columns through the ORM: both sources agree on every event."""
    count = write_awkward_chain()
    checker = RowChecker(keyring=audit_keyring(), anchors={}, legacy_until=0)
    connection.ensure_connection()

    from_orm = checker.walk(django_batches(after=0, batch_size=3))
    from_postgresql = checker.walk(postgresql_batches(connection.connection, after=0, id_range=None, batch_size=3))

    for segment in (from_orm, from_postgresql):
        assert segment.broken is None and segment.checked == count
        assert segment.last_hash == AuditChainHead.objects.get().last_hash


def test_an_awkward_event_edited_is_still_caught(db):
    write_awkward_chain()
    sequence = AuditEvent.objects.get(action="test.awkward_6").sequence
    tamper("UPDATE core_auditevent SET changes = jsonb_set(changes, '{values,purpose,before}', '\"older\"') "
           "WHERE sequence = %s", [sequence])

    report = audit_verify_chain()

    assert (report.ok, report.broken_sequence) == (False, sequence)
    assert "content was edited" in report.message


# --- a walk split across worker processes ---------------------------------------------------------------------

# The worker processes read the verifier's exported snapshot from their own connections, so the chain must be
# committed: these tests run outside the test's transaction.


@pytest.fixture
def committed_chain(transactional_db):
    group = BusinessGroupFactory()
    for number in range(30):
        with transaction.atomic():
            audit_log(actor=None, action=f"test.event_{number}", obj=group, changes={"n": number})
    return AuditEvent.objects.count()


def seam_ids(jobs: int) -> list[int]:
    """The first id of each worker's range, as walk_in_workers splits them."""
    low = AuditEvent.objects.order_by("id").values_list("id", flat=True).first()
    high = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return [low + (high - low + 1) * index // jobs for index in range(jobs)]


def both_ways() -> tuple:
    here = audit_verify_chain(batch_size=4, jobs=1)
    done = []
    split = audit_verify_chain(batch_size=4, jobs=3, progress=lambda count, total: done.append((count, total)))
    return here, split, done


def test_a_walk_in_worker_processes_verifies_the_same_chain(committed_chain, monkeypatch):
    import core.audit.verify

    walked_in = []
    original = core.audit.verify.walk_in_workers

    def spy(checker, **options):
        segments = original(checker, **options)
        walked_in.append(len(segments))
        return segments

    monkeypatch.setattr(core.audit.verify, "walk_in_workers", spy)

    here, split, done = both_ways()

    assert walked_in == [3]

    assert here.ok and split.ok
    assert (split.checked, split.message, split.last_hash) == (here.checked, here.message, here.last_hash)
    assert split.checked == committed_chain
    assert done[-1] == (committed_chain, committed_chain)


@pytest.mark.parametrize("where", ["first of the second range", "last of the second range", "inside the third"])
def test_tampering_anywhere_is_reported_alike_by_a_split_walk(committed_chain, where):
    seams = seam_ids(3)
    row_id = {"first of the second range": seams[1], "last of the second range": seams[2] - 1,
              "inside the third": seams[2] + 3}[where]
    tamper("UPDATE core_auditevent SET actor_username = 'someone_else' WHERE id = %s", [row_id])

    here, split, _ = both_ways()

    assert not here.ok
    assert (split.ok, split.broken_sequence, split.message) == (False, here.broken_sequence, here.message)


@pytest.mark.parametrize("seam", [1, 2])
def test_an_event_deleted_at_a_seam_between_ranges_is_caught_by_the_stitch(committed_chain, seam):
    row_id = seam_ids(3)[seam]
    delete_events("id = %s", [row_id])

    here, split, _ = both_ways()

    assert not here.ok
    assert (split.ok, split.broken_sequence, split.message) == (False, here.broken_sequence, here.message)


def test_rows_swapped_across_a_seam_are_caught(committed_chain):
    first = seam_ids(3)[1]
    tamper("UPDATE core_auditevent SET id = -1 WHERE id = %s; UPDATE core_auditevent SET id = %s WHERE id = %s; "
           "UPDATE core_auditevent SET id = %s WHERE id = -1;", [first - 1, first - 1, first, first])

    here, split, _ = both_ways()

    assert not here.ok
    assert (split.ok, split.broken_sequence, split.message) == (False, here.broken_sequence, here.message)


def test_stitching_checks_each_range_against_the_one_before():
    from core.audit.walk import Segment

    first = Segment(first_sequence=1, first_previous_hash="0" * 64, last_sequence=10, last_hash="a" * 64, checked=10)
    follows = Segment(first_sequence=11, first_previous_hash="a" * 64, last_sequence=20, last_hash="b" * 64,
                      checked=10)
    elsewhere = Segment(first_sequence=11, first_previous_hash="c" * 64, last_sequence=20, last_hash="b" * 64,
                        checked=10)
    gap = Segment(first_sequence=12, first_previous_hash="a" * 64, last_sequence=20, last_hash="b" * 64, checked=9)

    assert stitch([first, Segment(), follows], expected=1, previous_hash="0" * 64).broken is None
    assert stitch([first, elsewhere], expected=1, previous_hash="0" * 64).broken.sequence == 11
    assert stitch([first, gap], expected=1, previous_hash="0" * 64).broken.sequence == 11
    assert stitch([first, gap], expected=1, previous_hash="0" * 64).checked == 10


def test_a_walk_stopped_by_a_break_stops_reading_ahead(db):
    """Rows are read by a thread one batch ahead of the checks: a break stops it and closes the cursor, so the
    connection is free for what follows."""
    import threading

    count = write_awkward_chain()
    threads = threading.active_count()
    tamper("UPDATE core_auditevent SET action = 'policy.withdrawn' WHERE sequence = 2")

    broken = audit_verify_chain(batch_size=2)

    assert (broken.ok, broken.broken_sequence) == (False, 2)
    assert threading.active_count() == threads
    assert AuditEvent.objects.count() == count
    assert audit_verify_chain(batch_size=2).broken_sequence == 2
