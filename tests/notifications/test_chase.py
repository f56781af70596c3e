"""Chasing on time, with frozen time: every schedule, escalation step, and the earlier-review and
no-change paths. Through the services and the `chase` command."""

import datetime
from io import StringIO

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.core.management import call_command

from core.models import AuditEvent
from lifecycle import services as lifecycle_services
from lifecycle.models import Policy
from notifications import services
from notifications.models import Digest, Notification, Reminder
from notifications.tasks import chase_daily
from tests.factories import advance_to, emergency_approve, monitoring_up_to_date

PUBLISHED_ON = datetime.date(2023, 3, 1)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


@pytest.fixture
def published(people, db):
    """A Territorial Policing policy published on 1 March 2023: review due 1 March 2026, monitoring due
    1 March 2024."""
    with at(PUBLISHED_ON - datetime.timedelta(days=20)):
        policy = people.policy()
    with at(PUBLISHED_ON):
        policy = advance_to(policy, "implementation", people)
    assert policy.review_due_on == datetime.date(2026, 3, 1)
    assert policy.monitoring_report_due_on == datetime.date(2024, 3, 1)
    return policy


def reminders_for(user, kind=None):
    queryset = Reminder.objects.filter(recipient=user)
    if kind:
        queryset = queryset.filter(kind=kind)
    return list(queryset.order_by("due_on").values_list("due_on", "step"))


def chase(day: datetime.date):
    with at(day):
        return services.chase_run(today=day)


