"""The daily chase and OFFICIAL-SENSITIVE policies (security probe F2, the chase's side; the relay's is
test_sensitive_recipients.py). The chase resolves its own recipients: the people named on a policy, the holders of
its business group's roles, the force-wide teams. Someone still named on an OFFICIAL-SENSITIVE policy (its developer,
owner, Designated Lead, a remedial action's owner) whose role, and with it their clearance, was removed was still
reminded of its reference and title, in the inbox and the digest e-mail.

Now the chase reminds of an OFFICIAL-SENSITIVE policy only those cleared for its business group
(``lifecycle.selectors.roles_cleared_for``). A named person who is not is passed over as a leaver is: a named single
part falls to the group's holders of its role, and the co-ordinator is told weekly that the policy needs reassigning
and why, so that the overdue work is not silently dropped. An OFFICIAL policy is chased as before. The digest e-mail
leaves out an item about an OFFICIAL-SENSITIVE policy its recipient is no longer cleared for when it is sent."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services as assessments
from core.models import Role, RoleAssignment
from core.services import role_assign, role_revoke
from lifecycle.permissions import forget_roles
from lifecycle.services import people as people_services
from notifications import services
from notifications.models import Notification, Reminder
from tests.factories import advance_to, user_with_role

pytestmark = pytest.mark.django_db

TITLE = "ZEBRA covert surveillance authorities"
PUBLISHED_ON = datetime.date(2023, 3, 1)
SENSITIVE = {"protective_marking": "official_sensitive", "suitable_for_publication_scheme": False}


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


def chase(day: datetime.date) -> services.ChaseResult:
    with at(day):
        return services.chase_run(today=day)


def published(people, *, title: str = TITLE, **overrides):
    """Published on 1 March 2023: its review due on 1 March 2026."""
    with at(PUBLISHED_ON - datetime.timedelta(days=20)):
        policy = people.policy(title=title, **overrides)
    with at(PUBLISHED_ON):
        return advance_to(policy, "implementation", people)


def role_removed(people, user, role: str) -> None:
    """``user`` keeps their account and their place on the policy, but no longer holds ``role`` (their only one)."""
    role_revoke(actor=people.pcu, assignment=RoleAssignment.objects.get(user=user, role=role))
    forget_roles(user)


def reminded(user, kind: str | None = None) -> list[str]:
    reminders = Reminder.objects.filter(recipient=user)
    if kind:
        reminders = reminders.filter(kind=kind)
    return list(reminders.order_by("due_on", "pk").values_list("message", flat=True))


def told_of(user, text: str) -> bool:
    """Whether anything the chase wrote for ``user`` (ledger or inbox) names ``text``."""
    return (Reminder.objects.filter(recipient=user, message__contains=text).exists()
            or Notification.objects.filter(recipient=user, title__contains=text).exists()
            or Notification.objects.filter(recipient=user, body__contains=text).exists())


def digests_sent() -> list:
    for digest_id in services.digests_pending(older_than_seconds=0):
        services.digest_send(digest_id=digest_id)
    return mail.outbox


def mailed_to(user, text: str) -> bool:
    return any(user.email in message.to and text in message.body for message in mail.outbox)


def test_a_developer_whose_role_was_removed_is_not_reminded_of_an_official_sensitive_policy(people):
    cleared = user_with_role(Role.DEVELOPER, people.group, username="cleared_developer")
    policy = published(people, developers=[people.developer, cleared], **SENSITIVE)
    role_removed(people, people.developer, Role.DEVELOPER)
    day = policy.review_due_on - relativedelta(months=6)

    planned = {(item.recipient_id, item.kind) for item in services.chase_plan(today=day)}
    assert (people.developer.pk, "review_due") not in planned
    chase(day)
    digests_sent()

    assert not told_of(people.developer, policy.reference) and not told_of(people.developer, "ZEBRA")
    assert not mailed_to(people.developer, "ZEBRA")
    # Those still cleared are chased as before: the other developer and the manager.
    assert len(reminded(cleared, "review_due")) == 1 and len(reminded(people.manager, "review_due")) == 1
    assert mailed_to(cleared, "ZEBRA")


def test_the_coordinator_is_told_a_named_person_is_not_cleared_so_the_work_is_not_dropped(people):
    """As for a leaver (``orphans``): the co-ordinator is told weekly to reassign the part, and why; the person is
    not named, and the message says the part is not reminded."""
    policy = published(people, **SENSITIVE)
    role_removed(people, people.developer, Role.DEVELOPER)
    role_removed(people, people.owner, Role.OWNER)
    chase(policy.review_due_on - relativedelta(months=6))
    [orphan] = reminded(people.coordinator, "orphan")
    assert orphan.startswith(f"Reassign at /policies/{policy.reference}/people/: {policy.reference} {TITLE}")
    assert "its owner and developer are not cleared for its OFFICIAL-SENSITIVE material" in orphan
    assert "not reminded" in orphan
    assert people.developer.last_name not in orphan and people.owner.last_name not in orphan
    # Weekly, as the leaver's.
    assert chase(policy.review_due_on - relativedelta(months=6) + datetime.timedelta(days=1)).new_reminders == 0


def test_an_overdue_reviews_escalation_reaches_only_those_cleared(people):
    """The owner named on the policy lost their role: at 13 weeks overdue the escalation reaches the co-ordinator and
    the Designated Lead, not them (the group has no other owner to take their place; the co-ordinator is told)."""
    policy = published(people, **SENSITIVE)
    role_removed(people, people.owner, Role.OWNER)
    chase(policy.review_due_on + datetime.timedelta(days=91))
    assert reminded(people.owner) == []
    assert len(reminded(people.coordinator, "review_due")) == 1 and len(reminded(people.lead, "review_due")) == 1
    [orphan] = reminded(people.coordinator, "orphan")
    assert "its owner is not cleared" in orphan


def test_a_named_lead_not_cleared_is_passed_over_for_the_groups_lead(people):
    """Waiting for the Lead: the named Lead lost their role, so the group's Lead is chased instead (as when the named
    Lead has left), and the co-ordinator is told the Lead's part needs reassigning."""
    with at(datetime.date(2025, 2, 3)):
        policy = advance_to(people.policy(title=TITLE, **SENSITIVE), "with_lead", people)
    role_removed(people, people.lead, Role.LEAD)
    acting = user_with_role(Role.LEAD, people.group, username="acting_lead")
    chase(datetime.date(2025, 2, 17))
    assert [r.recipient.username for r in Reminder.objects.filter(policy=policy, kind="stuck")] == ["acting_lead"]
    assert not told_of(people.lead, "ZEBRA") and told_of(acting, "ZEBRA")
    [orphan] = reminded(people.coordinator, "orphan")
    assert "its Designated Lead is not cleared" in orphan


