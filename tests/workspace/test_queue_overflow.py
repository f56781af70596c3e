"""My work when a queue holds more than it shows (workspace.selectors.QUEUE_SHOWN, 20).

Reviews overdue and reviews due soon were read as one list of 20, the most overdue first: wherever more than 20 were
overdue, the list held only overdue ones and "Reviews due within 6 months" said "Nothing waiting" while thousands
were (make bench, 100,000 policies: PCU and co-ordinators). And a queue of 1,190 submissions was tagged "20"."""

import datetime

import pytest
import time_machine

from lifecycle.models import Policy
from lifecycle.states import Status
from workspace.selectors import QUEUE_SHOWN, my_work

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 4)


def _in_force(people, count: int, *, review_due_on: datetime.date, title: str) -> list[Policy]:
    """``count`` policies of the co-ordinator's group in force, their review due on ``review_due_on`` (set on the
    rows: what is measured here is what My work reads of them, not how they came to be in force)."""
    made = [people.policy(title=f"{title} {number:02d}") for number in range(count)]
    Policy.objects.filter(pk__in=[policy.pk for policy in made]).update(
        status=Status.IMPLEMENTATION, first_published_on=datetime.date(2024, 1, 10), review_due_on=review_due_on,
        monitoring_report_due_on=TODAY + datetime.timedelta(days=200))
    return made


def _queue(queues, title):
    return next(queue for queue in queues if queue["title"] == title)


def _titles(queue) -> list[str]:
    return [policy.title for policy in queue["policies"]]


def test_reviews_due_soon_are_listed_when_more_are_overdue_than_a_queue_shows(people):
    _in_force(people, QUEUE_SHOWN + 3, review_due_on=TODAY - datetime.timedelta(days=30), title="Late")
    _in_force(people, 2, review_due_on=TODAY + datetime.timedelta(days=40), title="Soon")
    queues = my_work(user=people.coordinator, today=TODAY)
    overdue = _queue(queues, "Reviews overdue")
    soon = _queue(queues, "Reviews due within 6 months")
    assert len(overdue["policies"]) == QUEUE_SHOWN and all(title.startswith("Late") for title in _titles(overdue))
    assert _titles(soon) == ["Soon 00", "Soon 01"]
    assert overdue["more"] == f"Only the {QUEUE_SHOWN} most overdue are shown."
    assert overdue["all_url"] == "/policies/?review_status=overdue"
    assert not soon.get("more")


def test_the_page_says_more_are_waiting_and_links_the_register(client, people):
    _in_force(people, QUEUE_SHOWN + 1, review_due_on=TODAY + datetime.timedelta(days=10), title="Soon")
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(9)), tick=False):
        client.force_login(people.coordinator)
        page = client.get("/").content.decode()
        soon_at = page.index("Reviews due within 6 months")
        section = page[soon_at:page.index("</p>", page.index("app-queue-more", soon_at))]
        assert f'{QUEUE_SHOWN}<span aria-hidden="true">+</span>' in section
        assert section.count('class="app-work-item"') == QUEUE_SHOWN
        assert f"More are waiting. Only the {QUEUE_SHOWN} due soonest are shown." in section
        assert '<a class="govuk-link" href="/policies/?review_status=due_soon">See them all in the register</a>' \
            in section
        # The register the link opens lists every one of them.
        register = client.get("/policies/?review_status=due_soon").content.decode()
        assert all(f"Soon {number:02d}" in register for number in range(QUEUE_SHOWN + 1))


def test_a_queue_that_fits_says_nothing_more(people):
    _in_force(people, QUEUE_SHOWN, review_due_on=TODAY - datetime.timedelta(days=3), title="Late")
    queues = my_work(user=people.coordinator, today=TODAY)
    overdue = _queue(queues, "Reviews overdue")
    assert len(overdue["policies"]) == QUEUE_SHOWN and not overdue.get("more")
