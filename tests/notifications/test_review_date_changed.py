"""A review date changed while the review stands (defect left open on 2026-12-05): the Lead brought POL-0001's review
forward from 1 March 2026 to 1 December 2025, yet the reminders the chase had written for 1 March 2026 stayed open,
New in the inbox and passed on by a handover, quoting a date that no longer held, until the review was published.

A review reminder holds for the review date it quotes, and for no other (SOP, "Monitoring and Review": "All policies
will be reviewed at least every 3 years ... if no earlier review has been prompted by monitoring results, or external
factors"). So in the transaction that changes the date (``policy_set_review_date``: its row lock, its audit event)
the open reminders of any other date are closed: kept, with when they were closed and why
(``Reminder.closed_because``), as the publication that completes the review closes them (test_review_done.py). The
next chase then chases the new date from its own schedule, also on a day whose step the old date's schedule had
already used (the exactly-once key tells the reviews of two dates apart), and never opens again what was closed."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import ApplicationError
from core.models import AuditEvent
from lifecycle import services as lifecycle_services
from notifications import services
from notifications.models import Notification, Reminder, ReminderClosed, ReminderKind
from notifications.selectors import inbox_items, new_items, no_longer_needed
from notifications.services import open_tasks_for
from tests.clock import travel
from tests.factories import advance_to, reload
from tests.notifications.test_chase import PUBLISHED_ON, at, chase, published  # noqa: F401
from tests.web.page_text import read

pytestmark = pytest.mark.django_db

FIRST_DUE = datetime.date(2026, 3, 1)  # the ``published`` fixture's review date
SIX_MONTHS_BEFORE = datetime.date(2025, 9, 1)
NEW_DUE = datetime.date(2025, 12, 1)  # 3 months earlier: its "3 months before" falls on SIX_MONTHS_BEFORE


def review_reminders(policy, **filters):
    return Reminder.objects.filter(policy=policy, kind=ReminderKind.REVIEW_DUE, **filters)


def bring_forward(policy, people, *, on: datetime.date, to: datetime.date):
    with travel(on):
        return lifecycle_services.policy_set_review_date(policy=policy, actor=people.lead, review_due_on=to,
                                                         reason="New legislation: the Victims and Prisoners Act.")


def open_review_words(user) -> list[str]:
    return [task.what for task in open_tasks_for(user=user, policy_ids=list(
        Reminder.objects.filter(recipient=user).values_list("policy_id", flat=True).distinct()))
        if task.what.startswith(ReminderKind.REVIEW_DUE.label)]


def test_bringing_the_review_forward_closes_the_reminders_of_the_date_it_replaces(published, people):  # noqa: F811
    chase(SIX_MONTHS_BEFORE)
    old = review_reminders(published, item_due_on=FIRST_DUE)
    assert old.filter(superseded_at__isnull=True).count() == 2  # the developer and the manager
    # One of them read: closed all the same.
    item = inbox_items(user=people.developer).get(reminder__kind=ReminderKind.REVIEW_DUE)
    item.read_at = item.created_at
    item.save(update_fields=["read_at"])
    assert "1 March 2026" in open_review_words(people.manager)[0]

    bring_forward(published, people, on=SIX_MONTHS_BEFORE + datetime.timedelta(days=1), to=NEW_DUE)

    # Closed, never deleted: the rows are kept, with when and why, in the change's own transaction.
    event = AuditEvent.objects.get(action="policy.review_date_brought_forward")
    assert old.count() == 2
    assert not old.filter(superseded_at__isnull=True).exists()
    assert set(old.values_list("superseded_at", flat=True)) == {event.occurred_at}
    assert set(old.values_list("closed_because", flat=True)) == {ReminderClosed.REVIEW_DATE_CHANGED}
    items = inbox_items(user=people.manager).filter(reminder__kind=ReminderKind.REVIEW_DUE)
    assert items.filter(no_longer_needed()).count() == 1 and not items.filter(new_items()).exists()
    # A handover of the manager's work no longer passes on a review due on 1 March 2026.
    assert open_review_words(people.manager) == []


def test_a_change_refused_closes_nothing(published, people):  # noqa: F811
    chase(SIX_MONTHS_BEFORE)
    with pytest.raises(ApplicationError, match="must be earlier"):
        bring_forward(published, people, on=SIX_MONTHS_BEFORE, to=datetime.date(2026, 6, 1))
    assert review_reminders(published, superseded_at__isnull=True).count() == 2


def test_the_next_chase_reminds_of_the_new_date_even_on_a_day_the_old_one_used(published, people):  # noqa: F811
    """1 September 2025 was "6 months before" 1 March 2026, and is "3 months before" 1 December 2025: the new date's
    reminder is another reminder (of another review date), not the old one's step already sent."""
    chase(SIX_MONTHS_BEFORE)
    bring_forward(published, people, on=SIX_MONTHS_BEFORE + datetime.timedelta(days=1), to=NEW_DUE)
    result = chase(SIX_MONTHS_BEFORE + datetime.timedelta(days=1))
    assert result.new_reminders == 2
    [new] = review_reminders(published, recipient=people.developer, superseded_at__isnull=True)
    assert (new.due_on, new.item_due_on, new.step) == (SIX_MONTHS_BEFORE, NEW_DUE, "3 months before")
    assert "is due on 1 December 2025" in new.message
    # The old date's reminders stay closed: not opened again, not written again.
    old = review_reminders(published, item_due_on=FIRST_DUE)
    assert old.count() == 2 and not old.filter(superseded_at__isnull=True).exists()
    # The inbox: the new date New, the old one no longer needed.
    items = inbox_items(user=people.developer).filter(reminder__kind=ReminderKind.REVIEW_DUE)
    [told] = items.filter(new_items())
    assert "1 December 2025" in told.body and "1 March 2026" not in told.body
    assert "1 March 2026" in items.get(no_longer_needed()).body
    assert [words for words in open_review_words(people.developer) if "1 March 2026" in words] == []
    # Run again the same day: nothing more.
    assert chase(SIX_MONTHS_BEFORE + datetime.timedelta(days=1)).new_reminders == 0


