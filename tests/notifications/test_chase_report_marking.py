"""Reminders and notices about a monitoring report, and the report's own protective marking (review of 2026-12-05,
finding 4, HIGH). A report keeps the marking it was written under (assessments.selectors): one written while its
policy was OFFICIAL-SENSITIVE stays so when a review re-marks the policy OFFICIAL. The pages read it so, but the chase
asked only the policy's marking now: a remedial action the Lead directed after such a report, its owner's role since
revoked, was still chased in their inbox and digest e-mail in its own words ("Remedial action on POL-0001 ...:
Re-brief the avocetish handlers."), which My work no longer showed them; and an item written while they were cleared
stayed in their inbox.

Now the chase reminds of a report's work (its quality assurance, a remedial action directed after it) only those
cleared for the stricter of the report's marking and the policy's marking now, by the one rule
(``lifecycle.selectors.Clearance``); an owner not cleared is passed over for the Lead who directed the action, who can
direct it anew (SOP, the Lead's role: "review monitoring results and direct remedial action"). The inbox, its count
and the digest e-mail leave out an item about such a report (a remedial reminder, a relayed event naming it) whose
reader is not cleared for it now (notifications.selectors)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from core.models import Role
from lifecycle import services as s
from lifecycle.states import ProtectiveMarking, Status
from notifications import services
from notifications.links import report_named
from notifications.models import Notification, Reminder, ReminderKind
from notifications.selectors import inbox_items, new_items
from tests.assessments import test_monitoring_report_marking as report_marking
from tests.factories import advance_to, reload, user_with_role
from tests.library.helpers import published
from tests.lifecycle.test_details import update
from tests.lifecycle.test_details_downgrade import publish_reviewed
from tests.notifications.test_chase_clearance import digests_sent, mailed_to, role_removed
from tests.notifications.test_inbox_clearance import inbox, unread_in_header

pytestmark = pytest.mark.django_db



@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def downgraded(people, django_capture_on_commit_callbacks):
    """The scenario of tests/assessments/test_monitoring_report_marking.py (``build_downgraded``), built for each test
    (these tests revoke roles and run the chase): a report written while its policy was OFFICIAL-SENSITIVE, a
    remedial action directed to ``people.developer``, then a review's downgrade to OFFICIAL."""
    return report_marking.build_downgraded(people, django_capture_on_commit_callbacks)


REMEDIAL = report_marking.REMEDIAL
OFFICIAL, SENSITIVE = ProtectiveMarking.OFFICIAL, ProtectiveMarking.OFFICIAL_SENSITIVE

# Words only the remedial action carries (``REMEDIAL``).
ACTION_WORDS = "avocetish"


def a_fortnight_before_due() -> datetime.date:
    """The remedial action (``downgraded``) is due in 60 days: chased from a fortnight before."""
    return timezone.localdate() + datetime.timedelta(days=46)


def remedial_planned(policy, day: datetime.date) -> dict[int, str]:
    """{recipient id: message} of the remedial reminders the chase plans on ``day`` for ``policy``."""
    return {item.recipient_id: item.message for item in services.chase_plan(today=day)
            if item.policy_id == policy.pk and item.kind == ReminderKind.REMEDIAL_ACTION}


def test_a_remedial_action_is_not_chased_with_someone_no_longer_cleared_for_its_report(client, downgraded, people):
    """The owner's role revoked after the downgrade: My work hides the action from them, and the chase no longer
    writes it to them; the Lead who directed it, cleared, is reminded instead."""
    policy, _ = downgraded
    role_removed(people, people.developer, Role.DEVELOPER)
    assert REMEDIAL not in inbox(client, people.developer, "/")
    day = a_fortnight_before_due()
    planned = remedial_planned(policy, day)
    assert people.developer.pk not in planned
    assert ACTION_WORDS in planned[people.lead.pk]
    services.chase_run(today=day)
    assert not Reminder.objects.filter(recipient=people.developer, message__contains=ACTION_WORDS).exists()
    assert not any(ACTION_WORDS in f"{item.title} {item.body}" for item in inbox_items(user=people.developer))
    assert Reminder.objects.filter(recipient=people.lead, kind=ReminderKind.REMEDIAL_ACTION).exists()


