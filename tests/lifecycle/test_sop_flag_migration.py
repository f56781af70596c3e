"""Migration 0019 moves "publish externally" from the SOP to each of its versions: every existing version takes the
SOP's flag as it stood (what the Publication Scheme showed for it), submitted packages included (their rows are
append-only); and on PostgreSQL an OFFICIAL-SENSITIVE SOP still never has a version published externally."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from lifecycle import services as s
from lifecycle.models import SOPVersion
from lifecycle.states import ProtectiveMarking, Status
from tests.factories import advance_to, reload
from tests.lifecycle.migrating import migrate, sql

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

BEFORE = ("lifecycle", "0018_in_force_indexes_by_kind")
AFTER = ("lifecycle", "0019_sop_publish_externally_per_version")


def flags(sop_id: int) -> list[bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT v.publish_externally FROM lifecycle_sopversion v JOIN lifecycle_policyversion p "
                       "ON p.id = v.policy_version_id WHERE v.sop_id = %s ORDER BY p.major, p.minor", [sop_id])
        return [row[0] for row in cursor.fetchall()]


def submitted_before_0020(policy) -> None:
    """Its submitted versions stand for ones submitted before migration 0020, whose hashes did not cover the SOPs'
    flags: 0020 is reversed only then (lifecycle/migrations/0020_hash_covers_sop_flags.py)."""
    sql("ALTER TABLE lifecycle_policyversion DISABLE TRIGGER lifecycle_policyversion_append_only_trigger")
    try:
        sql("UPDATE lifecycle_policyversion SET hash_covers_sop_flags = FALSE WHERE policy_id = %s "
            "AND submitted_at IS NOT NULL", [policy.pk])
    finally:
        sql("ALTER TABLE lifecycle_policyversion ENABLE TRIGGER lifecycle_policyversion_append_only_trigger")


def test_existing_versions_take_the_sops_flag(people):
    policy = people.policy()
    public = s.sop_create(policy=policy, actor=people.developer, title="Public", text="<p>Public.</p>")
    internal = s.sop_create(policy=policy, actor=people.developer, title="Internal", text="<p>Internal.</p>")
    policy = advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    s.policy_return_from_qa(policy=reload(policy), actor=people.pcu_qa, discipline="pcu", comments="Tighten it.")
    # Version 1.0 is submitted (frozen), 1.1 is the draft: both hold both SOPs. (Read before migrating back: the
    # models' PolicyVersion has columns of later migrations.)
    draft = SOPVersion.objects.get(sop=internal, policy_version=reload(policy).current_version)
    submitted_before_0020(policy)
    try:
        migrate(BEFORE)
        assert sql("UPDATE lifecycle_standardoperatingprocedure SET publish_externally = TRUE WHERE id = %s",
                   [public.pk]) == 1
        migrate(AFTER)
        assert flags(public.pk) == [True, True]
        assert flags(internal.pk) == [False, False]
        # The submitted version's flag is frozen with it, as its text is.
        with pytest.raises(DatabaseError, match="frozen"):
            sql("UPDATE lifecycle_sopversion v SET publish_externally = FALSE FROM lifecycle_policyversion p "
                "WHERE p.id = v.policy_version_id AND p.submitted_at IS NOT NULL AND v.sop_id = %s", [public.pk])
        # Backwards, the SOP's one flag is its newest version's.
        assert sql("UPDATE lifecycle_sopversion SET publish_externally = TRUE WHERE id = %s", [draft.pk]) == 1
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, publish_externally FROM lifecycle_standardoperatingprocedure ORDER BY id")
            assert cursor.fetchall() == [(public.pk, True), (internal.pk, True)]
    finally:
        migrate()


def test_an_official_sensitive_sop_never_has_a_version_published_externally(people):
    policy = people.policy()
    sensitive = s.sop_create(policy=policy, actor=people.developer, title="Tactics", text="<p>Tactics.</p>",
                             protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    public = s.sop_create(policy=policy, actor=people.developer, title="Public", text="<p>Public.</p>",
                          publish_externally=True)
    with pytest.raises(DatabaseError, match="never published externally"):
        sql("UPDATE lifecycle_sopversion SET publish_externally = TRUE WHERE sop_id = %s", [sensitive.pk])
    with pytest.raises(DatabaseError, match="cannot be marked OFFICIAL-SENSITIVE"):
        sql("UPDATE lifecycle_standardoperatingprocedure SET protective_marking = 'official_sensitive' "
            "WHERE id = %s", [public.pk])
    # Through the service, both at once are allowed the other way round: off the Scheme, then marked.
    s.sop_update_draft(sop=public, actor=people.developer, text="<p>Public.</p>", publish_externally=False,
                       protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                       base_revision=reload(policy).current_version.draft_revision)
    s.sop_update_draft(sop=public, actor=people.developer, text="<p>Public.</p>", publish_externally=True,
                       protective_marking=ProtectiveMarking.OFFICIAL,
                       base_revision=reload(policy).current_version.draft_revision)
    assert SOPVersion.objects.get(sop=public).publish_externally is True
