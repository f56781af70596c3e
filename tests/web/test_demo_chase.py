"""`make run`'s demo shows PolicyHub chasing people (walk, 2026-12-05): the demo has no scheduler, so the chase never
ran and nobody's notifications held a reminder of the overdue review, the overdue monitoring report or the stuck
submission its data was seeded to show. seed_demo runs the day's chase once, as the scheduled job would at 06:30;
its e-mails are discarded like the rest of the seeded history's, and seeding again adds nothing."""

import pytest
from django.core.management import call_command

from core.models import User
from notifications.models import Notification, Reminder

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_seed_runs_the_days_chase_once(capsys):
    call_command("seed_demo", verbosity=0)
    coordinator = User.objects.get(username="coordinator")
    reminded = Notification.objects.filter(recipient=coordinator, reminder__isnull=False)
    assert reminded.filter(reminder__kind="review_due", policy__reference="POL-0003").exists()
    assert "The day's chase ran" in capsys.readouterr().out
    reminders = Reminder.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Reminder.objects.count() == reminders


def test_seeding_again_on_a_later_day_says_what_its_chase_wrote(capsys):
    """Review (2026-12-05): seeded again on a later day, the seed's chase wrote that day's reminders and the command
    still said "nothing changed"."""
    import datetime

    import time_machine
    from django.utils import timezone

    call_command("seed_demo", verbosity=0)
    capsys.readouterr()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7)):
        call_command("seed_demo", verbosity=0)
    out = capsys.readouterr().out
    assert "nothing changed" not in out
    assert "The day's chase ran: " in out and "The day's chase ran: 0 reminders" not in out
