"""QA walk: once a review draft was open (a new version drafted while the published one stays in force), nothing let
anyone abandon it, and "Conclude the review: no change needed" is refused while one is: a Designated Lead who started a
draft and then found no change was needed was forced through the whole cycle.

"Withdraw the review draft": the Designated Lead the policy names (SOP, the Lead will "Drive policy review,
implementation and monitoring programmes"), while the draft is not yet approved, with a reason. The draft's versions
are kept for ever as evidence, marked withdrawn; the version in force is unchanged, and the policy goes back to the
status it had when the review started; the step is audited in the same transaction; what was asked of others for the
draft is closed, its rows kept; and the review can then conclude with no change, or start again."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent
from lifecycle import services as s
from lifecycle import workflow
from lifecycle.details import details_hash
from lifecycle.models import AdviceInvitation, PolicyVersion
from lifecycle.states import AdviceTeam, ProtectiveMarking, Status
from notifications.models import Reminder, ReminderClosed, ReminderKind
from notifications.services import reminders_to_inbox
from tests.clock import travel
from tests.factories import advance_to, monitoring_up_to_date, refused, reload, what_was_read
from tests.notifications.test_qa_signoff_closes import ledger_updates
from tests.notifications.test_review_date_changed import page_words

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review is due on 15 January 2027
WINDOW_OPEN = datetime.date(2026, 8, 3)  # within 6 months of it: a review may conclude with no change
URL = "/policies/{}/actions/withdraw-review-draft/"
ACTION = "policy.review_draft_withdrawn"
REASON = "The review found nothing to change: the policy still meets the legislation as it stands."


@pytest.fixture
def published(policy_in):
    with travel(PUBLISHED_ON):
        return policy_in(Status.MONITORING)


def under_review(published, people, status=Status.SCOPING):
    """The published policy with a review draft (version 2.0) open and taken to ``status``."""
    s.policy_start_review(policy=published, actor=people.lead, reason="Three-year review.")
    return advance_to(reload(published), status, people)


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def state(policy) -> tuple:
    policy = reload(policy)
    return (policy.status, policy.current_version.pk,
            sorted(PolicyVersion.objects.filter(policy=policy).values_list("pk", "withdrawn_at")),
            AuditEvent.objects.filter(policy_id=policy.pk).count())


# --- the service ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("drafted_to", [Status.SCOPING, Status.COMMISSIONING, Status.DEVELOPMENT,
                                        Status.SUBMITTED_FOR_QA, Status.QA_PASSED, Status.WITH_LEAD])
def test_the_lead_withdraws_the_draft_and_the_version_in_force_stays(published, people, drafted_to):
    with travel(WINDOW_OPEN):
        in_force = published.current_version
        policy = under_review(published, people, drafted_to)
        draft = policy.current_version
        assert draft.number == "2.0"

        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))

    policy = reload(policy)
    assert policy.status == Status.MONITORING
    assert policy.current_version == in_force
    # Kept for ever, marked withdrawn.
    kept = PolicyVersion.objects.get(pk=draft.pk)
    assert kept.withdrawn_at is not None
    assert kept.statement == draft.statement
    assert PolicyVersion.objects.filter(policy=policy).count() == 2
    event = AuditEvent.objects.filter(policy_id=policy.pk).order_by("-sequence").first()
    assert event.action == ACTION
    assert event.actor == people.lead
    assert event.changes["reason"] == REASON
    assert event.changes["status"] == [drafted_to, Status.MONITORING]
    assert event.changes["withdrawn_versions"] == ["2.0"]
    assert event.changes["version_in_force"] == "1.0"


def test_a_review_started_in_implementation_goes_back_to_implementation(policy_in, people):
    """The status goes back to the one the policy had when the review started (the start's event records it): a
    policy whose implementation was not complete is not moved to monitoring by withdrawing a draft."""
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.IMPLEMENTATION)
    with travel(WINDOW_OPEN):
        policy = under_review(policy, people, Status.DEVELOPMENT)
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))
    assert reload(policy).status == Status.IMPLEMENTATION


def test_every_version_of_the_review_is_withdrawn_and_the_details_in_force_come_back(published, people):
    """A draft returned from quality assurance continues in 2.1: both 2.0 (frozen, evidence) and 2.1 are marked. The
    policy's own details were the draft's while it was drafted; the version in force's come back."""
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.SUBMITTED_FOR_QA)
        s.policy_return_from_qa(policy=policy, actor=people.dcfd, discipline="dcfd", comments="Redo the EIA.")
        policy = reload(policy)
        assert policy.current_version.number == "2.1"
        details = policy.details_snapshot()
        s.policy_update_details(policy=policy, actor=people.developer, expected_details=details_hash(details),
                                **{**details, "title": "A new title", "purpose": "A purpose only the draft had."})
        policy = reload(policy)
        assert (policy.purpose, policy.proposed_title) == ("A purpose only the draft had.", "A new title")
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))

    policy = reload(policy)
    withdrawn = PolicyVersion.objects.filter(policy=policy, withdrawn_at__isnull=False)
    assert sorted(version.number for version in withdrawn) == ["2.0", "2.1"]
    assert policy.current_version.number == "1.0"
    assert policy.purpose == published.current_version.details["purpose"]
    assert policy.proposed_title == ""
    assert policy.title == published.title


