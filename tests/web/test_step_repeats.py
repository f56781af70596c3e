"""A step sent again is said as done, not refused as not ready (STANDARDS: "Stale or double submits are refused
politely"; QA walk of 2026-12-06, LOW). A second submit (a double click, or a tab left open after the work was done,
by the same person or someone else) was always refused safely, but in words that misled: the Lead's second response to
a monitoring report, a second "conclude with no change" and PCU's second re-publication read "Cannot ... yet", and a
second publication of a monitoring report or a second "Record as done" of a remedial action showed the red "There is a
problem" box. Publication, cancellation and acknowledgement repeats already said "already ... Nothing more was done".

Each step's page carries a one-time token (core.submissions), as the create forms do: the same form posted again is
recognised before any gate runs and said as done, by you, at what time. A form from another tab (another token),
posted after the step was taken, is told who took it and when, where the step knows (``Step.done_by``)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from assessments.models import MonitoringReport, MonitoringResponse
from core import submissions
from core.dates import date_shown
from core.models import AuditEvent
from lifecycle.models import NoChangeReview
from lifecycle.states import Status
from publication.models import Publication
from tests.assessments.test_monitoring_response import QA_ON, on, quality_assured_report, respond
from tests.clock import travel
from tests.factories import advance_to, monitoring_up_to_date, reload, what_was_read, what_was_read_of_report
from tests.web.test_create_once import token_of

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review is due on 15 January 2027
IN_THE_WINDOW = datetime.date(2026, 8, 3)  # within 6 months of it: a review may conclude with no change


def said(response) -> list[tuple[str, str]]:
    """The messages the response leaves for the next page: (level, text)."""
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def done(client, response) -> None:
    """A first post that went through, its confirmation read (as the page it lands on shows it), so that what a
    second post says is all that is left to read."""
    assert response.status_code == 302, response.content.decode()[:2000]
    client.get(response.url)


def now_said() -> str:
    """When the step is being done, as its repeat says it: "at 11:00 on 3 August 2026"."""
    moment = timezone.localtime()
    return f"at {moment:%H:%M} on {date_shown(moment.date())}"


def action_url(policy, slug: str) -> str:
    return f"/policies/{policy.reference}/actions/{slug}/"


def drawn(client, policy, slug: str) -> str:
    """The one-time token the step's page draws, as a person who opens it gets it."""
    page = client.get(action_url(policy, slug))
    assert page.status_code == 200
    token = token_of(page.content.decode())
    assert token, "the step's page draws no one-time token"
    return token


def policy_state(policy) -> tuple:
    policy = reload(policy)
    return (policy.status, policy.review_due_on, policy.last_published_on, NoChangeReview.objects.count(),
            Publication.objects.count(), AuditEvent.objects.filter(policy_id=policy.pk).count())


@pytest.fixture
def published(policy_in):
    with travel(PUBLISHED_ON):
        return policy_in(Status.MONITORING)


def _conclude(client, people, policy, token: str):
    client.force_login(people.lead)
    return client.post(action_url(policy, "conclude-no-change"),
                       {**what_was_read(policy), "reason": "Monitoring shows the policy works.", "submission": token})


def test_concluding_with_no_change_twice_from_the_same_form_is_said_as_done_by_you(client, published, people):
    with travel(IN_THE_WINDOW):
        monitoring_up_to_date(published, people)
        client.force_login(people.lead)
        token = drawn(client, published, "conclude-no-change")
        done(client, _conclude(client, people, published, token))
        before = policy_state(published)
        again = _conclude(client, people, published, token)
        assert again.status_code == 302
        assert said(again) == [("info", f"{published.reference}: Review concluded with no change needed. Already "
                                        f"done by you {now_said()}. Nothing more was done.")]
    assert policy_state(published) == before


