"""Removing an SOP from the working draft (a user walk: a developer could not take out an SOP added by mistake).

SOP, "Role of Policy Developers": "Retain an audit trail of all versions of policy statements and SOPs ... Copies of
document versions, including any interim amendments, must be retained". Removing an SOP takes it out of the working
draft only: a submitted version that holds it keeps it (its text, title and hash), the draft's own revisions keep the
text it had, and the removal is audited and can be undone by restoring that revision."""

from __future__ import annotations

import pytest

from core.events import AuditAction
from core.models import AuditEvent
from lifecycle import compare
from lifecycle import services as s
from lifecycle.models import DraftDocument, DraftRevision, SOPVersion, StandardOperatingProcedure
from lifecycle.states import Status
from tests.factories import advance_to, refused, reload

pytestmark = pytest.mark.django_db


def _in_draft(policy) -> set[str]:
    version = reload(policy).current_version
    return {sop_version.sop.title for sop_version in version.sop_versions.select_related("sop")}


def _draft_revision(policy) -> int:
    return reload(policy).current_version.draft_revision


def _returned_with_sop(policy_in, people):
    """A policy whose version 1.0 (with the SOP "Recording searches") was submitted and returned by PCU: work goes on
    in draft 1.1, which carried the SOP forward."""
    policy = policy_in(Status.DEVELOPMENT)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Record it.</p>")
    policy = advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    s.policy_return_from_qa(policy=reload(policy), actor=people.pcu_qa, discipline="pcu",
                            comments="Drop the recording SOP: it is covered elsewhere.")
    return reload(policy), sop


def _remove_url(policy, sop) -> str:
    return f"/policies/{policy.reference}/sops/{sop.pk}/remove/"


# --- through the service ----------------------------------------------------------------------------------


def test_an_sop_added_by_mistake_leaves_the_draft_and_its_text_is_kept(policy_in, people):
    policy = policy_in(Status.SCOPING)
    keep = s.sop_create(policy=policy, actor=people.developer, title="Stopping vehicles", text="<p>Stop.</p>")
    mistake = s.sop_create(policy=policy, actor=people.developer, title="Wrong SOP", text="<p>Oops.</p>")
    base = _draft_revision(policy)

    version = s.sop_remove_from_draft(sop=mistake, actor=people.developer, base_revision=base)

    assert _in_draft(policy) == {keep.title}
    assert version.draft_revision == base + 1
    # The SOP itself and the revision its text was saved in stay (evidence of the interim amendment).
    assert StandardOperatingProcedure.objects.filter(pk=mistake.pk).exists()
    kept = DraftRevision.objects.filter(policy_version=version, document=DraftDocument.SOP, sop=mistake).last()
    assert kept.content == {"title": "Wrong SOP", "text": "<p>Oops.</p>"}
    event = AuditEvent.objects.filter(action=AuditAction.SOP_REMOVED_FROM_DRAFT).get()
    assert event.actor == people.developer and event.policy_id == policy.pk and event.object_id == str(mistake.pk)
    assert event.changes["title"] == "Wrong SOP"
    assert event.changes["version"] == version.number
    assert event.changes["revision"] == kept.sequence
    assert event.changes["kept_in_submitted_versions"] == []


def test_a_submitted_version_keeps_the_sop_removed_from_the_next_draft(policy_in, people):
    policy, sop = _returned_with_sop(policy_in, people)
    submitted = policy.versions.get(major=1, minor=0)
    assert _in_draft(policy) == {"Recording searches"}

    s.sop_remove_from_draft(sop=sop, actor=people.developer, base_revision=_draft_revision(policy))

    assert _in_draft(policy) == set()
    submitted.refresh_from_db()
    assert submitted.sop_versions.get().text == "<p>Record it.</p>"
    assert submitted.compute_content_hash() == submitted.content_hash
    event = AuditEvent.objects.filter(action=AuditAction.SOP_REMOVED_FROM_DRAFT).get()
    assert event.changes["kept_in_submitted_versions"] == ["1.0"]
    # The draft's revisions hold the text it carried forward, so it can be put back from there.
    draft = reload(policy).current_version
    assert DraftRevision.objects.filter(policy_version=draft, sop=sop).last().content["text"] == "<p>Record it.</p>"
    # The compare page says the SOP is in 1.0 and not in 1.1.
    documents = compare.document_changes(user=people.developer, base=submitted, target=draft)
    assert [(document.title, document.note) for document in documents if "Recording" in document.title] == [
        ("Standard Operating Procedure: Recording searches", "removed")]


def test_a_removal_from_a_stale_page_or_twice_is_refused_and_nothing_changes(policy_in, people):
    policy = policy_in(Status.SCOPING)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Record it.</p>")
    stale = _draft_revision(policy)
    s.sop_update_draft(sop=sop, actor=people.manager, text="<p>Record it at once.</p>", base_revision=stale)

    with refused("conflict", "changed since you opened", "Nothing was removed"):
        s.sop_remove_from_draft(sop=sop, actor=people.developer, base_revision=stale)
    assert _in_draft(policy) == {"Recording searches"}

    fresh = _draft_revision(policy)
    s.sop_remove_from_draft(sop=sop, actor=people.developer, base_revision=fresh)
    events = AuditEvent.objects.filter(action=AuditAction.SOP_REMOVED_FROM_DRAFT).count()
    with refused("not_found", "already been removed"):
        s.sop_remove_from_draft(sop=sop, actor=people.developer, base_revision=fresh)
    assert AuditEvent.objects.filter(action=AuditAction.SOP_REMOVED_FROM_DRAFT).count() == events