def test_a_remedial_actions_owner_not_cleared_is_passed_over_for_the_lead(people):
    policy = published(people, **SENSITIVE)
    with at(datetime.date(2024, 2, 1)):
        report = assessments.monitoring_report_create(
            policy=policy, actor=people.developer, period_start=PUBLISHED_ON, period_end=datetime.date(2024, 1, 31),
            compliance="Dip sample: 94% compliant.", benefits="Fewer complaints.", diversity_impact="None found.")
        assessments.monitoring_report_submit(report=report, actor=people.developer)
        assessments.monitoring_report_pass_qa(report=report, actor=people.coordinator)
        assessments.monitoring_report_respond(
            policy=policy, actor=people.lead, report=report, outcome="remedial", reasons="Compliance is falling.",
            remedial_action="Brief every surveillance team.", remedial_owner=people.developer,
            remedial_due_on=datetime.date(2024, 4, 30))
    role_removed(people, people.developer, Role.DEVELOPER)
    chase(datetime.date(2024, 4, 16))  # a fortnight before
    assert reminded(people.developer) == []
    [lead] = reminded(people.lead, "remedial_action")
    assert "Brief every surveillance team." in lead


def test_an_official_policy_still_reminds_everyone_named_on_it(people):
    """Clearance is for OFFICIAL-SENSITIVE material: an OFFICIAL policy's named developer is chased whatever roles
    they hold now, and nobody is told the policy needs reassigning."""
    policy = published(people, title="Stop and search")
    role_removed(people, people.developer, Role.DEVELOPER)
    chase(policy.review_due_on - relativedelta(months=6))
    assert len(reminded(people.developer, "review_due")) == 1
    assert reminded(people.coordinator, "orphan") == []


def test_a_digest_leaves_out_an_item_its_recipient_is_no_longer_cleared_for(people):
    """The chase told the developer while they were cleared; their role is removed before the day's digest is sent:
    the e-mail does not name the policy (nor count it). The manager's still does."""
    policy = published(people, **SENSITIVE)
    chase(policy.review_due_on - relativedelta(months=6))
    assert told_of(people.developer, "ZEBRA")
    role_removed(people, people.developer, Role.DEVELOPER)
    digests_sent()
    assert not mailed_to(people.developer, "ZEBRA") and not mailed_to(people.developer, policy.reference)
    assert mailed_to(people.manager, "ZEBRA")


