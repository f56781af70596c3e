"""Issue 13, "Nobody acts on monitoring results". SOP, role of the Designated Business Group Policy Lead: "review
monitoring results and direct remedial action"; "This monitoring data then feeds into future policy reviews".

After the co-ordinator's quality assurance the Lead records one response (no action; a remedial action, with what,
who and by when, chased until done; or the review brought forward), through the declared step's page
(/policies/<ref>/actions/respond-to-monitoring/). A review reads the reports since the last review at its scoping,
the developer recording what the review changes. Through HTTP, with time-machine."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from assessments import services as assessment_services
from assessments.models import MonitoringReport, MonitoringReportReading, MonitoringResponse
from core.models import AuditEvent
from lifecycle import gates
from lifecycle import services as lifecycle_services
from lifecycle.due import REMEDIAL, DueStatus
from lifecycle.states import Status
from notifications import services as notification_services
from notifications.models import Notification, Reminder
from tests.factories import advance_to, fill_development, fill_scoping, refused, reload, report_hashes_shown

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 10)
QA_ON = datetime.date(2025, 1, 20)
SECTIONS = {"compliance": "Dip sample of 120 stops: 81% recorded the grounds fully.",
            "benefits": "Complaints down 4%.", "diversity_impact": "Stops of young black men 2.1 times the rate."}
URL = "/policies/{ref}/actions/respond-to-monitoring/"


def on(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC), tick=False)


def quality_assured_report(policy, people, *, start=PUBLISHED_ON, end=datetime.date(2025, 1, 10)) -> MonitoringReport:
    report = assessment_services.monitoring_report_create(policy=policy, actor=people.developer, period_start=start,
                                                          period_end=end, **SECTIONS)
    assessment_services.monitoring_report_submit(report=report, actor=people.developer)
    return assessment_services.monitoring_report_pass_qa(report=report, actor=people.coordinator, comments="Clear.")


@pytest.fixture
def reported(policy_in, people):
    with on(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    with on(QA_ON):
        report = quality_assured_report(policy, people)
    return policy, report


def binding(policy) -> dict:
    policy = reload(policy)
    version = policy.current_version
    return {"expected_status": policy.status, "version": version.pk, "version_hash": version.read_hash}


def date_fields(name: str, day: datetime.date | None) -> dict:
    if day is None:
        return {f"{name}-day": "", f"{name}-month": "", f"{name}-year": ""}
    return {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}


def respond(client, policy, report, **fields):
    data = {**binding(policy), "report": report.pk, **report_hashes_shown(report), "reasons": "", "remedial_action": "",
            "remedial_owner": "",
            **date_fields("remedial_due_on", None), **date_fields("review_due_on", None)}
    for name, value in fields.items():
        if isinstance(value, datetime.date):
            data.update(date_fields(name, value))
        else:
            data[name] = value
    return client.post(URL.format(ref=policy.reference), data)


def test_the_lead_records_no_action_through_the_page(client, reported, people):
    policy, report = reported
    client.force_login(people.lead)
    with on(QA_ON + datetime.timedelta(days=2)):
        # My work lists the report for the Lead the policy names, not for the other group's Lead.
        home = client.get("/").content.decode()
        assert "Monitoring reports to respond to" in home
        assert f"{policy.reference} {policy.title}: report to 10 January 2025" in home
        client.force_login(people.lead2)
        assert f"{policy.title}: report to 10 January 2025" not in client.get("/").content.decode()
        client.force_login(people.lead)
        page = client.get(URL.format(ref=policy.reference))
        assert page.status_code == 200
        body = page.content.decode()
        assert "Respond to a monitoring report" in body and "10 January 2024 to 10 January 2025" in body
        report_page = client.get(f"/policies/{policy.reference}/monitoring/{report.pk}/").content.decode()
        assert "Respond to this report" in report_page
        response = respond(client, policy, report, outcome="no_action",
                           reasons="Compliance is within tolerance; the review will look at recording grounds.")
    assert response.status_code == 302
    answer = MonitoringResponse.objects.get(report=report)
    assert (answer.outcome, answer.decided_by, answer.policy) == ("no_action", people.lead, policy)
    event = AuditEvent.objects.filter(policy_id=policy.pk).latest("sequence")
    assert event.action == "monitoring_report.responded" and event.actor == people.lead
    assert event.changes["outcome"] == "no_action" and event.changes["report"] == report.pk
    notification_services.outbox_relay()
    told = set(Notification.objects.filter(title__startswith="The Designated Lead responded to a monitoring report")
               .values_list("recipient__username", flat=True))
    assert told == {"developer", "manager", "coordinator"}
    # Answered: the page is no longer offered the report, and the report page shows the response.
    client.force_login(people.lead)
    shown = client.get(f"/policies/{policy.reference}/monitoring/{report.pk}/").content.decode()
    assert "No action needed, by" in shown and "Respond to this report" not in shown


def test_a_remedial_action_is_directed_chased_until_done_and_overdue_by_the_one_rule(client, reported, people):
    policy, report = reported
    client.force_login(people.lead)
    due = datetime.date(2025, 3, 31)
    with on(QA_ON):
        # Incomplete: every missing part is named, the typed text is kept, nothing is saved.
        incomplete = respond(client, policy, report, outcome="remedial", reasons="Grounds are not recorded.",
                             remedial_action="Briefing for every response team on recording grounds.")
        assert incomplete.status_code == 400
        body = incomplete.content.decode()
        assert "Choose who will carry out the remedial action" in body
        assert "Enter the date the remedial action must be done by" in body
        assert "Briefing for every response team on recording grounds." in body
        assert not MonitoringResponse.objects.exists()
        past = respond(client, policy, report, outcome="remedial", reasons="Grounds are not recorded.",
                       remedial_action="Briefing.", remedial_owner=people.manager.pk,
                       remedial_due_on=QA_ON - datetime.timedelta(days=1))
        assert past.status_code == 400 and "must be due after today" in past.content.decode()
        outsider = respond(client, policy, report, outcome="remedial", reasons="Grounds are not recorded.",
                           remedial_action="Briefing.", remedial_owner=people.developer2.pk, remedial_due_on=due)
        assert outsider.status_code == 400
        assert not MonitoringResponse.objects.exists()

        done = respond(client, policy, report, outcome="remedial", reasons="Grounds are not recorded.",
                       remedial_action="Briefing for every response team on recording grounds.",
                       remedial_owner=people.manager.pk, remedial_due_on=due)
        assert done.status_code == 302
    action = MonitoringResponse.objects.get(report=report)
    assert (action.remedial_owner, action.remedial_due_on, action.remedial_open) == (people.manager, due, True)
    notification_services.outbox_relay()
    assert Notification.objects.filter(recipient=people.manager, title__startswith="The Designated Lead responded")
    with on(due - datetime.timedelta(days=3)):
        client.force_login(people.manager)
        home = client.get("/").content.decode()
        assert "Remedial actions for you" in home and "Briefing for every response team" in home
        assert '<strong class="govuk-tag govuk-tag--yellow app-due-tag">Due in 3 days</strong>' in home
    # Chased like everything else: a fortnight before, on the day, then weekly with the Lead once overdue.
    for day in (due - datetime.timedelta(days=14), due, due + datetime.timedelta(days=7)):
        with on(day):
            notification_services.chase_run(today=day)
    reminders = list(Reminder.objects.filter(kind="remedial_action").order_by("due_on", "recipient__username")
                     .values_list("due_on", "recipient__username", "step"))
    assert reminders == [
        (due - datetime.timedelta(days=14), "manager", "a fortnight before"),
        (due, "manager", "due today"),
        (due + datetime.timedelta(days=7), "lead", "overdue by 7 days"),
        (due + datetime.timedelta(days=7), "manager", "overdue by 7 days"),
    ]
    assert "Briefing for every response team" in Reminder.objects.filter(kind="remedial_action").first().message
    # A date gone by "was due" (QA crawl, finding 11), one ahead "is due on".
    assert Reminder.objects.filter(kind="remedial_action").order_by("due_on").first().message.startswith(
        f"Remedial action on {policy.reference} after its monitoring report is due on {due:%-d %B %Y}, in 14 days: ")
    assert Reminder.objects.filter(kind="remedial_action", recipient=people.lead).get().message.startswith(
        f"Remedial action on {policy.reference} after its monitoring report was due on {due:%-d %B %Y} and is "
        "overdue by 7 days: ")
    with on(due + datetime.timedelta(days=7)):
        assert REMEDIAL.state_of(reload_response(action)).status == DueStatus.OVERDUE
        assert list(MonitoringResponse.objects.filter(REMEDIAL.overdue())) == [action]
        # Someone else may not record it as done; the named person does, through the report page.
        client.force_login(people.developer)
        client.post(f"/policies/{policy.reference}/monitoring/{report.pk}/",
                    {"step": "remedial_done", "outcome": "Done."})
        assert reload_response(action).remedial_completed_at is None
        client.force_login(people.manager)
        page = client.get(f"/policies/{policy.reference}/monitoring/{report.pk}/").content.decode()
        assert "Overdue by 7 days" in page and "Record as done" in page
        empty = client.post(f"/policies/{policy.reference}/monitoring/{report.pk}/",
                            {"step": "remedial_done", "outcome": " "})
        assert empty.status_code == 400 and "Enter what was done" in empty.content.decode()
        recorded = client.post(f"/policies/{policy.reference}/monitoring/{report.pk}/",
                               {"step": "remedial_done", "outcome": "All 14 teams briefed by 4 April."})
        assert recorded.status_code == 302
    action = reload_response(action)
    assert action.remedial_completed_by == people.manager and not action.remedial_open
    assert REMEDIAL.state_of(action) is None
    event = AuditEvent.objects.filter(action="monitoring_report.remedial_action_completed").get()
    assert event.changes["late_by_days"] == 7
    # Done: the chase stops (the weekly step of 14 days overdue is not sent).
    with on(due + datetime.timedelta(days=14)):
        notification_services.chase_run(today=due + datetime.timedelta(days=14))
    assert Reminder.objects.filter(kind="remedial_action").count() == 4


def test_recording_a_remedial_action_done_again_says_who_recorded_it_and_when(client, reported, people):
    """QA walk: a second "Record as done" (a second click, the Lead and the person named both recording it) read
    "That is not something you can do to this report now.", where other repeats say what already happened."""
    policy, report = reported
    due = QA_ON + datetime.timedelta(days=30)
    with on(QA_ON):
        client.force_login(people.lead)
        assert respond(client, policy, report, outcome="remedial", reasons="Grounds are not recorded.",
                       remedial_action="Briefing.", remedial_owner=people.manager.pk,
                       remedial_due_on=due).status_code == 302
    url = f"/policies/{policy.reference}/monitoring/{report.pk}/"
    people.manager.first_name, people.manager.last_name = "Rhys", "Tenbury"
    people.manager.save(update_fields=["first_name", "last_name"])
    with on(QA_ON + datetime.timedelta(days=5)):
        client.force_login(people.manager)
        assert client.post(url, {"step": "remedial_done", "outcome": "All teams briefed."}).status_code == 302
    said = (f"The remedial action was already recorded as done by Rhys Tenbury at 10:00 on "
            f"{(QA_ON + datetime.timedelta(days=5)):%-d %B %Y}. Nothing more was done.")
    with on(QA_ON + datetime.timedelta(days=6)):
        for person in (people.manager, people.lead):
            client.force_login(person)
            again = client.post(url, {"step": "remedial_done", "outcome": "Briefed again."}, follow=True)
            assert said in again.content.decode().replace("&#x27;", "'")
            assert "not something you can do" not in again.content.decode()
        with refused("already_done", said):
            assessment_services.monitoring_remedial_action_complete(
                response=MonitoringResponse.objects.get(report=report), actor=people.lead, outcome="Briefed again.")
    assert MonitoringResponse.objects.get(report=report).remedial_outcome == "All teams briefed."


def reload_response(response) -> MonitoringResponse:
    return MonitoringResponse.objects.get(pk=response.pk)


def test_bringing_the_review_forward_reuses_the_review_date_step(client, reported, people):
    policy, report = reported
    client.force_login(people.lead)
    with on(QA_ON):
        earlier = datetime.date(2025, 6, 2)
        response = respond(client, policy, report, outcome="bring_forward", review_due_on=earlier,
                           reasons="Disproportionality calls for a review now.")
    assert response.status_code == 302
    assert reload(policy).review_due_on == earlier
    assert MonitoringResponse.objects.get(report=report).review_due_on == earlier
    actions = list(AuditEvent.objects.filter(policy_id=policy.pk).order_by("-sequence")
                   .values_list("action", flat=True)[:2])
    assert actions == ["monitoring_report.responded", "policy.review_date_brought_forward"]
    brought = AuditEvent.objects.get(action="policy.review_date_brought_forward")
    assert brought.changes["reason"].startswith("Monitoring report 10 January 2024 to 10 January 2025: Dispro")


def test_bringing_the_review_forward_closes_the_reminders_of_the_date_it_replaces(client, reported, people):
    """The response brings the review forward by the review date's own step (``policy_set_review_date``), in its
    transaction: the reminders of 10 January 2027 close (tests/notifications/test_review_date_changed.py), and the next
    chase reminds of the new date, here on the day the old date's "6 months before" was sent."""
    policy, report = reported
    six_months_before = datetime.date(2026, 7, 10)
    with on(six_months_before):
        notification_services.chase_run(today=six_months_before)
    old = Reminder.objects.filter(policy=policy, kind="review_due", item_due_on=datetime.date(2027, 1, 10))
    assert old.filter(superseded_at__isnull=True).exists()
    client.force_login(people.lead)
    with on(six_months_before):
        response = respond(client, policy, report, outcome="bring_forward", review_due_on=datetime.date(2026, 10, 10),
                           reasons="Disproportionality calls for a review now.")
    assert response.status_code == 302
    assert not old.filter(superseded_at__isnull=True).exists()
    assert set(old.values_list("closed_because", flat=True)) == {"review_date_changed"}
    with on(six_months_before):
        notification_services.chase_run(today=six_months_before)
    new = Reminder.objects.filter(policy=policy, kind="review_due", superseded_at__isnull=True)
    assert new.exists() and {reminder.item_due_on for reminder in new} == {datetime.date(2026, 10, 10)}
    assert all("is due on 10 October 2026 (3 months before)" in reminder.message for reminder in new)


