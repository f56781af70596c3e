"""A create form is sent once (STANDARDS: "Stale or double submits are refused politely"; QA10: Back, then the same
form sent again, started POL-0019 beside POL-0018, and added a second "Back-button SOP" and consultation line).

Each form that adds a row carries a one-time token (core.submissions): sent twice, it adds one row, and the second
post is taken to what the first created and told so; drawn afresh (the page opened again), it adds another, as a
second policy is meant to be added; posted without a token, or with one not drawn for this person and form, it is
refused, keeping what was typed, with a token that will do."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone

from core import submissions
from core.exceptions import ApplicationError
from core.models import SubmittedForm
from lifecycle import services
from lifecycle.models import AdviceComment, AdviceInvitation, ConsultationRecord, Policy, StandardOperatingProcedure
from lifecycle.states import Status
from publication.models import SOPRedaction
from tests.assessments.test_monitoring_dates import FIRST_DUE, PUBLISHED_ON, on
from tests.factories import advance_to

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="submission" value="([^"]*)"')


def token_of(page: str) -> str:
    """The form's one-time token, as the page drew it ("" for a page that draws none)."""
    found = TOKEN.search(page)
    return found.group(1) if found else ""


def _sent(day: datetime.date, name: str) -> dict:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


@dataclass
class CreateForm:
    """One create form: where it is, who sends it, what they type, how many rows it has added, and where the first
    post lands (given the page's policy)."""

    name: str
    user: str
    path: Callable
    data: Callable
    rows: Callable
    landing: Callable
    typed: str  # a text typed into the form, shown back when it is refused


def _policy_data(people, policy):
    return {"title": "Back-button duplicates", "purpose": "Typed once.", "relevant_to": "All staff",
            "business_group": people.group.pk, "owning_unit": people.unit.pk, "kind": "corporate",
            "risk_tier": "medium", "protective_marking": "official"}


def _consultation_data(people, policy):
    return {"consultee": "Back-button consultee", "organisation": "QA org", "consultee_type": "internal",
            **_sent(timezone.localdate() - datetime.timedelta(days=2), "date_sent")}


def _comment_data(people, policy):
    invitation = AdviceInvitation.objects.get(policy=policy)
    return {"action": "comment", "invitation": invitation.pk, "text": "Back-button advice."}


FORMS = [
    CreateForm("policy", "developer", lambda policy: "/policies/new/", _policy_data,
               lambda policy: Policy.objects.filter(title="Back-button duplicates").count(),
               lambda policy: "/policies/{}/".format(
                   Policy.objects.filter(title="Back-button duplicates").earliest("pk").reference),
               "Back-button duplicates"),
    CreateForm("sop", "developer", lambda policy: f"/policies/{policy.reference}/sops/new/",
               lambda people, policy: {"title": "Back-button SOP", "protective_marking": "official"},
               lambda policy: StandardOperatingProcedure.objects.filter(policy=policy, title="Back-button SOP").count(),
               lambda policy: f"/policies/{policy.reference}/statement/", "Back-button SOP"),
    CreateForm("consultation", "developer", lambda policy: f"/policies/{policy.reference}/consultation/",
               _consultation_data,
               lambda policy: ConsultationRecord.objects.filter(policy=policy,
                                                                consultee="Back-button consultee").count(),
               lambda policy: f"/policies/{policy.reference}/consultation/", "Back-button consultee"),
    CreateForm("advice invitation", "coordinator", lambda policy: f"/policies/{policy.reference}/advice/",
               lambda people, policy: {"action": "invite", "who": "colleague", "username": people.shrmt.username,
                                       "note": "Back-button invitation."},
               lambda policy: AdviceInvitation.objects.filter(policy=policy, note="Back-button invitation.").count(),
               lambda policy: f"/policies/{policy.reference}/advice/", "Back-button invitation."),
    CreateForm("advice", "dcfd", lambda policy: f"/policies/{policy.reference}/advice/", _comment_data,
               lambda policy: AdviceComment.objects.filter(invitation__policy=policy,
                                                           text="Back-button advice.").count(),
               lambda policy: f"/policies/{policy.reference}/advice/", "Back-button advice."),
]


@pytest.fixture
def drafted(people, policy_in):
    """A policy in development, DCFD invited to advise on it (the advice form is theirs)."""
    policy = policy_in(Status.DEVELOPMENT)
    services.advice_invite(policy=policy, actor=people.coordinator, team="dcfd")
    return policy


