"""The EIA's and the Workbook's interim revisions (issue 12): each save is an immutable revision like the
statement's, compared with the redline and restored from the revisions page; the version history lists the
revisions inside each version, at a cost that does not grow with them."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from assessments.models import EqualityImpactAssessment, PolicyWorkbook
from assessments.services import eia_update, workbook_update
from core.models import AuditEvent
from lifecycle import services as s
from lifecycle.models import DraftDocument, DraftRevision
from lifecycle.states import Status
from tests.factories import advance_to, refused, reload

pytestmark = pytest.mark.django_db

# The version history's query count with revisions listed inside each version, whatever their number.
# Issue 16: the person's roles and unread count come with them (workspace.backends): two fewer.
PINNED_VERSIONS_PAGE = 7


def revisions_of(policy, document) -> list[DraftRevision]:
    return list(DraftRevision.objects.filter(policy_version=reload(policy).current_version, document=document)
                .order_by("sequence"))


def page(policy) -> str:
    return f"/policies/{policy.reference}/versions/{reload(policy).current_version.number}/revisions/"


def test_eia_revisions_are_compared_and_restored_from_the_page(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    eia_update(policy=policy, actor=people.developer, aims="Officers treat everyone fairly.")
    eia_update(policy=policy, actor=people.manager, aims="Officers treat everyone fairly and record it.")
    first, second = revisions_of(policy, DraftDocument.EIA)[-2:]
    client.force_login(people.developer)
    body = client.get(page(policy), {"from": first.sequence, "to": second.sequence}).content.decode()
    assert "Equality Impact Assessment, revision" in body
    assert '<span class="govuk-visually-hidden">added: </span>fairly and record it.' in body
    assert "Restore<span class=\"govuk-visually-hidden\"> revision " + str(first.sequence) in body

    response = client.post(page(policy), {"revision": first.sequence, "latest_seen": second.sequence}, follow=True)
    assert f"Revision {first.sequence} restored" in response.content.decode()
    eia = EqualityImpactAssessment.objects.get(policy_version=reload(policy).current_version)
    assert eia.aims == "Officers treat everyone fairly."
    restored = revisions_of(policy, DraftDocument.EIA)[-1]
    assert restored.restored_from == first and restored.content_hash == first.content_hash
    assert restored.saved_by == people.developer
    event = AuditEvent.objects.filter(action="eia.updated", policy_id=policy.pk).latest("sequence")
    assert event.changes["restored_from"] == {"version": "1.0", "revision": first.sequence}

    # A page opened before someone else saved the EIA again: refused, nothing restored.
    eia_update(policy=policy, actor=people.manager, aims="A third wording.")
    count = DraftRevision.objects.count()
    response = client.post(page(policy), {"revision": second.sequence, "latest_seen": restored.sequence},
                           follow=True)
    assert "Nothing was restored" in response.content.decode()
    assert "Someone else saved the Equality Impact Assessment" in response.content.decode()
    assert DraftRevision.objects.count() == count


def test_a_workbook_revision_is_restored_as_a_new_revision_and_the_old_one_kept(policy_in, people):
    policy = policy_in(Status.SCOPING)
    workbook_update(policy=policy, actor=people.developer, need="Inconsistent practice across boroughs.")
    workbook_update(policy=policy, actor=people.developer, need="Rewritten badly.")
    original = revisions_of(policy, DraftDocument.WORKBOOK)[-2]
    restored = s.draft_revision_restore(policy=policy, actor=people.manager, revision=original)
    assert restored.restored_from == original and restored.document == DraftDocument.WORKBOOK
    assert PolicyWorkbook.objects.get(policy_version=reload(policy).current_version).need == \
        "Inconsistent practice across boroughs."
    # Restoring what the draft already holds changes nothing.
    assert s.draft_revision_restore(policy=policy, actor=people.manager, revision=original) is None
    # The revision restored is evidence, refused by the database like the statement's.
    with pytest.raises((IntegrityError, InternalError), match="refused"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE lifecycle_draftrevision SET content = '{}' WHERE id = %s", [original.pk])
    # Once submitted, the EIA and Workbook are frozen: restoring is refused with the reason.
    policy = advance_to(reload(policy), Status.SUBMITTED_FOR_QA, people)
    with refused("frozen", "frozen when the package was submitted"):
        s.draft_revision_restore(policy=policy, actor=people.manager, revision=original)


def test_the_version_history_lists_the_revisions_inside_each_version_at_a_constant_cost(client, policy_in, people):
    policy = policy_in(Status.SCOPING)
    client.force_login(people.developer)

    def cost() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/policies/{policy.reference}/versions/")
        assert response.status_code == 200
        return len(queries), response.content.decode()

    eia_update(policy=policy, actor=people.developer, aims="Aims 0.")
    few, body = cost()
    assert "Revisions inside version 1.0" in body and "Equality Impact Assessment" in body
    for number in range(1, 40):
        eia_update(policy=policy, actor=people.developer, aims=f"Aims {number}.")
        workbook_update(policy=policy, actor=people.developer, need=f"Need {number}.")
    many, body = cost()
    assert many == few == PINNED_VERSIONS_PAGE, (few, many)
    last = revisions_of(policy, DraftDocument.WORKBOOK)[-1]
    assert f"{last.sequence}. Corporate Policy Workbook" in body
    assert f"?from={last.sequence - 2}&amp;to={last.sequence}" in body


def test_a_version_with_500_revisions_costs_what_one_with_5_does(client, policy_in, people):
    """Issue 12, performance: "the version history of a policy with 500 revisions renders with constant queries"
    (the bench measures its time: benchmarks/people.py). The revisions are written in bulk, as the saves would."""
    from lifecycle.models.revisions import content_hash

    def with_revisions(count: int):
        policy = policy_in(Status.SCOPING)
        version = reload(policy).current_version
        contents = [{"statement": f"<p>Draft {number}.</p>", "summary_of_changes": ""} for number in range(count)]
        DraftRevision.objects.bulk_create(
            DraftRevision(policy_version=version, sequence=number + 1, document=DraftDocument.STATEMENT,
                          content=content, content_hash=content_hash(content), saved_by=people.developer)
            for number, content in enumerate(contents))
        return policy

    client.force_login(people.developer)

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    small, large = with_revisions(5), with_revisions(500)
    for policy, count in ((small, 5), (large, 500)):
        body = client.get(f"/policies/{policy.reference}/versions/").content.decode()
        assert body.count('class="app-hash" title=') == count
    assert cost(f"/policies/{large.reference}/versions/") == cost(f"/policies/{small.reference}/versions/") \
        == PINNED_VERSIONS_PAGE
    assert cost(page(large)) == cost(page(small)) == PINNED_REVISIONS_PAGE_LISTING


# The revisions page listing a version's revisions, for a policy with no SOP (tests/lifecycle/test_revisions.py pins
# it for one with an SOP: 9).
# The same for 500 revisions as for 5.
PINNED_REVISIONS_PAGE_LISTING = 7


def test_the_version_history_rows_are_the_versions_and_revisions_own(policy_in, people):
    """lifecycle.selectors.version_history reads values with a statement compiled once: each row says what the
    version and revision models say (the author's and saver's names as str(user), an SOP's title, the starting
    point, the revision each changes)."""
    from lifecycle.models import PolicyVersion
    from lifecycle.selectors import version_history

    policy = policy_in(Status.SCOPING)
    eia_update(policy=policy, actor=people.developer, aims="Aims.")
    sop = s.sop_create(policy=reload(policy), actor=people.developer, title="Stop & search <records>",
                       text="<p>Steps.</p>")
    eia_update(policy=policy, actor=people.manager, aims="Aims again.")
    rows = version_history(policy=reload(policy), user=people.developer)
    versions = list(PolicyVersion.objects.filter(policy=policy).order_by("-major", "-minor"))
    assert [(row.pk, row.number, row.author, row.created_at, row.submitted_at, row.content_hash) for row in rows] == [
        (version.pk, version.number, str(version.author), version.created_at, version.submitted_at,
         version.content_hash) for version in versions]
    for row, version in zip(rows, versions, strict=True):
        revisions = list(DraftRevision.objects.filter(policy_version=version).order_by("sequence"))
        assert row.revision_count == len(revisions)
        latest: dict = {}
        expected = []
        for revision in revisions:
            key = (revision.document, revision.sop_id)
            expected.append((revision.sequence, revision.document_label,
                             None if revision.saved_by is None else str(revision.saved_by), revision.saved_at,
                             revision.content_hash, revision.short_hash, revision.starting_point, latest.get(key)))
            latest[key] = revision.sequence
        assert [(item.sequence, item.document_label, item.saved_by_name, item.saved_at, item.content_hash,
                 item.short_hash, item.starting_point, item.previous_sequence)
                for item in row.revisions_inside] == expected
    assert any(item.document_label == f"SOP: {sop.title}" for row in rows for item in row.revisions_inside)
    assert any(item.previous_sequence for row in rows for item in row.revisions_inside)