def test_a_reason_is_required(published, people):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people)
        with refused("invalid", "Enter why the review draft is withdrawn"):
            s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason="  ", **what_was_read(policy))
    assert reload(policy).status == Status.SCOPING


@pytest.mark.parametrize("who", ["coordinator", "developer", "manager", "owner", "pcu", "dcfd", "lead2"])
def test_only_the_lead_the_policy_names_may_withdraw_it(published, people, who):
    """SOP: PCU "Provide advice and support to all involved in the policy development and review process" and
    "Gather information on the status of policy reviews"; the review is the Lead's to drive and to approve."""
    with travel(WINDOW_OPEN):
        policy = under_review(published, people)
        before = state(policy)
        with refused("forbidden", "Only the Designated Lead the policy names can withdraw the review draft of"):
            s.policy_withdraw_review_draft(policy=policy, actor=getattr(people, who), reason=REASON,
                                           **what_was_read(policy))
    assert state(policy) == before


@pytest.mark.parametrize("approved_to", [Status.APPROVED, Status.AWAITING_PUBLICATION])
def test_an_approved_draft_cannot_be_withdrawn(published, people, approved_to):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, approved_to)
        before = state(policy)
        with refused("stale", "version 2.0 is approved"):
            s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))
    assert state(policy) == before


def test_nothing_to_withdraw_without_a_review_draft(published, people):
    with refused("stale", "no review draft is open"):
        s.policy_withdraw_review_draft(policy=published, actor=people.lead, reason=REASON,
                                       **what_was_read(published))


def test_a_second_submit_is_refused_politely_and_changes_nothing(published, people):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        read = what_was_read(policy)
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **read)
        after = state(policy)
        with refused("stale", "has moved on since you opened the page"):
            s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **read)
    assert state(policy) == after


def test_the_review_can_then_conclude_no_change_or_start_again(published, people):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))
        policy = reload(policy)
        assert workflow.CONCLUDE_NO_CHANGE in workflow.steps_permitted(people.lead, policy)
        assert workflow.START_REVIEW in workflow.steps_permitted(people.lead, policy)
        assert workflow.WITHDRAW_REVIEW_DRAFT not in workflow.steps_permitted(people.lead, policy)
        # A new review is a new cycle: its version is numbered after the withdrawn one, which is kept.
        again = s.policy_start_review(policy=policy, actor=people.lead, reason="Legislation changed after all.")
        assert again.number == "3.0"
        assert reload(policy).current_version == again


def test_a_review_started_again_is_published_as_the_version_after_the_withdrawn_one(published, people):
    """The withdrawn draft stays the cycle it was: the next review's version, 3.0, is taken through the cycle again and
    published, and replaces the version in force; the withdrawn one is never in force."""
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.SUBMITTED_FOR_QA)
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))
        s.policy_start_review(policy=reload(policy), actor=people.lead, reason="Legislation changed after all.")
        policy = advance_to(reload(policy), Status.IMPLEMENTATION, people)
    assert policy.current_version.number == "3.0"
    published_numbers = set(PolicyVersion.objects.filter(policy=policy, publications__status="published")
                            .values_list("major", flat=True))
    assert published_numbers == {1, 3}


