"""A review the Designated Lead concluded "no change" waits for DCFD to confirm its Equality Impact Assessment, then for
PCU to re-publish it unchanged (lifecycle.workflow_monitoring). Neither part was in anyone's My work: DCFD reached it
only through the inbox, PCU's "To publish" listed only policies awaiting their first publication, and a review overdue
said "Next: Write the annual monitoring report" while the policy's overview said "Next: Re-publish unchanged, by the
Policy Co-ordination Unit" (QA walk in Chromium, HIGH). Which policies wait for which part is read from the steps'
declarations (``Step.under_way`` and its gate's ``where``), and what My work says comes next agrees with the
overview (``Cycle.way_on_of``)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.services import eia_update
from lifecycle import gates, gates_no_change
from lifecycle import services as s
from lifecycle.models import Policy
from lifecycle.states import Status
from lifecycle.workflow import CONFIRM_EIA, REPUBLISH_NO_CHANGE, SIGN_OFF_UPDATED_EIA, WITHDRAW
from lifecycle.workflow_monitoring import UPDATE_REOPENED_EIA
from tests.clock import travel
from tests.factories import monitoring_up_to_date, reload, what_was_read
from tests.workspace.test_next_agrees_with_overview import overview_next
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review falls due on 15 January 2027
IN_THE_WINDOW = datetime.date(2026, 8, 3)  # within 6 months of it: the Lead may conclude "no change"
OVERDUE = datetime.date(2027, 2, 20)  # the review overdue, and the annual monitoring report with it




@pytest.fixture
def published(policy_in):
    with travel(PUBLISHED_ON):
        return reload(policy_in(Status.MONITORING))


def conclude(policy, people):
    monitoring_up_to_date(policy, people)
    s.policy_conclude_no_change(policy=reload(policy), actor=people.lead, reason="Still fit; the law is unchanged.",
                                **what_was_read(reload(policy)))


def confirm(policy, people, outcome="stands"):
    s.policy_confirm_eia(policy=reload(policy), actor=people.dcfd, eia_outcome=outcome,
                         eia_comments="Age data refreshed." if outcome == "updated" else "",
                         **what_was_read(reload(policy)))


def rows(user, reference) -> dict[str, tuple[str, str]]:
    """Each queue of ``user``'s My work showing ``reference``: its title -> (next work, by whom)."""
    return {queue["title"]: (policy.next_label, policy.next_by) for queue in my_work(user=user)
            for policy in queue["policies"] or () if policy.reference == reference}


def test_dcfd_is_asked_to_confirm_the_eia_once_the_lead_concludes_no_change(client, people, published):
    with travel(IN_THE_WINDOW):
        assert rows(people.dcfd, published.reference) == {}
        conclude(published, people)
        shown = rows(people.dcfd, published.reference)
        assert list(shown.values()) == [(CONFIRM_EIA.page.title, "")], shown
        client.force_login(people.dcfd)
        page = client.get("/").content.decode()
        assert f"Next: <strong>{CONFIRM_EIA.page.title}</strong>" in page, page
        assert published.reference in page
        # Confirmed, it leaves DCFD's work.
        confirm(published, people)
        assert rows(people.dcfd, published.reference) == {}


def test_pcu_is_asked_to_republish_unchanged_once_dcfd_confirms(client, people, published):
    with travel(IN_THE_WINDOW):
        conclude(published, people)
        # Nothing yet for PCU to do: DCFD confirms first. Its review, due within 6 months, says so.
        shown = rows(people.pcu, published.reference)
        assert "To publish" not in shown
        assert shown["Reviews due within 6 months"] == (CONFIRM_EIA.page.title, CONFIRM_EIA.taken_by)
        confirm(published, people)
        shown = rows(people.pcu, published.reference)
        assert shown["To publish"] == (REPUBLISH_NO_CHANGE.page.title, "")
        assert "Reviews due within 6 months" not in shown  # the policy's work, shown once
        client.force_login(people.pcu)
        page = client.get("/").content.decode()
        assert f"Next: <strong>{REPUBLISH_NO_CHANGE.page.title}</strong>" in page, page


def test_dcfd_is_asked_to_sign_off_an_eia_it_said_must_be_updated(people, published):
    """Once the policy's developers have revised it (QA walk: offered before any revision, with nothing to sign
    off): until then what comes next is their update (lifecycle.workflow_monitoring.UPDATE_REOPENED_EIA)."""
    with travel(IN_THE_WINDOW):
        conclude(published, people)
        confirm(published, people, outcome="updated")
        assert rows(people.dcfd, published.reference) == {}
        assert rows(people.pcu, published.reference)["Reviews due within 6 months"] == (
            UPDATE_REOPENED_EIA.title, UPDATE_REOPENED_EIA.taken_by)
        eia_update(policy=reload(published), actor=people.developer, evidence_and_data="2025 figures added.")
        shown = rows(people.dcfd, published.reference)
        assert list(shown.values()) == [(SIGN_OFF_UPDATED_EIA.page.title, "")], shown
        assert "To publish" not in rows(people.pcu, published.reference)


