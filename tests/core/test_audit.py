"""The hash-chained audit trail: intact on a normal history, and every kind of tampering detected at the first
broken link. PostgreSQL's trigger refuses UPDATE and DELETE, so tampering here switches triggers off for the
statement (``session_replication_role = replica``) as a database administrator could."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from core.audit import audit_log, audit_verify_chain
from core.models import AuditChainHead, AuditEvent
from lifecycle.states import Status
from tests.factories import BusinessGroupFactory


def tamper(sql: str, params=()) -> None:
    """Run ``sql`` with the append-only triggers bypassed, as someone with raw database access could: its statements
    (separated by ";") one at a time, each with its own parameters, as a statement bound on the server holds one."""
    remaining = list(params)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for statement in (part.strip() for part in sql.split(";")):
            if statement:
                taken = statement.count("%s")
                cursor.execute(statement, remaining[:taken])
                remaining = remaining[taken:]
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert not remaining, "more parameters than the statements take"


def delete_events(condition: str, params=()) -> None:
    """Delete audit events (and the outbox rows that point at them, as a tamperer would have to)."""
    tamper(
        f"DELETE FROM core_outboxevent WHERE audit_event_id IN (SELECT id FROM core_auditevent WHERE {condition});"
        f"DELETE FROM core_auditevent WHERE {condition};",
        [*params, *params],
    )


@pytest.fixture
def history(policy_in):
    """The force's role assignments and a policy in scoping, then commissioning: a few dozen chained events."""
    policy_in(Status.COMMISSIONING)
    count = AuditEvent.objects.count()
    assert count > 10
    return count


def row_id(sequence: int) -> int:
    return AuditEvent.objects.values_list("id", flat=True).get(sequence=sequence)


def test_chain_is_intact_after_a_normal_history(history):
    report = audit_verify_chain()

    assert report.ok, report.message
    assert report.checked == history
    assert report.broken_sequence is None
    assert f"{history} events verified" in report.message
    head = AuditChainHead.objects.get()
    assert head.last_sequence == history
    assert head.last_hash == AuditEvent.objects.get(sequence=history).hash


def test_chain_is_intact_when_a_small_batch_size_is_used(history):
    assert audit_verify_chain(batch_size=3).ok


def test_events_link_to_their_predecessor(history):
    events = list(AuditEvent.objects.order_by("sequence"))
    assert events[0].previous_hash == "0" * 64
    assert all(later.previous_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    assert [event.sequence for event in events] == list(range(1, history + 1))


def test_empty_chain_is_intact(db):
    report = audit_verify_chain()
    assert report.ok and report.checked == 0


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET changes = '{\"status\": [\"scoping\", \"approved\"]}' WHERE sequence = %s",
        "UPDATE core_auditevent SET action = 'policy.withdrawn' WHERE sequence = %s",
        "UPDATE core_auditevent SET actor_username = 'someone_else' WHERE sequence = %s",
        "UPDATE core_auditevent SET occurred_at = occurred_at - interval '1 day' WHERE sequence = %s",
    ],
    ids=["changes", "action", "actor", "time"],
)
def test_edited_event_is_detected(history, sql):
    target = history // 2
    tamper(sql, [target])

    report = audit_verify_chain()

    assert not report.ok
    assert report.broken_sequence == target
    assert "edited" in report.message and f"#{target}" in report.message


def test_edit_with_a_recomputed_hash_is_caught_at_the_edited_event(history):
    """A tamperer who also recomputes the edited row's (unkeyed) hash is caught at that row: its MAC needs the
    key. (Before the chain was keyed, only the following row's link caught it.)"""
    from core.audit import compute_event_hash

    target = history // 2
    event = AuditEvent.objects.get(sequence=target)
    forged_changes = {"forged": True}
    forged_hash = compute_event_hash(
        sequence=event.sequence, occurred_at=event.occurred_at, actor_id=event.actor_id,
        actor_username=event.actor_username, action=event.action, object_type=event.object_type,
        object_id=event.object_id, object_repr=event.object_repr, policy_id=event.policy_id,
        changes=forged_changes, previous_hash=event.previous_hash,
    )
    tamper("UPDATE core_auditevent SET changes = %s::jsonb, hash = %s WHERE id = %s",
           ['{"forged": true}', forged_hash, event.pk])

    report = audit_verify_chain()

    assert not report.ok
    assert report.broken_sequence == target