def test_concluding_with_no_change_from_a_stale_tab_says_who_did_it_and_when(client, published, people):
    with travel(IN_THE_WINDOW):
        monitoring_up_to_date(published, people)
        client.force_login(people.lead)
        first_tab, second_tab = (drawn(client, published, "conclude-no-change") for _ in range(2))
        done(client, _conclude(client, people, published, first_tab))
        concluded_at = now_said()
    with travel(IN_THE_WINDOW + datetime.timedelta(days=1)):
        before = policy_state(published)
        again = _conclude(client, people, published, second_tab)
        assert again.status_code == 302
        ((level, text),) = said(again)
        assert level == "info" and "yet" not in text
        assert text == (f"{published.reference}: Review concluded with no change needed. Already done by you "
                        f"{concluded_at}. Nothing more was done.")
    assert policy_state(published) == before


def _concluded_and_confirmed(client, people, policy):
    monitoring_up_to_date(policy, people)
    client.force_login(people.lead)
    done(client, _conclude(client, people, policy, drawn(client, policy, "conclude-no-change")))
    client.force_login(people.dcfd)
    done(client, client.post(action_url(policy, "confirm-eia"), {**what_was_read(policy), "eia_outcome": "stands"}))
    return reload(policy)


def _republish(client, people, policy, token: str):
    client.force_login(people.pcu)
    return client.post(action_url(policy, "republish"),
                       {**what_was_read(policy), "on_intranet": "on", "submission": token})


def test_republishing_twice_from_the_same_form_is_said_as_done(client, published, people):
    with travel(IN_THE_WINDOW):
        policy = _concluded_and_confirmed(client, people, published)
        client.force_login(people.pcu)
        token = drawn(client, policy, "republish")
        done(client, _republish(client, people, policy, token))
        before = policy_state(policy)
        again = _republish(client, people, policy, token)
        assert again.status_code == 302
        assert said(again) == [("info", f"{policy.reference}: Re-published after a review with no change. Already "
                                        f"done by you {now_said()}. Nothing more was done.")]
    assert policy_state(policy) == before


def test_republishing_from_a_stale_tab_says_who_did_it(client, published, people):
    with travel(IN_THE_WINDOW):
        policy = _concluded_and_confirmed(client, people, published)
        client.force_login(people.pcu)
        first_tab, second_tab = (drawn(client, policy, "republish") for _ in range(2))
        done(client, _republish(client, people, policy, first_tab))
        before = policy_state(policy)
        again = _republish(client, people, policy, second_tab)
        assert again.status_code == 302
        ((level, text),) = said(again)
        assert level == "info" and "yet" not in text
        assert text == (f"{policy.reference}: Re-published after a review with no change. Already done by you "
                        f"{now_said()}. Nothing more was done.")
    assert policy_state(policy) == before


@pytest.fixture
def reported(policy_in, people):
    with on(datetime.date(2024, 1, 10)):
        policy = policy_in(Status.MONITORING)
    with on(QA_ON):
        report = quality_assured_report(policy, people)
    return policy, report


RESPONSE_URL = "/policies/{ref}/actions/respond-to-monitoring/"


def test_responding_twice_from_the_same_form_is_said_as_done(client, reported, people):
    policy, report = reported
    client.force_login(people.lead)
    with on(QA_ON):
        token = drawn(client, policy, "respond-to-monitoring")
        done(client, respond(client, policy, report, outcome="no_action", reasons="Within tolerance.",
                             submission=token))
        events = AuditEvent.objects.count()
        again = respond(client, policy, report, outcome="no_action", reasons="Within tolerance.", submission=token)
        assert again.status_code == 302
        assert said(again) == [("info", f"{policy.reference}: The Designated Lead responded to a monitoring report. "
                                        f"Already done by you {now_said()}. Nothing more was done.")]
    assert AuditEvent.objects.count() == events and MonitoringResponse.objects.count() == 1


def test_responding_from_a_stale_tab_says_who_responded_and_when(client, reported, people):
    """QA walk: dor.lead, in a tab left open after the response was recorded, was told "Cannot respond to a monitoring
    report of POL-0004 yet. No quality-assured monitoring report is waiting": it was done, not waiting."""
    policy, report = reported
    with on(QA_ON):
        client.force_login(people.lead)
        first_tab, second_tab = (drawn(client, policy, "respond-to-monitoring") for _ in range(2))
        done(client, respond(client, policy, report, outcome="no_action", reasons="Within tolerance.",
                             submission=first_tab))
        responded_at = now_said()
    with on(QA_ON + datetime.timedelta(days=1)):
        client.force_login(people.lead)  # signed in again the next day
        events = AuditEvent.objects.count()
        again = respond(client, policy, report, outcome="no_action", reasons="Again.", submission=second_tab)
        assert again.status_code == 302, again.content.decode()[:3000]
        ((level, text),) = said(again)
        assert level == "info" and "yet" not in text
        assert text == (f"{policy.reference}: Response to the monitoring report to 10 January 2025 recorded (no action "
                        f"needed). Already done by you {responded_at}. Nothing more was done.")
    assert AuditEvent.objects.count() == events and MonitoringResponse.objects.count() == 1


