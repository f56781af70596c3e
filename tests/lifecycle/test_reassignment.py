"""Issue 12, "Reassignment": who may replace whom on a policy (SOP roles), through the pages; the refusals
(inactive, without the role, not allowed, stale) changing nothing; a leaver's whole portfolio in one
transaction with a query count that does not grow per policy beyond the audit chain's four; open reminders
following the new holder; the orphan reminder linking to the people page and stopping once the gap is filled;
deactivation refused while someone holds anything."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.events import AuditAction
from core.exceptions import ApplicationError
from core.holdings import user_deactivate, user_holdings
from core.models import AuditEvent, Role, RoleAssignment, User
from lifecycle.models import Policy
from lifecycle.people_selectors import (
    PERSON_MATCHES_SHOWN,
    Eligibility,
    Place,
    find_person,
    handover_eligibility,
    move_eligibility,
    policy_eligibility,
)
from lifecycle.services import people as people_services
from notifications import services as notifications
from notifications.models import Notification, Reminder, ReminderKind
from tests.factories import RoleAssignmentFactory, UserFactory, advance_to, user_with_role

PUBLISHED_ON = datetime.date(2023, 3, 1)
# A leaver's handover, whatever the number of policies (issue 12: "a query count that does not grow per policy").
PINNED_HANDOVER_QUERIES = 22


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


def fresh(policy) -> Policy:
    return Policy.objects.get(pk=policy.pk)


def people_url(policy) -> str:
    return reverse("lifecycle:people", args=[policy.reference])


def post_reassign(client, policy, part, new_holder, *, reason="Moved to another unit.", expected="current"):
    if expected == "current":
        holder_id = getattr(fresh(policy), people_services.PARTS[part].column)
        expected = holder_id or "none"
    return client.post(people_url(policy), {
        "part": part, f"{part}-new_holder": getattr(new_holder, "username", new_holder or ""),
        f"{part}-reason": reason, f"{part}-expected_holder": expected,
    })


def leave(user: User) -> None:
    """The account closed when the person left (outside PolicyHub, before it refused that)."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False


@pytest.fixture
def policy(people):
    return people.policy()


@pytest.fixture
def new_manager(people):
    user = user_with_role(Role.MANAGER, people.group, username="new.manager")
    return user


# --- one part, through the page, for each role ------------------------------------------------------------


@pytest.mark.django_db
class TestPeoplePage:
    def test_everyone_who_sees_the_policy_sees_who_holds_what_and_pcu_gets_every_form(self, client, people, policy):
        client.force_login(people.pcu)
        page = client.get(people_url(policy)).content.decode()
        for text in ("Management Board owner", "Designated Lead", "policy manager", str(people.developer),
                     'name="part" value="owner"', 'name="part" value="designated_lead"', 'name="part" value="move"'):
            assert text in page
        client.force_login(people.developer)
        page = client.get(people_url(policy)).content.decode()
        assert str(people.lead) in page and 'name="part"' not in page

    def test_the_policy_page_has_a_people_tab(self, client, people, policy):
        client.force_login(people.developer)
        page = client.get(reverse("lifecycle:detail", args=[policy.reference])).content.decode()
        assert f'href="{people_url(policy)}"' in page

    def test_the_coordinator_replaces_the_manager_with_a_reason_audited_and_both_told(self, client, people, policy,
                                                                                     new_manager):
        client.force_login(people.coordinator)
        response = post_reassign(client, policy, "policy_manager", new_manager, reason="Unit head retired.")
        assert response.status_code == 302
        assert fresh(policy).policy_manager == new_manager
        event = AuditEvent.objects.filter(action=AuditAction.POLICY_REASSIGNED, policy_id=policy.pk).get()
        assert event.changes["reason"] == "Unit head retired."
        assert event.changes["parts"] == [["policy_manager", "manager", "new.manager"]]
        notifications.outbox_relay()
        told = set(Notification.objects.filter(source_event__audit_event=event).values_list("recipient__username",
                                                                                              flat=True))
        assert told == {"manager", "new.manager"}

    def test_the_coordinator_cannot_reassign_the_owner_or_the_lead(self, client, people, policy):
        other_lead = user_with_role(Role.LEAD, people.group, username="lead.b")
        client.force_login(people.coordinator)
        page = client.get(people_url(policy)).content.decode()
        assert 'name="part" value="designated_lead"' not in page and 'name="part" value="owner"' not in page
        assert 'name="part" value="move"' not in page
        response = post_reassign(client, policy, "designated_lead", other_lead)
        assert response.status_code == 302
        assert fresh(policy).designated_lead == people.lead
        with pytest.raises(ApplicationError, match="Only the Policy Co-ordination Unit can reassign the Designated"):
            people_services.policy_reassign(policy=policy, actor=people.coordinator, role="designated_lead",
                                            new_holder=other_lead, reason="x")

    def test_pcu_reassigns_the_lead(self, client, people, policy):
        other_lead = user_with_role(Role.LEAD, people.group, username="lead.b")
        client.force_login(people.pcu)
        assert post_reassign(client, policy, "designated_lead", other_lead).status_code == 302
        assert fresh(policy).designated_lead == other_lead

    @pytest.mark.parametrize("who", ["developer", "manager", "lead", "owner", "dcfd"])
    def test_others_are_refused_and_nothing_changes(self, client, people, policy, new_manager, who):
        client.force_login(getattr(people, who))
        response = post_reassign(client, policy, "policy_manager", new_manager)
        assert response.status_code == (404 if who == "dcfd" else 302)  # DCFD does not see a policy in scoping
        assert fresh(policy).policy_manager == people.manager
        assert not AuditEvent.objects.filter(action=AuditAction.POLICY_REASSIGNED).exists()

    def test_another_groups_coordinator_is_refused(self, people, policy, new_manager):
        with pytest.raises(ApplicationError) as refused:
            people_services.policy_reassign(policy=policy, actor=people.coordinator2, role="policy_manager",
                                            new_holder=new_manager, reason="x")
        assert refused.value.code == "forbidden"