def test_no_change_is_concluded_on_the_version_in_force(published, people):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))
        monitoring_up_to_date(policy, people)
        policy = reload(policy)
        review = s.policy_conclude_no_change(policy=policy, actor=people.lead, reason="Still fit for purpose.",
                                             **what_was_read(policy))
    assert review.policy_version.number == "1.0"


def test_what_was_asked_for_the_draft_is_closed_and_kept(published, people):
    """Invitations to advise on the draft are withdrawn (a grant one gave taken back) and the chase of the draft's
    stage stops: the rows are kept, marked."""
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        invitation = s.advice_invite(policy=policy, actor=people.developer, team=AdviceTeam.DCFD, note="The EIA.")
        named = s.advice_invite(policy=policy, actor=people.developer, invitee=people.developer2, note="Read it.")
        stuck = Reminder.objects.create(policy=policy, cycle=2, recipient=people.lead, kind=ReminderKind.STUCK,
                                        due_on=WINDOW_OPEN, step="overdue", message="Waiting too long.")
        review_due = Reminder.objects.create(policy=policy, cycle=2, recipient=people.developer,
                                             kind=ReminderKind.REVIEW_DUE, due_on=WINDOW_OPEN, step="6 months",
                                             message="The review is due.")
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))

    for kept in (invitation, named):
        kept = AdviceInvitation.objects.get(pk=kept.pk)
        assert kept.withdrawn_at is not None and kept.withdrawn_by == people.lead
        assert "review draft was withdrawn" in kept.withdrawal_reason
    assert not people.developer2.has_perm("lifecycle.consult_policy", reload(policy))
    closed = Reminder.objects.get(pk=stuck.pk)
    assert closed.superseded_at is not None
    assert closed.closed_because == ReminderClosed.DRAFT_WITHDRAWN
    # The review itself is still due: its reminders go on.
    assert Reminder.objects.get(pk=review_due.pk).superseded_at is None


@pytest.mark.parametrize("drafted_to", [Status.DEVELOPMENT, Status.WITH_LEAD])
def test_the_reminders_of_the_drafts_stage_close_once_saying_why(client, published, people, drafted_to):
    """One rule, one statement, whichever stage the draft had reached: every reminder of work waiting too long that the
    draft's stage was chasing is closed, with why ("the review draft was withdrawn", not "the step it waited for was
    taken": nobody took it), and the inbox says so. A stage with a deadline (with the Lead) was closed twice before, by
    the status change and again by the withdrawal, and recorded as a step taken; one without (in development), with no
    reason at all."""
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, drafted_to)
        stuck = Reminder.objects.create(policy=policy, cycle=2, recipient=people.lead, kind=ReminderKind.STUCK,
                                        due_on=WINDOW_OPEN, step="waiting too long", message="Waiting too long.")
        reminders_to_inbox()
        read = what_was_read(policy)
        with ledger_updates() as closing:
            s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **read)
        client.force_login(people.lead)
        inbox = page_words(client, "/notifications/")
    assert len(closing) == 1, closing
    stuck = Reminder.objects.get(pk=stuck.pk)
    assert stuck.superseded_at is not None
    assert stuck.closed_because == ReminderClosed.DRAFT_WITHDRAWN
    assert "No longer needed" in inbox
    assert "This reminder was closed on 3 August 2026: the review draft was withdrawn." in inbox


