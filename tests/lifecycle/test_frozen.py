"""Submitted content is evidence (SOP: "Retain an audit trail of all versions of policy statements and SOPs").
The services refuse to change it, and on PostgreSQL triggers refuse even a raw UPDATE or DELETE."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import IntegrityError, InternalError, transaction

from assessments.models import EqualityImpactAssessment, PolicyWorkbook
from assessments.services import eia_update, workbook_update
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.models import (
    ApprovalDecision,
    CommissioningDecision,
    ConsulteeType,
    PolicyVersion,
    QASignOff,
    SOPVersion,
)
from lifecycle.states import Status
from tests.factories import refused, reload

DATABASE_REFUSES = (IntegrityError, InternalError)


@pytest.fixture
def with_sop(policy_in, people):
    """A policy in development with one SOP, then submitted."""

    def make(status=Status.SUBMITTED_FOR_QA):
        policy = policy_in(Status.DEVELOPMENT)
        s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Record it.</p>")
        from tests.factories import advance_to

        return advance_to(policy, status, people)

    return make


def assert_database_refuses(queryset, **update):
    """A raw UPDATE and a raw DELETE (no Django collector, so PROTECT cannot be what refuses) both fail
    in the database, with the trigger's message."""
    assert queryset.exists()
    with pytest.raises(DATABASE_REFUSES, match="refused"), transaction.atomic():
        queryset.update(**update)
    with pytest.raises(DATABASE_REFUSES, match="refused"), transaction.atomic():
        queryset._raw_delete(queryset.db)


# --- through the services -----------------------------------------------------------------------------


def test_services_refuse_to_edit_a_submitted_package(with_sop, people):
    policy = with_sop()
    sop = policy.sops.get()
    events_before = AuditEvent.objects.count()

    with refused("frozen", "cannot be edited while it is 'Submitted for quality assurance'"):
        s.draft_update(policy=policy, actor=people.developer, statement="<p>Sneaky edit.</p>")
    with refused("frozen"):
        s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Sneaky edit.</p>")
    with refused("frozen"):
        s.sop_create(policy=policy, actor=people.developer, title="Another SOP")
    with refused("frozen", "frozen when the package was submitted"):
        eia_update(policy=policy, actor=people.developer, aims="Sneaky edit.")
    with refused("frozen", "frozen when the package was submitted"):
        workbook_update(policy=policy, actor=people.developer, need="Sneaky edit.")
    with refused("frozen", "only in scoping or development"):
        s.consultation_record(policy=policy, actor=people.developer, consultee="Late", organisation="Union",
                              consultee_type=ConsulteeType.STAFF_ASSOCIATION, date_sent=datetime.date(2024, 1, 1))

    version = reload(policy).current_version
    assert "Sneaky" not in version.statement
    assert "Sneaky" not in version.sop_versions.get().text
    assert version.eia.aims != "Sneaky edit." and version.workbook.need != "Sneaky edit."
    assert AuditEvent.objects.count() == events_before


def test_content_hash_is_recorded_on_submission(with_sop, people):
    policy = with_sop()
    version = policy.current_version

    assert re.fullmatch(r"[0-9a-f]{64}", version.content_hash)
    assert version.content_hash == version.compute_content_hash()
    # The hash covers the SOP texts: a different SOP text gives a different hash.
    altered = list(version.sop_versions.select_related("sop"))
    altered[0].text = "<p>Altered.</p>"
    assert version.compute_content_hash(sop_versions=altered) != version.content_hash