def test_with_no_lead_cleared_for_its_report_the_co_ordinator_is_reminded_of_it(downgraded, people):
    """Neither the owner nor the Lead who directed it, nor another Lead of the business group, is cleared for the
    report any more: the co-ordinator, who chases monitoring work with "prompts and reminders" (SOP), is reminded of
    the action rather than nobody."""
    policy, _ = downgraded
    role_removed(people, people.developer, Role.DEVELOPER)
    role_removed(people, people.lead, Role.LEAD)
    planned = remedial_planned(policy, a_fortnight_before_due())
    assert set(planned) == {people.coordinator.pk}
    assert ACTION_WORDS in planned[people.coordinator.pk]


def about_the_report(user, report) -> list[str]:
    """The titles and words of ``user``'s items, as the inbox, its count and the digest read them, that are about
    ``report``: its remedial action's reminder, and the events the relay told of it (the Lead's response, its quality
    assurance, its publication: ``links.report_named``)."""
    items = inbox_items(user=user).select_related("reminder", "source_event__audit_event")
    return [f"{item.title} | {item.body}" for item in items
            if (item.reminder_id and item.reminder.kind == ReminderKind.REMEDIAL_ACTION)
            or (item.source_event_id and report_named(item.source_event.audit_event) == report.pk)]


def test_items_written_while_cleared_are_withheld_once_the_reader_is_not_cleared_for_the_report(client, downgraded,
                                                                                                people):
    """The chase and the relay wrote to the owner while they were cleared; their role is revoked after the downgrade.
    Their inbox, its unread count and the digest e-mail leave those items out (kept, unread, as evidence); the
    co-ordinator, cleared, still reads theirs."""
    policy, report = downgraded
    services.outbox_relay()
    services.chase_run(today=a_fortnight_before_due())
    told = about_the_report(people.developer, report)
    assert any(ACTION_WORDS in item for item in told)
    assert any(item.startswith("The Designated Lead responded to a monitoring report") for item in told)
    assert any(item.startswith("Monitoring report published") for item in told)
    page = inbox(client, people.developer)
    assert ACTION_WORDS in page
    unread_before = unread_in_header(page)
    new_before = set(inbox_items(user=people.developer).filter(new_items()).values_list("pk", flat=True))
    role_removed(people, people.developer, Role.DEVELOPER)
    assert about_the_report(people.developer, report) == []
    page = inbox(client, people.developer)
    assert ACTION_WORDS not in page and "monitoring report" not in page.lower()
    # Withheld: the items about the report, and those of the events of version 1.0's OFFICIAL-SENSITIVE time, which
    # the fixture relays only after the downgrade's publication (written under OFFICIAL-SENSITIVE since
    # tests/notifications/test_relay_marking_then.py).
    withheld = new_before - set(inbox_items(user=people.developer).values_list("pk", flat=True))
    sensitive_then = set(Notification.objects.filter(pk__in=new_before, protective_marking=SENSITIVE,
                                                     report__isnull=True).values_list("pk", flat=True))
    assert sensitive_then and sensitive_then <= withheld and len(withheld) == len(told) + len(sensitive_then)
    assert unread_in_header(page) == unread_before - len(withheld)
    # Kept as written, unread: shown again if they are cleared again.
    assert Notification.objects.filter(recipient=people.developer, body__contains=ACTION_WORDS,
                                       read_at__isnull=True).exists()
    assert about_the_report(people.coordinator, report)
    # The digest e-mail tells them of the policy, OFFICIAL now, and of nothing about the report.
    digests_sent()
    assert mailed_to(people.developer, policy.reference)
    assert not any(mailed_to(people.developer, words)
                   for words in (ACTION_WORDS, "monitoring report", "Monitoring report"))


