"""Migration 0027: a review draft withdrawn before it was submitted, by the code before it, kept no details, so no
reader of a version's frozen marking found it OFFICIAL-SENSITIVE (security review, HIGH: after a later review
published the policy OFFICIAL, its statement and the Lead's reason reached staff not cleared for them). Each takes
the details of the version in force its withdrawal's event names and a marking: OFFICIAL only when everything the
database holds says so, OFFICIAL-SENSITIVE otherwise (lifecycle/migrations/0027_withdrawn_drafts_record_details.py
says why). The versions stay append-only."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection

from lifecycle import services as s
from lifecycle.models import PolicyVersion
from lifecycle.states import ProtectiveMarking, Status
from tests.factories import advance_to, reload
from tests.lifecycle.migrating import migrate, sql
from tests.lifecycle.test_details import update
from tests.lifecycle.test_details_downgrade import media_root, publish_reviewed  # noqa: F401 (media_root: a fixture)
from tests.lifecycle.test_withdrawn_draft_marking import sensitive_in_review, withdraw

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE
BEFORE = ("lifecycle", "0026_review_draft_withdrawn")
AFTER = ("lifecycle", "0027_withdrawn_drafts_record_details")
TRIGGER = "lifecycle_policyversion_append_only_trigger"


def draft_of(policy, number: str = "2.0") -> PolicyVersion:
    major, minor = number.split(".")
    return PolicyVersion.objects.get(policy=policy, major=major, minor=minor)


def as_the_old_code_left_it(*versions) -> None:
    """Withdrawn with no details, as the code before 0027 withdrew a draft."""
    sql(f"ALTER TABLE lifecycle_policyversion DISABLE TRIGGER {TRIGGER}")
    try:
        assert sql("UPDATE lifecycle_policyversion SET details = NULL WHERE id = ANY(%s)",
                   [[version.pk for version in versions]]) == len(versions)
    finally:
        sql(f"ALTER TABLE lifecycle_policyversion ENABLE TRIGGER {TRIGGER}")


def official_under_review(people, policy_in):
    policy = policy_in(Status.MONITORING)
    s.policy_start_review(policy=policy, actor=people.lead, reason="Three-year review.")
    return reload(policy)


def test_withdrawn_drafts_take_the_details_in_force_and_the_marking_they_were_read_under(
        people, policy_in, django_capture_on_commit_callbacks):
    # Published OFFICIAL-SENSITIVE: its withdrawn draft is OFFICIAL-SENSITIVE.
    sensitive = withdraw(sensitive_in_review(people), people)
    # OFFICIAL throughout: its withdrawn draft is OFFICIAL.
    official = withdraw(official_under_review(people, policy_in), people)
    # OFFICIAL, raised to OFFICIAL-SENSITIVE by the review whose draft was withdrawn (at once, the version in force
    # included), then a later review's OFFICIAL version published: only the audit trail says what 2.0 was read under.
    raised = official_under_review(people, policy_in)
    update(raised, people.developer, protective_marking=SENSITIVE, suitable_for_publication_scheme=False)
    raised = withdraw(reload(raised), people)
    assert raised.protective_marking == SENSITIVE
    s.policy_start_review(policy=raised, actor=people.coordinator, reason="Again.")
    update(reload(raised), people.developer, protective_marking=OFFICIAL, suitable_for_publication_scheme=True)
    s.sop_create(policy=reload(raised), actor=people.developer, title="Procedure", text="<p>Brief them.</p>")
    raised, _ = publish_reviewed(reload(raised), people, django_capture_on_commit_callbacks)
    assert raised.protective_marking == OFFICIAL
    # Withdrawn with no event naming it (none recorded it): nothing says it was OFFICIAL.
    unnamed = draft_of(official_under_review(people, policy_in))
    assert sql("UPDATE lifecycle_policyversion SET withdrawn_at = now(), withdrawn_marking = 'official' WHERE id = %s",
               [unnamed.pk]) == 1

    drafts = [draft_of(policy) for policy in (sensitive, official, raised)] + [unnamed]
    as_the_old_code_left_it(*drafts)
    in_force = [draft_of(policy, "1.0").details for policy in (sensitive, official, raised)]
    try:
        migrate(BEFORE)
        migrate(AFTER)
        migrate()  # the later migrations' columns, which the models read (0028: a version's authors)
        recorded = [PolicyVersion.objects.get(pk=draft.pk).details for draft in drafts]
        assert [details["protective_marking"] for details in recorded] == [SENSITIVE, OFFICIAL, SENSITIVE, SENSITIVE]
        for details, frozen in zip(recorded, in_force, strict=False):
            assert {**details, "protective_marking": frozen["protective_marking"]} == frozen
        assert recorded[3] == {**reload(unnamed.policy).details_snapshot(), "protective_marking": SENSITIVE}
        # Append-only again: what was recorded stays.
        with pytest.raises(DatabaseError, match="frozen"):
            sql("UPDATE lifecycle_policyversion SET details = NULL WHERE id = %s", [drafts[0].pk])
    finally:
        migrate()


def test_a_version_submitted_before_it_was_withdrawn_keeps_what_it_was_frozen_with(people):
    policy = sensitive_in_review(people)
    submitted = advance_to(policy, Status.SUBMITTED_FOR_QA, people).current_version
    frozen = (submitted.details, submitted.content_hash)
    withdraw(reload(policy), people)
    try:
        migrate(BEFORE)
        migrate(AFTER)
        migrate()
        kept = PolicyVersion.objects.get(pk=submitted.pk)
        assert (kept.details, kept.content_hash) == frozen and kept.compute_content_hash() == kept.content_hash
    finally:
        migrate()