@pytest.mark.django_db
class TestBadInput:
    def test_an_inactive_new_holder_is_refused_on_the_form_keeping_what_was_typed(self, client, people, policy,
                                                                               new_manager):
        leave(new_manager)
        client.force_login(people.coordinator)
        response = post_reassign(client, policy, "policy_manager", new_manager, reason="Typed reason kept")
        assert response.status_code == 400
        page = response.content.decode()
        assert "their account is not active" in page and "Typed reason kept" in page
        assert fresh(policy).policy_manager == people.manager

    def test_a_lead_must_hold_the_lead_role_in_the_policys_group(self, client, people, policy):
        client.force_login(people.pcu)
        response = post_reassign(client, policy, "designated_lead", people.lead2)
        assert response.status_code == 400
        assert "do not hold the Designated Business Group Policy Lead role in Territorial Policing" in \
            response.content.decode()
        assert fresh(policy).designated_lead == people.lead

    def test_a_manager_of_another_unit_is_not_the_manager_of_this_unit(self, people, policy):
        from tests.factories import UnitFactory

        other_unit = UnitFactory(business_group=people.group, name="Roads Policing")
        elsewhere = user_with_role(Role.DEVELOPER, people.group, username="roads.head")
        RoleAssignmentFactory(user=elsewhere, role=Role.MANAGER, business_group=people.group, unit=other_unit)
        with pytest.raises(ApplicationError, match="Response and Patrol"):
            people_services.policy_reassign(policy=policy, actor=people.pcu, role="policy_manager",
                                            new_holder=elsewhere, reason="x")

    def test_an_unknown_person_or_a_missing_reason_is_a_form_error_not_a_500(self, client, people, policy):
        client.force_login(people.coordinator)
        assert post_reassign(client, policy, "policy_manager", "nobody-at-all").status_code == 400
        response = post_reassign(client, policy, "policy_manager", people.developer, reason="")
        assert response.status_code == 400 and "Enter the reason for the change" in response.content.decode()
        assert client.post(people_url(policy), {"part": "no-such-part"}).status_code == 302
        assert post_reassign(client, policy, "policy_manager", people.developer,
                             expected="1; DROP TABLE").status_code == 302

    def test_two_people_reassigning_at_once_one_wins_and_the_other_is_told(self, client, people, policy,
                                                                         new_manager):
        second = user_with_role(Role.MANAGER, people.group, username="second.manager")
        shown = people.manager.pk  # both pages showed the current manager
        client.force_login(people.coordinator)
        assert post_reassign(client, policy, "policy_manager", new_manager, expected=shown).status_code == 302
        client.force_login(people.pcu)
        response = post_reassign(client, policy, "policy_manager", second, expected=shown)
        assert response.status_code == 302
        assert fresh(policy).policy_manager == new_manager
        told = [str(message) for message in response.wsgi_request._messages]
        assert any("Someone else changed the policy manager" in text and str(new_manager) in text for text in told)
        assert AuditEvent.objects.filter(action=AuditAction.POLICY_REASSIGNED).count() == 1


