"""An inbox item says what happened, not every outcome that could have (QA walk): DCFD's answer at a review concluding
no change ("EIA confirmed, or reopened to be updated": PCU could not tell whether to re-publish), and a part of a
policy changing hands ("People changed", with no part, no new holder and no reason, where a handover says them)."""

import datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta

from core.models import Role
from lifecycle import services as lifecycle_services
from lifecycle.services import people as people_services
from notifications import services
from notifications.models import Notification
from tests.factories import advance_to, monitoring_up_to_date, reload, user_with_role

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2023, 3, 1)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


@pytest.fixture
def concluded(people):
    """A policy published on 1 March 2023 whose review the Lead concluded with no change, two months before it fell
    due: DCFD's confirmation of its EIA awaited."""
    with at(PUBLISHED_ON - datetime.timedelta(days=20)):
        policy = people.policy()
    with at(PUBLISHED_ON):
        policy = advance_to(policy, "implementation", people)
    day = policy.review_due_on - relativedelta(months=2)
    with at(day):
        monitoring_up_to_date(policy, people)
        lifecycle_services.policy_conclude_no_change(policy=policy, actor=people.lead,
                                                     reason="Monitoring shows the policy works; law unchanged.")
    services.outbox_relay()
    return reload(policy), day


def _title(user, policy) -> str:
    return Notification.objects.filter(recipient=user, policy=policy).latest("pk").title


def test_pcu_is_told_the_assessment_stands_and_the_policy_is_to_be_re_published(people, concluded):
    policy, day = concluded
    with at(day):
        lifecycle_services.policy_confirm_eia(policy=policy, actor=people.dcfd, eia_outcome="stands")
    services.outbox_relay()
    assert _title(people.pcu, policy) == f"EIA confirmed: ready to re-publish: {policy.reference} {policy.title}"


def test_pcu_is_told_the_assessment_was_reopened_and_re_publication_waits(people, concluded):
    policy, day = concluded
    with at(day):
        lifecycle_services.policy_confirm_eia(policy=policy, actor=people.dcfd, eia_outcome="updated",
                                              eia_comments="Add the 2021 census figures.")
    services.outbox_relay()
    title = _title(people.pcu, policy)
    assert title.startswith("EIA reopened to be updated: re-publish once DCFD signs it off: ")
    assert "confirmed" not in title


def test_the_new_holder_is_told_which_part_changed_to_whom_and_why(people):
    policy = advance_to(people.policy(), "development", people)
    services.outbox_relay()
    successor = user_with_role(Role.COORDINATOR, people.group, username="next_coordinator", first_name="Priya",
                               last_name="Shah")
    people.coordinator.first_name, people.coordinator.last_name = "Sam", "Lee"
    people.coordinator.save(update_fields=["first_name", "last_name"])
    people_services.policy_reassign(policy=policy, actor=people.pcu, role="coordinator", new_holder=successor,
                                    reason="Sam moved to the Serious Crime unit.")
    services.outbox_relay()
    item = Notification.objects.get(recipient=successor, policy=policy)
    assert item.body.startswith("Business Group Policy Co-ordinator changed from Sam Lee to Priya Shah. "
                                "Reason: Sam moved to the Serious Crime unit. By ")
    assert Notification.objects.get(recipient=people.coordinator, policy=policy, title=item.title).body == item.body


def test_a_developer_added_or_removed_is_said_so(people):
    policy = advance_to(people.policy(), "development", people)
    services.outbox_relay()
    newcomer = user_with_role(Role.DEVELOPER, people.group, username="newcomer", first_name="Ali", last_name="Khan")
    people_services.policy_add_developer(policy=policy, actor=people.coordinator, new=newcomer,
                                         reason="More hands for the consultation.")
    people_services.policy_remove_developer(policy=reload(policy), actor=people.coordinator, old=newcomer,
                                            reason="Consultation done.")
    services.outbox_relay()
    added, removed = Notification.objects.filter(recipient=newcomer, policy=policy).order_by("pk")
    assert added.body.startswith("Policy developer added: Ali Khan. Reason: More hands for the consultation. By ")
    assert removed.body.startswith("Policy developer removed: Ali Khan. Reason: Consultation done. By ")
