"""The words of an emergency approval's Equality Impact Assessment reminder (QA walk, LOW): `manage.py chase --dry-run
--date=2027-01-02` still told POL-0014's authors and Lead that it "is due by 21 December 2026" twelve days after that
date had passed, while the review and monitoring reminders beside it said "overdue by N days". Once the date has
passed, it says that it was due and how late it is, counted on the day the reminder is written, as theirs do."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from assessments.services import eia_complete_retrospective, eia_update
from lifecycle import services as lifecycle_services
from lifecycle.models import Policy
from notifications import services
from notifications.models import Reminder
from tests.factories import ALL_IMPACTS, advance_to, emergency_approve, reload

pytestmark = pytest.mark.django_db

APPROVED_ON = datetime.date(2025, 1, 6)
ALL_SKIPPED = ("Equality Impact Assessment, signed off by DCFD; Workbook impact sections (health and safety, "
               "information management, consultation), signed off by PCU; Quality assurance of information management "
               "by DOI")


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


@pytest.fixture
def approved(people) -> Policy:
    """Approved by the emergency route on 6 January 2025, not impact assessed: its EIA is due 28 days later."""
    with at(APPROVED_ON):
        policy = advance_to(people.policy(), "development", people)
        lifecycle_services.draft_update(policy=policy, actor=people.developer,
                                        statement="<p>Officers may carry the extended device.</p>")
        emergency_approve(policy, people, risk_statement="Immediate operational need: new device.")
    return Policy.objects.get(pk=policy.pk)


def messages(user) -> list[str]:
    return list(Reminder.objects.filter(recipient=user, kind="emergency_eia").order_by("due_on")
                .values_list("message", flat=True))


def test_before_its_date_the_reminder_says_by_when_it_is_due(approved, people):
    due = approved.emergency_eia_due_on
    with at(APPROVED_ON + datetime.timedelta(days=7)):
        services.chase_run(today=APPROVED_ON + datetime.timedelta(days=7))
    assert messages(people.developer) == [
        f"{approved.reference} {approved.title} was approved by the emergency route, before its impact assessment. "
        f"Still to be signed off: {ALL_SKIPPED}. It is due by {due:%-d %B %Y}."]


def test_once_its_date_has_passed_the_reminder_says_it_is_overdue_and_by_how_much(approved, people):
    due = approved.emergency_eia_due_on
    day = due + datetime.timedelta(days=12)
    with at(day):
        services.chase_run(today=day)
    expected = (f"{approved.reference} {approved.title} was approved by the emergency route, before its impact "
                f"assessment. Still to be signed off: {ALL_SKIPPED}. It was due by {due:%-d %B %Y}: overdue by 12 "
                "days.")
    # The weekly step is the ledger's ("overdue", a week after the date); the words count the day's days late.
    assert messages(people.developer) == [expected]
    assert messages(people.lead) == [expected]


def test_one_day_late_is_one_day(approved, people):
    due = approved.emergency_eia_due_on
    [reminder] = [planned for planned in services.chase_plan(today=due + datetime.timedelta(days=1))
                  if planned.kind == "emergency_eia" and planned.recipient_id == people.developer.pk]
    assert reminder.message.endswith(f"It was due by {due:%-d %B %Y}: overdue by 1 day.")


def test_the_dry_run_words_it_so(approved, people):
    due = approved.emergency_eia_due_on
    day = due + datetime.timedelta(days=12)
    out = StringIO()
    with at(day):
        call_command("chase", "--dry-run", f"--date={day.isoformat()}", stdout=out)
    text = out.getvalue()
    assert f"It was due by {due:%-d %B %Y}: overdue by 12 days." in text
    assert f"It is due by {due:%-d %B %Y}" not in text


def test_once_the_eia_is_signed_off_the_reminder_names_only_what_is_left(approved, people):
    """Found with the demo: once DCFD had signed off the retrospective EIA, the authors were still told weekly that
    the policy "was approved without an Equality Impact Assessment" while only the Workbook's impact sections (theirs
    to complete, PCU's to sign) and DOI's quality assurance were left."""
    with at(APPROVED_ON + datetime.timedelta(days=3)):
        eia_update(policy=reload(approved), actor=people.developer, aims="Protect officers and the public.",
                   impacts=ALL_IMPACTS, decision="no_major_change")
        eia_complete_retrospective(policy=reload(approved), actor=people.dcfd)
    due = approved.emergency_eia_due_on
    with at(APPROVED_ON + datetime.timedelta(days=7)):
        services.chase_run(today=APPROVED_ON + datetime.timedelta(days=7))
    [message] = messages(people.developer)
    assert "Equality Impact Assessment" not in message
    assert message == (
        f"{approved.reference} {approved.title} was approved by the emergency route, before its impact assessment. "
        "Still to be signed off: Workbook impact sections (health and safety, information management, consultation), "
        f"signed off by PCU; Quality assurance of information management by DOI. It is due by {due:%-d %B %Y}.")
