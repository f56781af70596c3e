"""An SOP's editor open in one tab while the SOP is removed from the draft in another: saving the editor answered the
generic "Page not found", and the text typed was lost (QA walk, t_sop_removed). The SOP is gone from the draft, so
nothing is saved; the person is told so in plain words, and what they typed is shown back to copy (409, the answer of
a draft's editor whose page has moved on: lifecycle.typed_back.refused). An SOP of another policy is still not
found (404), whatever is posted."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifecycle import services as s
from lifecycle.models import SOPVersion
from lifecycle.states import Status
from tests.factories import UserFactory, refused, reload

pytestmark = pytest.mark.django_db

TYPED_TITLE = "Edited in a tab opened before the SOP was removed"
TYPED_TEXT = "<p>Officers record every <strong>stop and search</strong> on the device.</p>"


@pytest.fixture
def draft(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Record it.</p>")
    return reload(policy), sop


def edit_url(policy, sop) -> str:
    return f"/policies/{policy.reference}/sops/{sop.pk}/edit/"


def posted_from(page: str) -> dict:
    revision = re.search(r'<input type="hidden" name="base_revision" value="(\d+)"', page)
    assert revision is not None
    return {"title": TYPED_TITLE, "text": TYPED_TEXT, "protective_marking": "official",
            "base_revision": revision.group(1)}


def remove_in_another_tab(client, policy, sop):
    page = client.get(f"/policies/{policy.reference}/sops/{sop.pk}/remove/").content.decode()
    revision = re.search(r'<input type="hidden" name="base_revision" value="(\d+)"', page).group(1)
    response = client.post(f"/policies/{policy.reference}/sops/{sop.pk}/remove/", {"base_revision": revision})
    assert response.status_code == 302


def test_saving_an_sop_removed_in_another_tab_says_so_and_shows_back_what_was_typed(client, draft, people):
    policy, sop = draft
    client.force_login(people.developer)
    opened = client.get(edit_url(policy, sop)).content.decode()
    remove_in_another_tab(client, policy, sop)
    response = client.post(edit_url(policy, sop), posted_from(opened))
    page = response.content.decode()
    assert response.status_code == 409
    summary = page.partition('class="govuk-error-summary"')[2].partition("</ul>")[0]
    assert "“Recording searches” was removed from draft version" in summary
    assert "by you at " in summary and "in another tab or window" in summary
    assert "Nothing was saved" in page
    assert TYPED_TITLE in page
    # Each text under its field's label (the title's field has none of its own: its name, as the form shows it).
    assert '<h3 class="govuk-heading-s">Title</h3>' in page and '<h3 class="govuk-heading-s">None</h3>' not in page
    assert "Officers record every <strong>stop and search</strong> on the device." in page
    assert not SOPVersion.objects.filter(sop=sop, policy_version=reload(policy).current_version).exists()
    assert sop.__class__.objects.get(pk=sop.pk).title == "Recording searches"


def test_the_service_refuses_the_same_in_plain_words(draft, people):
    """The race the page cannot see (removed between the page's read and the service's lock): the service's refusal,
    which the page shows the same way."""
    policy, sop = draft
    s.sop_remove_from_draft(sop=sop, actor=people.manager, base_revision=policy.current_version.draft_revision)
    with refused("not_found", "“Recording searches” was removed from draft version"):
        s.sop_update_draft(sop=sop, actor=people.developer, title=TYPED_TITLE, text=TYPED_TEXT)


def test_an_sop_of_another_policy_is_not_found(client, draft, policy_in, people):
    policy, _ = draft
    other = policy_in(Status.DEVELOPMENT)
    foreign = s.sop_create(policy=other, actor=people.developer, title="Someone else's SOP", text="<p>Theirs.</p>")
    client.force_login(people.developer)
    opened = client.get(edit_url(policy, draft[1])).content.decode()
    response = client.post(edit_url(policy, foreign), posted_from(opened))
    assert response.status_code == 404


def test_the_editor_and_its_refusal_cost_a_fixed_number_of_queries(client, draft, people):
    policy, sop = draft
    client.force_login(people.developer)
    with CaptureQueriesContext(connection) as editor:
        opened = client.get(edit_url(policy, sop)).content.decode()
    remove_in_another_tab(client, policy, sop)
    with CaptureQueriesContext(connection) as refusal:
        assert client.post(edit_url(policy, sop), posted_from(opened)).status_code == 409
    # The editor: the person, the policy and its page's frame, the SOP and its draft text. The refusal: the same
    # reads, with who removed the SOP (one query) in place of the form's.
    assert len(editor) == 9, [query["sql"] for query in editor]
    assert len(refusal) == 9, [query["sql"] for query in refusal]


# --- Opening (GET) the editor of an SOP removed from the draft: it answered the generic "Page not found". To those who
# may edit the draft it says what happened (404: the SOP can be put back, so its absence is not known to be permanent,
# which 410 would say; and a 404 tells an outsider nothing either way), who removed it and when, where the policy's
# SOPs are and how to restore it. Out of scope, the generic 404, the same as for an SOP that never existed.


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def test_opening_a_removed_sops_editor_says_who_removed_it_when_and_how_to_put_it_back(client, draft, people):
    policy, sop = draft
    s.sop_remove_from_draft(sop=sop, actor=people.manager, base_revision=reload(policy).current_version.draft_revision)
    client.force_login(people.developer)
    response = client.get(edit_url(policy, sop))
    assert response.status_code == 404
    said = text_of(response)
    assert "“Recording searches” is no longer in the draft" in said
    assert f"removed from draft version 1.0 by {people.manager.get_full_name()} on " in said
    page = response.content.decode()
    assert f'href="/policies/{policy.reference}/statement/"' in page
    assert f'href="/policies/{policy.reference}/versions/1.0/revisions/"' in page and "restore" in said.lower()
    assert "Page not found" not in said


def test_the_person_who_removed_it_is_told_it_was_them(client, draft, people):
    policy, sop = draft
    client.force_login(people.developer)
    remove_in_another_tab(client, policy, sop)
    said = text_of(client.get(edit_url(policy, sop)))
    assert "removed from draft version 1.0 by you on " in said


def test_out_of_scope_a_removed_sops_editor_is_the_generic_not_found(client, draft, people):
    policy, sop = draft
    s.sop_remove_from_draft(sop=sop, actor=people.manager, base_revision=reload(policy).current_version.draft_revision)
    client.force_login(people.developer2)  # a developer of another business group: the draft is out of their sight
    response = client.get(edit_url(policy, sop))
    unknown = client.get(f"/policies/{policy.reference}/sops/999999/edit/")
    assert response.status_code == unknown.status_code == 404
    assert "Recording searches" not in text_of(response) and "removed" not in text_of(response)
    assert text_of(response) == text_of(unknown)


def test_an_sop_of_another_policy_is_still_not_found_on_opening(client, draft, policy_in, people):
    policy, _ = draft
    other = policy_in(Status.DEVELOPMENT)
    foreign = s.sop_create(policy=other, actor=people.developer, title="Someone else's SOP", text="<p>Theirs.</p>")
    s.sop_remove_from_draft(sop=foreign, actor=people.developer,
                            base_revision=reload(other).current_version.draft_revision)
    client.force_login(people.developer)
    response = client.get(edit_url(policy, foreign))
    assert response.status_code == 404 and "Someone else" not in response.content.decode()


def test_the_removed_page_costs_what_the_editor_does(client, draft, people):
    policy, sop = draft
    client.force_login(people.developer)
    remove_in_another_tab(client, policy, sop)
    with CaptureQueriesContext(connection) as removed:
        assert client.get(edit_url(policy, sop)).status_code == 404
    # The editor's reads (9: the SOP's draft text found missing, the page's frame), and who removed it (one).
    assert len(removed) == 10, [query["sql"] for query in removed]


def test_an_official_sensitive_sops_title_is_not_said_to_an_editor_not_cleared_for_it(client, draft, people):
    """Someone granted the draft (no role on the business group: not cleared for OFFICIAL-SENSITIVE) is not shown such
    an SOP among the draft's SOPs; nor, once removed, its title here: the generic 404."""
    policy, _ = draft
    sensitive = s.sop_create(policy=reload(policy), actor=people.developer, title="Covert search tactics",
                             text="<p>Kept close.</p>", protective_marking="official_sensitive")
    s.sop_remove_from_draft(sop=sensitive, actor=people.manager,
                            base_revision=reload(policy).current_version.draft_revision)
    granted = UserFactory()
    s.policy_grant_access(policy=reload(policy), actor=people.manager, user=granted, permission="draft_policy")
    client.force_login(granted)
    assert client.get(f"/policies/{policy.reference}/statement/").status_code == 200
    response = client.get(edit_url(policy, sensitive))
    assert response.status_code == 404 and "Covert search tactics" not in response.content.decode()
    client.force_login(people.developer)
    assert "Covert search tactics" in client.get(edit_url(policy, sensitive)).content.decode()
