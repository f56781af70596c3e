"""The retrospective EIA's sign-off page (/policies/<ref>/eia/sign-off/) is offered only to those the service would
let sign off: DCFD, on a policy approved by the emergency route whose EIA is still to be signed off, and not to
someone barred by their part in the version. Before, every reader of the policy got a live form (officer,
dor.developer, so.lead on policies never emergency-approved); posting it was refused and the comment lost (QA10 item
7). Now the page refuses as the post does, with the service's reason, without a form; out of sight is 404."""

from __future__ import annotations

import re

import pytest

from assessments.services import eia_complete_retrospective, eia_update
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.states import Status
from tests.factories import ALL_IMPACTS, advance_to, refused, reload

pytestmark = pytest.mark.django_db

FORM = 'id="main-form"'


def _emergency_approved(people):
    policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Stop and search under the new Act.</p>")
    s.policy_request_emergency_approval(policy=policy, actor=people.lead, risk_statement="Operational need.")
    s.policy_agree_emergency_approval(policy=policy, actor=people.pcu)
    eia_update(policy=policy, actor=people.developer, aims="Lawful, fair searches.", impacts=ALL_IMPACTS,
               decision="no_major_change")
    return reload(policy)


def _refused(client, person, policy, *, said: str):
    client.force_login(person)
    url = f"/policies/{policy.reference}/eia/sign-off/"
    for method in ("get", "post"):
        response = getattr(client, method)(url, {"comments": "Satisfactory."} if method == "post" else None)
        assert response.status_code == 302, response.status_code
        assert response["Location"] == f"/policies/{policy.reference}/eia/"
        page = client.get(response["Location"]).content.decode()
        banners = re.findall(r'notification-banner__heading">(.*?)</p>', page)
        assert [said in banner for banner in banners] == [True], banners


def test_the_page_is_refused_to_who_is_not_dcfd(client, people):
    policy = _emergency_approved(people)
    _refused(client, people.lead, policy,
             said="Only the Diversity and Citizen Focus Directorate can sign off the ")
    assert reload(policy).not_impact_assessed is True


def test_the_page_is_refused_on_a_policy_never_approved_by_the_emergency_route(client, people):
    policy = advance_to(people.policy(), Status.IMPLEMENTATION, people)
    _refused(client, people.dcfd, policy, said=f"{policy.reference} is not awaiting a retrospective ")
    _refused(client, people.developer, policy,
             said="Only the Diversity and Citizen Focus Directorate can sign off the ")


def test_the_page_is_refused_once_dcfd_has_signed_it_off(client, people):
    policy = _emergency_approved(people)
    eia_complete_retrospective(policy=policy, actor=people.dcfd)
    # Still "not impact assessed" (PCU's and DOI's parts are outstanding), but nothing more is DCFD's to sign.
    assert reload(policy).not_impact_assessed is True
    _refused(client, people.dcfd, policy, said=f"of {policy.reference} is already signed off: nothing more is asked")
    events = AuditEvent.objects.count()
    with refused("stale", "already signed off"):
        eia_complete_retrospective(policy=policy, actor=people.dcfd)
    assert AuditEvent.objects.count() == events


def test_dcfd_gets_the_form_while_the_eia_waits_for_them(client, people):
    policy = _emergency_approved(people)
    client.force_login(people.dcfd)
    response = client.get(f"/policies/{policy.reference}/eia/sign-off/")
    assert response.status_code == 200 and FORM in response.content.decode()


def test_a_policy_out_of_sight_is_not_found(client, people):
    policy = advance_to(people.policy(), Status.DEVELOPMENT, people)
    client.force_login(people.developer2)
    assert client.get(f"/policies/{policy.reference}/eia/sign-off/").status_code == 404
