"""Issue 11, finding 3: append-only protection extends to every record of evidence. SOP titles and markings,
consultation records, published monitoring reports and publications could be rewritten with plain SQL; now a
PostgreSQL trigger refuses it (the app's role cannot switch triggers off: test_db_roles). Rows are set up with
the ORM and raw SQL (not the services), so each test states exactly which state freezes what."""

from __future__ import annotations

import datetime
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from assessments.models import MonitoringReport
from lifecycle.models import ConsultationRecord, PolicyVersion, SOPVersion, StandardOperatingProcedure

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


def run(sql: str, params=()) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def refused(sql: str, params=()) -> None:
    with pytest.raises(DatabaseError, match="refused|evidence|never deleted|keeps its title"):
        run(sql, params)


@contextmanager
def append_only_lifted(table: str):
    """``table``'s append-only trigger (core.db.append_only_trigger_sql) switched off for the statements inside, and on
    again after, in one transaction: as the owner that runs migrations could (the app's role cannot: test_db_roles).
    For a test that must set up a record of evidence as no service would (a date moved back, a record from before a
    rule). Nothing to switch off on SQLite, which has no such triggers."""
    if connection.vendor != "postgresql":
        yield
        return
    trigger = f"{table}_append_only_trigger"
    with transaction.atomic(), connection.cursor() as cursor:
        # A table with deferred foreign-key checks pending cannot be altered: checked now, and deferred again after.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        yield
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def submit(version: PolicyVersion) -> None:
    run("UPDATE lifecycle_policyversion SET submitted_at = now(), content_hash = %s WHERE id = %s",
        ["c" * 64, version.pk])


def new_draft(version: PolicyVersion, people) -> PolicyVersion:
    return PolicyVersion.objects.create(policy=version.policy, major=version.major, minor=version.minor + 1,
                                        author=people.developer)


@pytest.fixture
def draft(people):
    """A new policy's first draft, v1.0."""
    policy = people.policy()
    return policy.versions.get()


# --- SOPs ------------------------------------------------------------------------------------------------------


@pytest.fixture
def sop(draft):
    sop = StandardOperatingProcedure.objects.create(policy=draft.policy, title="Stop and search briefing")
    SOPVersion.objects.create(sop=sop, policy_version=draft, text="<p>Brief every officer.</p>")
    return sop


def test_sop_title_marking_and_policy_change_freely_before_submission(sop):
    assert run("UPDATE lifecycle_standardoperatingprocedure SET title = 'Renamed', "
               "protective_marking = 'official_sensitive' WHERE id = %s", [sop.pk]) == 1


@pytest.mark.parametrize("sql", [
    "UPDATE lifecycle_standardoperatingprocedure SET title = 'Rewritten' WHERE id = %s",
    "UPDATE lifecycle_standardoperatingprocedure SET protective_marking = 'official_sensitive' WHERE id = %s",
    "DELETE FROM lifecycle_standardoperatingprocedure WHERE id = %s",
], ids=["title", "marking", "delete"])
def test_sop_of_a_submitted_package_keeps_its_title_and_marking(sop, draft, sql):
    submit(draft)
    refused(sql, [sop.pk])


def test_sop_of_a_submitted_package_cannot_move_to_another_policy(sop, draft, people):
    submit(draft)
    other = people.policy()
    refused("UPDATE lifecycle_standardoperatingprocedure SET policy_id = %s WHERE id = %s", [other.pk, sop.pk])


def test_sop_position_stays_editable_for_later_drafts(sop, draft):
    submit(draft)
    assert run("UPDATE lifecycle_standardoperatingprocedure SET position = 3 WHERE id = %s", [sop.pk]) == 1


@pytest.mark.parametrize("change", ["text = '<p>Rewritten.</p>'", "publish_externally = true"],
                         ids=["text", "publish_externally"])
def test_sop_text_and_publication_of_a_submitted_package_stay_frozen(sop, draft, change):
    submit(draft)
    refused(f"UPDATE lifecycle_sopversion SET {change} WHERE sop_id = %s", [sop.pk])


# --- consultation ----------------------------------------------------------------------------------------------


@pytest.fixture
def consultation(draft, people):
    return ConsultationRecord.objects.create(
        policy=draft.policy, cycle=draft.major, consultee="SHRMT duty officer", organisation="SHRMT",
        consultee_type="shrmt", date_sent=datetime.date(2026, 1, 5), recorded_by=people.developer,
    )


def respond(record: ConsultationRecord) -> int:
    return run("UPDATE lifecycle_consultationrecord SET response = 'No concerns', updated_at = now() WHERE id = %s",
               [record.pk])


def test_consultation_is_editable_while_the_cycle_is_drafted(consultation):
    assert respond(consultation) == 1


def test_consultation_of_a_submitted_cycle_is_frozen(consultation, draft):
    submit(draft)
    refused("UPDATE lifecycle_consultationrecord SET response = 'Rewritten' WHERE id = %s", [consultation.pk])
    refused("DELETE FROM lifecycle_consultationrecord WHERE id = %s", [consultation.pk])


def test_consultation_reopens_for_returned_work_then_freezes_again(consultation, draft, people):
    submit(draft)
    returned = new_draft(draft, people)  # v1.1: work continues in the same cycle
    assert respond(consultation) == 1
    submit(returned)
    refused("UPDATE lifecycle_consultationrecord SET decision_taken = 'Rewritten' WHERE id = %s", [consultation.pk])


def test_consultation_of_an_earlier_cycle_stays_frozen_in_the_next(consultation, draft, people):
    submit(draft)
    PolicyVersion.objects.create(policy=draft.policy, major=2, minor=0, author=people.developer)
    refused("UPDATE lifecycle_consultationrecord SET response = 'Rewritten' WHERE id = %s", [consultation.pk])


# --- monitoring reports ----------------------------------------------------------------------------------------


@pytest.fixture
def report(draft, people):
    return MonitoringReport.objects.create(
        policy=draft.policy, period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31),
        compliance="Complied.", benefits="Fewer complaints.", diversity_impact="None found.", author=people.developer,
        protective_marking="official",
    )


@pytest.mark.parametrize("status", ["draft", "submitted", "qa_passed"])
def test_unpublished_monitoring_report_can_change(report, status):
    run("UPDATE assessments_monitoringreport SET status = %s WHERE id = %s", [status, report.pk])
    assert run("UPDATE assessments_monitoringreport SET compliance = 'Edited.' WHERE id = %s", [report.pk]) == 1


def test_published_monitoring_report_is_frozen(report, people):
    run("UPDATE assessments_monitoringreport SET status = 'published', published_at = %s, published_by_id = %s "
        "WHERE id = %s", [timezone.now(), people.pcu.pk, report.pk])
    refused("UPDATE assessments_monitoringreport SET compliance = 'Rewritten.' WHERE id = %s", [report.pk])
    refused("UPDATE assessments_monitoringreport SET status = 'draft' WHERE id = %s", [report.pk])
    refused("DELETE FROM assessments_monitoringreport WHERE id = %s", [report.pk])