def test_the_chases_queries_do_not_grow_with_the_people_it_must_leave_out(people):
    """One OFFICIAL-SENSITIVE policy with a developer not cleared, then four, each their own: the plan and the run
    send the same number of queries (the clearance is read from the role holders the chase loads anyway)."""
    def sensitive_policies(how_many: int) -> list:
        made = []
        for number in range(how_many):
            developer = user_with_role(Role.DEVELOPER, people.group)
            made.append(published(people, title=f"{TITLE} {number}", developers=[developer], **SENSITIVE))
            role_removed(people, developer, Role.DEVELOPER)
        return made

    def counted(day: datetime.date) -> tuple[int, int, int]:
        with at(day), CaptureQueriesContext(connection) as plan_queries:
            plan = services.chase_plan(today=day)
        with at(day), CaptureQueriesContext(connection) as run_queries:
            services.chase_run(today=day)
        return len(plan_queries), len(run_queries), len(plan)

    first = sensitive_policies(1)[0]
    day = first.review_due_on - relativedelta(months=6)
    few_plan, few_run, few_planned = counted(day)
    sensitive_policies(3)
    many_plan, many_run, many_planned = counted(day + datetime.timedelta(days=7))
    assert many_planned > few_planned > 0
    assert (many_plan, many_run) == (few_plan, few_run)


def test_the_coordinator_is_told_of_a_person_not_cleared_when_nothing_is_due(people):
    """The orphan reminder stands on its own condition, someone named on an OFFICIAL-SENSITIVE policy who is not
    cleared for it: not only while the policy happens to be chased for something due. Three months after
    publication nothing is due (the review in 2026, the monitoring report in March 2024), and the co-ordinator is
    still told weekly."""
    policy = published(people, **SENSITIVE)
    role_removed(people, people.developer, Role.DEVELOPER)
    monday = datetime.date(2023, 6, 5)
    planned = [item for item in services.chase_plan(today=monday) if item.policy_id == policy.pk]
    assert [(item.kind, item.recipient_id) for item in planned] == [("orphan", people.coordinator.pk)]
    chase(monday)
    [orphan] = reminded(people.coordinator, "orphan")
    assert "its developer is not cleared for its OFFICIAL-SENSITIVE material" in orphan
    assert reminded(people.developer) == []
    # Weekly, as ever.
    assert chase(monday + datetime.timedelta(days=7)).new_reminders == 1


def test_reassigning_someone_else_leaves_the_orphan_reminder_open_until_its_own_gap_is_filled(people):
    """The reminder about a developer not cleared stays open when another part of the policy is reassigned (a new
    policy manager), and stops when the developer not cleared is replaced by one who is."""
    policy = published(people, **SENSITIVE)
    role_removed(people, people.developer, Role.DEVELOPER)
    monday = policy.review_due_on - relativedelta(months=6)  # a Monday: the review is chased too
    assert monday.weekday() == 0
    chase(monday)
    orphan = Reminder.objects.get(kind="orphan", recipient=people.coordinator)
    new_manager = user_with_role(Role.MANAGER, people.group, username="new_manager")
    with at(monday):
        people_services.policy_reassign(policy=policy, actor=people.coordinator, role="policy_manager",
                                        new_holder=new_manager, reason="Moved to another unit.")
    orphan.refresh_from_db()
    assert orphan.superseded_at is None
    cleared = user_with_role(Role.DEVELOPER, people.group, username="cleared_developer")
    with at(monday):
        people_services.policy_replace_developer(policy=policy, actor=people.coordinator, old=people.developer,
                                                 new=cleared, reason="No longer in the group.")
    orphan.refresh_from_db()
    assert orphan.superseded_at is not None and orphan.handed_to is None
    chase(monday + datetime.timedelta(days=7))
    assert Reminder.objects.filter(kind="orphan").count() == 1


def test_the_orphan_reminder_stops_when_its_gap_is_filled_by_a_role_not_a_reassignment(people):
    """The developer not cleared is given back a role in the group (no reassignment, so nothing hands the reminder
    over): the next chase finds the gap filled and stops the open orphan reminder, as a reassignment filling it does.
    One still called for stays open."""
    policy = published(people, **SENSITIVE)
    other = published(people, title="YANKEE informants", **SENSITIVE)
    role_removed(people, people.developer, Role.DEVELOPER)
    monday = datetime.date(2023, 6, 5)
    chase(monday)
    orphans = {reminder.policy_id: reminder for reminder in Reminder.objects.filter(kind="orphan")}
    assert set(orphans) == {policy.pk, other.pk}
    with at(monday):
        role_assign(actor=people.pcu, user=people.developer, role=Role.DEVELOPER, business_group=people.group)
    forget_roles(people.developer)
    chase(monday + datetime.timedelta(days=1))
    for reminder in orphans.values():
        reminder.refresh_from_db()
    assert orphans[policy.pk].superseded_at is not None and orphans[other.pk].superseded_at is not None
    # Both policies name the same developer: both gaps are filled. Another policy still naming someone not cleared
    # keeps its reminder open.
    stranger = user_with_role(Role.DEVELOPER, people.group, username="stranger")
    third = published(people, title="XRAY undercover deployments", developers=[stranger], **SENSITIVE)
    role_removed(people, stranger, Role.DEVELOPER)
    chase(monday + datetime.timedelta(days=7))
    chase(monday + datetime.timedelta(days=8))
    assert list(Reminder.objects.filter(kind="orphan", superseded_at__isnull=True).values_list(
        "policy_id", flat=True)) == [third.pk]