def test_drafts_are_not_hashed_until_submitted(policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    assert policy.current_version.content_hash == ""
    assert policy.current_version.submitted_at is None


# --- in the database ----------------------------------------------------------------------------------


def test_database_refuses_changes_to_a_submitted_version_and_its_sops(with_sop):
    policy = with_sop()
    version = policy.current_version

    assert_database_refuses(PolicyVersion.objects.filter(pk=version.pk), statement="<p>Tampered.</p>")
    assert_database_refuses(SOPVersion.objects.filter(policy_version=version), text="<p>Tampered.</p>")
    assert PolicyVersion.objects.get(pk=version.pk).compute_content_hash() == version.content_hash


def test_database_refuses_changes_to_a_frozen_eia_and_workbook(with_sop):
    version = with_sop().current_version

    assert_database_refuses(EqualityImpactAssessment.objects.filter(policy_version=version), aims="Tampered.")
    assert_database_refuses(PolicyWorkbook.objects.filter(policy_version=version), need="Tampered.")


def test_database_refuses_changes_to_decisions_and_audit_events(with_sop, people):
    policy = with_sop(Status.APPROVED)

    assert_database_refuses(CommissioningDecision.objects.filter(policy=policy), comments="Tampered.")
    assert_database_refuses(QASignOff.objects.filter(policy_version__policy=policy), comments="Tampered.")
    assert_database_refuses(ApprovalDecision.objects.filter(policy_version__policy=policy), reasons="Tampered.")
    assert_database_refuses(AuditEvent.objects.filter(policy_id=policy.pk), action="tampered")
    assert_database_refuses(AuditEvent.objects.all(), changes={})


def test_drafts_before_submission_can_be_changed(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Draft.</p>")
    version = reload(policy).current_version

    assert PolicyVersion.objects.filter(pk=version.pk).update(statement="<p>Edited.</p>") == 1
    assert SOPVersion.objects.filter(policy_version=version).update(text="<p>Edited.</p>") == 1
    assert EqualityImpactAssessment.objects.filter(policy_version=version).update(aims="Edited.") == 1
    assert PolicyWorkbook.objects.filter(policy_version=version).update(need="Edited.") == 1


def test_returned_draft_is_editable_while_the_returned_version_stays_frozen(with_sop, people):
    policy = with_sop()
    submitted = policy.current_version
    s.policy_return_from_qa(policy=policy, actor=people.doi, discipline="doi", comments="Retention periods?")

    draft = s.draft_update(policy=policy, actor=people.developer, statement="<p>Retention: 6 years.</p>")
    sop_version = s.sop_update_draft(sop=policy.sops.get(), actor=people.developer, text="<p>Keep 6 years.</p>")

    assert draft.number == "1.1" and draft.statement == "<p>Retention: 6 years.</p>"
    assert sop_version.policy_version == draft
    submitted = PolicyVersion.objects.get(pk=submitted.pk)
    assert submitted.statement != draft.statement
    assert submitted.sop_versions.get().text == "<p>Record it.</p>"
    assert submitted.compute_content_hash() == submitted.content_hash


# --- optimistic concurrency on drafts -----------------------------------------------------------------


def test_draft_update_with_a_stale_base_revision_is_a_conflict(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    start = reload(policy).current_version.draft_revision
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Alice's text.</p>", base_revision=start)

    with refused("conflict", "Your changes have not been saved"):
        s.draft_update(policy=policy, actor=people.manager, statement="<p>Bob's text.</p>", base_revision=start)

    version = reload(policy).current_version
    assert version.statement == "<p>Alice's text.</p>"
    assert version.draft_revision == start + 1
    s.draft_update(policy=policy, actor=people.manager, statement="<p>Bob's merge.</p>", base_revision=start + 1)
    assert reload(policy).current_version.statement == "<p>Bob's merge.</p>"


def test_eia_update_with_a_stale_base_revision_is_a_conflict(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    eia = reload(policy).current_version.eia
    eia_update(policy=policy, actor=people.developer, mitigation="First.", base_revision=eia.draft_revision)

    with refused("conflict"):
        eia_update(policy=policy, actor=people.manager, mitigation="Second.", base_revision=eia.draft_revision)
    assert EqualityImpactAssessment.objects.get(pk=eia.pk).mitigation == "First."


def test_statement_is_sanitised(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    version = s.draft_update(policy=policy, actor=people.developer,
                             statement='<p onclick="steal()">Fine<script>alert(1)</script></p>')
    assert "script" not in version.statement and "onclick" not in version.statement
    assert "Fine" in version.statement


def test_only_drafters_edit_drafts(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    for outsider in (people.developer2, people.coordinator, people.pcu):
        with refused("forbidden", "not allowed to edit the draft"):
            s.draft_update(policy=policy, actor=outsider, statement="<p>Mine now.</p>")
    # The group's policy manager may, as may the named developer.
    s.draft_update(policy=policy, actor=people.manager, statement="<p>Manager's edit.</p>")


def test_a_submitted_sop_keeps_its_title_so_earlier_hashes_still_verify(with_sop, people):
    """The SOP title is in every package's content hash but lives on the SOP, not the version: renaming it
    after submission would silently rewrite the evidence of the earlier version."""
    policy = with_sop()
    submitted = policy.current_version
    s.policy_return_from_qa(policy=policy, actor=people.pcu, discipline="pcu", comments="Rename the SOP?")
    sop = policy.sops.get()

    with refused("frozen", "cannot be renamed"):
        s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Record it.</p>", title="Renamed")

    sop.refresh_from_db()
    assert sop.title == "Recording searches"
    submitted = PolicyVersion.objects.get(pk=submitted.pk)
    assert submitted.compute_content_hash() == submitted.content_hash
    # A new SOP of the draft, never submitted, may still be renamed.
    fresh = s.sop_create(policy=policy, actor=people.developer, title="Body-worn video")
    s.sop_update_draft(sop=fresh, actor=people.developer, text="<p>Switch on.</p>", title="Body-worn cameras")
    fresh.refresh_from_db()
    assert fresh.title == "Body-worn cameras"
