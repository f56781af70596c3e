"""A draft package holds at most MAX_SOPS_PER_DRAFT SOPs, a stated limit (STYLE rule 19) with the procedure's reason
(SOP: SOPs "describe different or distinct processes" and are "proportionate"): with no limit, one draft could hold
any number of 500,000-character SOPs, and one request for its PDF held a web worker for a minute (integrity review
of 2026-12-06, HIGH 1). Adding one more, on the page or through the service, or putting a removed one back, is
refused in plain words; the refused form keeps what was typed."""

from __future__ import annotations

import re

import pytest

from core.exceptions import ApplicationError
from lifecycle import services as s
from lifecycle.models import DraftRevision, SOPVersion
from lifecycle.states import Status
from tests.factories import reload

pytestmark = pytest.mark.django_db

LIMIT = s.MAX_SOPS_PER_DRAFT


def fill(policy, people, count: int):
    return [s.sop_create(policy=policy, actor=people.developer, title=f"Procedure {number}",
                         text=f"<p>Step {number}.</p>") for number in range(count)]


def test_the_limit_is_thirty(people):
    assert LIMIT == 30


def test_the_service_refuses_one_more_than_the_limit(people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    fill(policy, people, LIMIT)
    with pytest.raises(ApplicationError) as refused:
        s.sop_create(policy=policy, actor=people.developer, title="One too many", text="<p>More.</p>")
    assert refused.value.code == "too_many"
    assert f"already has {LIMIT} SOPs" in refused.value.message and "distinct processes" in refused.value.message
    assert SOPVersion.objects.filter(policy_version=reload(policy).current_version).count() == LIMIT


def test_a_removed_sop_makes_room(people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    sops = fill(policy, people, LIMIT)
    s.sop_remove_from_draft(sop=sops[0], actor=people.developer,
                            base_revision=reload(policy).current_version.draft_revision)
    s.sop_create(policy=policy, actor=people.developer, title="In its place", text="<p>Now.</p>")
    assert SOPVersion.objects.filter(policy_version=reload(policy).current_version).count() == LIMIT


def test_putting_a_removed_sop_back_into_a_full_draft_is_refused(people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    sops = fill(policy, people, LIMIT)
    s.sop_remove_from_draft(sop=sops[0], actor=people.developer,
                            base_revision=reload(policy).current_version.draft_revision)
    s.sop_create(policy=policy, actor=people.developer, title="In its place", text="<p>Now.</p>")
    revision = DraftRevision.objects.filter(sop=sops[0]).order_by("sequence").last()
    with pytest.raises(ApplicationError) as refused:
        s.sop_update_draft(sop=sops[0], actor=people.developer, text="<p>Step 0.</p>", restored_from=revision)
    assert refused.value.code == "too_many"
    assert not SOPVersion.objects.filter(sop=sops[0], policy_version=reload(policy).current_version).exists()


def test_the_page_states_the_limit_and_keeps_what_was_typed_when_refused(client, people, policy_in):
    policy = policy_in(Status.DEVELOPMENT)
    fill(policy, people, LIMIT)
    client.force_login(people.developer)
    page = client.get(f"/policies/{policy.reference}/sops/new/").content.decode()
    assert f"a draft holds up to {LIMIT} of them" in page
    token = re.search(r'name="submission" value="([^"]*)"', page)
    response = client.post(f"/policies/{policy.reference}/sops/new/", {
        "title": "Searching vehicles", "text": "<p>Officers search vehicles with care.</p>",
        "protective_marking": "official", "submission": token.group(1) if token else ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert f"already has {LIMIT} SOPs" in re.sub(r"<[^>]+>", "", body)
    assert 'value="Searching vehicles"' in body and "Officers search vehicles with care." in body
