"""Read and acknowledge (issue 14): PCU chooses, at publication, the staff a version is relevant to; they are asked
to confirm they have read it (tied to that version), see it in My work and /acknowledgements/, are chased once in the
daily digest, and their manager sees the unit's rate move. Audited, exportable, and a fixed number of queries."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from acknowledgements.models import Acknowledgement, AcknowledgementAudience
from acknowledgements.selectors import (
    confirmations_by_class,
    outstanding_for,
    outstanding_people,
    profiles_of,
    staff_classes,
)
from acknowledgements.services import acknowledgement_audience_record, acknowledgement_confirm
from core.events import AuditAction
from core.models import AuditEvent, Role, User
from lifecycle import services as s
from lifecycle.models import PolicyVersion
from lifecycle.states import ProtectiveMarking, Status
from notifications.models import Digest, Notification, Reminder, ReminderKind
from notifications.services import chase_plan, chase_run
from publication.models import Publication
from tests.factories import advance_to, refused, reload, take_step, what_was_read
from tests.library.helpers import published, staff, submitted_with
from tests.page_cost import PageCost

pytestmark = pytest.mark.django_db

CONFIRMED = '<h2 class="govuk-heading-m">Confirmed</h2>'


def tp(people) -> dict:
    return {"business_groups": [people.group]}


def confirm(client, user, policy):
    client.force_login(user)
    version = reload(policy).current_version
    return client.post("/acknowledgements/confirm/", {"version": version.pk, "version_hash": version.content_hash,
                                                      "reference": policy.reference}, follow=True)


def test_pcu_asks_staff_who_confirm_and_their_manager_sees_the_rate_move(client, people, policy_in):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    reader = staff("reader", people.unit, first_name="Rhian", last_name="Reade")
    staff("colleague", people.unit, first_name="Colm", last_name="Colley")
    elsewhere = staff("elsewhere", people.unit2)

    # PCU publishes for Territorial Policing staff, on the publish page.
    client.force_login(people.pcu)
    page = client.get(f"/policies/{policy.reference}/actions/publish/").content.decode()
    assert "Ask the staff of these business groups to confirm they have read it" in page
    response = client.post(f"/policies/{policy.reference}/actions/publish/", {
        **what_was_read(policy), "on_intranet": "on", "in_notices": "on",
        "audience_business_groups": [people.group.pk]}, follow=True)
    assert response.status_code == 200 and reload(policy).status == Status.IMPLEMENTATION
    audience = AcknowledgementAudience.objects.get(policy=policy)
    assert audience.policy_version == reload(policy).current_version
    chosen = AuditEvent.objects.get(action=AuditAction.POLICY_ACKNOWLEDGEMENT_AUDIENCE_CHOSEN, policy_id=policy.pk)
    assert chosen.changes["business_groups"] == ["Territorial Policing"] and chosen.actor == people.pcu
    # On the policy's timeline, in a sentence.
    assert "Staff chosen to read and acknowledge it" in client.get(
        f"/policies/{policy.reference}/timeline/").content.decode()

    # The staff of the group are asked (My work, /acknowledgements/, the library page); others are not.
    client.force_login(reader)
    assert "Policies to read and confirm" in client.get("/").content.decode()
    listing = client.get("/acknowledgements/").content.decode()
    assert policy.reference in listing.partition(CONFIRMED)[0]
    assert "I have read version 1.0" in client.get(f"/library/{policy.reference}/").content.decode()
    client.force_login(elsewhere)
    assert policy.reference not in client.get("/acknowledgements/").content.decode()
    assert "I have read version" not in client.get(f"/library/{policy.reference}/").content.decode()

    # The manager of Territorial Policing sees their unit at 0 of 2.
    client.force_login(people.manager)
    rates = client.get("/acknowledgements/units/").content.decode()
    # By name, as people know each other (not their usernames).
    assert policy.reference in rates and "0%" in rates and "Colm Colley, Rhian Reade" in rates

    response = confirm(client, reader, policy)
    assert "You have confirmed you read" in response.content.decode()
    confirmation = Acknowledgement.objects.get(user=reader)
    assert (confirmation.policy_version, confirmation.content_hash) == (
        reload(policy).current_version, reload(policy).current_version.content_hash)
    event = AuditEvent.objects.get(action=AuditAction.POLICY_ACKNOWLEDGED)
    assert (event.actor, event.policy_id, event.changes["version"]) == (reader, policy.pk, "1.0")
    listing = client.get("/acknowledgements/").content.decode()
    outstanding, _, confirmed = listing.partition(CONFIRMED)
    assert policy.reference not in outstanding and policy.reference in confirmed
    assert "Policies to read and confirm" not in client.get("/").content.decode()

    # Twice is refused politely, not as an error (a double submit, a second tab), and nothing is added.
    again = confirm(client, reader, policy).content.decode()
    assert f"You already confirmed you had read version 1.0 on {timezone.localdate():%-d %B %Y}" in again
    assert "There is a problem" not in again
    assert Acknowledgement.objects.filter(user=reader).count() == 1

    client.force_login(people.manager)
    rates = client.get("/acknowledgements/units/").content.decode()
    assert "50%" in rates and "Colm Colley" in rates and "Rhian Reade" not in rates
    exported = list(csv.reader(io.StringIO(b"".join(client.get("/acknowledgements/export.csv").streaming_content)
                                           .decode())))
    assert exported[0][:4] == ["policy", "title", "version", "username"]
    statuses = {row[3]: row[6] for row in exported[1:]}
    assert statuses == {"reader": "confirmed", "colleague": "outstanding"}

    client.force_login(people.pcu)
    force = b"".join(client.get("/acknowledgements/export.csv").streaming_content).decode()
    assert "reader" in force and confirmation.content_hash in force
    # Staff who are not managers have no rates page.
    client.force_login(reader)
    assert client.get("/acknowledgements/units/").status_code == 404


def test_a_confirmation_is_refused_unless_asked_and_bound_to_the_text_read(client, people):
    policy = published(people, title="Bound", audience=tp(people))
    version = reload(policy).current_version
    elsewhere = staff("elsewhere", people.unit2)
    reader = staff("reader", people.unit)

    with refused("forbidden", "You have not been asked"):
        acknowledgement_confirm(user=elsewhere, version=version.pk, version_hash=version.content_hash)
    with refused("stale", "not the text you read"):
        acknowledgement_confirm(user=reader, version=version.pk, version_hash="0" * 64)
    with refused("stale", "out of date"):
        acknowledgement_confirm(user=reader, version="1; DROP TABLE x", version_hash=version.content_hash)
    client.force_login(elsewhere)
    page = client.post("/acknowledgements/confirm/", {"version": version.pk, "version_hash": version.content_hash,
                                                      "reference": policy.reference}, follow=True)
    assert "You have not been asked" in page.content.decode()
    assert not Acknowledgement.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.POLICY_ACKNOWLEDGED).exists()
    client.logout()
    assert client.get("/acknowledgements/").status_code == 302


def test_the_confirmation_is_offered_again_at_the_end_of_the_policy(client, people):
    """Walk (2026-12-05): the library page offered "I have read version 1.0" only above the policy, before a word of
    it. It is offered at the end too, after the document control, where the reader has read it; once confirmed,
    neither."""
    policy = published(people, title="Bound", audience=tp(people))
    reader = staff("reader", people.unit)
    client.force_login(reader)
    page = client.get(f"/library/{policy.reference}/").content.decode()
    assert page.count('action="/acknowledgements/confirm/"') == 2
    end = page.index('id="confirm-read"')
    assert page.index('id="document-control"') < end < page.rindex("I have read version 1.0")
    assert f"You have reached the end of {policy.reference} Bound, version 1.0." in page
    version = reload(policy).current_version
    client.post("/acknowledgements/confirm/", {"version": version.pk, "version_hash": version.content_hash,
                                               "reference": policy.reference})
    page = client.get(f"/library/{policy.reference}/").content.decode()
    assert 'action="/acknowledgements/confirm/"' not in page and 'id="confirm-read"' not in page


def test_a_new_major_version_asks_again(people):
    policy = published(people, title="Major", audience=tp(people))
    reader = staff("reader", people.unit)
    first = reload(policy).current_version
    acknowledgement_confirm(user=reader, version=first.pk, version_hash=first.content_hash)
    assert not outstanding_for(user=reader).exists()

    policy = advance_to(policy, Status.MONITORING, people)
    s.policy_start_review(policy=policy, actor=people.coordinator, reason="New law.")
    # Under review, version 1.0 stays in force and confirmed: nothing asked yet.
    assert not outstanding_for(user=reader).exists()
    policy = submitted_with(policy, people, statement=None, summary_of_changes="Rewritten.")
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    from publication.services import policy_publish

    policy_publish(policy=policy, actor=people.pcu, asked_to_acknowledge=tp(people), **what_was_read(policy))
    asked = list(outstanding_for(user=reader))
    assert [audience.policy_version.number for audience in asked] == ["2.0"]
    assert Acknowledgement.objects.filter(user=reader, policy_version=first).exists()


def _publish_minor(people, policy, *, ask_again: bool):
    """Version 1.1 of a policy in force at 1.0, published (the minor-version route is PCU's: built directly)."""
    policy = reload(policy)
    base = policy.current_version
    version = PolicyVersion.objects.create(policy=policy, major=1, minor=1, statement=base.statement,
                                           author=people.developer)
    version.content_hash = version.compute_content_hash()
    version.submitted_at = timezone.now()
    version.save()
    with transaction.atomic():
        acknowledgement_audience_record(policy=policy, version=version, actor=people.pcu,
                                        business_groups=[people.group], ask_again=ask_again)
        Publication.objects.create(policy=policy, policy_version=version, requested_by=people.pcu,
                                   status=Publication.Status.PUBLISHED, published_at=timezone.now(),
                                   published_by=people.pcu)
    return version


@pytest.mark.parametrize("ask_again", [False, True])
def test_a_minor_version_asks_again_only_if_pcu_says_so(people, ask_again):
    policy = published(people, title="Minor", audience=tp(people))
    reader, newcomer = staff("reader", people.unit), staff("newcomer", people.unit)
    first = reload(policy).current_version
    acknowledgement_confirm(user=reader, version=first.pk, version_hash=first.content_hash)

    minor = _publish_minor(people, policy, ask_again=ask_again)

    asked_reader = [audience.policy_version for audience in outstanding_for(user=reader)]
    assert asked_reader == ([minor] if ask_again else [])
    # Whoever had not confirmed 1.0 is asked about 1.1 either way.
    assert [audience.policy_version for audience in outstanding_for(user=newcomer)] == [minor]


def test_the_chase_reminds_each_person_once_in_the_daily_digest(people):
    day = datetime.date(2026, 3, 2)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        policy = published(people, title="Chased", audience=tp(people))
        reader = staff("reader", people.unit, email="reader@example.org")
        staff("elsewhere", people.unit2)
        first = chase_run(today=day)
        second = chase_run(today=day)
    reminders = Reminder.objects.filter(kind=ReminderKind.ACKNOWLEDGEMENT)
    chased = set(reminders.values_list("recipient__username", flat=True))
    # Territorial Policing's staff and role holders; never Specialist Crime & Operations' staff.
    assert "reader" in chased and "elsewhere" not in chased and "developer2" not in chased
    assert reminders.filter(recipient=reader).count() == 1
    assert first.new_reminders >= 1 and second.new_reminders == 0
    # One inbox item tells them, filed in the day's digest.
    assert [item.title for item in Digest.objects.get(recipient=reader, digest_date=day).items.all()] == [
        "You have 1 policy to read and confirm"]
    message = reminders.get(recipient=reader).message
    assert policy.reference in message and f"/library/{policy.reference}/" in message

    # The next days: nothing new for anyone already chased, confirmed or not.
    later = day + datetime.timedelta(days=7)
    assert not [item for item in chase_plan(today=later) if item.kind == ReminderKind.ACKNOWLEDGEMENT]
    version = reload(policy).current_version
    acknowledgement_confirm(user=reader, version=version.pk, version_hash=version.content_hash)
    assert chase_run(today=later).new_reminders == 0


def test_official_sensitive_policies_ask_only_the_cleared(people):
    policy = published(people, title="Covert", marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                       audience={"roles": [Role.DEVELOPER]})
    assert [audience.policy for audience in outstanding_for(user=people.developer)] == [policy]
    assert not outstanding_for(user=people.developer2).exists()
    plan = [item for item in chase_plan() if item.kind == ReminderKind.ACKNOWLEDGEMENT]
    assert {item.recipient_id for item in plan} == {people.developer.pk}


def test_units_roles_and_groups_match_the_same_people_in_sql_and_in_python(people):
    published(people, title="By unit", audience={"units": [people.unit2]})
    published(people, title="By role", audience={"roles": [Role.COORDINATOR]})
    published(people, title="By group", audience={"business_groups": [people.group2]})
    staff("unit1", people.unit)
    staff("unit2", people.unit2)
    staff("nowhere", None)
    profiles = profiles_of(User.objects.all())
    audiences = list(AcknowledgementAudience.objects.prefetch_related("criteria").select_related("policy"))
    for user in User.objects.filter(is_active=True):
        in_sql = {audience.pk for audience in outstanding_for(user=user)}
        in_python = {audience.pk for audience in audiences if user.pk in outstanding_people(audience, profiles)}
        assert in_sql == in_python, user.username
    assert {a.policy.title for a in outstanding_for(user=User.objects.get(username="unit2"))} == {"By unit",
                                                                                                  "By group"}
    assert {a.policy.title for a in outstanding_for(user=people.coordinator2)} == {"By role", "By group"}
    assert not outstanding_for(user=User.objects.get(username="nowhere")).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_rates_class_the_staff_by_the_roles_the_database_keeps_for_each_person(people):
    """make bench, 20,000 staff: the rates' classes of staff (staff_classes) aggregated each person's role
    assignments in a subquery run once per person (110-245 ms, planned at cost 176,000: JIT-compiled), and each
    confirmation did the same (confirmations_by_class). Both read the text the database keeps of each person's roles
    (core.RolesHeld): no role assignment is read, and the classes are those of each person's profile."""
    policy = published(people, title="Asked of TP", audience=tp(people))
    staff("constable", people.unit)
    acknowledgement_confirm(user=people.developer, version=policy.current_version,
                            version_hash=policy.current_version.content_hash)
    for statement in (staff_classes(), confirmations_by_class([policy.pk])):
        sql, params = statement.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(line for (line,) in cursor.fetchall())
        assert "core_roleassignment" not in plan, plan
    profiles = profiles_of(User.objects.all())
    counted: dict[tuple, int] = {}
    for unit_id, unit_group, held, people_in_class in staff_classes():
        roles = frozenset(item.partition(":")[0] for item in held.split(",") if item)
        key = (unit_id, roles)
        counted[key] = counted.get(key, 0) + people_in_class
    by_profile: dict[tuple, int] = {}
    for profile in profiles.values():
        key = (profile.unit_id, profile.roles)
        by_profile[key] = by_profile.get(key, 0) + 1
    assert counted == by_profile
    assert [row[3:] for row in confirmations_by_class([policy.pk])] == [(f"developer:{people.group.pk}", 1)]


def test_one_persons_outstanding_list_costs_the_same_however_long(client, people):
    reader = staff("reader", people.unit)
    published(people, title="One", audience=tp(people))
    client.force_login(reader)
    client.get("/acknowledgements/")

    def cost(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    few, home = cost("/acknowledgements/"), cost("/")
    for number in range(4):
        published(people, title=f"More {number}", audience=tp(people))
    assert len(outstanding_for(user=reader)) == 5
    assert cost("/acknowledgements/") == few
    assert cost("/") == home
    fresh = User.objects.get(pk=reader.pk)
    with CaptureQueriesContext(connection) as captured:
        list(outstanding_for(user=fresh))
    assert len(captured) == 3  # their roles, their unit's group, the list


def test_the_page_spends_no_python_per_version_asked_beyond_printing_its_row(client, people, monkeypatch):
    """make bench, 100,000 policies: a person asked about 192 policies waited 96-108 ms for /acknowledgements/, whose
    SQL took 8 ms: each row built three model instances (the audience, its policy and version) and resolved its link
    with {% url %}. The rows are values now (acknowledgements.selectors.outstanding_rows), their links made from the
    pattern resolved once (core.templatetags.cached_urls): as many of either for three rows as for one."""
    reader = staff("reader", people.unit)
    first = published(people, title="First asked", audience=tp(people))
    page_cost = PageCost(monkeypatch, (AcknowledgementAudience, PolicyVersion, type(first)))
    client.force_login(reader)
    client.get("/acknowledgements/")

    def cost() -> tuple[int, int]:
        instances, resolutions, page = page_cost(client, "/acknowledgements/")
        listing = page.partition("To read and confirm")[2]
        assert listing.partition(CONFIRMED)[0].count('href="/library/') == outstanding_for(user=reader).count()
        return instances, resolutions

    one = cost()
    for number in range(2):
        published(people, title=f"Also asked {number}", audience=tp(people))
    assert cost() == one
    page = client.get("/acknowledgements/").content.decode()
    asked = timezone.localtime(AcknowledgementAudience.objects.get(policy=first).chosen_at)
    row = (f'<a class="govuk-link" href="/library/{first.reference}/">{first.reference} First asked</a></td>'
           f'\n      <td class="govuk-table__cell">1.0</td>\n      <td class="govuk-table__cell">{asked.day} '
           f'{asked:%B %Y}</td>')
    assert row in page


def test_a_withdrawn_policy_asks_nobody(people):
    policy = published(people, title="Gone", audience=tp(people))
    reader = staff("reader", people.unit)
    assert outstanding_for(user=reader).exists()
    take_step(policy, people, "withdrawn", reason="Replaced.")  # the Lead decides, PCU carries it out
    assert not outstanding_for(user=reader).exists()


def _acknowledgement_keys(items) -> set[tuple]:
    return {(item.policy_id, item.cycle, item.recipient_id, item.kind, item.chased_item, item.due_on,
             item.item_due_on, item.step, item.message) for item in items}


def _asked_by_the_python_rule() -> set[tuple[int, int, int]]:
    """(policy, cycle, person) by ``Profile.included_by`` and ``may_read`` (the rule of the manager's rates)."""
    profiles = profiles_of(User.objects.all())
    return {(audience.policy_id, audience.major, person)
            for audience in AcknowledgementAudience.objects.prefetch_related("criteria").select_related("policy")
            for person in outstanding_people(audience, profiles)}


def test_the_dry_run_and_the_chase_select_the_same_reminders_to_read_and_confirm(people):
    """Issue 16: the chase writes issue 14's reminders by INSERT ... SELECT of the statement the dry run reads
    (notifications.services.plan.acknowledgement_reminders); both, over audiences by business group, unit and role
    and an OFFICIAL-SENSITIVE one, choose the same (policy, cycle, person, kind, due date, message), the people
    ``Profile.included_by`` and ``may_read`` choose; someone who confirmed is never chased, someone chased is not
    chased again, someone who joins later is chased on their next chase, each exactly once."""
    day = datetime.date(2026, 3, 2)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        by_group = published(people, title="By group", audience=tp(people))
        published(people, title="By unit", audience={"units": [people.unit2]})
        published(people, title="By role", audience={"roles": [Role.COORDINATOR]})
        published(people, title="Covert", marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                  audience={"roles": [Role.DEVELOPER]})
        reader = staff("reader", people.unit)
        confirmed = staff("confirmed", people.unit)
        staff("unit2", people.unit2)
        staff("nowhere", None)
        version = reload(by_group).current_version
        acknowledgement_confirm(user=confirmed, version=version.pk, version_hash=version.content_hash)

        plan = [item for item in chase_plan(today=day) if item.kind == ReminderKind.ACKNOWLEDGEMENT]
        asked = {(item.policy_id, item.cycle, item.recipient_id) for item in plan}
        assert asked == _asked_by_the_python_rule()
        assert len(asked) == len(plan)
        assert (by_group.pk, version.major, reader.pk) in asked
        assert not {item for item in plan if item.recipient_id == confirmed.pk}
        # Developers of both groups hold the role; only Territorial Policing's is cleared for its sensitive policy.
        assert {item.recipient_id for item in plan if item.title == "Covert"} == {people.developer.pk}
        assert {item.due_on for item in plan} == {day}
        reminder = next(item for item in plan if item.recipient_id == reader.pk)
        assert reminder.message == (f"Read {by_group.reference} By group, version {version.number}, and confirm "
                                    f"you have read it at /library/{by_group.reference}/.")

        result = chase_run(today=day)
    written = Reminder.objects.filter(kind=ReminderKind.ACKNOWLEDGEMENT)
    assert _acknowledgement_keys(written) == _acknowledgement_keys(plan)
    assert result.new_reminders == Reminder.objects.count() >= len(plan)
    # One inbox item per person for all their reminders to read, none per reminder, written with them.
    items = Notification.objects.filter(title__endswith="to read and confirm")
    assert not Notification.objects.filter(reminder__in=written).exists()
    assert sorted(items.values_list("recipient_id", flat=True)) == sorted({item.recipient_id for item in plan})
    assert items.get(recipient=people.coordinator).title == "You have 2 policies to read and confirm"
    assert {item.created_at for item in items} == {reminder.created_at for reminder in written}

    # A week on: only the newcomer is due; the dry run says so, and the chase writes exactly that, once.
    later = day + datetime.timedelta(days=7)
    newcomer = staff("newcomer", people.unit)
    plan = [item for item in chase_plan(today=later) if item.kind == ReminderKind.ACKNOWLEDGEMENT]
    assert {item.recipient_id for item in plan} == {newcomer.pk}
    before = set(written.values_list("pk", flat=True))
    chase_run(today=later)
    assert _acknowledgement_keys(written.exclude(pk__in=before)) == _acknowledgement_keys(plan)
    assert chase_run(today=later).new_reminders == 0
    assert not [item for item in chase_plan(today=later) if item.kind == ReminderKind.ACKNOWLEDGEMENT]
    assert written.filter(recipient=newcomer).count() == written.filter(recipient=reader).count() == 1
    assert items.filter(recipient=newcomer).count() == items.filter(recipient=reader).count() == 1


def test_a_chase_killed_after_the_ledger_tells_each_person_once(people, monkeypatch):
    """The ledger is written in one transaction with the inbox items that tell people of their reminders to read,
    before the other reminders' items: a run killed in between has told each person once, and the next run writes
    no reminder and no item twice."""
    from notifications.services import ledger

    day = datetime.date(2026, 3, 2)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        published(people, title="Chased", audience=tp(people))
        published(people, title="Chased too", audience=tp(people))
        reader = staff("reader", people.unit)

        def killed(**_):
            raise SystemExit("worker killed")

        monkeypatch.setattr(ledger, "reminders_to_inbox", killed)
        with pytest.raises(SystemExit):
            chase_run(today=day)
        written = Reminder.objects.filter(kind=ReminderKind.ACKNOWLEDGEMENT)
        chased = written.count()
        items = Notification.objects.filter(title__endswith="to read and confirm")
        assert written.filter(recipient=reader).count() == 2
        assert [item.title for item in items.filter(recipient=reader)] == ["You have 2 policies to read and confirm"]
        monkeypatch.undo()
        assert chase_run(today=day).new_reminders == 0
    assert written.count() == chased
    assert items.filter(recipient=reader).count() == 1
    assert Digest.objects.get(recipient=reader, digest_date=day).items.count() == 1


def test_a_forged_confirmation_names_no_other_policy_and_tells_nothing_of_it(client, people):
    """A confirmation posted from one policy's page with another version's id (an edited form) was refused with "You
    have not been asked to confirm you have read POL-…" naming the other policy, an OFFICIAL-SENSITIVE one the
    person may not see included, and "That version does not exist" told which ids do (found by the tenth session's
    walk). The refusal names no policy, and is the same whether the version exists or not."""
    asked = published(people, title="Asked", audience=tp(people))
    covert = published(people, title="Covert", marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                       audience={"roles": [Role.DEVELOPER]})
    reader = staff("reader", people.unit)
    covert_version = reload(covert).current_version
    client.force_login(reader)
    for version_id in (covert_version.pk, 9_999_999):
        page = client.post("/acknowledgements/confirm/", {
            "version": version_id, "version_hash": covert_version.content_hash, "reference": asked.reference,
        }, follow=True).content.decode()
        assert covert.reference not in page and "Covert" not in page
        assert "have not been asked to confirm you have read this version." in page
    messages = [str(m) for m in (
        _refusal(reader, covert_version.pk, covert_version.content_hash, asked.reference),
        _refusal(reader, 9_999_999, covert_version.content_hash, asked.reference))]
    assert messages[0] == messages[1] and asked.reference not in messages[0]
    assert not Acknowledgement.objects.exists()


def _refusal(user, version, version_hash, reference):
    try:
        acknowledgement_confirm(user=user, version=version, version_hash=version_hash, reference=reference)
    except Exception as error:  # noqa: BLE001 - the refusal itself is what is compared
        return error
    raise AssertionError("the forged confirmation was accepted")


def test_a_confirmation_naming_an_unseen_policy_answers_as_for_an_unknown_one(client, people):
    """QA walk: a hand-crafted confirmation naming POL-0014, an OFFICIAL-SENSITIVE policy the person may not see and
    is not asked to read, answered "You have not been asked to confirm you have read this version of POL-0014",
    repeating the reference as though it were a policy. The refusal names no reference, and reads the same for an
    unseen reference as for one that does not exist."""
    covert = published(people, title="Covert", marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                       audience={"roles": [Role.DEVELOPER]})
    reader = staff("reader", people.unit)
    covert_version = reload(covert).current_version
    client.force_login(reader)
    answers = []
    for reference in (covert.reference, "POL-9999"):
        response = client.post("/acknowledgements/confirm/", {
            "version": covert_version.pk, "version_hash": covert_version.content_hash, "reference": reference,
        }, follow=True)
        page = response.content.decode()
        assert reference not in page and "Covert" not in page
        assert "You have not been asked to confirm you have read this version." in page
        answers.append((response.status_code, str(_refusal(reader, covert_version.pk, covert_version.content_hash,
                                                           reference))))
    assert answers[0] == answers[1]
    assert not Acknowledgement.objects.exists()
