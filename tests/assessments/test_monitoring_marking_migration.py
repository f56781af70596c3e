"""Migration assessments 0008: every existing monitoring report takes the marking it was written under, as far as the
database says: OFFICIAL-SENSITIVE when a version in force while it was worked on was published so, or when its policy
is marked so now; OFFICIAL otherwise (assessments/migrations/0008_monitoring_report_protective_marking.py says why).
Published reports are append-only: the migration writes them all the same. Library 0006 raises their library rows."""

from __future__ import annotations

import pytest
from django.db import connection

from library.models import LibraryDocument
from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from publication.services import policy_publish
from tests.assessments.test_monitoring_report_marking import report_of
from tests.assessments.test_monitoring_report_marking_alone import media_root  # noqa: F401 (a fixture)
from tests.factories import advance_to, reload, what_was_read
from tests.library.helpers import published, submitted_with
from tests.lifecycle.migrating import migrate, sql
from tests.lifecycle.test_details import update

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE
BEFORE = ("assessments", "0007_monitoring_report_queue_index")
AFTER = ("assessments", "0008_monitoring_report_protective_marking")


def markings(*reports) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, protective_marking FROM assessments_monitoringreport WHERE id = ANY(%s)",
                       [[report.pk for report in reports]])
        found = dict(cursor.fetchall())
    return [found[report.pk] for report in reports]


def has_column() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'assessments_monitoringreport' "
                       "AND column_name = 'protective_marking'")
        return cursor.fetchone() is not None


def versions_recorded_no_marking(policy) -> None:
    """Its versions stand for ones published before versions recorded their details' marking."""
    trigger = "lifecycle_policyversion_append_only_trigger"
    sql(f"ALTER TABLE lifecycle_policyversion DISABLE TRIGGER {trigger}")
    try:
        sql("UPDATE lifecycle_policyversion SET details = NULL WHERE policy_id = %s",
            [policy.pk])
    finally:
        sql(f"ALTER TABLE lifecycle_policyversion ENABLE TRIGGER {trigger}")


def test_existing_reports_take_the_marking_they_were_written_under(people):
    # Published OFFICIAL-SENSITIVE, a report made then; a review's OFFICIAL version published; a report made since.
    downgraded = advance_to(published(people, title="Covert tasking", marking=SENSITIVE), Status.MONITORING, people)
    made_sensitive = report_of(downgraded, people)
    s.policy_start_review(policy=reload(downgraded), actor=people.coordinator, reason="Three-year review.")
    update(reload(downgraded), people.developer, protective_marking=OFFICIAL, suitable_for_publication_scheme=True)
    reviewed = advance_to(submitted_with(reload(downgraded), people, statement="<p>Reviewed.</p>"),
                          Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=reviewed, actor=people.pcu, **what_was_read(reviewed))
    assert reload(downgraded).protective_marking == OFFICIAL
    made_official = report_of(reload(downgraded), people)
    # A policy OFFICIAL-SENSITIVE now, whose versions never recorded a marking; and one OFFICIAL throughout, its
    # report still a draft.
    sensitive_now = advance_to(published(people, title="Firearms", marking=SENSITIVE), Status.MONITORING, people)
    versions_recorded_no_marking(sensitive_now)
    of_sensitive_now = report_of(sensitive_now, people)
    official = advance_to(published(people, title="Stop and search"), Status.MONITORING, people)
    draft = report_of(official, people, publish=False)
    reports = (made_sensitive, made_official, of_sensitive_now, draft)
    assert markings(*reports) == [SENSITIVE, OFFICIAL, SENSITIVE, OFFICIAL]
    # The library's row of the report made OFFICIAL-SENSITIVE, as the code before 0008 indexed it: OFFICIAL.
    assert sql("UPDATE library_librarydocument SET protective_marking = 'official' WHERE monitoring_report_id = %s",
               [made_sensitive.pk]) == 1
    try:
        migrate(BEFORE)
        assert not has_column()
        migrate(AFTER)
        assert markings(*reports) == [SENSITIVE, OFFICIAL, SENSITIVE, OFFICIAL]
        migrate()
        row = LibraryDocument.objects.get(monitoring_report_id=made_sensitive.pk)
        assert row.protective_marking == SENSITIVE
        assert LibraryDocument.objects.get(monitoring_report_id=made_official.pk).protective_marking == OFFICIAL
        # The published reports are append-only again.
        with pytest.raises(Exception, match="a published monitoring report is evidence"):
            sql("UPDATE assessments_monitoringreport SET protective_marking = 'official' WHERE id = %s",
                [made_sensitive.pk])
    finally:
        migrate()
