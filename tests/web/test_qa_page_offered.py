"""A second member of PCU was offered the quality assurance page once PCU's sign-off was recorded by a colleague, and
its "Signing off for" choice had nothing in it; submitting it said only "This field is required" (found by the
eleventh session's walk, as ``publisher``). The page is offered to those with a discipline left to record."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from core.models import Role
from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import RoleAssignmentFactory, UserFactory, reload

pytestmark = pytest.mark.django_db


def test_a_colleague_is_not_offered_a_qa_page_with_nothing_to_record(client, people, policy_in):
    policy = policy_in(Status.SUBMITTED_FOR_QA)
    s.policy_record_qa_signoff(policy=policy, actor=people.pcu_qa, discipline="pcu")
    colleague = UserFactory(username="pcu_colleague")
    RoleAssignmentFactory(user=colleague, role=Role.PCU)
    client.force_login(colleague)
    overview = client.get(f"/policies/{policy.reference}/").content.decode()
    assert f'href="/policies/{policy.reference}/actions/quality-assurance/"' not in overview
    response = client.get(f"/policies/{policy.reference}/actions/quality-assurance/")
    assert response.status_code == 302
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "nothing is asked of you here" in said
    # DCFD, with their part still to record, are offered it.
    client.force_login(people.dcfd)
    assert client.get(f"/policies/{policy.reference}/actions/quality-assurance/").status_code == 200
    assert reload(policy).status == Status.SUBMITTED_FOR_QA