def test_what_the_inbox_asked_of_others_for_the_draft_is_no_longer_needed(client, published, people):
    """Not only reminders: the inbox items that told people of the draft's steps asked them to act on it ("Submitted for
    quality assurance" to PCU, DCFD and DOI, "You are invited to advise on a draft"), and stayed New after the draft
    was withdrawn, DCFD and DOI not even told of the withdrawal. Each item told of an event on one of the withdrawn
    versions is closed in the withdrawal's transaction, read or not, with why: "No longer needed" in the inbox, no
    longer counted as new. Items about the version in force are left as they are."""
    from django.utils import timezone

    from notifications.models import Notification
    from notifications.selectors import inbox_items, new_items, no_longer_needed
    from notifications.services import outbox_relay

    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        s.advice_invite(policy=policy, actor=people.developer, invitee=people.developer2, note="Read it.")
        policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
        outbox_relay()
        about_the_draft = Notification.objects.filter(recipient=people.dcfd, policy=policy,
                                                      source_event__audit_event__changes__version="2.0")
        assert about_the_draft.get().title.startswith("Submitted for quality assurance")
        assert inbox_items(user=people.dcfd).filter(new_items()).exists()
        # DCFD's items of the version in force (its own submission) read, as they would be by now.
        Notification.objects.filter(recipient=people.dcfd).exclude(pk=about_the_draft.get().pk).update(
            read_at=timezone.now())
        earlier = set(Notification.objects.filter(policy=policy, source_event__audit_event__changes__version="1.0")
                      .values_list("pk", flat=True))
        s.policy_withdraw_review_draft(policy=reload(policy), actor=people.lead, reason=REASON,
                                       **what_was_read(reload(policy)))
        outbox_relay()
        client.force_login(people.dcfd)
        inbox = page_words(client, "/notifications/")
    assert not inbox_items(user=people.dcfd).filter(new_items()).exists()
    assert inbox_items(user=people.dcfd).filter(no_longer_needed()).count() == 1
    invited = Notification.objects.get(recipient=people.developer2, title__startswith="You are invited to advise")
    assert invited.closed_at is not None and invited.closed_because == ReminderClosed.DRAFT_WITHDRAWN
    assert "No longer needed" in inbox
    assert "This notice was closed on 3 August 2026: the review draft was withdrawn." in inbox
    assert not Notification.objects.filter(pk__in=earlier, closed_at__isnull=False).exists()


def test_a_local_work_instruction_under_review_is_withdrawn_the_same_way(people):
    """A local work instruction is reviewed as any policy is (its review started by those who may), and approved by
    its business group's Lead, who withdraws its review draft too (SOP, local work instructions: outside PCU)."""
    from assessments.services import eia_update
    from lifecycle.states import PolicyKind
    from publication.services import policy_approve_local
    from tests.lifecycle.test_local_work_instructions import COMPLETE_EIA

    with travel(PUBLISHED_ON):
        policy = people.policy(kind=PolicyKind.LOCAL, title="Custody suite: booking in")
        s.draft_update(policy=policy, actor=people.developer, statement="<p>Local.</p>")
        eia_update(policy=policy, actor=people.developer, **COMPLETE_EIA)
        policy_approve_local(policy=reload(policy), actor=people.lead)
    with travel(WINDOW_OPEN):
        s.policy_start_review(policy=reload(policy), actor=people.developer, reason="Three-year review.")
        policy = reload(policy)
        assert policy.status == Status.SCOPING
        with refused("forbidden", "Only the Designated Lead the policy names"):
            s.policy_withdraw_review_draft(policy=policy, actor=people.pcu, reason=REASON, **what_was_read(policy))
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))
    policy = reload(policy)
    assert (policy.status, policy.current_version.number) == (Status.IMPLEMENTATION, "1.0")


# --- the page -----------------------------------------------------------------------------------------------------


def test_the_overview_offers_it_to_the_lead_only_while_the_draft_is_not_approved(client, published, people):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.WITH_LEAD)
        url = URL.format(policy.reference)
        client.force_login(people.lead)
        assert url in client.get(f"/policies/{policy.reference}/").content.decode()
        client.force_login(people.coordinator)
        assert url not in client.get(f"/policies/{policy.reference}/").content.decode()
        response = client.get(url)
        assert response.status_code == 302
        assert "not available to you" in messages_of(response)
        approved = advance_to(policy, Status.APPROVED, people)
        client.force_login(people.lead)
        assert url not in client.get(f"/policies/{approved.reference}/").content.decode()
        response = client.get(url)
        assert response.status_code == 302
        assert "version 2.0 is approved" in messages_of(response)


def test_the_page_withdraws_it_and_says_what_comes_next(client, published, people):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        client.force_login(people.lead)
        page = client.get(URL.format(policy.reference))
        assert page.status_code == 200
        body = page.content.decode()
        assert "Withdraw the review draft" in body and "<textarea" in body
        response = client.post(URL.format(policy.reference), {**what_was_read(policy), "reason": REASON})
        assert response.status_code == 302
        told = messages_of(response)
        assert "Review draft withdrawn" in told, told
        assert "the version in force stays in force" in told, told
    assert reload(policy).status == Status.MONITORING