def test_only_those_who_may_draft_remove_and_only_while_it_is_drafted(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Record it.</p>")
    for outsider in (people.coordinator, people.lead, people.developer2, people.pcu):
        with refused("forbidden"):
            s.sop_remove_from_draft(sop=sop, actor=outsider, base_revision=_draft_revision(policy))
    # The policy's manager may draft, as its developers may.
    s.sop_remove_from_draft(sop=sop, actor=people.manager, base_revision=_draft_revision(policy))
    assert _in_draft(policy) == set()

    submitted = policy_in(Status.DEVELOPMENT)
    frozen_sop = s.sop_create(policy=submitted, actor=people.developer, title="Deployment", text="<p>Go.</p>")
    submitted = advance_to(submitted, Status.SUBMITTED_FOR_QA, people)
    with refused("frozen"):
        s.sop_remove_from_draft(sop=frozen_sop, actor=people.developer, base_revision=None)
    assert reload(submitted).current_version.sop_versions.filter(sop=frozen_sop).exists()


def test_an_sop_out_of_the_draft_is_not_edited_but_a_restore_puts_it_back(policy_in, people):
    policy = policy_in(Status.SCOPING)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Record it.</p>")
    s.sop_remove_from_draft(sop=sop, actor=people.developer, base_revision=_draft_revision(policy))

    with refused("not_found", "was removed from draft version"):
        s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Edited.</p>",
                           base_revision=_draft_revision(policy))
    assert _in_draft(policy) == set()

    draft = reload(policy).current_version
    revision = DraftRevision.objects.filter(policy_version=draft, sop=sop).last()
    s.draft_revision_restore(policy=reload(policy), actor=people.developer, revision=revision,
                             base_revision=draft.draft_revision)
    assert _in_draft(policy) == {"Recording searches"}
    assert SOPVersion.objects.get(sop=sop, policy_version=draft).text == "<p>Record it.</p>"
    put_back = AuditEvent.objects.filter(action=AuditAction.SOP_DRAFT_SAVED).last()
    assert put_back.changes["put_back_in_draft"] is True


# --- over HTTP --------------------------------------------------------------------------------------------


def test_the_confirmation_page_shows_what_goes_and_the_post_removes_it(client, policy_in, people):
    policy, sop = _returned_with_sop(policy_in, people)
    client.force_login(people.developer)

    statement = client.get(f"/policies/{policy.reference}/statement/").content.decode()
    assert _remove_url(policy, sop) in statement

    page = client.get(_remove_url(policy, sop))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Remove this" in html and "Recording searches" in html and "<p>Record it.</p>" in html
    assert "version 1.0" in html  # the submitted version that keeps it
    assert f'name="base_revision" value="{_draft_revision(policy)}"' in html
    assert _in_draft(policy) == {"Recording searches"}  # GET changes nothing

    answer = client.post(_remove_url(policy, sop), {"base_revision": _draft_revision(policy)})
    assert answer.status_code == 302 and answer["Location"] == f"/policies/{policy.reference}/statement/"
    assert _in_draft(policy) == set()
    followed = client.get(answer["Location"]).content.decode()
    assert "removed from draft version 1.1" in followed
    assert _remove_url(policy, sop) not in followed

    timeline = client.get(f"/policies/{policy.reference}/timeline/").content.decode()
    assert "Standard Operating Procedure removed from the draft" in timeline
    assert "Kept in submitted versions" in timeline


def test_a_stale_or_repeated_confirmation_is_refused_politely(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Record it.</p>")
    stale = _draft_revision(policy)
    s.draft_update(policy=policy, actor=people.manager, statement="<p>A colleague's edit.</p>")
    client.force_login(people.developer)

    answer = client.post(_remove_url(policy, sop), {"base_revision": stale})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Nothing was removed" in html
    # Offered again, bound to the draft as it is now: confirming again is a knowing choice.
    assert f'name="base_revision" value="{_draft_revision(policy)}"' in html
    assert _in_draft(policy) == {"Recording searches"}

    fresh = _draft_revision(policy)
    assert client.post(_remove_url(policy, sop), {"base_revision": fresh}).status_code == 302
    again = client.post(_remove_url(policy, sop), {"base_revision": fresh})
    assert again.status_code == 302
    assert "already been removed" in client.get(again["Location"]).content.decode()


def test_out_of_scope_and_out_of_draft_sops_answer_404(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    other = policy_in(Status.SCOPING)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Record it.</p>")
    client.force_login(people.developer)

    assert client.get(f"/policies/{other.reference}/sops/{sop.pk}/remove/").status_code == 404
    assert client.get(f"/policies/{policy.reference}/sops/999999/remove/").status_code == 404
    s.sop_remove_from_draft(sop=sop, actor=people.developer, base_revision=_draft_revision(policy))
    assert client.get(_remove_url(policy, sop)).status_code == 404
    assert client.get(f"/policies/{policy.reference}/sops/{sop.pk}/edit/").status_code == 404

    client.force_login(people.developer2)  # another business group: the draft is out of their sight
    assert client.get(_remove_url(policy, sop)).status_code == 404


def test_those_who_may_not_draft_are_told_why(client, policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Record it.</p>")
    client.force_login(people.coordinator)

    statement = client.get(f"/policies/{policy.reference}/statement/").content.decode()
    assert _remove_url(policy, sop) not in statement
    answer = client.get(_remove_url(policy, sop))
    assert answer.status_code == 302 and answer["Location"] == f"/policies/{policy.reference}/statement/"
    posted = client.post(_remove_url(policy, sop), {"base_revision": _draft_revision(policy)})
    assert posted.status_code == 409 and "Nothing was removed" in posted.content.decode()
    assert _in_draft(policy) == {"Recording searches"}
