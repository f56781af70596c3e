"""A version's document control names the authors it was submitted by (QA walk of 2026-12-06, MEDIUM): the library
page, the policy page and the PDF named the policy's developers *now* as the authors of every version, so a handover
renamed the authors of what was submitted years before. A version records its authors when it is frozen
(PolicyVersion.authors); a draft names the developers as they stand. Migration 0028 works out the authors of the
versions submitted before, from the audit trail of the developers' changes."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import DatabaseError, connection
from django.utils.html import escape

from core.models import Role
from lifecycle import services as s
from lifecycle.models import PolicyVersion
from lifecycle.services import people as people_services
from lifecycle.states import Status
from tests.factories import advance_to, reload, user_with_role
from tests.lifecycle.migrating import sql

TRIGGER = "lifecycle_policyversion_append_only_trigger"
backfill = importlib.import_module("lifecycle.migrations.0028_version_authors").versions_record_authors


def version(policy, number: str) -> PolicyVersion:
    major, minor = number.split(".")
    return PolicyVersion.objects.get(policy=policy, major=major, minor=minor)


def authors_row(page: str) -> str:
    start = page.index("Authors</dt>")
    return page[start:page.index("</dd>", start)]


def replace_developer(policy, people, new_username: str):
    new = user_with_role(Role.DEVELOPER, people.group, username=new_username, first_name="Nadia",
                         last_name=new_username.title())
    people_services.policy_replace_developer(policy=reload(policy), actor=people.coordinator, old=people.developer,
                                             new=new, reason="Moved to another unit.")
    return new


@pytest.mark.django_db
def test_a_handover_does_not_rename_the_authors_of_what_was_submitted(people, policy_in, client):
    policy = policy_in(Status.MONITORING)
    assert version(policy, "1.0").authors == [str(people.developer)]
    successor = replace_developer(policy, people, "successor")

    client.force_login(people.coordinator)
    for url in (f"/library/{policy.reference}/", f"/policies/{policy.reference}/"):
        row = authors_row(client.get(url).content.decode())
        assert escape(str(people.developer)) in row and str(successor) not in row, url

    # A review's draft is written by the developers named now.
    s.policy_start_review(policy=reload(policy), actor=people.lead, reason="Three-year review.")
    row = authors_row(client.get(f"/policies/{policy.reference}/").content.decode())
    assert str(successor) in row and escape(str(people.developer)) not in row
    # The version in force, in the library, keeps its own.
    row = authors_row(client.get(f"/library/{policy.reference}/").content.decode())
    assert escape(str(people.developer)) in row and str(successor) not in row


@pytest.mark.django_db
def test_the_authors_are_recorded_in_the_update_that_freezes_the_version(people, policy_in):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    frozen = version(policy_in(Status.MONITORING), "1.0")
    with pytest.raises(DatabaseError, match="is frozen"):
        sql("UPDATE lifecycle_policyversion SET authors = '[\"Someone Else\"]' WHERE id = %s", [frozen.pk])


def wipe_and_backfill(ids) -> None:
    """The authors of these versions as the code before 0028 left them (none), then the migration's backfill."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        # The test's transaction holds the foreign keys' deferred checks, which no ALTER TABLE may run over: run them.
        sql("SET CONSTRAINTS ALL IMMEDIATE")
        sql(f"ALTER TABLE lifecycle_policyversion DISABLE TRIGGER {TRIGGER}")
    try:
        assert sql("UPDATE lifecycle_policyversion SET authors = NULL WHERE id = ANY(%s)", [list(ids)]) == len(ids)
    finally:
        if postgres:
            sql(f"ALTER TABLE lifecycle_policyversion ENABLE TRIGGER {TRIGGER}")
    with connection.schema_editor(atomic=False) as editor:
        backfill(apps, editor)


def submitted_authors(policy) -> dict:
    return dict(PolicyVersion.objects.filter(policy=policy, submitted_at__isnull=False).values_list("pk", "authors"))


@pytest.mark.django_db
def test_the_migration_works_out_the_authors_of_versions_submitted_before_it(people, policy_in):
    # v1.0 submitted by the developer alone; a second developer added; the review's v2.0 submitted by both; then the
    # first developer replaced. Another policy whose developers never changed.
    policy = policy_in(Status.MONITORING)
    unchanged = policy_in(Status.MONITORING)
    second = user_with_role(Role.DEVELOPER, people.group, username="second", first_name="Sam", last_name="Second")
    people_services.policy_replace_developer(policy=reload(policy), actor=people.coordinator, old=None, new=second,
                                             reason="Extra hands for the review.")
    s.policy_start_review(policy=reload(policy), actor=people.lead, reason="Three-year review.")
    advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    replace_developer(policy, people, "successor")
    recorded = dict(PolicyVersion.objects.filter(
        policy__in=[policy, unchanged], submitted_at__isnull=False).values_list("pk", "authors"))
    assert version(policy, "1.0").authors == [str(people.developer)]
    assert version(policy, "2.0").authors == sorted([str(people.developer), str(second)],
                                                   key=lambda name: name.split()[-1])
    assert len(recorded) == 3
    wipe_and_backfill(recorded)

    assert dict(PolicyVersion.objects.filter(pk__in=recorded).values_list("pk", "authors")) == recorded
    if connection.vendor == "postgresql":  # the trigger is on again
        with pytest.raises(DatabaseError, match="is frozen"):
            sql("UPDATE lifecycle_policyversion SET authors = NULL WHERE id = %s", [version(policy, "1.0").pk])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANY(%s) and the trigger are PostgreSQL's")