@pytest.fixture
def downgraded_while_in_qa(people, django_capture_on_commit_callbacks):
    """Version 1.0 published OFFICIAL-SENSITIVE; its monitoring report submitted then, still waiting for the
    co-ordinator's quality assurance when a review's version 2.0, re-marked OFFICIAL, is published."""
    with django_capture_on_commit_callbacks(execute=True):
        policy = published(people, title="Covert tasking", marking=SENSITIVE)
    policy = advance_to(policy, Status.MONITORING, people)
    report = report_marking.report_of(policy, people, publish=False)
    s.policy_start_review(policy=reload(policy), actor=people.coordinator, reason="Three-year review.")
    update(reload(policy), people.developer, protective_marking=OFFICIAL, suitable_for_publication_scheme=True)
    policy, _ = publish_reviewed(reload(policy), people, django_capture_on_commit_callbacks)
    assert policy.protective_marking == OFFICIAL and report.protective_marking == SENSITIVE
    return policy, report


def qa_planned(policy, day: datetime.date) -> set[int]:
    return {item.recipient_id for item in services.chase_plan(today=day)
            if item.policy_id == policy.pk and item.kind == ReminderKind.MONITORING_QA}


def test_a_report_waiting_for_quality_assurance_is_chased_only_with_those_cleared_for_it(client, downgraded_while_in_qa,
                                                                                        people):
    """The named co-ordinator, their role revoked, is not told of the OFFICIAL-SENSITIVE report (that it is there, and
    since when); the business group's other co-ordinator, cleared by holding the role, is. A reminder written to them
    while they were cleared is left out of their inbox now."""
    policy, report = downgraded_while_in_qa
    other_coordinator = user_with_role(Role.COORDINATOR, people.group, username="other_coordinator")
    # Ten working days after it was submitted, and more.
    day = timezone.localdate() + datetime.timedelta(days=21)
    assert qa_planned(policy, day) == {people.coordinator.pk}
    services.chase_run(today=day)
    assert inbox_items(user=people.coordinator).filter(reminder__kind=ReminderKind.MONITORING_QA).exists()
    role_removed(people, people.coordinator, Role.COORDINATOR)
    assert not inbox_items(user=people.coordinator).filter(reminder__kind=ReminderKind.MONITORING_QA).exists()
    assert "waiting for your quality assurance" not in inbox(client, people.coordinator)
    assert qa_planned(policy, day + datetime.timedelta(days=7)) == {other_coordinator.pk}


def test_a_reminder_of_quality_assurance_handed_over_tells_of_the_report_it_was_written_for(
        downgraded_while_in_qa, people, django_capture_on_commit_callbacks):
    """Review of 2026-12-05 (second): a reminder of quality assurance names no report; its copy, handed over to a new
    co-ordinator, recorded the report last submitted at the handover, a later OFFICIAL one, not the
    OFFICIAL-SENSITIVE report it tells of ("waiting ... since" its date), and was shown to its reader once they were
    no longer cleared. A copy records the report its original recorded.

    Since 2026-12-06 the co-ordinator's pass closes the reminder (test_work_done_closes.py), so a handover after it
    passes nothing on: the copy is handed over while the report still waits, and records that report; the later
    OFFICIAL report then changes nothing of it."""
    from assessments import services as a
    from lifecycle.services import people as people_services

    policy, report = downgraded_while_in_qa
    services.chase_run(today=timezone.localdate() + datetime.timedelta(days=21))
    original = Notification.objects.get(recipient=people.coordinator, reminder__kind=ReminderKind.MONITORING_QA)
    assert original.report_id == report.pk
    new = user_with_role(Role.COORDINATOR, people.group, username="new_coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        people_services.policy_reassign(policy=reload(policy), actor=people.pcu, role="coordinator",
                                        new_holder=new, reason="Moved to another business group.")
    copy = Notification.objects.get(recipient=new, reminder__kind=ReminderKind.MONITORING_QA)
    assert copy.report_id == report.pk
    with django_capture_on_commit_callbacks(execute=True):
        a.monitoring_report_pass_qa(report=report, actor=new, comments="Fit for purpose.")
        a.monitoring_report_publish(report=report, actor=people.pcu)
    later = report_marking.report_of(reload(policy), people, publish=False)
    assert later.protective_marking == OFFICIAL
    copy.refresh_from_db()
    assert copy.report_id == report.pk and copy.reminder.superseded_at is not None
    role_removed(people, new, Role.COORDINATOR)
    assert not inbox_items(user=new).filter(pk=copy.pk).exists()