def test_refusals_say_why_and_change_nothing(client, reported, people):
    policy, report = reported
    with on(QA_ON):
        # Not the Lead the policy names.
        for outsider in (people.coordinator, people.lead2, people.developer):
            client.force_login(outsider)
            answer = respond(client, policy, report, outcome="no_action", reasons="Fine.")
            assert answer.status_code == 302
        assert not MonitoringResponse.objects.exists()
        with refused("forbidden", "Only the Designated Lead it names can respond to a monitoring report of"):
            assessment_services.monitoring_report_respond(policy=policy, actor=people.coordinator, report=report,
                                                          outcome="no_action", reasons="Fine.")
        # A report not yet quality-assured cannot be answered.
        client.force_login(people.lead)
        assessment_services.monitoring_report_publish(report=report, actor=people.pcu)
        later = assessment_services.monitoring_report_create(
            policy=policy, actor=people.developer, period_start=datetime.date(2025, 1, 10),
            period_end=datetime.date(2026, 1, 10), **SECTIONS)
        with refused("stale", "not been quality-assured"):
            assessment_services.monitoring_report_respond(policy=policy, actor=people.lead, report=later,
                                                          outcome="no_action", reasons="Fine.")
        # A stale page (the policy moved on since it was read) is refused.
        stale = binding(policy)
        lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Due.")
        with refused("stale", "has moved on since you opened the page"):
            assessment_services.monitoring_report_respond(policy=policy, actor=people.lead, report=report,
                                                          outcome="no_action", reasons="Fine.", **stale)
        # Under review there is nothing to bring forward: the form keeps what was typed and says why.
        under_review = respond(client, policy, report, outcome="bring_forward", reasons="Worrying results.",
                               review_due_on=datetime.date(2025, 3, 3))
        assert under_review.status_code == 400
        assert "is already under way" in under_review.content.decode()
        assert "Worrying results." in under_review.content.decode()
        assert not MonitoringResponse.objects.exists()
        # Answered once: with nothing else awaiting, a second answer (another tab) is refused by the gate, and said
        # as done, by whom and when, not as not yet possible (QA walk of 2026-12-06).
        assert respond(client, policy, report, outcome="no_action", reasons="Review under way.").status_code == 302
        events = AuditEvent.objects.count()
        with refused("already_done", "recorded (no action needed). Already done by you at "):
            assessment_services.monitoring_report_respond(policy=policy, actor=people.lead, report=report,
                                                          outcome="no_action", reasons="Again.")
        # With the next report awaiting, answering the first again is refused, saying who answered it.
        assessment_services.monitoring_report_submit(report=later, actor=people.developer)
        assessment_services.monitoring_report_pass_qa(report=later, actor=people.coordinator)
        events = AuditEvent.objects.count()
        with refused("already_done", "recorded (no action needed). Already done by you at "):
            assessment_services.monitoring_report_respond(policy=policy, actor=people.lead, report=report,
                                                          outcome="no_action", reasons="Again.")
        assert AuditEvent.objects.count() == events and MonitoringResponse.objects.count() == 1