def test_the_backfill_keeps_a_developer_a_leaver_was_handed_over_to(people, policy_in):
    """Review of 2026-12-06 (MEDIUM): a handover hands the leaver's part to a developer already named (its INSERT
    ignores the one already there) and audits it all the same; undone, it took that developer off the authors."""
    policy = policy_in(Status.MONITORING)
    second = user_with_role(Role.DEVELOPER, people.group, username="second", first_name="Sam", last_name="Second")
    people_services.policy_replace_developer(policy=reload(policy), actor=people.coordinator, old=None, new=second,
                                             reason="Extra hands.")
    s.policy_start_review(policy=reload(policy), actor=people.lead, reason="Three-year review.")
    advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    people_services.person_handover(actor=people.pcu, leaver=people.developer, replacements={"developer": second},
                                    reason="Left the force.")
    recorded = submitted_authors(policy)
    assert sorted(map(len, recorded.values())) == [1, 2]
    wipe_and_backfill(recorded)
    assert submitted_authors(policy) == recorded


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANY(%s) and the trigger are PostgreSQL's")
def test_the_backfill_places_a_version_by_its_steps_event_not_the_clock(people, policy_in):
    """Review of 2026-12-06 (LOW): a change of developer at the very instant of the submission (a frozen clock, or
    two hosts' clocks) was taken as before it."""
    import time_machine

    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        policy = policy_in(Status.SUBMITTED_FOR_QA)
        replace_developer(policy, people, "successor")
    recorded = submitted_authors(policy)
    assert list(recorded.values()) == [[str(people.developer)]]
    wipe_and_backfill(recorded)
    assert submitted_authors(policy) == recorded


@pytest.mark.django_db
def test_a_version_reopened_for_its_eia_names_the_authors_of_the_version_in_force(people, policy_in):
    """Review of 2026-12-06 (LOW): DCFD's 'the EIA must be updated' freezes a copy of the version in force (its
    statement, SOPs and Workbook as they are) in a new minor version: written by that version's authors, not by
    whoever are the developers at DCFD's answer."""
    import datetime

    import time_machine
    from dateutil.relativedelta import relativedelta

    from tests.factories import monitoring_up_to_date

    with time_machine.travel(datetime.datetime(2023, 2, 9, 9, 0), tick=False):
        policy = people.policy()
    with time_machine.travel(datetime.datetime(2023, 3, 1, 9, 0), tick=False):
        policy = advance_to(policy, Status.IMPLEMENTATION, people)
    day = datetime.datetime.combine(reload(policy).review_due_on - relativedelta(months=2), datetime.time(9, 0))
    with time_machine.travel(day, tick=False):
        monitoring_up_to_date(reload(policy), people)
        successor = replace_developer(policy, people, "successor")
        s.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="Monitoring shows it works.")
        s.policy_confirm_eia(policy=reload(policy), actor=people.dcfd, eia_outcome="updated",
                             eia_comments="Add the 2021 census figures.")
    assert version(policy, "1.1").authors == version(policy, "1.0").authors == [str(people.developer)]
    assert str(successor) not in version(policy, "1.1").authors
    if connection.vendor == "postgresql":
        # The backfill agrees (second review of 2026-12-06, LOW: it worked out the developers at DCFD's answer).
        recorded = submitted_authors(policy)
        wipe_and_backfill(recorded)
        assert submitted_authors(policy) == recorded


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANY(%s) and the trigger are PostgreSQL's")
def test_the_backfill_does_not_take_a_manager_who_submitted_for_a_developer(people):
    """Second review of 2026-12-06 (MEDIUM): the backfill took anyone who had drafted or submitted a version for a
    developer named before a handover; a unit's manager submits its policies without being named (and here holds
    the developer role too), so a leaver handed over to them made them an author of a version they only sent on."""
    from tests.factories import RoleAssignmentFactory, fill_development

    RoleAssignmentFactory(user=people.manager, role=Role.DEVELOPER, business_group=people.group)
    policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
    fill_development(reload(policy), people)
    s.policy_submit_for_qa(policy=reload(policy), actor=people.manager)
    people_services.person_handover(actor=people.pcu, leaver=people.developer,
                                    replacements={"developer": people.manager}, reason="Left the force.")
    recorded = submitted_authors(policy)
    assert list(recorded.values()) == [[str(people.developer)]]
    wipe_and_backfill(recorded)
    assert submitted_authors(policy) == recorded


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANY(%s) and the trigger are PostgreSQL's")
def test_the_backfill_places_a_local_instruction_by_its_approval(people):
    """Second review of 2026-12-06 (LOW): a local work instruction's version is frozen by its Lead's approval
    (policy.local_instruction_approved), which the backfill did not look for, so it fell back to the clock."""
    import time_machine

    from tests.lifecycle.test_local_work_instructions import _local_in_force

    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        policy = _local_in_force(people, title="Local instruction")
        replace_developer(policy, people, "successor")
    recorded = submitted_authors(policy)
    assert [str(people.developer)] in recorded.values()
    wipe_and_backfill(recorded)
    assert submitted_authors(policy) == recorded
