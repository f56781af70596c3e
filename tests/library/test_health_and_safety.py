"""The library left out the Policy Statement's health and safety section: staff reading a policy online never saw it,
though the statement page, the staff PDF and the public Scheme page all carry it (found by the thirteenth session's
Chromium walk). SOP, Policy Statement: it "must include ... Health and Safety" considerations."""

from __future__ import annotations

import pytest

from lifecycle import services as s
from lifecycle.models import Policy
from lifecycle.states import Status
from publication.services import policy_publish
from tests.factories import advance_to, fill_development, what_was_read
from tests.library.helpers import staff

pytestmark = pytest.mark.django_db


def test_the_library_shows_the_health_and_safety_statement_with_the_policy_statement(client, people):
    policy = advance_to(people.policy(title="Drones"), Status.DEVELOPMENT, people)
    fill_development(policy, people)
    draft = Policy.objects.get(pk=policy.pk).current_version
    s.draft_update(policy=policy, actor=people.developer, statement=draft.statement, health_and_safety="identified",
                   health_and_safety_statement="Pilots keep 50 metres from people not involved in the operation.")
    s.policy_submit_for_qa(policy=Policy.objects.get(pk=policy.pk), actor=people.developer)
    policy = advance_to(policy, Status.AWAITING_PUBLICATION, people)
    policy_publish(policy=policy, actor=people.pcu, on_intranet=True, in_notices=False, **what_was_read(policy))
    client.force_login(staff("reader", people.unit))
    page = client.get(f"/library/{policy.reference}/").content.decode()
    assert '<a class="govuk-link" href="#health-and-safety">Health and safety</a>' in page
    statement_at = page.index('id="statement"')
    section_at = page.index('id="health-and-safety"')
    assert statement_at < section_at
    assert "Pilots keep 50 metres from people not involved in the operation." in page[section_at:]