def test_never_published_policies_offer_no_response(client, policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    client.force_login(people.lead)
    response = client.get(URL.format(ref=policy.reference))
    assert response.status_code == 302
    # Why, as the service would refuse it (the step's condition on the policy, lifecycle.views._why_not_offered).
    assert (f"Cannot respond to a monitoring report of {policy.reference}: The policy has never been published."
            in client.get(f"/policies/{policy.reference}/").content.decode())
    assert "/actions/respond-to-monitoring/" not in client.get(f"/policies/{policy.reference}/").content.decode()


def test_a_review_reads_the_reports_since_the_last_review_at_scoping(client, reported, people):
    policy, report = reported
    with on(datetime.date(2025, 5, 1)):
        lifecycle_services.policy_start_review(policy=policy, actor=people.developer, reason="Monitoring results.")
        fill_scoping(policy, people, omit={"monitoring_reports_read"})
        # The checklist lists the report, to read; the commissioning request is refused until it is read.
        client.force_login(people.developer)
        overview = client.get(f"/policies/{policy.reference}/").content.decode()
        assert gates.monitoring_reports_read.label in overview
        assert f"/policies/{policy.reference}/monitoring/{report.pk}/" in overview
        assert "10 January 2024 to 10 January 2025</a>: to read" in overview
        with refused("gate", gates.monitoring_reports_read.reason):
            lifecycle_services.policy_request_commissioning(policy=policy, actor=people.developer)
        assert reload(policy).status == Status.SCOPING

        page = f"/policies/{policy.reference}/monitoring/{report.pk}/"
        empty = client.post(page, {"step": "read", "changes_in_response": ""})
        assert empty.status_code == 400 and "Enter what the review changes" in empty.content.decode()
        # Only those who draft it record the reading.
        client.force_login(people.coordinator)
        client.post(page, {"step": "read", "changes_in_response": "Nothing."})
        assert not MonitoringReportReading.objects.exists()
        client.force_login(people.developer)
        done = client.post(page, {"step": "read", "changes_in_response":
                                  "SOP 2 now requires the grounds to be recorded before the search ends."})
        assert done.status_code == 302
        reading = MonitoringReportReading.objects.get()
        assert (reading.cycle, reading.read_by) == (2, people.developer)
        assert "10 January 2024 to 10 January 2025</a>: read, response recorded" in client.get(
            f"/policies/{policy.reference}/").content.decode()
        lifecycle_services.policy_request_commissioning(policy=policy, actor=people.developer)
    assert reload(policy).status == Status.COMMISSIONING
    assert AuditEvent.objects.filter(action="monitoring_report.read_for_review").count() == 1


def test_a_report_read_by_one_review_is_not_read_again_by_the_next(reported, people):
    policy, report = reported
    with on(datetime.date(2025, 5, 1)):
        lifecycle_services.policy_start_review(policy=policy, actor=people.developer, reason="Monitoring results.")
        assessment_services.monitoring_report_read_for_review(report=report, actor=people.developer,
                                                              changes_in_response="SOP 2 rewritten.")
        with refused("stale", "already recorded"):
            assessment_services.monitoring_report_read_for_review(report=report, actor=people.developer,
                                                                  changes_in_response="Again.")
        policy = advance_to(policy, Status.DEVELOPMENT, people)
        fill_development(policy, people)
        policy = advance_to(policy, Status.IMPLEMENTATION, people)
    assert policy.current_version.number == "2.0"
    with on(datetime.date(2026, 5, 1)):
        lifecycle_services.policy_start_review(policy=policy, actor=people.developer, reason="Legislation.")
        policy = reload(policy)
        # Read by the review of version 2: not listed for version 3, and the gate holds.
        assert list(gates.reports_since_last_review(policy)) == []
        assert gates.monitoring_reports_read(policy)
        with refused("stale", "was read by the review of version 2.0"):
            assessment_services.monitoring_report_read_for_review(report=report, actor=people.developer,
                                                                  changes_in_response="Again.")


def test_the_pages_cost_does_not_grow_with_the_reports(client, django_assert_max_num_queries, reported, people):
    """The response page lists the reports awaiting the Lead, the review's checklist the reports since the last
    review, and the report page its response and reading: each in a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    policy, first = reported

    def costs() -> dict[str, int]:
        measured = {}
        for who, path in (("lead", URL.format(ref=policy.reference)),
                          ("lead", f"/policies/{policy.reference}/monitoring/{first.pk}/"),
                          ("developer", f"/policies/{policy.reference}/"),
                          ("developer", f"/policies/{policy.reference}/monitoring/{first.pk}/")):
            client.force_login(getattr(people, who))
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200, path
            measured[f"{who} {path}"] = len(queries)
        return measured

    with on(QA_ON):
        assessment_services.monitoring_report_publish(report=first, actor=people.pcu)
        lifecycle_services.policy_start_review(policy=policy, actor=people.developer, reason="Monitoring results.")
        one = costs()
        for year in (2025, 2026):
            report = quality_assured_report(policy, people, start=datetime.date(year, 1, 10),
                                            end=datetime.date(year + 1, 1, 10))
            assessment_services.monitoring_report_publish(report=report, actor=people.pcu)
        three = costs()
    assert three == one
    # The review's overview: +2 since issue 17's "What to do next" (each offered page's readiness) and issue 13's
    # approval row met; flat in the number of reports, which is what this test is for.
    assert max(three.values()) <= 18, three
    client.force_login(people.lead)
    with django_assert_max_num_queries(16):
        client.get(URL.format(ref=policy.reference))


def test_whoever_a_remedial_action_names_is_told(client, reported, people):
    """The named person may be no author or co-ordinator of the policy (here its Management Board owner): the
    response's event names them."""
    policy, report = reported
    with on(QA_ON):
        assessment_services.monitoring_report_respond(
            policy=policy, actor=people.lead, report=report, outcome="remedial", reasons="Owner to fund training.",
            remedial_action="Fund refresher training for 40 officers.", remedial_owner=people.owner,
            remedial_due_on=datetime.date(2025, 4, 30))
    notification_services.outbox_relay()
    told = set(Notification.objects.filter(title__startswith="The Designated Lead responded")
               .values_list("recipient__username", flat=True))
    assert told == {"developer", "manager", "coordinator", "owner"}


def test_two_remedial_actions_for_one_person_due_the_same_day_are_each_chased(reported, people):
    """Two reports of one policy, each answered with a remedial action for the manager due on the same day: each
    action is its own item in the chase's ledger (the exactly-once key names the action), so neither silences the
    other."""
    policy, first = reported
    due = datetime.date(2025, 6, 30)
    with on(QA_ON):
        assessment_services.monitoring_report_respond(
            policy=policy, actor=people.lead, report=first, outcome="remedial", reasons="Grounds not recorded.",
            remedial_action="Brief every response team on recording grounds.", remedial_owner=people.manager,
            remedial_due_on=due)
        assessment_services.monitoring_report_publish(report=first, actor=people.pcu)
    second_qa = QA_ON + datetime.timedelta(days=30)
    with on(second_qa):
        second = quality_assured_report(policy, people, start=datetime.date(2025, 1, 11),
                                        end=datetime.date(2025, 2, 10))
        assessment_services.monitoring_report_respond(
            policy=policy, actor=people.lead, report=second, outcome="remedial", reasons="Body-worn video gaps.",
            remedial_action="Audit body-worn video retention in every borough.", remedial_owner=people.manager,
            remedial_due_on=due)
    for day in (due - datetime.timedelta(days=14), due):
        with on(day):
            notification_services.chase_run(today=day)
    chased = sorted(Reminder.objects.filter(kind="remedial_action", recipient=people.manager)
                    .values_list("due_on", "message"))
    assert len(chased) == 4, chased
    for day in (due - datetime.timedelta(days=14), due):
        messages = [message for on_day, message in chased if on_day == day]
        assert any("Brief every response team" in message for message in messages), day
        assert any("Audit body-worn video" in message for message in messages), day
