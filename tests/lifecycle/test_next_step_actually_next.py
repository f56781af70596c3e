""""What to do next" names the step that is actually next, with its date where it has one (QA walk, issue 2 and 3).

- A review concluded "no change", whose EIA DCFD confirmed, waits on PCU's re-publication: its overview offered PCU
  "Re-publish unchanged" and said beside it "A review is started by the policy's developers ..." and "Next on the
  policy: Start a review", the way on from the status, which the no-change review under way replaces.
- After "Move to monitoring" the confirmation said "Next: Start a review", due years later; the annual monitoring
  report, due within the year, comes first.
- "Start a review" and "Move to monitoring" were a bare form and a bare button: each page now says what the step
  does, from its declaration."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.contrib.messages import get_messages

from lifecycle.states import Status
from tests.clock import travel
from tests.factories import monitoring_up_to_date, reload, what_was_read

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review is due on 15 January 2027, the report on 15 January 2025




def post(client, user, policy, slug, data):
    client.force_login(user)
    return client.post(f"/policies/{policy.reference}/actions/{slug}/", {**what_was_read(policy), **data})


def said(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def what_to_do_next(client, user, policy) -> str:
    client.force_login(user)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    start = page.index("What to do next")
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start:page.index("</div>\n</div>", start)])))


def text_of(client, user, url) -> str:
    client.force_login(user)
    page = client.get(url).content.decode()
    main = page[page.index('<main'):page.index("</main>")]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def test_a_no_change_review_waiting_on_pcu_is_the_next_step_not_a_new_review(client, policy_in, people):
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    with travel(datetime.date(2027, 3, 1)):  # the review is overdue
        monitoring_up_to_date(policy, people)
        assert post(client, people.lead, policy, "conclude-no-change", {"reason": "Still fit."}).status_code == 302
        response = post(client, people.dcfd, reload(policy), "confirm-eia", {"eia_outcome": "stands"})
        assert "Next: Re-publish unchanged, by the Policy Co-ordination Unit." in said(response), said(response)

        for reader in (people.pcu, people.coordinator, people.lead):
            next_part = what_to_do_next(client, reader, reload(policy))
            assert "The review is overdue" in next_part, reader
            assert "Start a review" not in next_part and "A review is started by" not in next_part, (reader, next_part)
        assert "Re-publish unchanged" in what_to_do_next(client, people.pcu, reload(policy))
        assert ("Next: Re-publish unchanged , by the Policy Co-ordination Unit"
                in what_to_do_next(client, people.coordinator, reload(policy)))


def test_after_moving_to_monitoring_the_monitoring_report_is_next_with_its_date(client, policy_in, people):
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.IMPLEMENTATION)
    with travel(datetime.date(2024, 3, 1)):
        response = post(client, people.coordinator, policy, "complete-implementation", {})
        assert response.status_code == 302
        message = said(response)
        assert ("Next: Write the annual monitoring report, by the policy's developers or manager, due 15 January 2025."
                in message), message
        assert "Start a review" not in message
        # The co-ordinator may start a review at any time (its button stays), but is told the report comes first.
        next_part = what_to_do_next(client, people.coordinator, reload(policy))
        assert ("Next on the policy: Write the annual monitoring report , by the policy's developers or manager, due "
                "15 January 2025") in next_part, next_part


def test_once_the_report_is_not_first_the_review_is_next_with_its_date(client, policy_in, people):
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    policy = reload(policy)
    policy.monitoring_report_due_on = datetime.date(2027, 6, 1)
    policy.save(update_fields=["monitoring_report_due_on"])
    with travel(datetime.date(2026, 3, 1)):
        next_part = what_to_do_next(client, people.pcu, reload(policy))
        assert ("Next: Start a review , by the policy's developers or manager, the co-ordinator or the Designated "
                "Lead, due 15 January 2027") in next_part, next_part


def test_the_start_review_page_says_what_a_review_opens_and_its_alternative(client, policy_in, people):
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.MONITORING)
    with travel(datetime.date(2026, 9, 1)):
        text = text_of(client, people.developer, f"/policies/{policy.reference}/actions/start-review/")
    assert "new major version" in text and "scoping" in text
    assert "Version 1.0 stays published and in force" in text, text
    assert ("If this is a policy review (rather than new policy), conduct some research to see whether there are any "
            "changes") in text
    assert "Conclude the review: no change needed" in text


def test_the_move_to_monitoring_page_says_what_it_does_and_when_the_report_falls_due(client, policy_in, people):
    with travel(PUBLISHED_ON):
        policy = policy_in(Status.IMPLEMENTATION)
    with travel(datetime.date(2024, 3, 1)):
        text = text_of(client, people.coordinator, f"/policies/{policy.reference}/actions/complete-implementation/")
    assert "implementation" in text.lower() and "complete" in text
    assert "annual monitoring report then falls due on 15 January 2025" in text, text
    assert "review falls due on 15 January 2027" in text, text