def test_a_second_publication_of_a_monitoring_report_is_said_as_done_not_as_a_problem(client, reported, people):
    policy, report = reported
    url = f"/policies/{policy.reference}/monitoring/{report.pk}/"
    client.force_login(people.pcu)
    with on(QA_ON):
        sent = {"step": "publish", **what_was_read_of_report(report)}
        done(client, client.post(url, sent))
        assert MonitoringReport.objects.get(pk=report.pk).status == MonitoringReport.Status.PUBLISHED
        again = client.post(url, sent)
        assert again.status_code == 302
        assert said(again) == [("info", f"This monitoring report was already published by {people.pcu} "
                                        f"{now_said()}. Nothing more was done.")]
        shown = client.get(again.url).content.decode()
    assert "There is a problem" not in shown and "Nothing more was done" in shown


def test_a_second_record_as_done_of_a_remedial_action_is_said_as_done_not_as_a_problem(client, reported, people):
    policy, report = reported
    url = f"/policies/{policy.reference}/monitoring/{report.pk}/"
    with on(QA_ON):
        client.force_login(people.lead)
        done(client, respond(client, policy, report, outcome="remedial", reasons="Grounds are not recorded.",
                             remedial_action="Briefing.", remedial_owner=people.manager.pk,
                             remedial_due_on=QA_ON + datetime.timedelta(days=30)))
        client.force_login(people.manager)
        done(client, client.post(url, {"step": "remedial_done", "outcome": "All teams briefed."}))
        done_at = now_said()
        for person in (people.manager, people.lead):
            client.force_login(person)
            again = client.post(url, {"step": "remedial_done", "outcome": "Briefed again."})
            assert again.status_code == 302
            assert said(again) == [("info", f"The remedial action was already recorded as done by {people.manager} "
                                            f"{done_at}. Nothing more was done.")]
            shown = client.get(again.url).content.decode()
            assert "There is a problem" not in shown
    assert MonitoringResponse.objects.get(report=report).remedial_outcome == "All teams briefed."


def test_a_step_that_moves_the_status_sent_twice_from_the_same_form_is_said_as_done(client, people):
    """The token is every step page's: commissioning sent twice (a double click) is said as done, not as "moved on".
    On a clock that does not tick, as the other repeats here: on the real one it failed when the minute turned between
    the step and the words expected (full run of 2026-12-06: "at 20:20" said, "at 20:21" expected)."""
    with travel(IN_THE_WINDOW):
        policy = advance_to(people.policy(title="Missing persons"), Status.COMMISSIONING, people)
        client.force_login(people.lead)
        token = drawn(client, policy, "commission")
        sent = {**what_was_read(policy), "comments": "Go ahead.", "submission": token}
        done(client, client.post(action_url(policy, "commission"), sent))
        before = policy_state(policy)
        again = client.post(action_url(policy, "commission"), sent)
        assert again.status_code == 302
        assert said(again) == [("info", f"{policy.reference}: Development commissioned. Already done by you "
                                        f"{now_said()}. Nothing more was done.")]
    assert policy_state(policy) == before and reload(policy).status == Status.DEVELOPMENT