def test_deleted_middle_event_is_detected(history):
    target = history // 2
    delete_events("sequence = %s", [target])

    report = audit_verify_chain()

    assert not report.ok
    assert report.broken_sequence == target
    assert f"found #{target + 1} instead" in report.message


def test_deleted_first_event_is_detected(history):
    delete_events("sequence = 1")
    report = audit_verify_chain()
    assert (report.ok, report.broken_sequence) == (False, 1)


def test_deleted_newest_event_is_detected(history):
    delete_events("sequence = %s", [history])

    report = audit_verify_chain()

    assert not report.ok
    assert report.broken_sequence == history
    assert report.checked == history - 1
    assert f"records {history} events" in report.message


def test_deleted_newest_events_with_renumbered_sequence_is_detected(history):
    """Deleting the last two events and resequencing nothing still leaves the head disagreeing."""
    delete_events("sequence >= %s", [history - 1])
    report = audit_verify_chain()
    assert (report.ok, report.broken_sequence) == (False, history - 1)


@pytest.mark.parametrize(
    "sql,params",
    [
        # The rows keep their place in the table but swap sequence numbers.
        ("UPDATE core_auditevent SET sequence = 999999999 WHERE id = %s;"
         "UPDATE core_auditevent SET sequence = %s WHERE id = %s;"
         "UPDATE core_auditevent SET sequence = %s WHERE id = %s;",
         lambda first, second, first_id, second_id: [first_id, first, second_id, second, first_id]),
        # The rows keep their own content but change places in the table's order.
        ("UPDATE core_auditevent SET id = -1 WHERE id = %s;"
         "UPDATE core_auditevent SET id = %s WHERE id = %s;"
         "UPDATE core_auditevent SET id = %s WHERE id = -1;",
         lambda first, second, first_id, second_id: [first_id, first_id, second_id, second_id]),
    ],
    ids=["swapping-sequences", "swapping-ids"],
)
def test_reordered_rows_are_detected(history, sql, params):
    first, second = history // 2, history // 2 + 1
    tamper(sql, params(first, second, row_id(first), row_id(second)))

    report = audit_verify_chain()

    assert not report.ok
    assert report.broken_sequence == first


def test_verify_audit_command_reports_success(history):
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert f"Audit chain intact: {history} events verified." in out.getvalue()


def test_verify_audit_command_fails_on_tampering(history):
    tamper("UPDATE core_auditevent SET action = 'policy.withdrawn' WHERE sequence = 3")

    with pytest.raises(CommandError, match="Broken link at event #3"):
        call_command("verify_audit")


def test_rolled_back_change_leaves_no_gap(history):
    group = BusinessGroupFactory()
    with pytest.raises(ValueError), transaction.atomic():
        audit_log(actor=None, action="test.rolled_back", obj=group)
        raise ValueError("the change it records failed")

    assert AuditEvent.objects.count() == history
    event = audit_log_in_transaction(group)
    assert event.sequence == history + 1
    assert audit_verify_chain().ok


def audit_log_in_transaction(obj):
    with transaction.atomic():
        return audit_log(actor=None, action="test.recorded", obj=obj, changes={"n": 1})


def test_audit_log_records_actor_object_and_policy(policy_in, people):
    policy = policy_in(Status.COMMISSIONING)
    event = AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence")

    assert (event.actor, event.actor_username, event.action) == (
        people.developer, "developer", "policy.commissioning_requested")
    assert (event.object_type, event.object_id) == ("lifecycle.policy", str(policy.pk))
    assert event.object_repr == str(policy)


@pytest.mark.django_db(transaction=True)
def test_audit_log_outside_a_transaction_raises():
    group = BusinessGroupFactory()

    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_log(actor=None, action="test.outside", obj=group)

    assert not AuditEvent.objects.exists()
