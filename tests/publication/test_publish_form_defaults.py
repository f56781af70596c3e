"""The publish form left the public Publication Scheme unticked for a policy marked suitable for it, and nothing on the
Publication page adds it afterwards: a tester published one without it (found by the thirteenth session's Chromium
walk). SOP, stage 5: PCU publishes "on the MPS Publication Scheme" the policies suitable for it. The form now starts
with the Scheme ticked when the policy's details say it is suitable (and it is not OFFICIAL-SENSITIVE)."""

from __future__ import annotations

import pytest

from lifecycle.forms import PublishForm
from lifecycle.states import ProtectiveMarking, Status
from tests.factories import reload, take_step

pytestmark = pytest.mark.django_db


def test_the_scheme_is_ticked_at_first_for_a_policy_suitable_for_it(client, people, policy_in):
    suitable = policy_in(Status.AWAITING_PUBLICATION, suitable_for_publication_scheme=True)
    assert PublishForm(user=people.pcu, policy=suitable)["on_publication_scheme"].initial is True
    client.force_login(people.pcu)
    page = client.get(f"/policies/{suitable.reference}/actions/publish/").content.decode()
    assert 'name="on_publication_scheme" type="checkbox" checked' in page


def test_not_for_one_unsuitable_or_official_sensitive(people, policy_in):
    unsuitable = policy_in(Status.AWAITING_PUBLICATION, suitable_for_publication_scheme=False)
    assert not PublishForm(user=people.pcu, policy=unsuitable)["on_publication_scheme"].initial
    sensitive = policy_in(Status.AWAITING_PUBLICATION, suitable_for_publication_scheme=False,
                          protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    assert not PublishForm(user=people.pcu, policy=sensitive)["on_publication_scheme"].initial


@pytest.mark.parametrize("on_scheme", [True, False])
def test_a_review_is_told_when_the_version_in_force_is_on_the_scheme(people, policy_in, on_scheme):
    """The note that the version in force comes off the Scheme if the review's version is not put there reads the
    current publication by the one rule of being published there (lifecycle.states.SCHEME_PUBLICATION)."""
    policy = policy_in(Status.AWAITING_PUBLICATION, suitable_for_publication_scheme=True)
    take_step(policy, people, Status.IMPLEMENTATION, on_publication_scheme=on_scheme)
    note = "The version in force is on the Publication Scheme now"
    assert (note in PublishForm(user=people.pcu, policy=reload(policy))["on_publication_scheme"].help_text) is on_scheme