def test_a_step_page_token_drawn_for_someone_else_changes_nothing(client, people):
    """A token is signed for the person and the page: one borrowed from another person's page is refused, and
    nothing is changed; the page opened again draws one that will do."""
    policy = advance_to(people.policy(title="Missing persons"), Status.COMMISSIONING, people)
    borrowed = submissions.submission_token_issue(user=people.coordinator,
                                                  purpose=submissions.step_purpose("commission", policy.pk))
    client.force_login(people.lead)
    before = policy_state(policy)
    refused_post = client.post(action_url(policy, "commission"),
                               {**what_was_read(policy), "comments": "", "submission": borrowed})
    assert refused_post.status_code == 302
    assert said(refused_post) == [("error", submissions.STEP_REFUSED)]
    assert policy_state(policy) == before
    done(client, client.post(action_url(policy, "commission"), {
        **what_was_read(policy), "comments": "Go ahead.", "submission": drawn(client, policy, "commission")}))
    assert reload(policy).status == Status.DEVELOPMENT


def test_a_token_drawn_on_one_policys_page_does_not_answer_for_another(client, people):
    """Review of 2026-12-06 (LOW): the token was signed for the page alone, so one claimed on POL-0001's step, posted
    to POL-0002's, was told "POL-0001: Development commissioned. Already done by you". It is signed for the policy
    too: refused as not sent from the page PolicyHub gave, nothing changed."""
    first = advance_to(people.policy(title="Missing persons"), Status.COMMISSIONING, people)
    second = advance_to(people.policy(title="Taser"), Status.COMMISSIONING, people)
    client.force_login(people.lead)
    token = drawn(client, first, "commission")
    done(client, client.post(action_url(first, "commission"),
                             {**what_was_read(first), "comments": "Go ahead.", "submission": token}))
    before = policy_state(second)
    elsewhere = client.post(action_url(second, "commission"),
                            {**what_was_read(second), "comments": "Go ahead.", "submission": token})
    assert elsewhere.status_code == 409
    assert submissions.STEP_REFUSED.split(":")[0] in elsewhere.content.decode()
    assert policy_state(second) == before


def test_a_publication_scheduled_sent_again_is_said_as_scheduled_not_published(client, people):
    """Review of 2026-12-06 (MEDIUM): the repeat was told the step's own words, "Published", of a publication the
    first post had only scheduled. What the service did is recorded on the claim (lifecycle.services.base.said_done).
    On a clock that does not tick (the minute could turn between the step and the words expected)."""
    with travel(IN_THE_WINDOW):
        policy = advance_to(people.policy(title="Missing persons"), Status.AWAITING_PUBLICATION, people)
        client.force_login(people.pcu)
        token = drawn(client, policy, "publish")
        day = timezone.localdate() + datetime.timedelta(days=30)
        sent = {**what_was_read(policy), "on_intranet": "on", "publish_on": day.isoformat(),
                "submission": token}
        first = client.post(action_url(policy, "publish"), sent)
        assert first.status_code == 302, first.content.decode()[:2000]
        assert Publication.objects.get(policy=policy).status == Publication.Status.SCHEDULED
        again = client.post(action_url(policy, "publish"), sent)
        assert said(again)[-1] == ("info", f"{policy.reference}: Publication scheduled for {date_shown(day)}. Already "
                                           f"done by you {now_said()}. Nothing more was done.")
    assert Publication.objects.filter(policy=policy).count() == 1


def test_a_stale_confirmation_after_the_eia_was_reopened_is_told_it_was_reopened(client, published, people):
    """Review of 2026-12-06 (LOW): after DCFD reopened the EIA ("must be updated"), a second DCFD tab confirming it
    was told "Equality Impact Assessment confirmed for the review. Already done by you": what was done is said."""
    with travel(IN_THE_WINDOW):
        monitoring_up_to_date(published, people)
        client.force_login(people.lead)
        done(client, _conclude(client, people, published, drawn(client, published, "conclude-no-change")))
        policy = reload(published)
        client.force_login(people.dcfd)
        stale = {**what_was_read(policy), "eia_outcome": "stands", "submission": drawn(client, policy, "confirm-eia")}
        done(client, client.post(action_url(policy, "confirm-eia"), {
            **what_was_read(policy), "eia_outcome": "updated", "eia_comments": "Add the 2026 census figures.",
            "submission": drawn(client, policy, "confirm-eia")}))
        again = client.post(action_url(policy, "confirm-eia"), stale)
        moment = now_said()
    assert said(again)[-1] == ("info", f"{policy.reference}: Equality Impact Assessment reopened to be updated for the "
                                       f"review. Already done by you {moment}. Nothing more was done.")
