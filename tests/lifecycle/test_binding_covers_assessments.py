"""Rule 17, decisions bound to what was read: the content hash a decision page carries covered the statement, SOPs,
details and health and safety section, but not the Equality Impact Assessment or the Corporate Policy Workbook, which
the page shows too. An EIA or Workbook changed after the page was opened went unnoticed: the developer's submission
for quality assurance, or the Lead's approval of a local work instruction, was taken for assessments nobody read
(found by the tenth session's review). While either document can still change, the page's hash covers it."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from assessments.services import eia_update, workbook_update
from core.models import AuditEvent
from lifecycle.states import Status
from tests.factories import fill_development, reload, what_was_read

pytestmark = pytest.mark.django_db


def post(client, user, policy, slug, read, **fields):
    client.force_login(user)
    response = client.post(f"/policies/{policy.reference}/actions/{slug}/", {**read, **fields})
    return response, " ".join(str(message) for message in get_messages(response.wsgi_request)) + \
        response.content.decode()


@pytest.mark.parametrize("document", ["eia", "workbook"])
def test_a_submission_is_refused_when_an_assessment_changed_after_the_page_was_opened(client, people, policy_in,
                                                                                     document):
    policy = policy_in(Status.DEVELOPMENT)
    fill_development(policy, people)
    policy = reload(policy)
    read = what_was_read(policy)
    # Another of its developers changes the document while the submit page is open.
    if document == "eia":
        eia_update(policy=policy, actor=people.developer, mitigation="Added after the submit page was opened.")
    else:
        workbook_update(policy=policy, actor=people.developer, consultation_summary="Rewritten after it was opened.")
    events = AuditEvent.objects.filter(policy_id=policy.pk).count()
    _, said = post(client, people.developer, reload(policy), "submit-for-qa", read)
    assert reload(policy).status == Status.DEVELOPMENT
    assert "has changed since you opened the page" in said
    assert AuditEvent.objects.filter(policy_id=policy.pk).count() == events
    # Read again, it is submitted.
    response, _ = post(client, people.developer, reload(policy), "submit-for-qa", what_was_read(policy))
    assert response.status_code == 302 and reload(policy).status == Status.SUBMITTED_FOR_QA


def test_a_frozen_version_keeps_its_hash(people, policy_in):
    """Once submitted the EIA and Workbook are frozen with it: the hash the pages carry is the one frozen, as before."""
    policy = policy_in(Status.SUBMITTED_FOR_QA)
    version = reload(policy).current_version
    assert version.read_hash == version.content_hash == version.binding_hash