@pytest.mark.parametrize("username", ["coordinator", "pcu", "lead"])
def test_an_overdue_review_under_way_names_the_part_it_waits_for_as_the_overview_does(client, people, published,
                                                                                      username):
    user = getattr(people, username)
    with travel(IN_THE_WINDOW):
        conclude(published, people)
    with travel(OVERDUE):
        overview = overview_next(client, user, published)
        assert overview == (CONFIRM_EIA.page.title, CONFIRM_EIA.taken_by)
        assert rows(user, published.reference)["Reviews overdue"] == overview
        confirm(published, people)
        overview = overview_next(client, user, published)
        assert overview == (REPUBLISH_NO_CHANGE.page.title, REPUBLISH_NO_CHANGE.taken_by)
        # PCU's own step: said without "by" (workspace.selectors._each_once), wherever it is shown first.
        expected = (overview[0], "") if username == "pcu" else overview
        assert rows(user, published.reference)["Reviews overdue"] == expected


def test_the_gates_read_as_a_query_agree_with_the_gates(people, published):
    """Each part under way is read two ways, from the same declaration: the gate asked of one policy (its page, its
    service) and its ``where`` over many (My work's queues). They must answer alike at every turn."""
    under_way = (gates_no_change.no_change_awaits_eia, gates_no_change.no_change_awaits_updated_eia,
                 gates_no_change.reopened_eia_awaits_revision,
                 gates_no_change.no_change_awaits_publication, gates.withdrawal_decided)

    def agree():
        policy = reload(published)
        for gate in under_way:
            assert gate(reload(policy)) == Policy.objects.filter(gate.where(), pk=policy.pk).exists(), gate.__name__

    with travel(IN_THE_WINDOW):
        agree()
        conclude(published, people)
        agree()
        confirm(published, people, outcome="updated")
        agree()
        eia_update(policy=reload(published), actor=people.developer, evidence_and_data="2025 figures added.")
        agree()
        s.policy_decide_withdrawal(policy=reload(published), actor=people.lead, reason="Replaced.",
                                   **what_was_read(reload(published)))
        agree()
    assert WITHDRAW.under_way is gates.withdrawal_decided


@pytest.mark.parametrize("username", ["dcfd", "pcu"])
def test_the_parts_under_way_cost_the_same_however_many_wait(people, policy_in, username):
    user = getattr(people, username)
    with travel(PUBLISHED_ON):
        policies = [reload(policy_in(Status.MONITORING)) for _ in range(3)]
    with travel(IN_THE_WINDOW):
        conclude(policies[0], people)
        if username == "pcu":
            confirm(policies[0], people)
        my_work(user=user)  # compiled once per person and day
        with CaptureQueriesContext(connection) as one:
            my_work(user=user)
        for policy in policies[1:]:
            conclude(policy, people)
            if username == "pcu":
                confirm(policy, people)
        with CaptureQueriesContext(connection) as three:
            queues = my_work(user=user)
    assert {policy.reference for policy in policies} <= {item.reference for queue in queues
                                                          for item in queue["policies"] or ()}
    assert len(three) == len(one)


def test_a_queue_whose_work_is_shown_above_says_so_rather_than_nothing_waiting(client, people, published):
    """QA walk 2026-12-05 (3): once DCFD confirmed the EIA of an overdue review concluded "no change", PCU's My work
    showed the policy under "Reviews overdue" ("Next: Re-publish unchanged") and "To publish 0, Nothing waiting"
    below it, although its hint counts those to re-publish. Each item is shown once, in the first queue it is in; a
    later queue of the person's own work counts it and says where it is."""
    with travel(IN_THE_WINDOW):
        conclude(published, people)
    with travel(OVERDUE):
        confirm(published, people)
        queues = {queue["title"]: queue for queue in my_work(user=people.pcu)}
        assert [policy.reference for policy in queues["Reviews overdue"]["policies"]] == [published.reference]
        to_publish = queues["To publish"]
        assert to_publish["policies"] == []
        assert [(policy.reference, title) for policy, title in to_publish["shown_above"]] == [
            (published.reference, "Reviews overdue")]
        client.force_login(people.pcu)
        page = client.get("/").content.decode()
    section = page.split(">To publish ", 1)[1].split("<h2", 1)[0]
    assert ">1<" in section.split("</h2>")[0], section  # the count: the one waiting, shown above
    assert "Nothing waiting" not in section
    assert f"{published.reference}" in section and "Reviews overdue" in section, section
