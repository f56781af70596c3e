"""QA walk of 2026-12-05 (qa9): after POL-0003's review concluded with no change and PCU re-published it (next review 5
December 2029), the developer's inbox still showed "3-yearly review: POL-0003 ... is overdue by 249 days" as New, and
the handover page listed it under "Open tasks that will follow", to be copied to the new developer; the same after a
review with changes, once its version 2.0 was published. A review reminder chases the review until it is done (SOP,
"Monitoring and Review": "All policies will be reviewed at least every 3 years"; lifecycle.due.REVIEW: the date stays
in force until the reviewed version is published): it is closed (``Reminder.superseded_at``) in the transaction that
publishes the reviewed version, or re-publishes the version in force after a review that concluded no change, the
event that moves the review date on, and not before (the Lead's conclusion and DCFD's confirmation leave the review
unfinished, and still chased). The inbox then tags it "No longer needed", and a handover no longer passes it on."""

from __future__ import annotations

import datetime

import pytest

from lifecycle import services as lifecycle_services
from lifecycle.states import Status
from notifications.models import Reminder, ReminderClosed, ReminderKind
from notifications.selectors import inbox_items, new_items, no_longer_needed
from notifications.services import open_tasks_for
from publication.services import policy_republish_no_change
from tests.factories import advance_to, monitoring_up_to_date, reload
from tests.notifications.test_chase import at, chase, published  # noqa: F401

pytestmark = pytest.mark.django_db


def open_review_reminders(policy):
    return Reminder.objects.filter(policy=policy, kind=ReminderKind.REVIEW_DUE, superseded_at__isnull=True)


def review_items(user):
    return inbox_items(user=user).filter(reminder__kind=ReminderKind.REVIEW_DUE)


def review_tasks(user, policy):
    """What a handover of ``user``'s work on ``policy`` would pass on of the review (its preview's open tasks)."""
    return [task.what for task in open_tasks_for(user=user, policy_ids=[policy.pk])
            if task.what.startswith(ReminderKind.REVIEW_DUE.label)]


def chased_overdue(policy):
    """The review chased up to 42 days overdue: the developer and manager, then the co-ordinator and the Lead."""
    due = policy.review_due_on
    for day in (due, due + datetime.timedelta(days=7), due + datetime.timedelta(days=42)):
        chase(day)
    return due + datetime.timedelta(days=45)


def test_the_no_change_review_s_republication_closes_the_review_reminders(published, people):  # noqa: F811
    day = chased_overdue(published)
    assert open_review_reminders(published).filter(recipient=people.developer).count() == 3
    assert open_review_reminders(published).filter(recipient=people.lead).exists()
    # One of them read: closed all the same.
    item = review_items(people.developer).first()
    item.read_at = item.created_at
    item.save(update_fields=["read_at"])
    with at(day):
        monitoring_up_to_date(published, people)
        lifecycle_services.policy_conclude_no_change(policy=published, actor=people.lead,
                                                     reason="Monitoring shows the policy works; law unchanged.")
        lifecycle_services.policy_confirm_eia(policy=published, actor=people.dcfd, eia_outcome="stands")
    # Concluded and confirmed, but not re-published: the review date has not moved, the review is not done.
    assert open_review_reminders(published).filter(recipient=people.developer).count() == 3
    assert len(review_tasks(people.developer, published)) == 2  # the one read is not passed on
    with at(day):
        policy_republish_no_change(policy=published, actor=people.pcu)
    assert reload(published).review_due_on == datetime.date(2029, 4, 15)
    assert not open_review_reminders(published).exists()
    assert set(Reminder.objects.filter(policy=published, kind=ReminderKind.REVIEW_DUE)
               .values_list("closed_because", flat=True)) == {"review_completed"}
    items = review_items(people.developer)
    assert items.count() == 3 and items.filter(no_longer_needed()).count() == 3
    assert not items.filter(new_items()).exists()
    # A handover of the developer's work passes nothing on: the review is done.
    assert review_tasks(people.developer, published) == []


def test_the_reviewed_version_s_publication_closes_the_review_reminders(published, people):  # noqa: F811
    due = published.review_due_on
    with at(due - datetime.timedelta(days=60)):
        lifecycle_services.policy_start_review(policy=published, actor=people.developer, reason="Due in 2 months.")
        advance_to(published, Status.AWAITING_PUBLICATION, people)
    day = chased_overdue(published)
    assert open_review_reminders(published).filter(recipient=people.developer).count() == 3
    assert len(review_tasks(people.developer, published)) == 3
    with at(day):
        advance_to(published, Status.IMPLEMENTATION, people)  # PCU publishes version 2.0
    assert reload(published).current_version.number == "2.0"
    assert not open_review_reminders(published).exists()
    assert review_items(people.developer).filter(no_longer_needed()).count() == 3
    assert review_tasks(people.developer, published) == []
    # The next review's chase starts afresh from its own date.
    next_due = reload(published).review_due_on
    chase(next_due)
    assert open_review_reminders(published).filter(item_due_on=next_due).exists()


def test_a_review_closes_only_review_reminders(published, people):  # noqa: F811
    """Only review reminders: the annual monitoring report chased on the same policy is answered by its own report,
    which a review concluding no change now waits for (lifecycle.gates_no_change): its reminders are closed by the
    report's submission, not by the review."""
    chase(published.monitoring_report_due_on + datetime.timedelta(days=7))
    monitoring = Reminder.objects.filter(policy=published, kind=ReminderKind.MONITORING_DUE)
    assert monitoring.count() >= 1
    day = chased_overdue(published)
    with at(day):
        monitoring_up_to_date(published, people)
        lifecycle_services.policy_conclude_no_change(policy=published, actor=people.lead, reason="No change needed.")
        lifecycle_services.policy_confirm_eia(policy=published, actor=people.dcfd, eia_outcome="stands")
        policy_republish_no_change(policy=published, actor=people.pcu)
    assert set(monitoring.values_list("closed_because", flat=True)) == {ReminderClosed.REPORT_SUBMITTED}


def test_the_reminders_of_a_date_brought_forward_from_close_too(published, people):  # noqa: F811
    """Chased 6 months before 1 March 2026, then brought forward to 1 December 2025 and chased for that date: the
    bring-forward closed the first date's (test_review_date_changed.py), the review done closes the new date's."""
    chase(datetime.date(2025, 9, 1))
    with at(datetime.date(2025, 9, 2)):
        lifecycle_services.policy_set_review_date(policy=published, actor=people.lead,
                                                  review_due_on=datetime.date(2025, 12, 1), reason="New legislation.")
    chase(datetime.date(2025, 12, 1))
    assert {reminder.item_due_on for reminder in open_review_reminders(published)} == {datetime.date(2025, 12, 1)}
    with at(datetime.date(2025, 12, 2)):
        monitoring_up_to_date(published, people)
        lifecycle_services.policy_conclude_no_change(policy=published, actor=people.lead, reason="No change needed.")
        lifecycle_services.policy_confirm_eia(policy=published, actor=people.dcfd, eia_outcome="stands")
        policy_republish_no_change(policy=published, actor=people.pcu)
    assert not open_review_reminders(published).exists()
