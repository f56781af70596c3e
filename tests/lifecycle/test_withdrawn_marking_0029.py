"""Migration 0029: a version submitted during a review that proposed a downgrade, then withdrawn by the code before it,
kept the OFFICIAL marking it was frozen with, and reached staff not cleared for OFFICIAL-SENSITIVE material once a later
review published the policy OFFICIAL (test_withdrawn_draft_marking.py). Each version withdrawn before now records the
marking it was read under (``PolicyVersion.withdrawn_marking``); the widened trigger lets only the UPDATE that marks a
version withdrawn set it, and nothing changes it afterwards."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from core.models import AuditEvent
from lifecycle.models import PolicyVersion
from lifecycle.states import ProtectiveMarking, Status
from tests.factories import advance_to, reload
from tests.lifecycle.migrating import migrate, sql
from tests.lifecycle.test_withdrawn_draft_marking import sensitive_in_review, submit_downgrade, withdraw
from tests.lifecycle.test_withdrawn_marking_migration import draft_of, official_under_review

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE
BEFORE = ("lifecycle", "0028_version_authors")


def test_versions_withdrawn_before_take_the_marking_they_were_read_under(people, policy_in):
    # Submitted proposing OFFICIAL while 1.0 was in force OFFICIAL-SENSITIVE: OFFICIAL-SENSITIVE.
    downgrade = draft_of(withdraw(submit_downgrade(people), people))
    # A draft of an OFFICIAL-SENSITIVE policy, never submitted: OFFICIAL-SENSITIVE (its details say so).
    draft = draft_of(withdraw(sensitive_in_review(people), people))
    # OFFICIAL throughout, submitted then withdrawn: OFFICIAL.
    official = official_under_review(people, policy_in)
    official = draft_of(withdraw(advance_to(official, Status.SUBMITTED_FOR_QA, people), people))
    versions = (downgrade, draft, official)
    frozen = [(version.details, version.content_hash) for version in versions]
    try:
        # Back before 0029 the column goes, as the code before it left every withdrawn version; forwards, 0029's
        # backfill records each.
        migrate(BEFORE)
        migrate()
        recorded = [PolicyVersion.objects.get(pk=version.pk) for version in versions]
        assert [version.withdrawn_marking for version in recorded] == [SENSITIVE, SENSITIVE, OFFICIAL]
        assert [(version.details, version.content_hash) for version in recorded] == frozen
        # Append-only again: what was recorded stays.
        with pytest.raises(DatabaseError, match="frozen"):
            sql("UPDATE lifecycle_policyversion SET withdrawn_marking = 'official' WHERE id = %s", [downgrade.pk])
    finally:
        migrate()


def test_only_the_withdrawal_sets_it_and_only_with_withdrawn_at(people):
    policy = submit_downgrade(people)
    submitted = policy.current_version
    # A submitted version not withdrawn: the marking alone may not be set, nor with anything else.
    with pytest.raises(DatabaseError, match="frozen"):
        sql("UPDATE lifecycle_policyversion SET withdrawn_marking = 'official' WHERE id = %s", [submitted.pk])
    with pytest.raises(DatabaseError, match="frozen"):
        sql("UPDATE lifecycle_policyversion SET withdrawn_at = now(), withdrawn_marking = 'official', statement = ''"
            " WHERE id = %s", [submitted.pk])
    withdraw(reload(policy), people)
    assert PolicyVersion.objects.get(pk=submitted.pk).withdrawn_marking == SENSITIVE
    with pytest.raises(DatabaseError, match="frozen"):
        sql("UPDATE lifecycle_policyversion SET withdrawn_marking = 'official' WHERE id = %s", [submitted.pk])


def test_the_withdrawal_records_it_in_its_audit_event(people):
    withdraw(submit_downgrade(people), people)
    event = AuditEvent.objects.get(action="policy.review_draft_withdrawn")
    assert event.changes["withdrawn_marking"] == SENSITIVE