@pytest.mark.django_db
class TestReviewSchedule:
    def test_reminders_6_3_and_1_months_before_on_the_day_then_weekly(self, published, people):
        due = published.review_due_on
        for day in [due - relativedelta(months=6), due - relativedelta(months=3), due - relativedelta(months=1),
                    due, due + datetime.timedelta(days=7)]:
            chase(day)
        steps = [step for _, step in reminders_for(people.developer, "review_due")]
        assert steps == ["6 months before: start the review now", "3 months before", "1 month before",
                         "due today", "overdue by 7 days"]
        # The manager is chased with the developer; nobody else yet.
        assert len(reminders_for(people.manager, "review_due")) == 5
        assert reminders_for(people.coordinator, "review_due") == []

    def test_a_second_run_the_same_day_adds_nothing(self, published, people):
        day = published.review_due_on - relativedelta(months=6)
        first = chase(day)
        reminders = Reminder.objects.count()
        second = chase(day)
        assert first.new_reminders == reminders and reminders >= 2
        assert second.new_reminders == 0 and Reminder.objects.count() == reminders
        assert Notification.objects.filter(reminder__isnull=False).count() == reminders

    def test_nothing_between_steps(self, published, people):
        due = published.review_due_on
        chase(due - relativedelta(months=6))
        chase(due - relativedelta(months=6) + datetime.timedelta(days=10))
        assert len(reminders_for(people.developer, "review_due")) == 1

    def test_missed_runs_catch_up_with_one_reminder_not_a_burst(self, published, people):
        due = published.review_due_on
        chase(due + datetime.timedelta(days=30))
        assert reminders_for(people.developer, "review_due") == [(due + datetime.timedelta(days=28),
                                                                  "overdue by 28 days")]

    def test_a_late_reminder_says_how_late_it_is_on_the_day_it_is_written(self, published, people):
        """Walk (2026-12-05): the demo's first chase told the co-ordinator a review was "overdue by 245 days" while the
        register beside it said 249: the message gave the weekly step's label, not the day's count. The step stays
        the ledger's (one reminder a week); its words say what the register says that day."""
        due = published.review_due_on
        chase(due + datetime.timedelta(days=30))
        [reminder] = Reminder.objects.filter(recipient=people.developer, kind="review_due")
        assert reminder.step == "overdue by 28 days"
        assert reminder.message.endswith(f"was due on {due:%-d %B %Y} and is overdue by 30 days.")
        [item] = Notification.objects.filter(reminder=reminder)
        assert "is overdue by 30 days" in item.body

    def test_escalation_to_coordinator_then_lead_then_owner(self, published, people):
        due = published.review_due_on
        chase(due + datetime.timedelta(days=7))
        assert reminders_for(people.coordinator, "review_due") == []
        chase(due + datetime.timedelta(days=14))
        assert len(reminders_for(people.coordinator, "review_due")) == 1
        assert reminders_for(people.lead, "review_due") == []
        chase(due + datetime.timedelta(days=42))
        assert len(reminders_for(people.lead, "review_due")) == 1
        assert reminders_for(people.owner, "review_due") == []
        chase(due + datetime.timedelta(days=91))
        assert len(reminders_for(people.owner, "review_due")) == 1

    def test_earlier_review_date_moves_the_schedule(self, published, people):
        day = datetime.date(2024, 6, 3)
        with at(day):
            lifecycle_services.policy_set_review_date(
                policy=published, actor=people.coordinator, review_due_on=datetime.date(2024, 9, 2),
                reason="New legislation: the Victims and Prisoners Act.")
        chase(day)
        # 3 months before the new date has passed, so the 3-month reminder goes now.
        assert reminders_for(people.developer, "review_due")[-1][1] == "3 months before"
        assert AuditEvent.objects.filter(action="policy.review_date_brought_forward").exists()

    def test_earlier_review_date_must_be_earlier_and_give_a_reason(self, published, people):
        from core.exceptions import ApplicationError

        with at(datetime.date(2024, 6, 3)), pytest.raises(ApplicationError, match="must be earlier"):
            lifecycle_services.policy_set_review_date(
                policy=published, actor=people.coordinator, review_due_on=datetime.date(2027, 1, 1), reason="x")
        with at(datetime.date(2024, 6, 3)), pytest.raises(ApplicationError, match="Only the Designated Lead"):
            lifecycle_services.policy_set_review_date(
                policy=published, actor=people.developer, review_due_on=datetime.date(2024, 9, 2), reason="x")

    def test_review_concluding_no_change_republishes_with_a_new_date(self, published, people):
        from publication.services import policy_republish_no_change

        day = published.review_due_on - relativedelta(months=2)
        chase(day)
        with at(day):
            monitoring_up_to_date(published, people)
            lifecycle_services.policy_conclude_no_change(
                policy=published, actor=people.lead, reason="Monitoring shows the policy works; law unchanged.")
            lifecycle_services.policy_confirm_eia(policy=published, actor=people.dcfd, eia_outcome="stands")
            policy_republish_no_change(policy=published, actor=people.pcu)
        policy = Policy.objects.get(pk=published.pk)
        assert policy.review_due_on == day + relativedelta(months=36)
        assert policy.last_published_on == day
        event = AuditEvent.objects.get(action="policy.review_concluded_no_change")
        assert event.changes["reason"].startswith("Monitoring shows")
        # The old date no longer chases anyone.
        chase(published.review_due_on)
        assert Reminder.objects.filter(kind="review_due", due_on=published.review_due_on).count() == 0

    def test_only_the_groups_lead_concludes_no_change(self, published, people):
        from core.exceptions import ApplicationError

        with at(published.review_due_on - relativedelta(months=2)):
            for actor in (people.lead2, people.coordinator, people.developer):
                with pytest.raises(ApplicationError) as refused:
                    lifecycle_services.policy_conclude_no_change(policy=published, actor=actor, reason="No change.")
                assert refused.value.code == "forbidden"


@pytest.mark.django_db
class TestMonitoringReports:
    def test_one_month_before_on_the_day_then_overdue(self, published, people):
        due = published.monitoring_report_due_on
        for day in [due - relativedelta(months=1), due, due + datetime.timedelta(days=7)]:
            chase(day)
        assert [step for _, step in reminders_for(people.developer, "monitoring_due")] == [
            "1 month before", "due today", "overdue by 7 days"]

    def test_a_report_with_the_coordinator_stops_the_chase_and_chases_the_coordinator(self, published, people):
        from assessments import services as assessment_services

        due = published.monitoring_report_due_on
        with at(due - datetime.timedelta(days=3)):
            report = assessment_services.monitoring_report_create(
                policy=published, actor=people.developer, period_start=PUBLISHED_ON, period_end=due,
                compliance="Dip sample of 120 cases: 96% compliant.", benefits="Faster referrals.",
                diversity_impact="No disproportionality found.")
            assessment_services.monitoring_report_submit(report=report, actor=people.developer)
        chase(due + datetime.timedelta(days=7))
        assert reminders_for(people.developer, "monitoring_due") == []
        assert reminders_for(people.coordinator, "monitoring_qa") == []
        # Ten working days after submission on Tuesday 27 February 2024 is Tuesday 12 March.
        chase(datetime.date(2024, 3, 11))
        assert reminders_for(people.coordinator, "monitoring_qa") == []
        chase(datetime.date(2024, 3, 12))
        assert reminders_for(people.coordinator, "monitoring_qa") == [(datetime.date(2024, 3, 12),
                                                                       "waiting for quality assurance")]