def test_a_failed_form_keeps_what_was_typed(client, published, people):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        client.force_login(people.lead)
        too_long = "x" * 20_001
        response = client.post(URL.format(policy.reference), {**what_was_read(policy), "reason": too_long})
        assert response.status_code == 400
        assert too_long in response.content.decode()
        assert reload(policy).status == Status.DEVELOPMENT


def test_a_double_submit_over_http_is_refused_keeping_what_was_typed(client, published, people):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        client.force_login(people.lead)
        posted = {**what_was_read(policy), "reason": REASON}
        assert client.post(URL.format(policy.reference), posted).status_code == 302
        after = state(policy)
        again = client.post(URL.format(policy.reference), posted)
        assert again.status_code == 409
        body = again.content.decode()
        assert "moved on since you opened the page" in body
        assert REASON in body
    assert state(policy) == after


def test_out_of_sight_is_404(client, policy_in, people):
    with travel(PUBLISHED_ON):
        sensitive = policy_in(Status.MONITORING, protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE,
                              suitable_for_publication_scheme=False)
    with travel(WINDOW_OPEN):
        policy = under_review(sensitive, people, Status.DEVELOPMENT)
        client.force_login(people.lead2)
        assert client.get(URL.format(policy.reference)).status_code == 404
        assert client.post(URL.format(policy.reference), {**what_was_read(policy), "reason": REASON}
                           ).status_code == 404
    assert reload(policy).status == Status.DEVELOPMENT


def test_the_timeline_and_versions_say_it_in_plain_words(client, published, people):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))
        client.force_login(people.lead)
        timeline = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
        assert "Review draft withdrawn: the version in force stays in force" in timeline
        assert REASON in timeline
        versions = client.get(f"/policies/{policy.reference}/versions/").content.decode()
        assert "Withdrawn" in versions
        # Still readable by those who read the drafts: its interim revisions' page opens.
        assert client.get(f"/policies/{policy.reference}/versions/2.0/revisions/").status_code == 200


def test_my_work_stops_listing_the_drafts_next_step(client, published, people):
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.WITH_LEAD)
        client.force_login(people.lead)
        assert f"/policies/{policy.reference}/" in client.get("/").content.decode().split("Approvals to decide")[1]
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))
        page = client.get("/").content.decode()
        assert "Approvals to decide" not in page or (
            f"/policies/{policy.reference}/" not in page.split("Approvals to decide")[1].split("<h2")[0])


# --- what the pages cost ------------------------------------------------------------------------------------------

# The step's page, for the Lead with a draft in development (it shows no version: what the page offers, and the
# readiness of its gate). The overview of a draft with the Lead costs what it did before the step was offered: 13 in
# development (the emergency route's request read once for both pages), 11 with the Lead. (14 and 12 until the
# policy's read said whether a withdrawal decision is open, lifecycle.selectors.pages.access_policy: the cycle's halt,
# lifecycle.steps.HALTS, asked of every step, reads the decision only where one is open.)
PINNED = {"actions/withdraw-review-draft/": 10, "": 13, "with_lead": 11}
PAGES_IN_FORCE = ("", "versions/", "timeline/")


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def test_query_counts_are_pinned(client, published, people):
    client.force_login(people.lead)
    in_force = {key: _count(client, f"/policies/{published.reference}/{key}") for key in PAGES_IN_FORCE}
    with travel(WINDOW_OPEN):
        policy = under_review(published, people, Status.DEVELOPMENT)
        assert _count(client, URL.format(policy.reference)) == PINNED["actions/withdraw-review-draft/"]
        assert _count(client, f"/policies/{policy.reference}/") == PINNED[""]
        policy = advance_to(policy, Status.WITH_LEAD, people)
        assert _count(client, f"/policies/{policy.reference}/") == PINNED["with_lead"]
        s.policy_withdraw_review_draft(policy=policy, actor=people.lead, reason=REASON, **what_was_read(policy))
        # Back in force, its pages cost what they did before the review: the withdrawn versions add nothing.
        after = {key: _count(client, f"/policies/{policy.reference}/{key}") for key in PAGES_IN_FORCE}
    assert after == in_force
