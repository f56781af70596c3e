"""A leaver's handover and the reminders about a monitoring report made OFFICIAL-SENSITIVE (review of 2026-12-05,
finding 4, the gaps left by 25820ae). A remedial action's reminder quotes what the Lead directed after the report; the
chase writes it only to those cleared for the stricter of the report's marking and its policy's (``PolicyChase.
of_report``). Two ways a handover touches such a reminder:

1. ``reminders_hand_over`` copies the leaver's open reminder to whoever takes over the part it follows (the Designated
   Lead's, for a remedial action: ``KIND_PARTS``). It asks no clearance of its own, and need not: every way a part
   changes hands (``person_handover``, ``policy_reassign``, ``policy_move_business_group``) names only someone holding
   the part's role in the policy's business group (``check_new_holder``), and a role on a business group is what clears
   its holder for that group's OFFICIAL-SENSITIVE material (``roles_cleared_for``), a report's included. These tests
   pin both halves: the copy goes to a new Lead who reads it in their inbox, someone not cleared is refused as the new
   Lead (nothing copied), and every role that may take a part clears for the group.
2. The handover preview lists the leaver's open reminders in their own words. It lists them only on the policies
   whose parts the viewer may move (``handover_preview``): PCU, force-wide and cleared for every group; a co-ordinator
   only their own groups' policies, which their role clears them for. A co-ordinator of another group, who may open
   the leaver's page, is not shown them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.exceptions import ApplicationError
from core.models import Role, RoleAssignment, User
from lifecycle.permissions import forget_roles, role_index
from lifecycle.selectors import roles_cleared_for
from lifecycle.services import people as people_services
from lifecycle.services.people.parts import PARTS, holds_part
from notifications import services
from notifications.models import Reminder, ReminderKind
from notifications.selectors import inbox_items
from tests.factories import user_with_role
from tests.notifications import test_chase_report_marking as report_chase
from tests.notifications.test_chase_clearance import role_removed

pytestmark = pytest.mark.django_db

downgraded, media_root = report_chase.downgraded, report_chase.media_root
ACTION_WORDS, SENSITIVE = report_chase.ACTION_WORDS, report_chase.SENSITIVE


def cleared_for(user, policy) -> bool:
    forget_roles(user)
    return roles_cleared_for(role_index(User.objects.get(pk=user.pk)), policy.business_group_id)


def told_in_inbox(user) -> bool:
    return any(ACTION_WORDS in f"{item.title} {item.body}" for item in inbox_items(user=user))


# --- 1. the copy follows only someone cleared for the report ---------------------------------------------------------


@pytest.fixture
def lead_reminded(downgraded, people, django_capture_on_commit_callbacks):
    """The remedial action's owner no longer cleared (their role revoked): the chase reminds the Lead who directed it,
    cleared, in its own words."""
    policy, report = downgraded
    assert report.protective_marking == SENSITIVE
    role_removed(people, people.developer, Role.DEVELOPER)
    with django_capture_on_commit_callbacks(execute=True):
        services.chase_run(today=report_chase.a_fortnight_before_due())
    reminder = Reminder.objects.get(recipient=people.lead, kind=ReminderKind.REMEDIAL_ACTION)
    assert ACTION_WORDS in reminder.message and told_in_inbox(people.lead)
    return policy, reminder


def hand_over_lead(people, new_lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return people_services.person_handover(actor=User.objects.get(pk=people.pcu.pk), leaver=people.lead,
                                               replacements={"designated_lead": new_lead}, reason="Left the force")


def test_a_leavers_remedial_reminder_is_copied_to_the_new_lead_who_is_cleared_for_its_report(
        lead_reminded, people, django_capture_on_commit_callbacks):
    policy, reminder = lead_reminded
    new_lead = user_with_role(Role.LEAD, people.group, username="lead.b")
    hand_over_lead(people, new_lead, django_capture_on_commit_callbacks)
    copy = Reminder.objects.get(recipient=new_lead, kind=ReminderKind.REMEDIAL_ACTION)
    assert copy.chased_item == reminder.chased_item and ACTION_WORDS in copy.message
    reminder.refresh_from_db()
    assert reminder.superseded_at is not None and reminder.handed_to_id == new_lead.pk
    # Cleared for the report: the copy reaches them (it is not written for a reader who is never shown it).
    assert cleared_for(new_lead, policy)
    assert told_in_inbox(new_lead)


def test_someone_not_cleared_for_the_report_cannot_take_over_and_nothing_is_copied_to_them(
        lead_reminded, people, django_capture_on_commit_callbacks):
    """Specialist Crime & Operations' Lead, not cleared for Territorial Policing's OFFICIAL-SENSITIVE material (the
    report's), is refused as the new Lead: the handover moves nothing, and the reminder stays the Lead's."""
    policy, reminder = lead_reminded
    assert not cleared_for(people.lead2, policy)
    with pytest.raises(ApplicationError) as refused:
        hand_over_lead(people, people.lead2, django_capture_on_commit_callbacks)
    assert refused.value.field == "designated_lead"
    assert not Reminder.objects.filter(recipient=people.lead2).exists()
    assert not told_in_inbox(people.lead2)
    reminder.refresh_from_db()
    assert reminder.superseded_at is None and reminder.handed_to_id is None


@pytest.mark.parametrize("part", list(PARTS))
def test_every_role_that_may_take_a_part_clears_its_holder_for_the_groups_sensitive_material(part, people):
    """What makes the copy safe without a clearance check of its own: the rule a new holder must meet
    (``holds_part``, read by ``check_new_holder`` on every change of hands) implies the clearance rule
    (``roles_cleared_for``). Should either change (a role that no longer clears, a part taken without its role on
    the group), this fails, and ``reminders_hand_over`` must then ask clearance itself."""
    holder = user_with_role(PARTS[part].role, people.group, username=f"new.{part}")
    assignments = set(RoleAssignment.objects.filter(user=holder).values_list("role", "business_group_id", "unit_id"))
    assert holds_part(assignments, PARTS[part], people.group.pk, people.unit.pk)
    assert roles_cleared_for(role_index(holder), people.group.pk)
    # Holding the role in another group is not holding the part here, nor clearance for it.
    elsewhere = user_with_role(PARTS[part].role, people.group2, username=f"other.{part}")
    assignments = set(RoleAssignment.objects.filter(user=elsewhere).values_list("role", "business_group_id",
                                                                                "unit_id"))
    assert not holds_part(assignments, PARTS[part], people.group.pk, people.unit.pk)
    assert not roles_cleared_for(role_index(elsewhere), people.group.pk)


# --- 2. the preview quotes a reminder only to a viewer cleared for it ------------------------------------------------


@pytest.fixture
def developer_reminded(downgraded, people, django_capture_on_commit_callbacks):
    """The remedial action's owner, cleared, reminded of it; they also hold a role in Specialist Crime & Operations,
    so that group's co-ordinator, not cleared for Territorial Policing's material, may open their handover page."""
    policy, _ = downgraded
    with django_capture_on_commit_callbacks(execute=True):
        services.chase_run(today=report_chase.a_fortnight_before_due())
    assert Reminder.objects.filter(recipient=people.developer, kind=ReminderKind.REMEDIAL_ACTION,
                                   message__contains=ACTION_WORDS).exists()
    RoleAssignment.objects.create(user=people.developer, role=Role.DEVELOPER, business_group=people.group2)
    forget_roles(people.developer)
    return policy


def handover_page(client, viewer, leaver) -> str:
    client.force_login(viewer)
    response = client.get(reverse("people:handover", args=[leaver.username]))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_preview_quotes_a_remedial_reminder_only_to_a_viewer_cleared_for_its_report(client, developer_reminded,
                                                                                      people):
    policy = developer_reminded
    assert not cleared_for(people.coordinator2, policy)
    page = handover_page(client, people.coordinator2, people.developer)
    # The policy, OFFICIAL now, is named among what stays with the leaver (another group's to move); the report's
    # work is not.
    assert policy.reference in page and ACTION_WORDS not in page
    plan = people_services.handover_preview(actor=people.coordinator2, leaver=people.developer)
    assert plan.tasks == []
    # Territorial Policing's co-ordinator and PCU, both cleared for it, are shown it.
    for viewer in (people.coordinator, people.pcu):
        assert cleared_for(viewer, policy)
        assert ACTION_WORDS in handover_page(client, viewer, people.developer)


def test_every_task_a_preview_lists_is_on_a_policy_its_viewer_is_cleared_for(developer_reminded, people):
    """The rule the preview rests on, for each who may open it: a task is listed only where the viewer may move a
    part, and moving a part (PCU; a group's co-ordinator) needs a role that clears them for the group."""
    for viewer in (people.pcu, people.coordinator, people.coordinator2):
        viewer = User.objects.get(pk=viewer.pk)
        plan = people_services.handover_preview(actor=viewer, leaver=people.developer)
        groups = {holding.policy.pk: holding.policy.business_group_id for holding in plan.holdings}
        assert all(roles_cleared_for(role_index(viewer), groups[task.policy_id]) for task in plan.tasks)
