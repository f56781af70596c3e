"""A quality assurance discipline's reminder of work waiting too long closes when that discipline signs off (found on
2026-12-06). In quality assurance the chase reminds each discipline that has not yet recorded its decision (SOP stage 4:
"The Policy Co-ordination Unit will co-ordinate the quality assurance process in conjunction with DCFD and DOI"): the
holders of PCU's, DCFD's and DOI's force-wide roles (notifications.services.rules, ``PolicyChase.stuck``). When DCFD
signed off, the status did not change (PCU and DOI had not signed), so nothing closed DCFD's reminder: "has been
waiting for quality assurance sign-off" stayed New in DCFD's inbox, though DCFD's part was done.

Now the sign-off closes, in its own transaction, the reminders of the discipline that signed: those of its role
holders who hold no role of a discipline still to sign (one who also answers for DOI is still waited on). Kept, with
why; "No longer needed" in the inbox; the chase never writes them again, nor one it planned before the sign-off and
writes after it."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from django.db import connection

from core.models import AuditEvent, Role, RoleAssignment
from lifecycle import services as lifecycle_services
from notifications.models import Reminder, ReminderClosed, ReminderKind
from notifications.selectors import inbox_items, new_items, no_longer_needed
from notifications.services import ledger
from notifications.services.plan import policy_plan
from tests.clock import travel
from tests.factories import advance_to, reload
from tests.notifications.test_chase import at, chase
from tests.notifications.test_review_date_changed import page_words

pytestmark = pytest.mark.django_db

SUBMITTED_ON = datetime.date(2025, 2, 3)  # a Monday
CHASED_ON = datetime.date(2025, 2, 17)  # ten working days on: quality assurance is late
SIGNED_ON = datetime.date(2025, 2, 18)


def stuck_open(policy) -> set[str]:
    return {reminder.recipient.username for reminder in Reminder.objects.filter(
        policy=policy, kind=ReminderKind.STUCK, superseded_at__isnull=True).select_related("recipient")}


def sign(policy, actor, discipline: str) -> None:
    lifecycle_services.policy_record_qa_signoff(policy=reload(policy), actor=actor, discipline=discipline)


@contextlib.contextmanager
def ledger_updates():
    """The statements that update the ledger while the block runs (the closers', each one UPDATE)."""
    updates: list[str] = []
    prefix = f'UPDATE {connection.ops.quote_name(Reminder._meta.db_table)}'

    def record(execute, sql, params, many, context):
        if sql.startswith(prefix):
            updates.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield updates


@pytest.fixture
def in_qa(people):
    with at(SUBMITTED_ON):
        return advance_to(people.policy(), "submitted_for_qa", people)


def test_the_discipline_that_signs_off_has_its_reminder_closed(in_qa, people):
    chase(CHASED_ON)
    assert stuck_open(in_qa) == {"pcu", "pcu_qa", "dcfd", "doi"}
    with at(SIGNED_ON):
        sign(in_qa, people.dcfd, "dcfd")
    assert reload(in_qa).status == "submitted_for_qa"  # PCU and DOI have not signed: the status stays
    assert stuck_open(in_qa) == {"pcu", "pcu_qa", "doi"}
    [closed] = Reminder.objects.filter(policy=in_qa, kind=ReminderKind.STUCK, superseded_at__isnull=False)
    event = AuditEvent.objects.filter(action="policy.qa_signed_off.dcfd").latest("pk")
    assert closed.recipient == people.dcfd
    assert (closed.superseded_at, closed.closed_because) == (event.occurred_at, ReminderClosed.QA_SIGNED_OFF)
    items = inbox_items(user=people.dcfd).filter(reminder__kind=ReminderKind.STUCK)
    assert (items.filter(no_longer_needed()).count(), items.filter(new_items()).count()) == (1, 0)
    # PCU's sign-off closes both PCU members' (either may sign for PCU); DOI's, the last, moves the status on.
    with at(SIGNED_ON):
        sign(in_qa, people.pcu_qa, "pcu")
    assert stuck_open(in_qa) == {"doi"}
    # Not written again by the next chases, which chase DOI alone.
    chase(CHASED_ON + datetime.timedelta(days=7))
    assert stuck_open(in_qa) == {"doi"}


def test_the_inbox_says_why(client, in_qa, people):
    chase(CHASED_ON)
    with at(SIGNED_ON):
        sign(in_qa, people.dcfd, "dcfd")
    with travel(SIGNED_ON):
        client.force_login(people.dcfd)
        inbox = page_words(client, "/notifications/")
    assert "No longer needed" in inbox
    assert ("This reminder was closed on 18 February 2025: your discipline's quality assurance sign-off was recorded."
            in inbox)


def test_someone_who_also_answers_for_a_discipline_still_to_sign_is_still_chased(in_qa, people):
    """One reminder a person, whatever disciplines they answer for: theirs closes once none of them is waited on."""
    RoleAssignment.objects.create(user=people.dcfd, role=Role.DOI)
    chase(CHASED_ON)
    with at(SIGNED_ON):
        sign(in_qa, people.dcfd, "dcfd")
    assert stuck_open(in_qa) == {"pcu", "pcu_qa", "dcfd", "doi"}


def test_a_reminder_planned_before_the_sign_off_is_not_written_after_it(in_qa, people, monkeypatch):
    with at(CHASED_ON):
        planned = policy_plan(CHASED_ON)  # the chase has planned ...
        sign(in_qa, people.dcfd, "dcfd")  # ... DCFD signs off and commits ...
    assert {item.recipient_id for item in planned if item.kind == ReminderKind.STUCK} == {
        people.pcu.pk, people.pcu_qa.pk, people.dcfd.pk, people.doi.pk}
    monkeypatch.setattr(ledger, "policy_plan", lambda today: planned)
    chase(CHASED_ON)  # ... and the chase writes what it planned: all but DCFD's
    assert stuck_open(in_qa) == {"pcu", "pcu_qa", "doi"}


def test_a_sign_off_closes_them_in_one_statement(in_qa, people):
    chase(CHASED_ON)
    with at(SIGNED_ON), ledger_updates() as closing:
        sign(in_qa, people.dcfd, "dcfd")
    assert len(closing) == 1, closing