# --- developers, moves ------------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestDevelopers:
    def test_the_coordinator_replaces_a_developer_who_left(self, client, people, policy):
        user_with_role(Role.DEVELOPER, people.group, username="newcomer")
        leave(people.developer)
        client.force_login(people.coordinator)
        response = client.post(people_url(policy), {"part": "developer", "developer-old": "developer",
                                                     "developer-new": "newcomer", "developer-reason": "Left."})
        assert response.status_code == 302
        assert list(fresh(policy).developers.values_list("username", flat=True)) == ["newcomer"]

    def test_add_and_remove_but_never_the_last_one(self, people, policy):
        newcomer = user_with_role(Role.DEVELOPER, people.group, username="newcomer")
        people_services.policy_add_developer(policy=policy, actor=people.coordinator, new=newcomer, reason="Help")
        people_services.policy_remove_developer(policy=policy, actor=people.coordinator, old=people.developer,
                                                reason="Moved")
        with pytest.raises(ApplicationError, match="only developer"):
            people_services.policy_remove_developer(policy=policy, actor=people.coordinator, old=newcomer,
                                                    reason="x")
        with pytest.raises(ApplicationError, match="do not hold the Policy Developer role"):
            people_services.policy_add_developer(policy=policy, actor=people.coordinator, new=people.developer2,
                                                 reason="x")
        with pytest.raises(ApplicationError) as stale:
            people_services.policy_remove_developer(policy=policy, actor=people.coordinator, old=people.developer,
                                                    reason="x")
        assert stale.value.code == "stale"


@pytest.mark.django_db
class TestMoveBusinessGroup:
    def test_pcu_alone_and_every_gap_named(self, people, policy):
        with pytest.raises(ApplicationError, match="Only the Policy Co-ordination Unit can move"):
            people_services.policy_move_business_group(
                policy=policy, actor=people.coordinator, business_group=people.group2, owning_unit=people.unit2,
                reason="Boundary")
        with pytest.raises(ApplicationError) as gaps:
            people_services.policy_move_business_group(
                policy=policy, actor=people.pcu, business_group=people.group2, owning_unit=people.unit2,
                reason="Boundary")
        assert "Designated Lead" in gaps.value.message and "developer" in gaps.value.message
        assert fresh(policy).business_group == people.group

    def test_pcu_moves_it_with_replacements(self, people, policy):
        owner2 = user_with_role(Role.OWNER, people.group2, username="owner.b")
        manager2 = user_with_role(Role.MANAGER, people.group2, username="manager.b")
        people_services.policy_move_business_group(
            policy=policy, actor=people.pcu, business_group=people.group2, owning_unit=people.unit2,
            reason="SOP: PCU resolves boundary issues for ownership of policy.",
            holders={"designated_lead": people.lead2, "coordinator": people.coordinator2, "owner": owner2,
                     "policy_manager": manager2, "developer": people.developer2})
        moved = fresh(policy)
        assert (moved.business_group, moved.owning_unit, moved.designated_lead, moved.coordinator) == (
            people.group2, people.unit2, people.lead2, people.coordinator2)
        assert list(moved.developers.all()) == [people.developer2]
        assert AuditEvent.objects.filter(action=AuditAction.POLICY_MOVED_BUSINESS_GROUP).count() == 1


# --- reminders follow; the orphan reminder --------------------------------------------------------------------


@pytest.fixture
def published(people, db):
    with at(PUBLISHED_ON - datetime.timedelta(days=20)):
        policy = people.policy()
    with at(PUBLISHED_ON):
        return advance_to(policy, "implementation", people)


