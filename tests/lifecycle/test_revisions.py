"""Every interim draft kept (issue 12). SOP, "Role of Policy Developers": "Copies of document versions, including
any interim amendments, must be retained". Each save of the statement, an SOP, the EIA or the Workbook is an
immutable revision (who, when, content hash); revisions are compared with the redline and can be restored."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from assessments.services import eia_update, workbook_update
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.models import DraftDocument, DraftRevision, PolicyVersion
from lifecycle.states import Status
from tests.factories import UserFactory, advance_to, refused, reload

pytestmark = pytest.mark.django_db

DATABASE_REFUSES = (IntegrityError, InternalError)
# The revisions page's query count (listing, comparing), whatever the number of revisions. Raise only with a reason.
# Issue 16: two fewer, the person's roles and unread count loaded with them (workspace.backends).
# (A merge had raised it by one: the edit permission, asked before the page's context, read the newest version
# alone, and the context read it again with the version in force. The permission is now the context's.)
PINNED_REVISIONS_PAGE = (9, 10)


def _revisions(policy) -> list[DraftRevision]:
    return list(DraftRevision.objects.filter(policy_version=reload(policy).current_version).order_by("sequence"))


def _sha256(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode("utf-8")).hexdigest()


# --- written by every save ---------------------------------------------------------------------------------


def test_each_kind_of_save_keeps_one_revision(policy_in, people):
    policy = policy_in(Status.SCOPING)
    before = len(_revisions(policy))

    s.draft_update(policy=policy, actor=people.developer, statement="<p>Officers act lawfully.</p>",
                   summary_of_changes="First draft.")
    sop = s.sop_create(policy=policy, actor=people.developer, title="Recording searches", text="<p>Record it.</p>")
    s.sop_update_draft(sop=sop, actor=people.manager, text="<p>Record it at once.</p>", title="Recording searches")
    eia_update(policy=policy, actor=people.developer, aims="Fair treatment.")
    workbook_update(policy=policy, actor=people.developer, need="Inconsistent practice.")

    revisions = _revisions(policy)[before:]
    assert [(r.document, r.saved_by) for r in revisions] == [
        (DraftDocument.STATEMENT, people.developer), (DraftDocument.SOP, people.developer),
        (DraftDocument.SOP, people.manager), (DraftDocument.EIA, people.developer),
        (DraftDocument.WORKBOOK, people.developer),
    ]
    sequences = [revision.sequence for revision in revisions]
    assert sequences == list(range(sequences[0], sequences[0] + 5))
    statement, _, sop_saved, eia, workbook = revisions
    # Issue 13: the health and safety section is part of the statement's document.
    assert statement.content == {"statement": "<p>Officers act lawfully.</p>", "summary_of_changes": "First draft.",
                                 "health_and_safety": "", "health_and_safety_statement": ""}
    assert sop_saved.sop == sop and sop_saved.content == {"title": "Recording searches",
                                                          "text": "<p>Record it at once.</p>"}
    assert eia.content["aims"] == "Fair treatment." and set(eia.content) >= {"impacts", "decision"}
    assert workbook.content["need"] == "Inconsistent practice."
    for revision in revisions:
        assert revision.content_hash == _sha256(revision.content)
        assert not revision.starting_point and revision.saved_at is not None
    # The audit event of each save names its revision.
    saved = AuditEvent.objects.filter(action="policy.draft_saved", policy_id=policy.pk).order_by("-sequence").first()
    assert saved.changes["revision"] == statement.sequence


def test_an_identical_save_keeps_no_new_revision(policy_in, people):
    policy = policy_in(Status.SCOPING)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Same words.</p>")
    count = len(_revisions(policy))

    s.draft_update(policy=policy, actor=people.manager, statement="<p>Same words.</p>")
    eia_update(policy=policy, actor=people.developer, aims="Aims.")
    eia_update(policy=policy, actor=people.developer, aims="Aims.")
    assert len(_revisions(policy)) == count + 1
    # And below the services: the same content as the document's latest revision is not kept twice.
    version = reload(policy).current_version
    with transaction.atomic():
        assert s.revision_record(version=version, document=DraftDocument.STATEMENT, actor=people.manager,
                                 content={"statement": "<p>Same words.</p>", "summary_of_changes": "",
                                          "health_and_safety": "", "health_and_safety_statement": ""}) is None
    assert len(_revisions(policy)) == count + 1


def test_the_first_recorded_save_keeps_the_starting_point(policy_in, people):
    """A draft written before revisions were kept: its content as it stood is kept before the first save."""
    policy = policy_in(Status.SCOPING)
    version = reload(policy).current_version
    assert not DraftRevision.objects.filter(policy_version=version).exists()
    PolicyVersion.objects.filter(pk=version.pk).update(statement="<p>Written before revisions were kept.</p>")

    s.draft_update(policy=policy, actor=people.developer, statement="<p>The new text.</p>")

    start, saved = _revisions(policy)
    assert start.starting_point and start.saved_by is None
    assert start.content["statement"] == "<p>Written before revisions were kept.</p>"
    assert (saved.sequence, saved.saved_by, saved.content["statement"]) == (start.sequence + 1, people.developer,
                                                                            "<p>The new text.</p>")


def test_an_empty_draft_has_no_starting_point(policy_in, people):
    policy = policy_in(Status.SCOPING)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>First words.</p>")
    assert [revision.starting_point for revision in _revisions(policy)] == [False]


def test_a_refused_save_keeps_no_revision(policy_in, people):
    policy = policy_in(Status.SCOPING)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>One.</p>")
    count = len(_revisions(policy))
    with refused("conflict"):
        s.draft_update(policy=policy, actor=people.developer, statement="<p>Two.</p>", base_revision=0)
    assert len(_revisions(policy)) == count


# --- immutable in the database -------------------------------------------------------------------------------


def test_the_database_refuses_to_update_or_delete_a_revision(policy_in, people):
    policy = policy_in(Status.SCOPING)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Kept.</p>")
    revision = _revisions(policy)[-1]
    with pytest.raises(DATABASE_REFUSES, match="refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE lifecycle_draftrevision SET content = '{\"statement\": \"forged\"}' WHERE id = %s",
                       [revision.pk])
    with pytest.raises(DATABASE_REFUSES, match="refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM lifecycle_draftrevision WHERE id = %s", [revision.pk])
    revision.refresh_from_db()
    assert revision.content["statement"] == "<p>Kept.</p>"


# --- restore ----------------------------------------------------------------------------------------------------


def test_restoring_a_revision_makes_a_new_one_and_is_audited(policy_in, people):
    policy = policy_in(Status.SCOPING)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Original.</p>", summary_of_changes="A")
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Rewritten.</p>", summary_of_changes="B")
    original, rewritten = _revisions(policy)[-2:]

    restored = s.draft_revision_restore(policy=policy, actor=people.manager, revision=original)

    assert restored.sequence == rewritten.sequence + 1 and restored.restored_from == original
    assert restored.content == original.content and restored.content_hash == original.content_hash
    assert restored.saved_by == people.manager
    version = reload(policy).current_version
    assert (version.statement, version.summary_of_changes) == ("<p>Original.</p>", "A")
    event = AuditEvent.objects.filter(action="policy.draft_saved", policy_id=policy.pk).order_by("-sequence").first()
    assert event.actor_id == people.manager.pk
    assert event.changes["restored_from"] == {"version": version.number, "revision": original.sequence}
    assert event.changes["revision"] == restored.sequence
    # Restoring what the draft already holds changes nothing.
    assert s.draft_revision_restore(policy=policy, actor=people.manager, revision=original) is None


def test_restoring_an_sop_revision(policy_in, people):
    policy = policy_in(Status.SCOPING)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Searches", text="<p>First.</p>")
    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Second.</p>", title="Searches of people")
    first = _revisions(policy)[-2]
    restored = s.draft_revision_restore(policy=policy, actor=people.developer, revision=first)
    assert restored.content == {"title": "Searches", "text": "<p>First.</p>"} and restored.sop == sop
    sop.refresh_from_db()
    assert sop.title == "Searches"


def test_restoring_is_refused_once_the_draft_is_frozen(policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Earlier words.</p>")
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Officers will act lawfully.</p>")
    earlier = _revisions(policy)[-2]
    policy = advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    count, events = DraftRevision.objects.count(), AuditEvent.objects.count()
    with refused("frozen"):
        s.draft_revision_restore(policy=policy, actor=people.developer, revision=earlier)
    assert (DraftRevision.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_a_revision_of_another_policy_is_not_restored(policy_in, people):
    one, other = policy_in(Status.SCOPING), policy_in(Status.SCOPING)
    s.draft_update(policy=other, actor=people.developer, statement="<p>Elsewhere.</p>")
    with refused("not_found"):
        s.draft_revision_restore(policy=one, actor=people.developer, revision=_revisions(other)[-1])


# --- the page -------------------------------------------------------------------------------------------------------


def _page(policy) -> str:
    version = reload(policy).current_version
    return f"/policies/{policy.reference}/versions/{version.number}/revisions/"


def test_the_developer_sees_the_revisions_and_compares_two(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Officers act quickly.</p>")
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Officers act lawfully.</p>")
    first, second = _revisions(policy)[-2:]
    client.force_login(people.developer)

    response = client.get(_page(policy))
    assert response.status_code == 200
    body = response.content.decode()
    assert people.developer.get_full_name() in body and second.content_hash[:12] in body
    assert "Policy Statement" in body

    response = client.get(_page(policy), {"from": first.sequence, "to": second.sequence})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<del class="app-redline__del"><span class="govuk-visually-hidden">removed: </span>quickly' in body
    assert '<ins class="app-redline__ins"><span class="govuk-visually-hidden">added: </span>lawfully' in body


def test_comparing_two_documents_or_nonsense_is_a_clear_message(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Words.</p>")
    eia_update(policy=policy, actor=people.developer, aims="Aims.")
    statement, eia = _revisions(policy)[-2:]
    client.force_login(people.developer)
    response = client.get(_page(policy), {"from": statement.sequence, "to": eia.sequence})
    assert response.status_code == 200 and "Choose two revisions of the same document" in response.content.decode()
    response = client.get(_page(policy), {"from": "x" * 5000, "to": "-1"})
    assert response.status_code == 200 and "Choose two revisions of this version" in response.content.decode()
    for bad in ["1", "1.x", "99.0", "1." + "9" * 40]:
        assert client.get(f"/policies/{policy.reference}/versions/{bad}/revisions/").status_code == 404


def test_staff_who_see_only_the_version_in_force_get_404(client, policy_in, people):
    policy = policy_in(Status.MONITORING)
    staff = UserFactory(username="constable")
    client.force_login(staff)
    assert client.get(f"/policies/{policy.reference}/").status_code == 200
    assert client.get(_page(policy)).status_code == 404
    assert client.post(_page(policy), {"revision": "1"}).status_code == 404
    versions = client.get(f"/policies/{policy.reference}/versions/").content.decode()
    assert "/revisions/" not in versions


def test_the_versions_page_links_to_each_versions_revisions(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Words.</p>")
    client.force_login(people.developer)
    body = client.get(f"/policies/{policy.reference}/versions/").content.decode()
    count = len(_revisions(policy))
    assert f'href="{_page(policy)}">{count} revision' in body


def test_restore_through_the_page(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Original.</p>")
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Rewritten.</p>")
    original = _revisions(policy)[-2]
    version = reload(policy).current_version
    client.force_login(people.developer)
    response = client.post(_page(policy), {"revision": original.sequence, "base_revision": version.draft_revision},
                           follow=True)
    assert response.status_code == 200
    assert f"Revision {original.sequence} restored" in response.content.decode()
    assert reload(policy).current_version.statement == "<p>Original.</p>"
    assert _revisions(policy)[-1].restored_from == original
    # A restore based on what an older page showed is refused, not silently applied.
    response = client.post(_page(policy), {"revision": original.sequence + 1, "base_revision": version.draft_revision},
                           follow=True)
    assert "Nothing was restored" in response.content.decode()
    # Saved meanwhile by the same person, in another tab: said so, not "someone else" (thirteenth session's walk).
    assert "This draft was saved by you at " in response.content.decode()
    # Said once (the service's reason says it; the page prefixed it again: found by the twelfth session's walk).
    assert response.content.decode().count("Nothing was restored") == 1


def test_restore_through_the_page_is_refused_politely_when_frozen(client, policy_in, people):
    policy = policy_in(Status.DEVELOPMENT)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Earlier words.</p>")
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Officers will act lawfully.</p>")
    earlier = _revisions(policy)[-2]
    policy = advance_to(policy, Status.SUBMITTED_FOR_QA, people)
    count, events = DraftRevision.objects.count(), AuditEvent.objects.filter(policy_id=policy.pk).count()
    # The manager still sees the submitted draft (the named developer no longer does: the page is then a 404).
    client.force_login(people.manager)
    page = client.get(_page(policy))
    assert page.status_code == 200 and f"{earlier.sequence}" in page.content.decode()
    assert "Restore" not in page.content.decode()
    response = client.post(_page(policy), {"revision": earlier.sequence}, follow=True)
    assert response.status_code == 200 and "Nothing was restored" in response.content.decode()
    assert (DraftRevision.objects.count(), AuditEvent.objects.filter(policy_id=policy.pk).count()) == (count, events)


def test_the_page_costs_the_same_with_50_revisions(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    sop = s.sop_create(policy=policy, actor=people.developer, title="Searches", text="<p>0</p>")
    client.force_login(people.developer)

    def cost(query: dict) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_page(policy), query)
        assert response.status_code == 200
        return len(queries)

    s.draft_update(policy=policy, actor=people.developer, statement="<p>0</p>")
    s.draft_update(policy=policy, actor=people.developer, statement="<p>1</p>")
    first, second = (revision.sequence for revision in _revisions(policy)[-2:])
    few = (cost({}), cost({"from": first, "to": second}))
    for index in range(2, 50):
        if index % 2:
            s.draft_update(policy=policy, actor=people.developer, statement=f"<p>{index}</p>")
        else:
            s.sop_update_draft(sop=sop, actor=people.manager, text=f"<p>{index}</p>")
    revisions = _revisions(policy)
    assert len(revisions) >= 50
    last = [revision.sequence for revision in revisions if revision.document == DraftDocument.STATEMENT][-1]
    assert (cost({}), cost({"from": first, "to": last})) == few
    # What the page costs (a policy page's context, the version, the revisions, the two contents compared).
    assert few == PINNED_REVISIONS_PAGE, few



def test_an_official_sensitive_sops_revisions_only_for_those_cleared(client, policy_in, people):
    """A consultee granted the drafts but without a role in the group is not cleared for OFFICIAL-SENSITIVE SOPs
    (as on the statement page): the SOP's revisions are not listed, nor can they be compared, for them."""
    policy = policy_in(Status.SCOPING)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Open words.</p>")
    s.sop_create(policy=policy, actor=people.developer, title="Covert tactics", text="<p>Secret one.</p>",
                 protective_marking="official_sensitive")
    sop = reload(policy).sops.get()
    s.sop_update_draft(sop=sop, actor=people.developer, text="<p>Secret two.</p>")
    one, two = (revision.sequence for revision in _revisions(policy)[-2:])
    consultee = UserFactory(username="consultee")
    s.policy_grant_access(policy=reload(policy), actor=people.developer, user=consultee, permission="consult_policy")

    client.force_login(consultee)
    body = client.get(_page(policy)).content.decode()
    assert "Open words" not in body and "Policy Statement" in body and "Covert tactics" not in body
    compared = client.get(_page(policy), {"from": one, "to": two}).content.decode()
    assert "Secret" not in compared and "Choose two revisions of this version" in compared
    client.force_login(people.developer)
    compared = client.get(_page(policy), {"from": one, "to": two}).content.decode()
    assert "Secret" in compared and 'added: </span>two' in compared