@pytest.mark.django_db
class TestEmergencyStuckAndOrphans:
    def test_emergency_eia_weekly_then_to_the_lead_as_risk_owner(self, people):
        start = datetime.date(2025, 1, 6)
        with at(start):
            policy = advance_to(people.policy(), "development", people)
            lifecycle_services.draft_update(policy=policy, actor=people.developer,
                                            statement="<p>Officers may carry the extended device.</p>")
            emergency_approve(policy, people, risk_statement="Immediate operational need: new device.")
        due = Policy.objects.get(pk=policy.pk).emergency_eia_due_on
        assert due == start + datetime.timedelta(days=28)
        chase(start + datetime.timedelta(days=7))
        chase(start + datetime.timedelta(days=14))
        assert len(reminders_for(people.developer, "emergency_eia")) == 2
        assert reminders_for(people.lead, "emergency_eia") == []
        chase(due + datetime.timedelta(days=7))
        assert len(reminders_for(people.lead, "emergency_eia")) == 1

    def test_submission_stuck_in_qa_chases_the_disciplines_that_have_not_signed(self, people):
        submitted = datetime.date(2025, 2, 3)  # a Monday
        with at(submitted):
            policy = advance_to(people.policy(), "submitted_for_qa", people)
            lifecycle_services.policy_record_qa_signoff(policy=policy, actor=people.pcu, discipline="pcu")
        chase(datetime.date(2025, 2, 14))  # 9 working days
        assert Reminder.objects.filter(kind="stuck").count() == 0
        chase(datetime.date(2025, 2, 17))  # 10 working days
        assert {r.recipient.username for r in Reminder.objects.filter(kind="stuck")} == {"dcfd", "doi"}

    def test_waiting_for_the_lead_chases_the_lead(self, people):
        with at(datetime.date(2025, 2, 3)):
            advance_to(people.policy(), "with_lead", people)
        chase(datetime.date(2025, 2, 17))
        assert [r.recipient.username for r in Reminder.objects.filter(kind="stuck")] == ["lead"]

    def test_a_publication_scheduled_is_not_chased_as_waiting_for_pcu(self, people):
        # PCU was chased to publish a version it had scheduled for a later date, and the overview called it
        # "Waiting too long" (found by the twelfth session's Chromium walk).
        from publication.services import policy_publish

        with at(datetime.date(2025, 2, 3)):
            scheduled = advance_to(people.policy(title="Scheduled"), "awaiting_publication", people)
            waiting = advance_to(people.policy(title="Waiting"), "awaiting_publication", people)
            policy_publish(policy=scheduled, actor=people.pcu, publish_on=datetime.date(2025, 3, 3))
        chase(datetime.date(2025, 2, 17))
        stuck = Reminder.objects.filter(kind="stuck")
        assert {r.policy_id for r in stuck} == {waiting.pk}

    def test_inactive_developer_sends_the_policy_to_the_coordinator(self, published, people):
        people.developer.is_active = False
        people.developer.save(update_fields=["is_active"])
        chase(datetime.date(2024, 1, 10))
        orphan = Reminder.objects.get(kind="orphan")
        assert orphan.recipient == people.coordinator
        assert "developer" in orphan.message
        assert chase(datetime.date(2024, 1, 11)).new_reminders == 0  # weekly, not daily