@pytest.mark.django_db
class TestRemindersFollow:
    def test_open_reminders_follow_the_new_manager_and_are_not_sent_twice(self, people, published, new_manager,
                                                                          django_capture_on_commit_callbacks):
        day = published.review_due_on - relativedelta(months=6)
        with at(day):
            notifications.chase_run(today=day)
        old = Reminder.objects.get(recipient=people.manager, kind=ReminderKind.REVIEW_DUE)
        with at(day), django_capture_on_commit_callbacks(execute=True):
            people_services.policy_reassign(policy=published, actor=people.coordinator, role="policy_manager",
                                            new_holder=new_manager, reason="Retired",
                                            expected_holder=people.manager)
        old.refresh_from_db()
        assert old.superseded_at is not None and old.handed_to == new_manager and old.closed_because == "handed_over"
        copy = Reminder.objects.get(recipient=new_manager, kind=ReminderKind.REVIEW_DUE)
        assert (copy.due_on, copy.message) == (old.due_on, old.message)
        assert Notification.objects.filter(reminder=copy, recipient=new_manager).exists()
        with at(day):
            assert notifications.chase_run(today=day).new_reminders == 0  # the new holder is not chased twice
        # The developer's own reminder stays theirs: only the manager's part moved.
        assert Reminder.objects.get(recipient=people.developer, kind=ReminderKind.REVIEW_DUE).superseded_at is None

    def test_a_read_reminder_stays_where_it_was(self, people, published, new_manager):
        day = published.review_due_on - relativedelta(months=6)
        with at(day):
            notifications.chase_run(today=day)
        Notification.objects.filter(recipient=people.manager).update(read_at=datetime.datetime.now(datetime.UTC))
        people_services.policy_reassign(policy=published, actor=people.coordinator, role="policy_manager",
                                        new_holder=new_manager, reason="Retired")
        assert not Reminder.objects.filter(recipient=new_manager).exists()

    def test_the_orphan_reminder_links_to_the_people_page_and_stops_once_the_gap_is_filled(self, client, people,
                                                                                            published):
        leave(people.developer)
        monday = datetime.date(2024, 1, 8)
        with at(monday):
            notifications.chase_run(today=monday)
        orphan = Reminder.objects.get(kind=ReminderKind.ORPHAN)
        assert people_url(published) in orphan.message
        user_with_role(Role.DEVELOPER, people.group, username="newcomer")
        client.force_login(people.coordinator)
        response = client.post(people_url(published), {"part": "developer", "developer-old": "developer",
                                                        "developer-new": "newcomer", "developer-reason": "Left."})
        assert response.status_code == 302
        orphan.refresh_from_db()
        assert orphan.superseded_at is not None and orphan.handed_to is None
        assert orphan.closed_because == "orphan_resolved"
        next_monday = monday + datetime.timedelta(days=7)
        with at(next_monday):
            notifications.chase_run(today=next_monday)
        assert Reminder.objects.filter(kind=ReminderKind.ORPHAN).count() == 1


# --- a leaver's whole portfolio -------------------------------------------------------------------------------


def portfolio(people, count: int) -> User:
    """A leaver who is developer and manager on ``count`` Territorial Policing policies, with an open review
    reminder on each; their account closed."""
    leaver = user_with_role(Role.DEVELOPER, people.group, username=f"leaver{count}")
    RoleAssignmentFactory(user=leaver, role=Role.MANAGER, business_group=people.group)
    for _ in range(count):
        policy = people.policy(actor=leaver, developers=[leaver], policy_manager=leaver)
        Reminder.objects.create(policy=policy, cycle=1, recipient=leaver, kind=ReminderKind.REVIEW_DUE,
                                due_on=datetime.date(2025, 1, 1), step="due today", message=f"Review {policy}")
    leave(leaver)
    return leaver


def hand_over(people, leaver, successor):
    return people_services.person_handover(
        actor=User.objects.get(pk=people.pcu.pk), leaver=leaver, reason="Left the force",
        replacements={"developer": successor, "policy_manager": people.manager})


