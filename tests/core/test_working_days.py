"""Issue 13: bank holidays in England and Wales (the ``holidays`` package, computed offline) are not working days,
wherever working days are counted: the stuck-work timing of the chase (a sign-off, a decision, a forward or a
publication waiting more than CHASE_STUCK_WORKING_DAYS working days, a monitoring report waiting for QA)."""

import datetime

import pytest
import time_machine

from core.working_days import is_working_day, working_days_after
from lifecycle import services as lifecycle_services
from notifications import services
from notifications.models import Reminder
from tests.factories import advance_to

D = datetime.date


def test_bank_holidays_of_england_and_wales_are_not_working_days():
    assert not is_working_day(D(2025, 4, 18))  # Good Friday
    assert not is_working_day(D(2025, 4, 21))  # Easter Monday
    assert not is_working_day(D(2025, 5, 5))  # Early May bank holiday
    assert not is_working_day(D(2025, 8, 25))  # Summer bank holiday (England and Wales, not Scotland's)
    assert not is_working_day(D(2021, 12, 27)) and not is_working_day(D(2021, 12, 28))  # substitute days
    assert not is_working_day(D(2023, 5, 8))  # the coronation: a one-off bank holiday
    assert not is_working_day(D(2025, 4, 19))  # a Saturday
    # Scotland's and Northern Ireland's own holidays are working days here.
    assert is_working_day(D(2025, 1, 2)) and is_working_day(D(2025, 3, 17)) and is_working_day(D(2025, 8, 4))
    assert is_working_day(D(2025, 4, 22))


def test_counting_working_days_skips_weekends_and_bank_holidays():
    # Thursday 19 December 2024 + 10 working days: Christmas, Boxing Day and New Year's Day do not count.
    assert working_days_after(D(2024, 12, 19), 10) == D(2025, 1, 7)
    assert working_days_after(D(2025, 4, 17), 1) == D(2025, 4, 22)
    assert working_days_after(D(2025, 4, 17), 0) == D(2025, 4, 17)


@pytest.mark.django_db
def test_stuck_work_over_easter_is_chased_ten_working_days_later(people):
    submitted = D(2025, 4, 10)  # a Thursday; Good Friday and Easter Monday fall within the wait
    with time_machine.travel(datetime.datetime(2025, 4, 10, 9, 0), tick=False):
        policy = advance_to(people.policy(), "submitted_for_qa", people)
        lifecycle_services.policy_record_qa_signoff(policy=policy, actor=people.pcu_qa, discipline="pcu")

    def chase(day):
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False):
            services.chase_run(today=day)

    # Weekdays alone would make it 24 April; the two bank holidays push it to 28 April.
    chase(D(2025, 4, 24))
    chase(D(2025, 4, 25))
    assert not Reminder.objects.filter(kind="stuck").exists()
    chase(D(2025, 4, 28))
    stuck = Reminder.objects.filter(kind="stuck")
    assert {r.recipient.username for r in stuck} == {"dcfd", "doi"}
    assert {r.due_on for r in stuck} == {D(2025, 4, 28)}
    assert f"since {submitted:%-d %B %Y}" in stuck.first().message