@pytest.mark.django_db
class TestDigestAndInbox:
    def test_one_email_a_day_with_everything_due(self, published, people):
        day = published.review_due_on - relativedelta(months=6)
        with at(day):
            chase_daily.apply(kwargs={"today": day.isoformat()}).get()
        developer_mail = [message for message in mail.outbox if people.developer.email in message.to]
        assert len(developer_mail) == 1
        assert published.reference in developer_mail[0].body
        # A second run the same day sends nothing more.
        with at(day):
            chase_daily.apply(kwargs={"today": day.isoformat()}).get()
        assert len([m for m in mail.outbox if people.developer.email in m.to]) == 1
        assert Digest.objects.filter(recipient=people.developer, digest_date=day).count() == 1

    def test_lifecycle_events_reach_the_inbox_through_the_outbox(self, people):
        policy = advance_to(people.policy(), "development", people)
        services.outbox_relay()
        from tests.factories import fill_development

        fill_development(policy, people)
        lifecycle_services.policy_submit_for_qa(policy=policy, actor=people.developer)
        services.outbox_relay()
        recipients = set(Notification.objects.filter(title__startswith="Submitted for quality assurance")
                         .values_list("recipient__username", flat=True))
        assert recipients == {"pcu", "pcu_qa", "dcfd", "doi", "coordinator"}
        # Replaying the relay adds nothing.
        count = Notification.objects.count()
        services.outbox_relay()
        assert Notification.objects.count() == count

    def test_notifications_page_lists_and_marks_read(self, client, people, published):
        chase(published.review_due_on - relativedelta(months=6))
        client.force_login(people.developer)
        response = client.get("/notifications/")
        assert response.status_code == 200
        assert published.reference in response.content.decode()
        client.post("/notifications/read/")
        assert not Notification.objects.filter(recipient=people.developer, read_at__isnull=True).exists()


@pytest.mark.django_db
def test_chase_dry_run_prints_who_gets_what_and_changes_nothing(published, people):
    day = published.review_due_on - relativedelta(months=6)
    out = StringIO()
    with at(day):
        call_command("chase", "--dry-run", f"--date={day.isoformat()}", stdout=out)
    text = out.getvalue()
    assert "dry run: nothing recorded or sent" in text
    assert "[review_due]" in text and "6 months before: start the review now" in text
    assert "developer <" in text and "manager <" in text and published.reference in text
    assert Reminder.objects.count() == 0 and Digest.objects.count() == 0


@pytest.mark.django_db
def test_chase_command_runs_the_scheduled_code(published, people):
    day = published.review_due_on - relativedelta(months=6)
    out = StringIO()
    with at(day):
        call_command("chase", f"--date={day.isoformat()}", stdout=out)
    planned = len(services.chase_plan(today=day))
    assert f"{planned} new reminder(s)" in out.getvalue() and planned >= 2
    assert Reminder.objects.count() == planned
    assert Reminder.objects.filter(kind="review_due", recipient=people.developer).count() == 1


@pytest.mark.django_db
def test_the_first_chase_writes_in_a_fixed_number_of_queries_however_many_reminders(people):
    """Issue 16: the ledger and the inbox are written in bulk, so chase_run's queries do not grow with the number
    of reminders (the first run over an empty ledger at 100,000 policies is measured in make bench). Each
    reminder still gets exactly one inbox item, titled as the kind's label, the reference and the title."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def policies(how_many: int) -> list[Policy]:
        made = []
        for _ in range(how_many):
            with at(PUBLISHED_ON - datetime.timedelta(days=20)):
                policy = people.policy()
            with at(PUBLISHED_ON):
                made.append(advance_to(policy, "implementation", people))
        return made

    def counted_run(day: datetime.date) -> tuple[int, services.ChaseResult]:
        with at(day), CaptureQueriesContext(connection) as queries:
            result = services.chase_run(today=day)
        return len(queries), result

    first = policies(1)[0]
    few_queries, few = counted_run(first.review_due_on)
    policies(3)
    many_queries, many = counted_run(first.review_due_on + datetime.timedelta(days=7))
    assert many.new_reminders >= 3 * few.new_reminders > 0
    assert many_queries == few_queries, (few_queries, many_queries)
    reminders = Reminder.objects.select_related("policy")
    assert Notification.objects.filter(reminder__isnull=False).count() == reminders.count()
    for reminder in reminders:
        assert reminder.notification.title == (f"{reminder.get_kind_display()}: {reminder.policy.reference} "
                                               f"{reminder.policy.title}")[:300]
        assert reminder.notification.body == reminder.message
        assert reminder.notification.recipient_id == reminder.recipient_id