@pytest.mark.django_db
class TestHandover:
    def test_preview_then_confirm_through_the_page(self, client, people):
        leaver = portfolio(people, 3)
        successor = user_with_role(Role.DEVELOPER, people.group, username="successor")
        url = reverse("people:handover", args=[leaver.username])
        client.force_login(people.pcu)
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert text.count("Review POL-") == 3 and "Hand over 3 policies" in text
        expected = page.context["plan"].fingerprint
        response = client.post(url, {"developer": "", "policy_manager": "manager", "reason": "Left",
                                     "expected": expected})
        assert response.status_code == 400 and "Enter who takes over as policy developer" in response.content.decode()
        response = client.post(url, {"developer": "successor", "policy_manager": "manager", "reason": "Left",
                                     "expected": expected})
        assert response.status_code == 302
        assert user_holdings(leaver) == []
        assert Policy.objects.filter(developers=successor, policy_manager=people.manager).count() == 3
        assert Reminder.objects.filter(recipient=successor, kind=ReminderKind.REVIEW_DUE).count() == 3
        assert Reminder.objects.filter(recipient=leaver, superseded_at__isnull=True).count() == 0
        assert AuditEvent.objects.filter(action=AuditAction.POLICY_HANDED_OVER).count() == 3
        person_event = AuditEvent.objects.get(action=AuditAction.PERSON_HANDED_OVER)
        notifications.outbox_relay()
        # The leaver, those taking over, and the business group's co-ordinator and Lead (tests/notifications/
        # test_handover_notice.py).
        assert set(Notification.objects.filter(source_event__audit_event=person_event)
                   .values_list("recipient__username", flat=True)) == {leaver.username, "successor", "manager",
                                                                        "coordinator", "lead"}

    def test_a_changed_portfolio_since_the_preview_is_refused(self, people):
        leaver = portfolio(people, 2)
        successor = user_with_role(Role.DEVELOPER, people.group, username="successor")
        with pytest.raises(ApplicationError) as stale:
            people_services.person_handover(actor=people.pcu, leaver=leaver, reason="x", expected="not-the-preview",
                                            replacements={"developer": successor, "policy_manager": people.manager})
        assert stale.value.code == "stale"
        assert Policy.objects.filter(developers=leaver).count() == 2

    def test_a_coordinator_moves_only_their_groups_parts_and_not_the_lead(self, people):
        leaver = user_with_role(Role.LEAD, people.group, username="lead.leaving")
        RoleAssignmentFactory(user=leaver, role=Role.COORDINATOR, business_group=people.group)
        people.policy(designated_lead=leaver, coordinator=leaver)
        plan = people_services.handover_preview(actor=people.coordinator, leaver=leaver)
        assert plan.parts_needed == ["coordinator"] and plan.staying[0].kept == ("designated_lead",)
        with pytest.raises(ApplicationError) as refused:
            people_services.handover_preview(actor=people.developer, leaver=leaver)
        assert refused.value.code == "forbidden"

    def test_query_count_does_not_grow_per_policy(self, people):
        """Queries = C, however many policies: the audit events of every policy are chained and inserted in bulk
        (core.audit.audit_log_many), and the rest (locking, role checks, updates, developers, reminders) is bulk."""
        counts = {}
        for size in (10, 50):
            leaver = portfolio(people, size)
            successor = user_with_role(Role.DEVELOPER, people.group, username=f"successor{size}")
            with CaptureQueriesContext(connection) as queries:
                result = hand_over(people, leaver, successor)
            assert result.policies == size
            counts[size] = len(queries)
        assert counts[50] == counts[10] == PINNED_HANDOVER_QUERIES, counts


# --- deactivation ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestDeactivation:
    def test_refused_while_holding_anything_listing_it_then_allowed(self, people, policy):
        with pytest.raises(ApplicationError) as refused:
            user_deactivate(actor=people.pcu, user=people.manager)
        assert f"policy manager of {policy.reference}" in refused.value.message
        assert User.objects.get(pk=people.manager.pk).is_active
        people_services.policy_reassign(policy=policy, actor=people.coordinator, role="policy_manager",
                                        new_holder=user_with_role(Role.MANAGER, people.group), reason="Retired")
        user_deactivate(actor=people.pcu, user=people.manager)
        assert not User.objects.get(pk=people.manager.pk).is_active
        assert AuditEvent.objects.filter(action=AuditAction.USER_DEACTIVATED).count() == 1

    def test_the_admin_refuses_on_the_form(self, client, people, policy):
        admin = User.objects.create_superuser("root", "root@example.test", "x" * 20)
        client.force_login(admin)
        url = reverse("admin:core_user_change", args=[people.manager.pk])
        form = client.get(url).context["adminform"].form
        data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
        data.update({"is_active": "", "date_joined_0": "2024-01-01", "date_joined_1": "09:00:00",
                     "last_login_0": "", "last_login_1": "", "groups": [], "user_permissions": []})
        response = client.post(url, data)
        assert response.status_code == 200
        assert f"policy manager of {policy.reference}" in response.content.decode()
        assert User.objects.get(pk=people.manager.pk).is_active


