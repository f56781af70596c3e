"""Rule 17, decisions bound to what was read: whether each SOP is published externally is frozen with its version
(SOPVersion.publish_externally, migration 0019), and decides what goes on the public Publication Scheme, but the
content hash did not cover it. A decision bound to a draft's hash did not notice the flag changing: the Lead asked for
emergency approval, an SOP's flag was flipped, and PCU's agreement froze the version with the flipped flag; a decision
page's stale check passed the same way. A version hashed from migration 0020 on covers each SOP's flag
(PolicyVersion.hash_covers_sop_flags); a version frozen before it hashes as it did."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages

from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.models import PolicyVersion, SOPVersion, StandardOperatingProcedure
from lifecycle.states import Status
from tests.factories import refused, reload, what_was_read

RISK = "Operational need: new legislation in force on Monday. I accept the risk of the missing EIA."


def _frozen_version(*, covers_flags: bool, publish_externally: bool) -> tuple[PolicyVersion, list[SOPVersion]]:
    """A submitted version and its SOP, in memory: fixed ids, so its hash is fixed."""
    version = PolicyVersion(policy_id=7, major=2, minor=0, statement="<p>Stop and search.</p>",
                            summary_of_changes="Reviewed.", details={"title": "Stop and search", "risk_tier": "medium"},
                            health_and_safety="none", submitted_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))
    version.hash_covers_sop_flags = covers_flags
    sop = StandardOperatingProcedure(pk=11, title="Recording searches")
    return version, [SOPVersion(sop=sop, text="<p>Record it.</p>", publish_externally=publish_externally)]


@pytest.mark.parametrize("publish_externally", [True, False])
def test_a_version_frozen_before_the_flags_were_hashed_hashes_as_it_did(publish_externally):
    # Pinned: the hash the code before migration 0020 computed for this version, flag or no flag.
    version, sop_versions = _frozen_version(covers_flags=False, publish_externally=publish_externally)
    assert version.compute_content_hash(sop_versions=sop_versions) == (
        "09dab31c3a3d8133864fa23e6b6bf5e5293f7d44cff3eb048429876b95a8021c")


def test_a_version_hashed_from_now_on_covers_each_sops_flag():
    hashes = {flag: PolicyVersion.compute_content_hash(*_frozen_version(covers_flags=True, publish_externally=flag))
              for flag in (True, False)}
    assert len(set(hashes.values())) == 2
    assert "09dab31c3a3d8133864fa23e6b6bf5e5293f7d44cff3eb048429876b95a8021c" not in hashes.values()


@pytest.mark.django_db
def test_a_new_version_is_frozen_with_a_hash_covering_the_flags(ready_to_submit, people):
    s.sop_create(policy=ready_to_submit, actor=people.developer, title="Recording searches",
                 text="<p>Record it.</p>", publish_externally=True)
    draft = reload(ready_to_submit).current_version
    assert draft.hash_covers_sop_flags is True
    policy = s.policy_submit_for_qa(policy=reload(ready_to_submit), actor=people.developer)
    version = PolicyVersion.objects.get(pk=reload(policy).current_version.pk)
    assert version.is_frozen and version.hash_covers_sop_flags is True
    assert version.compute_content_hash() == version.content_hash
    flipped = list(version.sop_versions.select_related("sop"))
    flipped[0].publish_externally = False
    assert version.compute_content_hash(sop_versions=flipped) != version.content_hash


@pytest.mark.django_db
def test_pcu_cannot_agree_to_an_emergency_approval_once_an_sops_flag_changed(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Stop and search under the new Act.</p>")
    sop = s.sop_create(policy=policy, actor=people.developer, title="Tactics", text="<p>How.</p>")
    s.policy_request_emergency_approval(policy=reload(policy), actor=people.lead, risk_statement=RISK)
    # The draft asked for is held; flipped all the same, outside the services, it is not what the Lead asked for.
    assert SOPVersion.objects.filter(sop=sop, policy_version=reload(policy).current_version).update(
        publish_externally=True) == 1
    with refused("stale", "has changed since the Lead asked"):
        s.policy_agree_emergency_approval(policy=reload(policy), actor=people.pcu)
    assert reload(policy).status == Status.DEVELOPMENT and not reload(policy).current_version.is_frozen


@pytest.mark.django_db
def test_a_decision_page_is_refused_once_an_sops_flag_changed_after_it_was_opened(client, ready_to_submit, people):
    sop = s.sop_create(policy=ready_to_submit, actor=people.developer, title="Recording searches",
                       text="<p>Record it.</p>")
    policy = reload(ready_to_submit)
    read = what_was_read(policy)
    # Another of its developers puts the SOP on the Publication Scheme while the submit page is open.
    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Record it.</p>", publish_externally=True)
    events = AuditEvent.objects.filter(policy_id=policy.pk).count()
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/actions/submit-for-qa/", read)
    said = " ".join(str(message) for message in get_messages(response.wsgi_request)) + response.content.decode()
    assert "has changed since you opened the page" in said
    assert reload(policy).status == Status.DEVELOPMENT
    assert AuditEvent.objects.filter(policy_id=policy.pk).count() == events
    with refused("stale", "has changed since you opened the page"):
        s.policy_submit_for_qa(policy=reload(policy), actor=people.developer, **read)
    s.policy_submit_for_qa(policy=reload(policy), actor=people.developer, **what_was_read(policy))
    assert reload(policy).status == Status.SUBMITTED_FOR_QA
