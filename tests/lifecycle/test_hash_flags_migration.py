"""Migration 0020: the content hash covers each SOP's "publish externally" flag from now on. A version submitted before
it keeps a hash that did not (PolicyVersion.hash_covers_sop_flags False), and still recomputes to the hash stored with
it, flag and all; the drafts it finds cover the flags, as every version drafted after it does. It is reversed only
while no version submitted since holds an SOP (whose stored hash would no longer verify)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.utils import timezone

from lifecycle import services as s
from lifecycle.models import PolicyVersion
from lifecycle.states import Status
from tests.factories import advance_to, reload
from tests.lifecycle.migrating import migrate, sql

# PolicyVersion's columns added after 0020, which the schema at 0020 does not have: read without them.
LATER_COLUMNS = ("withdrawn_at", "withdrawn_marking", "authors")

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

BEFORE = ("lifecycle", "0019_sop_publish_externally_per_version")
AFTER = ("lifecycle", "0020_hash_covers_sop_flags")


def has_column() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'lifecycle_policyversion' "
                       "AND column_name = 'hash_covers_sop_flags'")
        return cursor.fetchone() is not None


def test_a_version_submitted_before_keeps_its_hash_and_drafts_cover_the_flags(people):
    submitted_before, draft_before, submitted_since = (
        advance_to(people.policy(title=title), Status.DEVELOPMENT, people)
        for title in ("Submitted before 0020", "Drafted before 0020", "Submitted since 0020"))
    for policy in (submitted_before, draft_before, submitted_since):
        s.sop_create(policy=policy, actor=people.developer, title="Public", text="<p>Public.</p>",
                     publish_externally=True)
    # The hash the code before 0020 stored when it froze a version: its flags not covered (the pinned test in
    # tests/lifecycle/test_hash_covers_sop_flags.py holds that to the old code's).
    version = reload(submitted_before).current_version
    version.details = reload(submitted_before).details_snapshot()
    version.submitted_at = timezone.now()
    version.hash_covers_sop_flags = False
    old_hash = version.compute_content_hash()
    try:
        # Once a version holding an SOP is submitted with a hash covering the flags, going back would leave its hash
        # unverifiable: refused, naming it, and nothing changes. (Tested first, on the way back that the rest of the
        # test takes anyway: each round trip to the newest migrations and back costs the suite seconds.)
        submitted = advance_to(reload(submitted_since), Status.SUBMITTED_FOR_QA, people).current_version
        assert submitted.hash_covers_sop_flags is True
        with pytest.raises(RuntimeError, match=rf"cannot be reversed: 1 submitted version\(s\) \("
                                               rf"{submitted.policy.reference} v1\.0\)"):
            migrate(BEFORE)
        assert has_column()
        # Read without the columns of later migrations (lifecycle 0026's, 0028's), which the refused way back undid.
        submitted = PolicyVersion.objects.defer(*LATER_COLUMNS).get(pk=submitted.pk)
        assert submitted.hash_covers_sop_flags is True and submitted.compute_content_hash() == submitted.content_hash
        # It stands for a version submitted before 0020 from here on (as tests/lifecycle/test_sop_flag_migration.py's
        # do), so that 0020 may be reversed; its policy is not read again.
        sql("ALTER TABLE lifecycle_policyversion DISABLE TRIGGER lifecycle_policyversion_append_only_trigger")
        try:
            assert sql("UPDATE lifecycle_policyversion SET hash_covers_sop_flags = FALSE WHERE id = %s",
                       [submitted.pk]) == 1
        finally:
            sql("ALTER TABLE lifecycle_policyversion ENABLE TRIGGER lifecycle_policyversion_append_only_trigger")
        migrate(BEFORE)
        assert not has_column()
        # Frozen at 0019, as its submission froze it then (the row is a draft until this UPDATE, so it may be written).
        assert sql("UPDATE lifecycle_policyversion SET details = %s::jsonb, submitted_at = now(), submitted_by_id = %s,"
                   " content_hash = %s WHERE id = %s",
                   [json.dumps(version.details), people.developer.pk, old_hash, version.pk]) == 1
        migrate(AFTER)
        frozen = PolicyVersion.objects.defer(*LATER_COLUMNS).get(pk=version.pk)
        assert frozen.is_frozen and frozen.hash_covers_sop_flags is False
        assert frozen.compute_content_hash() == frozen.content_hash == old_hash
        assert frozen.sop_versions.get().publish_externally is True
        # Read without the policy row, whose later columns (0022's) the schema at 0020 does not have yet.
        draft = (PolicyVersion.objects.defer(*LATER_COLUMNS).filter(policy_id=draft_before.pk)
                 .latest("major", "minor"))
        assert not draft.is_frozen and draft.hash_covers_sop_flags is True
        # Backwards: the column goes, and nothing else does.
        migrate(BEFORE)
        assert not has_column()
        with connection.cursor() as cursor:
            cursor.execute("SELECT content_hash FROM lifecycle_policyversion WHERE id = %s", [version.pk])
            assert cursor.fetchone() == (old_hash,)
        # The draft drafted before 0020 and submitted after it is hashed with its flags (going back would be refused,
        # as it was above).
        migrate()
        submitted = advance_to(reload(draft_before), Status.SUBMITTED_FOR_QA, people).current_version
        assert submitted.hash_covers_sop_flags is True
    finally:
        migrate()