# --- at the same moment; the page's queries --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_people_reassigning_at_the_same_moment_one_wins_the_other_is_told(people):
    """Real threads, released together: the policy's row lock serialises them and expected_holder tells the
    second that the part changed under them."""
    from tests.lifecycle.test_concurrency import race

    policy = people.policy()
    first = user_with_role(Role.MANAGER, people.group, username="first.manager")
    second = user_with_role(Role.MANAGER, people.group, username="second.manager")

    def reassign(actor, new):
        return lambda: people_services.policy_reassign(
            policy=policy, actor=User.objects.get(pk=actor.pk), role="policy_manager", new_holder=new,
            reason="Cover", expected_holder=people.manager.pk)

    results, errors = race(reassign(people.coordinator, first), reassign(people.pcu, second))
    assert sum(result is not None for result in results) == 1, errors
    refusal = next(error for error in errors if error is not None)
    assert isinstance(refusal, ApplicationError) and refusal.code == "stale", refusal
    assert "Someone else changed the policy manager" in refusal.message
    assert fresh(policy).policy_manager in (first, second)
    assert AuditEvent.objects.filter(action=AuditAction.POLICY_REASSIGNED).count() == 1


def many_eligible(people, count: int, *, start: int = 0) -> None:
    """``count`` more active people holding every part's role in Territorial Policing, all called Smith."""
    users = User.objects.bulk_create([User(username=f"smith{number:03d}", first_name=f"Pat{number:03d}",
                                           last_name="Smith", password="!") for number in range(start, start + count)])
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=part.role, business_group=people.group)
                                        for user in users for part in people_services.PARTS.values()])


@pytest.mark.django_db
def test_the_people_pages_do_the_same_work_with_5_or_200_people_who_could_take_each_part(client, people, policy):
    """House rule 19: nobody who could take a part is listed (the bench's 20,000 people made 32,215 options,
    2.1 MB, 9-10 s a request), so the pages' queries and size do not grow with the role holders."""
    leaver = portfolio(people, 2)
    client.force_login(people.pcu)
    counts, sizes = [], []
    for added, start in ((5, 0), (195, 5)):  # 5, then 200, people who could take every part
        many_eligible(people, added, start=start)
        with CaptureQueriesContext(connection) as page_queries:
            page = client.get(people_url(policy))
        with CaptureQueriesContext(connection) as handover_queries:
            handover = client.get(reverse("people:handover", args=[leaver.username]))
        assert page.status_code == handover.status_code == 200
        assert "smith0" not in page.content.decode() and "smith0" not in handover.content.decode()
        counts.append((len(page_queries), len(handover_queries)))
        sizes.append((len(page.content), len(handover.content)))
    assert counts[0] == counts[1], counts
    assert sizes[0] == sizes[1], sizes
    assert counts[0][0] <= 12, counts
    print(f"people page queries: {counts[0][0]}, handover page: {counts[0][1]}")


