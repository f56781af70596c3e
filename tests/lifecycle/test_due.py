"""lifecycle.due: one rule for "overdue". A review past its date stays overdue until the reviewed version is
published, whatever stage the review has reached (issue 13); the register's filter and My work agree."""

import datetime

import pytest
import time_machine

from lifecycle import services as lifecycle_services
from lifecycle.due import MONITORING, REVIEW, DueStatus
from lifecycle.models import Policy
from tests.factories import advance_to

pytestmark = pytest.mark.django_db


def test_the_rule_for_one_date():
    today = datetime.date(2026, 12, 2)
    assert REVIEW.state(datetime.date(2026, 3, 28), today).status == DueStatus.OVERDUE
    assert REVIEW.state(datetime.date(2026, 3, 28), today).phrase == "overdue by 249 days"
    assert REVIEW.state(datetime.date(2026, 12, 1), today).phrase == "overdue by 1 day"
    assert REVIEW.state(today, today).phrase == "due today"
    assert REVIEW.state(datetime.date(2027, 6, 2), today).status == DueStatus.DUE_SOON
    assert REVIEW.state(datetime.date(2027, 6, 3), today).status == DueStatus.IN_DATE
    assert MONITORING.state(datetime.date(2027, 1, 2), today).status == DueStatus.DUE_SOON
    assert MONITORING.state(datetime.date(2027, 1, 3), today).status == DueStatus.IN_DATE
    assert REVIEW.state(None, today) is None


def test_a_review_stalled_past_its_date_stays_overdue_in_the_register_and_in_my_work(client, people):
    policy = advance_to(people.policy(title="Stalled review"), "implementation", people)
    never_published = advance_to(people.policy(title="Never published"), "development", people)
    lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Legislation changed.")
    policy = Policy.objects.get(pk=policy.pk)
    assert policy.status == "scoping"

    with time_machine.travel(policy.review_due_on + datetime.timedelta(days=10)):
        client.force_login(people.coordinator)
        overdue = Policy.objects.filter(REVIEW.overdue())
        assert list(overdue) == [policy]
        body = client.get("/policies/?review_status=overdue").content.decode()
        assert policy.reference in body and never_published.reference not in body
        home = client.get("/").content.decode()
        assert (f'<strong class="govuk-tag govuk-tag--red app-due-tag">Overdue by 10 days</strong> '
                f'<span class="govuk-body-s">review due {policy.review_due_on:%-d %B %Y}</span>') in home

    with time_machine.travel(policy.review_due_on - datetime.timedelta(days=3)):
        client.force_login(people.coordinator)
        assert list(Policy.objects.filter(REVIEW.due_soon())) == [policy]
        assert client.get("/policies/?review_status=overdue").content.decode().count(policy.reference) == 0
        assert '<strong class="govuk-tag govuk-tag--yellow app-due-tag">Due in 3 days</strong>' in (
            client.get("/").content.decode())


def test_a_due_date_in_a_summary_list_is_the_size_of_the_rows_around_it(client, people):
    # The document-control block's review and monitoring dates were set in the small print of a list's rows
    # (govuk-body-s) between rows of body text (found by the tenth session's walk): in a summary list the date
    # keeps the list's size; lists of many policies (My work, the dashboard) keep their small print.
    policy = advance_to(people.policy(title="Sized dates"), "implementation", people)
    client.force_login(people.coordinator)
    overview = client.get(f"/policies/{policy.reference}/").content.decode()
    control = overview.split(">Review date</dt>", 1)[1].split("</dl>", 1)[0]
    review, monitoring = control.split(">Next monitoring report due</dt>", 1)
    for row in (review, monitoring.split("</dd>", 1)[0]):
        assert "(in date)" in row and "govuk-body-s" not in row, row
    with time_machine.travel(policy.review_due_on + datetime.timedelta(days=10)):
        client.force_login(people.coordinator)
        home = client.get("/").content.decode()
        assert f'<span class="govuk-body-s">review due {policy.review_due_on:%-d %B %Y}</span>' in home


def test_a_draft_under_review_is_not_said_to_be_published_on_its_predecessors_date(client, people):
    # The overview of version 2.0 in development said "Date published: 6 October 2023", version 1.0's date (found by
    # the twelfth session's Chromium walk).
    policy = advance_to(people.policy(title="Under review"), "implementation", people)
    lifecycle_services.policy_start_review(policy=policy, actor=people.coordinator, reason="Legislation changed.")
    policy = Policy.objects.get(pk=policy.pk)
    client.force_login(people.developer)
    overview = client.get(f"/policies/{policy.reference}/").content.decode()
    row = overview.split(">Date published</dt>", 1)[1].split("</dd>", 1)[0]
    assert f"Not yet published: version 1.0 was published on {policy.last_published_on:%-d %B %Y}" in row, row
