"""Found by the QA crawl of the demo (finding 11): a reminder said a date already past "is due on": "Review of POL-0003
Domestic Abuse is due on 31 March 2026 (overdue by 249 days)", and the handover page repeated its date after it:
"3-yearly review: Review of POL-0003 Domestic Abuse is due on 31 March 2026 (overdue by 249 days). (due 31 March
2026)". A date past now "was due", a date today "is due today", and the handover page names the date once."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
import time_machine
from django.urls import reverse

from core.models import User
from lifecycle.due import REVIEW
from notifications import services
from notifications.models import Reminder, ReminderKind
from notifications.services.rules import due_words
from tests.factories import advance_to

PUBLISHED_ON = datetime.date(2023, 3, 1)
REVIEW_DUE = datetime.date(2026, 3, 1)
MONITORING_DUE = datetime.date(2024, 3, 1)

pytestmark = pytest.mark.django_db


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


@pytest.fixture
def published(people):
    """Published on 1 March 2023: review due 1 March 2026, monitoring report due 1 March 2024."""
    with at(PUBLISHED_ON - datetime.timedelta(days=20)):
        policy = people.policy(title="Domestic Abuse")
    with at(PUBLISHED_ON):
        policy = advance_to(policy, "implementation", people)
    assert policy.review_due_on == REVIEW_DUE and policy.monitoring_report_due_on == MONITORING_DUE
    return policy


def chase(day: datetime.date) -> None:
    with at(day):
        services.chase_run(today=day)


def message(user, kind: str) -> str:
    return Reminder.objects.filter(recipient=user, kind=kind).order_by("-due_on").values_list(
        "message", flat=True).first()


def test_a_date_gone_by_was_due(people, published):
    chase(REVIEW_DUE + datetime.timedelta(days=30))
    assert message(people.developer, ReminderKind.REVIEW_DUE) == (
        f"Review of {published.reference} Domestic Abuse was due on 1 March 2026 and is overdue by 30 days.")


def test_a_monitoring_report_gone_by_was_due(people, published):
    chase(MONITORING_DUE + datetime.timedelta(days=10))
    assert message(people.developer, ReminderKind.MONITORING_DUE) == (
        f"The annual monitoring report for {published.reference} Domestic Abuse was due on 1 March 2024 and is "
        "overdue by 10 days.")


def test_a_date_today_is_due_today_and_ahead_is_due_on(people, published):
    chase(MONITORING_DUE - datetime.timedelta(days=29))  # the step 1 month before
    assert message(people.developer, ReminderKind.MONITORING_DUE) == (
        f"The annual monitoring report for {published.reference} Domestic Abuse is due on 1 March 2024 "
        "(1 month before).")
    chase(REVIEW_DUE)
    assert message(people.developer, ReminderKind.REVIEW_DUE) == (
        f"Review of {published.reference} Domestic Abuse is due today, 1 March 2026.")


def test_due_words_of_each_state():
    due = datetime.date(2026, 3, 31)
    assert due_words(REVIEW.state(due, datetime.date(2026, 12, 5))) == \
        "was due on 31 March 2026 and is overdue by 249 days"
    assert due_words(REVIEW.state(due, due)) == "is due today, 31 March 2026"
    assert due_words(REVIEW.state(due, datetime.date(2026, 3, 17))) == "is due on 31 March 2026, in 14 days"
    assert due_words(REVIEW.state(due, datetime.date(2026, 3, 17)), ahead="3 months before") == \
        "is due on 31 March 2026 (3 months before)"


def test_the_handover_page_names_the_date_once(client, people, published):
    chase(REVIEW_DUE + datetime.timedelta(days=30))
    client.force_login(people.pcu)
    page = client.get(reverse("people:handover", args=[people.developer.username])).content.decode()
    assert (f"3-yearly review: Review of {published.reference} Domestic Abuse was due on 1 March 2026 and is overdue "
            "by 30 days.</li>") in page
    assert "(due 1 March 2026)" not in page


def test_the_handover_page_names_the_people_page_in_words(client, people, published):
    """The co-ordinator's reminder that a policy needs reassigning names its People page: in words on the handover
    page, as in the inbox, not as a raw path."""
    User.objects.filter(pk=people.developer.pk).update(is_active=False)
    chase(datetime.date(2024, 1, 8))
    assert Reminder.objects.filter(recipient=people.coordinator, kind=ReminderKind.ORPHAN).exists()
    client.force_login(people.pcu)
    page = client.get(reverse("people:handover", args=[people.coordinator.username])).content.decode()
    assert (f"Reassign on the policy&#x27;s People page: {published.reference} Domestic Abuse needs reassigning"
            in page)
    assert reverse("lifecycle:people", args=[published.reference]) + ":" not in page


def test_an_open_task_holds_what_the_handover_page_shows_and_no_second_date(people, published):
    """``OpenTask.due_on`` was computed for every open task and shown nowhere: the page stopped showing it (above:
    the reminder's own words name its date, "was due on 1 March 2026 and is overdue by 30 days"), and for an orphan
    reminder, which chases no dated item, it was only the day of the chase. An open task is its policy and its words."""
    chase(REVIEW_DUE + datetime.timedelta(days=30))
    tasks = services.open_tasks_for(user=people.developer, policy_ids=[published.pk])
    assert sorted((dataclasses.asdict(task) for task in tasks), key=lambda task: task["what"]) == [
        {"policy_id": published.pk,
         "what": f"3-yearly review: Review of {published.reference} Domestic Abuse was due on 1 March 2026 and is "
                 "overdue by 30 days."},
        {"policy_id": published.pk,
         "what": f"Annual monitoring report: The annual monitoring report for {published.reference} Domestic Abuse "
                 "was due on 1 March 2024 and is overdue by 760 days."},
    ]