@pytest.mark.django_db
def test_the_people_page_has_constant_queries_whatever_the_number_of_developers(client, people, policy):
    client.force_login(people.pcu)
    counts = []
    for extra in (0, 5):
        for number in range(extra):
            developer = user_with_role(Role.DEVELOPER, people.group, username=f"extra{number}")
            people_services.policy_add_developer(policy=policy, actor=people.pcu, new=developer, reason="Help")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(people_url(policy)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    print(f"people page queries: {counts[0]}")


@pytest.mark.django_db
def test_a_person_holding_a_role_in_two_groups_is_found_once_for_a_move(people):
    """A move finds each person once a part, however many business groups they hold its role in."""
    RoleAssignmentFactory(user=people.developer, role=Role.DEVELOPER, business_group=people.group2)
    found = find_person(text=people.developer.last_name, eligibility=move_eligibility(part="developer"))
    assert [person.pk for person in found.eligible].count(people.developer.pk) == 1


# --- choosing the new holder: typed, found among those who may take the part ---------------------------------


def named(username: str, first_name: str, last_name: str, role=Role.MANAGER, group=None, **fields) -> User:
    user = UserFactory(username=username, first_name=first_name, last_name=last_name, **fields)
    if role:
        RoleAssignmentFactory(user=user, role=role, business_group=group)
    return user


@pytest.mark.django_db
class TestChoosingThePerson:
    def test_no_select_of_people_only_a_text_input_with_its_hint(self, client, people, policy):
        many_eligible(people, 5)
        client.force_login(people.pcu)
        page = client.get(people_url(policy)).content.decode()
        assert "smith00" not in page
        assert 'name="policy_manager-new_holder"' in page and 'type="text"' in page
        assert '<label class="govuk-label govuk-label--s" for="id_policy_manager-new_holder">New policy manager' \
            in page
        assert 'id="id_policy_manager-new_holder-hint"' in page and "Their name or username" in page
        assert 'aria-describedby="id_policy_manager-new_holder-hint"' in page
        assert '<select name="move-developer"' not in page and 'name="move-developer"' in page

    @pytest.mark.parametrize("typed", ["Ann", "SMITH-JONES", " ann   smith-jones ", "ann.sj"])
    def test_a_single_name_or_the_username_is_taken(self, client, people, policy, typed):
        ann = named("ann.sj", "Ann", "Smith-Jones", group=people.group)
        client.force_login(people.coordinator)
        assert post_reassign(client, policy, "policy_manager", typed).status_code == 302
        assert fresh(policy).policy_manager == ann

    def test_the_exact_username_wins_over_names(self, client, people, policy):
        named("sam", "Sam", "Jones", group=people.group)
        username_holder = named("jones", "Chris", "Taylor", group=people.group)
        client.force_login(people.coordinator)
        assert post_reassign(client, policy, "policy_manager", "jones").status_code == 302
        assert fresh(policy).policy_manager == username_holder

    def test_several_are_listed_with_their_usernames_and_what_was_typed_is_kept(self, client, people, policy):
        named("p.smith", "Pat", "Smith", group=people.group, job_title="Inspector")
        named("j.smith", "Jo", "Smith", group=people.group)
        named("a.smith", "Al", "Smith", group=people.group)
        named("z.smith", "Zed", "Smith", group=people.group2)  # a manager elsewhere: not a match here
        client.force_login(people.coordinator)
        response = post_reassign(client, policy, "policy_manager", "smith", reason="Reason kept")
        assert response.status_code == 400
        page = response.content.decode()
        assert ("3 people match &#x27;smith&#x27;: type the username of the one you mean: Al Smith, Police Staff "
                "(a.smith); Jo Smith, Police Staff (j.smith); Pat Smith, Inspector (p.smith)") in page
        assert "z.smith" not in page
        assert 'value="smith"' in page and "Reason kept" in page
        assert 'href="#id_policy_manager-new_holder"' in page  # the summary links to the field
        assert 'aria-describedby="id_policy_manager-new_holder-error id_policy_manager-new_holder-hint"' in page
        assert fresh(policy).policy_manager == people.manager
        assert post_reassign(client, policy, "policy_manager", "j.smith").status_code == 302

    def test_more_than_ten_are_cut_at_ten(self, client, people, policy):
        many_eligible(people, 30)
        client.force_login(people.coordinator)
        page = post_reassign(client, policy, "policy_manager", "Smith").content.decode()
        assert f"More than {PERSON_MATCHES_SHOWN} people match &#x27;Smith&#x27;" in page
        assert "(smith009)" in page and "(smith010)" not in page

    def test_nobody_is_a_clear_error(self, client, people, policy):
        named("roads.head", "Robin", "Roads", role=Role.DEVELOPER, group=people.group)
        client.force_login(people.coordinator)
        response = post_reassign(client, policy, "policy_manager", "Robyn")
        assert response.status_code == 400
        assert ("Nobody who can be named as policy manager is called &#x27;Robyn&#x27;: check the spelling, or type "
                "their username") in response.content.decode()
        assert 'value="Robyn"' in response.content.decode()
        # Someone of that name who may not take the part is told why (tests/lifecycle/test_person_not_eligible.py).
        response = post_reassign(client, policy, "policy_manager", "Robin")
        assert ("Robin Roads cannot be named as policy manager: they do not hold the Policy Manager / Unit Head role"
                in response.content.decode())

    def test_a_typed_username_of_someone_who_may_not_take_it_gets_the_services_reason(self, client, people,
                                                                                      policy):
        named("roads.head", "Robin", "Roads", role=Role.DEVELOPER, group=people.group)
        client.force_login(people.coordinator)
        response = post_reassign(client, policy, "policy_manager", "roads.head")
        assert response.status_code == 400
        assert "do not hold the Policy Manager / Unit Head role" in response.content.decode()

    def test_one_bounded_query_resolves_the_person(self, people, policy):
        many_eligible(people, 50)
        with CaptureQueriesContext(connection) as queries:
            found = find_person(text="smith", eligibility=policy_eligibility(policy=policy, part="developer"))
        assert len(queries) == 1 and "LIMIT 12" in queries[0]["sql"]
        assert len(found.eligible) == PERSON_MATCHES_SHOWN + 1 and found.more_than_shown

    def test_the_search_agrees_with_holds_part(self, people, policy):
        """Eligibility's SQL is holds_part's rule: a manager of the policy's unit or of the whole group, not of
        another unit or group; nobody inactive; a handover never offers the leaver."""
        from tests.factories import UnitFactory

        roads = UnitFactory(business_group=people.group, name="Roads Policing")
        cases = {
            "unit": (people.group, policy.owning_unit), "group": (people.group, None), "roads": (people.group, roads),
            "elsewhere": (people.group2, None),
        }
        users = {}
        for key, (group, unit) in cases.items():
            users[key] = named(f"{key}.mgr", key.title(), "Candidate", role=None)
            RoleAssignmentFactory(user=users[key], role=Role.MANAGER, business_group=group, unit=unit)
        eligibility = policy_eligibility(policy=policy, part="policy_manager")
        found = {user.username for user in find_person(text="Candidate", eligibility=eligibility).eligible}
        held = people_services.role_assignments_of([user.pk for user in users.values()])
        expected = {user.username for user in users.values() if people_services.holds_part(
            held[user.pk], people_services.PARTS["policy_manager"], policy.business_group_id, policy.owning_unit_id)}
        assert found == expected == {"unit.mgr", "group.mgr"}
        leave(users["unit"])
        assert {user.username for user in find_person(text="Candidate", eligibility=eligibility).eligible} == {
            "group.mgr"}
        everywhere = Eligibility("policy_manager", (Place(people.group.pk, roads.pk), Place(people.group2.pk, None)),
                                 excluded_id=users["group"].pk)
        RoleAssignmentFactory(user=users["roads"], role=Role.MANAGER, business_group=people.group2)
        assert [user.username for user in find_person(text="Candidate", eligibility=everywhere).eligible] == [
            "roads.mgr"]

    def test_handover_by_name_among_those_who_hold_the_part_everywhere_it_moves(self, client, people):
        leaver = portfolio(people, 2)
        successor = named("successor", "Sasha", "Heir", role=Role.DEVELOPER, group=people.group)
        named("other.heir", "Sam", "Heir", role=Role.DEVELOPER, group=people.group2)
        plan = people_services.handover_preview(actor=people.pcu, leaver=leaver)
        assert set(handover_eligibility(plan=plan)) == {"developer", "policy_manager"}
        url = reverse("people:handover", args=[leaver.username])
        client.force_login(people.pcu)
        expected = client.get(url).context["plan"].fingerprint
        response = client.post(url, {"developer": leaver.username, "policy_manager": "manager", "reason": "Left",
                                     "expected": expected})
        assert response.status_code == 400  # the leaver's own username: the service refuses
        response = client.post(url, {"developer": "heir", "policy_manager": people.manager.get_full_name(),
                                     "reason": "Left", "expected": expected})
        assert response.status_code == 302, response.content.decode()
        assert Policy.objects.filter(developers=successor, policy_manager=people.manager).count() == 2

    def test_a_move_names_the_new_holders_by_name(self, client, people, policy):
        owner2 = named("owner.b", "Olu", "Owens", role=Role.OWNER, group=people.group2)
        manager2 = named("manager.b", "Mo", "Manning", role=Role.MANAGER, group=people.group2)
        client.force_login(people.pcu)
        response = client.post(people_url(policy), {
            "part": "move", "move-business_group": people.group2.pk, "move-owning_unit": people.unit2.pk,
            "move-owner": "olu owens", "move-designated_lead": people.lead2.username, "move-policy_manager": "Manning",
            "move-coordinator": people.coordinator2.username, "move-developer": people.developer2.username,
            "move-reason": "Boundary"})
        assert response.status_code == 302, response.content.decode()
        moved = fresh(policy)
        assert (moved.business_group, moved.owner, moved.policy_manager) == (people.group2, owner2, manager2)
