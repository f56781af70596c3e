"""The "Re-publish unchanged" form (publisher, /policies/POL-0002/actions/republish/, an OFFICIAL-SENSITIVE policy)
showed two loose checkboxes with no question, and offered the Publication Scheme to an OFFICIAL-SENSITIVE policy,
which the server then refused (QA walk of 2026-12-06). Its channels are one question now, as the publish form's are
(a fieldset and its legend), and the Scheme is offered only where the policy may go (the rule publication.services
refuses by: lifecycle.details.kept_off_the_scheme), the hint saying why when it is not."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from lifecycle.states import Status
from publication.models import Publication
from tests.clock import travel
from tests.factories import advance_to, monitoring_up_to_date, reload, take_step, what_was_read

pytestmark = pytest.mark.django_db

PUBLISHED_ON = datetime.date(2024, 1, 15)  # the review is due on 15 January 2027
REVIEWED_ON = datetime.date(2026, 8, 3)  # within 6 months of it


def post(client, user, policy, slug, data):
    client.force_login(user)
    return client.post(f"/policies/{policy.reference}/actions/{slug}/", {**what_was_read(policy), **data})


def ready_to_republish(client, people, policy):
    """``policy`` (published on PUBLISHED_ON) with its review concluded no change and its EIA confirmed."""
    monitoring_up_to_date(policy, people)
    assert post(client, people.lead, policy, "conclude-no-change", {"reason": "Still fit."}).status_code == 302
    assert post(client, people.dcfd, reload(policy), "confirm-eia", {"eia_outcome": "stands"}).status_code == 302
    return reload(policy)


def the_question(page: str) -> str:
    """The fieldset of the channels' question, its legend and hint, as text with the inputs' names."""
    found = re.search(r'<fieldset class="govuk-fieldset" aria-describedby="checkbox-question-hint">(.*?)</fieldset>',
                      page, re.DOTALL)
    assert found, "the channels are one question, in a fieldset"
    return found.group(1)


def test_an_official_sensitive_policy_is_asked_where_and_not_offered_the_scheme(client, people):
    """QA walk of 2026-12-06: POL-0002, OFFICIAL-SENSITIVE."""
    with travel(PUBLISHED_ON):
        policy = advance_to(people.policy(protective_marking="official_sensitive",
                                          suitable_for_publication_scheme=False), Status.MONITORING, people)
    with travel(REVIEWED_ON):
        policy = ready_to_republish(client, people, policy)
        client.force_login(people.pcu)
        page = unescape(client.get(f"/policies/{policy.reference}/actions/republish/").content.decode())
        question = the_question(page)
        assert "<legend" in question and "Where should it be re-published?" in question
        assert 'name="on_intranet"' in question
        assert 'name="on_publication_scheme"' not in page, "the Scheme is not offered"
        assert ("Publication Scheme is not offered: an OFFICIAL-SENSITIVE policy cannot go on the public "
                "Publication Scheme.") in re.sub(r"<[^>]+>", "", question)
        response = post(client, people.pcu, policy, "republish", {"on_intranet": "on"})
        assert response.status_code == 302
    republication = Publication.objects.get(policy=policy, republication=1)
    assert (republication.on_intranet, republication.in_notices, republication.on_publication_scheme) == (
        True, True, False)


def test_a_policy_suitable_for_the_scheme_is_offered_both_under_one_question(client, people):
    """QA walk of 2026-12-06: the question is asked wherever the form is shown, both channels under it."""
    with travel(PUBLISHED_ON):
        policy = advance_to(people.policy(suitable_for_publication_scheme=True), Status.AWAITING_PUBLICATION, people)
        take_step(policy, people, Status.IMPLEMENTATION, on_publication_scheme=True)
        take_step(reload(policy), people, Status.MONITORING)
    with travel(REVIEWED_ON):
        policy = ready_to_republish(client, people, policy)
        client.force_login(people.pcu)
        page = unescape(client.get(f"/policies/{policy.reference}/actions/republish/").content.decode())
        question = the_question(page)
        assert "Where should it be re-published?" in question and "Choose at least one" in question
        assert 'name="on_intranet"' in question and 'name="on_publication_scheme"' in question
        response = post(client, people.pcu, policy, "republish", {})
        assert response.status_code == 400
        assert "Choose where the policy is re-published" in unescape(response.content.decode())
