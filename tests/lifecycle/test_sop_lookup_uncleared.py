"""Security review (MEDIUM): a drafter not cleared for the policy's OFFICIAL-SENSITIVE material was told an
OFFICIAL-SENSITIVE SOP's title. A posted SOP edit found any SOP of the policy by its id, and one no longer in the draft
answered 409 naming it and who removed it; the ids could be enumerated. The SOP addresses (edit, remove) find an SOP
only among those the person may read, by the rule the statement page lists them with (``sop_versions_for``): anything
else is not found (404), and says nothing of it."""

from __future__ import annotations

import pytest

from lifecycle import services as s
from lifecycle.selectors import user_may_see_sensitive
from lifecycle.states import ProtectiveMarking, Status
from tests.factories import reload
from tests.library.helpers import staff

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Wombat covert handler list"
SECRET_TEXT = "Quokka informant tasking"
POSTED = {"title": "Renamed", "text": "<p>Typed.</p>", "protective_marking": "official"}


@pytest.fixture
def drafted(policy_in, people):
    """An OFFICIAL policy in development with an OFFICIAL-SENSITIVE SOP (in the draft) and another removed from it,
    and a member of staff given the drafting of it, not cleared for its OFFICIAL-SENSITIVE material."""
    policy = policy_in(Status.DEVELOPMENT)
    kept = s.sop_create(policy=policy, actor=people.developer, title=f"{SECRET_TITLE} kept",
                        text=f"<p>{SECRET_TEXT}.</p>", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    removed = s.sop_create(policy=reload(policy), actor=people.developer, title=SECRET_TITLE,
                           text=f"<p>{SECRET_TEXT}.</p>", protective_marking=ProtectiveMarking.OFFICIAL_SENSITIVE)
    s.sop_remove_from_draft(sop=removed, actor=people.developer,
                            base_revision=reload(policy).current_version.draft_revision)
    drafter = staff("granted", people.unit)
    s.policy_grant_access(policy=reload(policy), actor=people.coordinator, user=drafter, permission="draft_policy")
    policy = reload(policy)
    assert not user_may_see_sensitive(user=drafter, policy=policy)
    return policy, kept, removed, drafter


def answers(client, method: str, url: str, data=None) -> tuple[int, str]:
    response = client.post(url, data or {}) if method == "post" else client.get(url)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(("method", "action", "which"), [
    ("post", "edit", "removed"), ("post", "edit", "kept"), ("get", "edit", "kept"),
    ("get", "remove", "kept"), ("post", "remove", "kept"), ("post", "remove", "removed"),
])
def test_an_uncleared_drafter_is_not_told_of_an_official_sensitive_sop(client, drafted, method, action, which):
    policy, kept, removed, drafter = drafted
    sop = kept if which == "kept" else removed
    client.force_login(drafter)
    data = {**POSTED, "base_revision": policy.current_version.draft_revision}
    status, body = answers(client, method, f"/policies/{policy.reference}/sops/{sop.pk}/{action}/", data)
    assert status == 404
    assert SECRET_TITLE not in body and SECRET_TEXT not in body
    # Nothing changed: the SOP kept in the draft is still there as it was, the removed one still out of it.
    assert list(reload(policy).current_version.sop_versions.values_list("sop_id", flat=True)) == [kept.pk]
    kept.refresh_from_db()
    assert kept.title == f"{SECRET_TITLE} kept"


def test_an_unknown_id_answers_the_same(client, drafted):
    policy, _, removed, drafter = drafted
    client.force_login(drafter)
    gone = client.post(f"/policies/{policy.reference}/sops/{removed.pk}/edit/", POSTED)
    unknown = client.post(f"/policies/{policy.reference}/sops/{removed.pk + 1000}/edit/", POSTED)
    assert gone.status_code == unknown.status_code == 404


def test_those_cleared_are_still_told_the_sop_was_removed(client, drafted, people):
    policy, kept, removed, _ = drafted
    client.force_login(people.developer)
    response = client.post(f"/policies/{policy.reference}/sops/{removed.pk}/edit/",
                           {**POSTED, "base_revision": policy.current_version.draft_revision})
    assert response.status_code == 409
    assert f"“{SECRET_TITLE}” was removed from draft version" in response.content.decode()
    assert client.get(f"/policies/{policy.reference}/sops/{kept.pk}/edit/").status_code == 200
    assert client.get(f"/policies/{policy.reference}/sops/{kept.pk}/remove/").status_code == 200


def test_an_official_sop_is_still_edited_by_the_uncleared_drafter(client, drafted, people):
    policy, _, _, drafter = drafted
    official = s.sop_create(policy=policy, actor=people.developer, title="Recording searches",
                            text="<p>Record it.</p>")
    client.force_login(drafter)
    url = f"/policies/{policy.reference}/sops/{official.pk}/edit/"
    assert client.get(url).status_code == 200
    response = client.post(url, {**POSTED, "base_revision": reload(policy).current_version.draft_revision})
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.title == "Renamed"