def _token_for(page: str, form: CreateForm) -> str:
    """The token of the form under test on its page (the advice page draws one per form it shows)."""
    if form.name == "advice":
        page = page[page.index('value="comment"'):]
    elif form.name == "advice invitation":
        page = page[page.index('value="invite"'):]
    return token_of(page)


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
def test_a_form_sent_twice_adds_one_row_and_the_second_lands_where_the_first_did(client, people, drafted, form):
    client.force_login(getattr(people, form.user))
    path = form.path(drafted)
    data = {**form.data(people, drafted), "submission": _token_for(client.get(path).content.decode(), form)}
    first = client.post(path, data)
    assert first.status_code == 302, first.content.decode()[:3000]
    assert form.rows(drafted) == 1
    # Back, and the same form sent again: nothing more is added; it lands where the first did, and says so.
    second = client.post(path, data)
    assert form.rows(drafted) == 1
    assert second.status_code == 302 and second.url == form.landing(drafted) == first.url
    page = client.get(second.url).content.decode()
    assert "You already sent this form" in page and "Nothing was added again" in page
    assert 'class="govuk-notification-banner"' in page
    # The page drawn again is a new form: with the same details, the person is asked first (test_create_repeated),
    # and "Yes, create another" adds a second one, on purpose.
    again = {**data, "submission": _token_for(client.get(path).content.decode(), form)}
    if form.name == "advice invitation":  # an open invitation to the same colleague is refused: ask another
        again["username"] = people.doi.username
    else:
        asked = client.post(path, again)
        assert asked.status_code == 200 and "Do you want to create another?" in asked.content.decode()
        assert form.rows(drafted) == 1
        again["create_another"] = "yes"
    assert client.post(path, again).status_code == 302
    assert form.rows(drafted) == 2


# What each create page costs (GET, cold), and the answer to its form sent again: drawing the token costs no query
# (it is signed, not stored), and the second post is answered from the token's row before anything else is read or
# locked (its claim fails, then one read of what the first post created; the rest is the session, the person and the
# page's own checks before the service). Measured; raise a pin only with a reason.
PAGE_COST = {"policy": 10, "sop": 7, "consultation": 7, "advice invitation": 9, "advice": 11}
SENT_AGAIN_COST = {"policy": 15, "sop": 13, "consultation": 13, "advice invitation": 17, "advice": 17}
# The first post, which creates: its service's work, the token claimed, and (on PostgreSQL) the check that the same
# person did not send the same details from the same form in the last minutes (core.submissions
# .submission_check_repeat: an advisory lock and one indexed read), plus the audit event's chain. At most these:
# what the process has read already (a role, a content type) may save one, by the order the tests ran in (make test:
# the advice invitation's 32 after other files, 33 alone). The SOP's 28: one count of the draft's SOPs, against
# lifecycle.services.sops.MAX_SOPS_PER_DRAFT (integrity review of 2026-12-06).
CREATE_COST = {"policy": 29, "sop": 28, "consultation": 20, "advice invitation": 33, "advice": 25}


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
def test_the_pages_and_the_answer_to_a_form_sent_again_cost_what_is_pinned(
        client, people, drafted, form, django_assert_num_queries, django_assert_max_num_queries):
    client.force_login(getattr(people, form.user))
    path = form.path(drafted)
    cache.clear()
    with django_assert_num_queries(PAGE_COST[form.name]):
        page = client.get(path).content.decode()
    data = {**form.data(people, drafted), "submission": _token_for(page, form)}
    with django_assert_max_num_queries(CREATE_COST[form.name]):
        assert client.post(path, data).status_code == 302
    with django_assert_num_queries(SENT_AGAIN_COST[form.name]):
        assert client.post(path, data).status_code == 302


@pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])
@pytest.mark.parametrize("token", ["", "made-up:token", "someone else's"])
def test_a_form_without_a_token_of_its_own_is_refused_keeping_what_was_typed(client, people, drafted, form, token):
    user = getattr(people, form.user)
    if token == "someone else's":
        token = submissions.submission_token_issue(user=people.manager, purpose=form_purpose(form))
    client.force_login(user)
    path = form.path(drafted)
    response = client.post(path, {**form.data(people, drafted), "submission": token})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This form could not be checked" in page and form.typed in page
    assert form.rows(drafted) == 0
    # The page drawn again carries a token that will do: sent as it is, it is added.
    assert client.post(path, {**form.data(people, drafted), "submission": _token_for(page, form)}).status_code == 302
    assert form.rows(drafted) == 1


def form_purpose(form: CreateForm) -> str:
    return {"policy": submissions.POLICY_CREATE, "sop": submissions.SOP_CREATE,
            "consultation": submissions.CONSULTATION_RECORD, "advice invitation": submissions.ADVICE_INVITE,
            "advice": submissions.ADVICE_COMMENT}[form.name]