def test_brought_forward_then_overdue_the_chase_quotes_the_new_date(published, people):  # noqa: F811
    chase(SIX_MONTHS_BEFORE)
    new_due = datetime.date(2025, 9, 10)
    bring_forward(published, people, on=datetime.date(2025, 9, 2), to=new_due)
    chase(new_due + datetime.timedelta(days=7))
    [overdue] = review_reminders(published, recipient=people.developer, superseded_at__isnull=True)
    assert overdue.step == "overdue by 7 days"
    assert overdue.message.endswith("was due on 10 September 2025 and is overdue by 7 days.")
    assert not review_reminders(published, item_due_on=FIRST_DUE, superseded_at__isnull=True).exists()
    # Moved later by the reviewed version's publication: the overdue reminder is no longer needed, and says why.
    with at(new_due + datetime.timedelta(days=8)):
        lifecycle_services.policy_start_review(policy=published, actor=people.developer, reason="Brought forward.")
        advance_to(published, "implementation", people)
    overdue.refresh_from_db()
    assert overdue.superseded_at is not None and overdue.closed_because == ReminderClosed.REVIEW_COMPLETED
    assert not review_reminders(published, superseded_at__isnull=True).exists()


def page_words(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(read(response.content.decode()).text.split())


def test_the_inbox_says_why_and_my_work_and_the_dashboard_show_the_new_date(client, published, people):  # noqa: F811
    chase(SIX_MONTHS_BEFORE)
    bring_forward(published, people, on=SIX_MONTHS_BEFORE + datetime.timedelta(days=1), to=NEW_DUE)
    chase(SIX_MONTHS_BEFORE + datetime.timedelta(days=1))
    with travel(SIX_MONTHS_BEFORE + datetime.timedelta(days=1)):
        client.force_login(people.developer)
        inbox, my_work = page_words(client, "/notifications/"), page_words(client, "/")
        client.force_login(people.coordinator)
        dashboard = page_words(client, "/dashboard/")
    assert "was closed on 2 September 2025: the review date was changed, and reminders follow the new date." in inbox
    assert "is due on 1 December 2025 (3 months before)" in inbox
    for page in (my_work, dashboard):
        assert "1 December 2025" in page and "1 March 2026" not in page


def test_the_change_closes_them_in_a_fixed_number_of_queries(published, people):  # noqa: F811
    """One statement closes them, however many: the change of a policy with review reminders open costs what it costs
    of one with none (published a year later: its review is not chased yet)."""
    with at(PUBLISHED_ON + datetime.timedelta(days=345)):
        quiet = people.policy()
    with at(PUBLISHED_ON + datetime.timedelta(days=365)):
        quiet = advance_to(quiet, "implementation", people)
    chase(SIX_MONTHS_BEFORE)
    chase(datetime.date(2025, 12, 1))
    assert review_reminders(published, superseded_at__isnull=True).count() == 4
    assert not review_reminders(quiet).exists()
    counts = []
    for policy in (quiet, published):
        with CaptureQueriesContext(connection) as queries:
            bring_forward(reload(policy), people, on=datetime.date(2025, 12, 2), to=datetime.date(2026, 1, 5))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert not review_reminders(published, superseded_at__isnull=True).exists()


def test_the_item_telling_of_the_change_says_the_new_date_and_the_one_it_replaces(published, people):  # noqa: F811
    """The relay's item of the bring-forward (to the developers and manager) said only who did it and when ("By ... on 2
    September 2025, 12:00."), while the reminders it replaced had quoted 1 March 2026: it says both dates. Not the
    reason, which may quote a monitoring report (the relay reads the event's words for a few actions only)."""
    bring_forward(published, people, on=SIX_MONTHS_BEFORE, to=NEW_DUE)
    with travel(SIX_MONTHS_BEFORE):
        services.outbox_relay()
    item = Notification.objects.get(recipient=people.developer, title__startswith="Review brought forward")
    assert item.body.startswith("The review is now due on 1 December 2025 (it was due on 1 March 2026). By ")
