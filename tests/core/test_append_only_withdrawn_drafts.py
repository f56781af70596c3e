"""A review draft the Designated Lead withdrew is kept for ever as evidence (SOP, "Retain an audit trail of all versions
of policy statements and SOPs"): on PostgreSQL, migration lifecycle 0026's triggers. Marking a version withdrawn is the
one change a submitted version takes, and then only that; a withdrawn version, submitted or not, its SOP texts and the
consultation of its cycle refuse any other UPDATE or DELETE."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from lifecycle.models import ConsultationRecord, PolicyVersion, SOPVersion, StandardOperatingProcedure
from tests.core.test_append_only import refused, run

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


@pytest.fixture
def draft(people):
    """A new policy's first draft, v1.0, with an SOP text and a consultation record of its cycle."""
    version = people.policy().versions.get()
    sop = StandardOperatingProcedure.objects.create(policy=version.policy, title="Stop and search briefing")
    SOPVersion.objects.create(sop=sop, policy_version=version, text="<p>Brief every officer.</p>")
    ConsultationRecord.objects.create(policy=version.policy, cycle=1, consultee="SHRMT", organisation="MPS",
                                      consultee_type="shrmt", date_sent=timezone.localdate(),
                                      recorded_by=people.developer)
    return version


# The withdrawal's UPDATE: the mark, and the marking the version was read under (migrations 0029, 0030).
WITHDRAW = "UPDATE lifecycle_policyversion SET withdrawn_at = now(), withdrawn_marking = 'official'"


def withdraw(version: PolicyVersion) -> int:
    return run(f"{WITHDRAW} WHERE id = %s", [version.pk])


def test_a_draft_never_submitted_is_frozen_once_withdrawn(draft):
    assert withdraw(draft) == 1
    refused("UPDATE lifecycle_policyversion SET statement = 'Rewritten' WHERE id = %s", [draft.pk])
    refused("UPDATE lifecycle_policyversion SET withdrawn_at = NULL WHERE id = %s", [draft.pk])
    refused("DELETE FROM lifecycle_policyversion WHERE id = %s", [draft.pk])
    refused("UPDATE lifecycle_sopversion SET text = 'Rewritten' WHERE policy_version_id = %s", [draft.pk])
    refused("UPDATE lifecycle_consultationrecord SET response = 'Rewritten' WHERE policy_id = %s", [draft.policy_id])


def test_a_submitted_version_takes_the_mark_and_nothing_else(draft):
    run("UPDATE lifecycle_policyversion SET submitted_at = now(), content_hash = %s WHERE id = %s",
        ["c" * 64, draft.pk])
    refused(f"{WITHDRAW}, statement = 'Rewritten' WHERE id = %s",
            [draft.pk])
    assert withdraw(draft) == 1
    refused(f"{WITHDRAW} WHERE id = %s", [draft.pk])


def test_a_version_withdrawn_says_the_marking_it_was_read_under(draft):
    """Migration 0030's check (review of 2026-12-06, LOW): the trigger lets the withdrawal set the marking, and the
    database refuses a withdrawal that leaves it empty."""
    with pytest.raises(IntegrityError, match="policy_version_withdrawn_has_marking"):
        run("UPDATE lifecycle_policyversion SET withdrawn_at = now() WHERE id = %s", [draft.pk])


def test_a_draft_still_worked_on_stays_editable(draft):
    assert run("UPDATE lifecycle_policyversion SET statement = 'Drafted' WHERE id = %s", [draft.pk]) == 1
    assert run("UPDATE lifecycle_sopversion SET text = 'Drafted' WHERE policy_version_id = %s", [draft.pk]) == 1
    assert run("UPDATE lifecycle_consultationrecord SET response = 'Noted' WHERE policy_id = %s",
               [draft.policy_id]) == 1


def test_a_draft_takes_its_details_with_the_withdrawal_and_keeps_them(draft):
    """The withdrawal records the details a draft never submitted had (lifecycle.services.review_draft): the draft
    is not frozen until that UPDATE marks it withdrawn, so it takes both at once; from then on they are evidence."""
    assert run(f"{WITHDRAW}, details = %s::jsonb WHERE id = %s",
               ['{"protective_marking": "official_sensitive"}', draft.pk]) == 1
    refused("UPDATE lifecycle_policyversion SET details = NULL WHERE id = %s", [draft.pk])
    refused("UPDATE lifecycle_policyversion SET details = %s::jsonb WHERE id = %s",
            ['{"protective_marking": "official"}', draft.pk])


def test_a_submitted_version_takes_no_details_with_its_withdrawal(draft):
    """A submitted version's details, or their absence, are covered by its content hash: the mark changes nothing
    else, a version frozen before versions recorded details included."""
    run("UPDATE lifecycle_policyversion SET submitted_at = now(), content_hash = %s, details = NULL WHERE id = %s",
        ["c" * 64, draft.pk])
    refused(f"{WITHDRAW}, details = %s::jsonb WHERE id = %s",
            ['{"protective_marking": "official_sensitive"}', draft.pk])