def test_a_token_is_for_the_form_it_was_drawn_for(client, people, drafted):
    """A token of the SOP form does not send the consultation form (nor the reverse)."""
    client.force_login(people.developer)
    token = token_of(client.get(f"/policies/{drafted.reference}/sops/new/").content.decode())
    response = client.post(f"/policies/{drafted.reference}/consultation/",
                           {**_consultation_data(people, drafted), "submission": token})
    assert response.status_code == 400 and "This form could not be checked" in response.content.decode()


def test_a_refused_form_keeps_its_token_for_the_corrected_one(people, drafted):
    """The claim is part of the service's transaction: refused (a date the service will not take), it is undone
    with the rest, and the corrected form, with the same token, is added once."""
    token = submissions.submission_token_issue(user=people.developer, purpose=submissions.CONSULTATION_RECORD)
    sent = timezone.localdate() - datetime.timedelta(days=2)
    values = {"policy": drafted, "actor": people.developer, "consultee": "Corrected", "organisation": "QA org",
              "consultee_type": "internal", "date_sent": sent, "submission": token}
    with pytest.raises(ApplicationError, match="cannot be received before"):
        services.consultation_record(**values, response="Yes.", response_received_on=sent - datetime.timedelta(1))
    assert not SubmittedForm.objects.exists()
    record = services.consultation_record(**values)
    with pytest.raises(submissions.AlreadySubmitted) as again:
        services.consultation_record(**values)
    assert again.value.landing == f"/policies/{drafted.reference}/consultation/"
    assert "the consultation with Corrected (QA org) was recorded" in again.value.message
    assert list(ConsultationRecord.objects.filter(consultee="Corrected")) == [record]
    # A service called from no page (a command, the demo data) claims nothing.
    services.consultation_record(**{**values, "submission": None})
    assert ConsultationRecord.objects.filter(consultee="Corrected").count() == 2


def test_a_monitoring_report_started_twice_is_started_once(client, people, policy_in):
    """The monitoring report's form too. A report drawn afresh (a second tab) is still refused while one is in
    progress (one at a time: assessments.services.monitoring_report_create), with a link to it."""
    with on(PUBLISHED_ON):
        policy = policy_in(Status.IMPLEMENTATION)
    client.force_login(people.developer)
    path = f"/policies/{policy.reference}/monitoring/"
    with on(FIRST_DUE + datetime.timedelta(days=20)):
        data = {**_sent(datetime.date(2024, 1, 10), "period_start"), **_sent(datetime.date(2025, 1, 9), "period_end"),
                "compliance": "Typed once."}
        tokens = [token_of(client.get(path).content.decode()) for _ in range(2)]
        first = client.post(path, {**data, "submission": tokens[0]})
        second = client.post(path, {**data, "submission": tokens[0]})
        assert first.status_code == second.status_code == 302 and second.url == first.url == path
        told = client.get(path).content.decode()
        assert "You already sent this form: the monitoring report of 10 January 2024 to 9 January 2025 was started" in (
            told)
        assert policy.monitoring_reports.count() == 1
        other_tab = client.post(path, {**data, "submission": tokens[1]})
        assert other_tab.status_code == 409 and "already has a monitoring report in progress" in (
            other_tab.content.decode())
        missing = client.post(path, data)
        assert missing.status_code == 400 and "This form could not be checked" in missing.content.decode()
    assert policy.monitoring_reports.count() == 1


def test_a_part_withheld_twice_is_withheld_once_and_the_second_lands_where_the_first_did(client, people, policy_in):
    """PCU's form that withholds a part of an SOP from the public copy adds a row too: sent again, it lands on the
    page of withheld parts, told so, where it was refused as a part already withheld."""
    policy = policy_in(Status.DEVELOPMENT)
    services.sop_create(policy=policy, actor=people.developer, title="Custody searches",
                        text="<p>Open part.</p><p>Tactical part.</p>", publish_externally=True)
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    client.force_login(people.pcu)
    path = f"/policies/{policy.reference}/publication/withheld/"
    data = {"sop_version": policy.current_version.sop_versions.get().pk, "block": 2, "exemption": "s31",
            "submission": token_of(client.get(path).content.decode())}
    first = client.post(path, data)
    second = client.post(path, data)
    assert first.status_code == second.status_code == 302 and second.url == first.url == path
    told = client.get(path).content.decode()
    assert "You already sent this form: part 2 of “Custody searches” was withheld" in told
    assert SOPRedaction.objects.filter(sop_version__policy_version__policy=policy).count() == 1
    refused = client.post(path, {key: value for key, value in data.items() if key != "submission"})
    assert refused.status_code == 400 and "This form could not be checked" in refused.content.decode()
