"""The working draft: the lock every edit of it takes (its status, its permission, the emergency route's hold, and
the draft revision the page was drawn from), and the revision each save keeps (issue 12). Shared by the statement's
and the SOPs' services (lifecycle.services.drafting, .sops) and by assessments' EIA and Workbook."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from core.exceptions import ApplicationError
from core.stale_saves import refuse_stale_save, saved_by_whom
from lifecycle import emergency, permissions
from lifecycle.models import DraftDocument, DraftRevision, Policy, PolicyVersion, StandardOperatingProcedure
from lifecycle.models.revisions import content_hash
from lifecycle.services.base import lock_policy
from lifecycle.states import DRAFT_EDITABLE_STATUSES


def _has_content(content: dict) -> bool:
    return any(value not in ("", None, {}, []) for value in content.values())


def revision_record(
    *, version: PolicyVersion, document: str, content: dict, actor, sop: StandardOperatingProcedure | None = None,
    before: dict | None = None, restored_from: DraftRevision | None = None,
) -> DraftRevision | None:
    """Keep one save of a draft document as an immutable revision; the revision, or None if the content is
    byte-identical to the document's previous revision in this version (nothing new to keep).

    SOP, "Role of Policy Developers": "Copies of document versions, including any interim amendments, must be
    retained". Called by every save of the statement, an SOP, the EIA and the Workbook (assessments calls it
    too), inside the save's transaction and after the save has locked the policy row, so the sequence read here
    cannot be taken twice. ``before`` is the content as it stood before this save: when the document has no
    revision in this version yet it is kept first, as the starting point (drafts written before revisions were
    kept, or carried forward from the previous version).

    Revisions are never updated, so coalescing here means only this: identical content is not kept twice. An
    autosave of unsaved editor content, if one is ever added, must not write here on every keystroke: it must
    coalesce by updating a pending draft held outside this table, and write a revision when the person saves."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("revision_record runs inside the transaction of the save it records.")
    if document not in DraftDocument.values or (document == DraftDocument.SOP) != (sop is not None):
        raise ValueError(f"Not a draft document: {document!r} (sop={sop!r}).")
    latest_hash = (DraftRevision.objects.filter(policy_version=version, document=document, sop=sop)
                   .order_by("-sequence").values_list("content_hash", flat=True).first())
    sequence = DraftRevision.objects.filter(policy_version=version).aggregate(last=Max("sequence"))["last"] or 0
    if latest_hash is None and before is not None and _has_content(before):
        sequence += 1
        latest_hash = content_hash(before)
        DraftRevision.objects.create(policy_version=version, sequence=sequence, document=document, sop=sop,
                                     content=before, content_hash=latest_hash, saved_by=None, starting_point=True)
    digest = content_hash(content)
    if digest == latest_hash:
        return None
    return DraftRevision.objects.create(policy_version=version, sequence=sequence + 1, document=document, sop=sop,
                                        content=content, content_hash=digest, saved_by=actor,
                                        restored_from=restored_from)


def restored_changes(revision: DraftRevision | None) -> dict:
    """What an audit event says of a restore."""
    if revision is None:
        return {}
    return {"restored_from": {"version": revision.policy_version.number, "revision": revision.sequence}}


def lock_editable_draft(policy: Policy, actor, *, base_revision: int | None) -> tuple[Policy, PolicyVersion]:
    locked = lock_policy(policy)
    if not permissions.can_draft(actor, locked):
        raise ApplicationError(f"You are not allowed to edit the draft of {locked.reference}.", code="forbidden")
    if locked.status not in DRAFT_EDITABLE_STATUSES:
        raise ApplicationError(
            f"The draft of {locked.reference} cannot be edited while it is "
            f"'{locked.get_status_display()}': drafts are editable only in scoping or development.",
            code="frozen",
        )
    version = PolicyVersion.objects.select_for_update().get(pk=locked.current_version.pk)
    if version.is_frozen:
        raise ApplicationError(f"Version {version.number} has been submitted and is frozen.", code="frozen")
    if held := emergency.emergency_hold(locked):
        raise ApplicationError(held, code="held")
    # The statement and the SOPs share the version's counter: a save of either since the page was drawn refuses it,
    # in the words and with the answer of every stale save (core.stale_saves).
    refuse_stale_save(current=version.draft_revision, base_revision=base_revision, what="This draft",
                      saved_meanwhile=lambda: saved_meanwhile(version, actor, documents=STATEMENT_AND_SOPS))
    return locked, version


# The documents whose saves count in the version's own draft revision (the EIA and the Workbook count their own).
STATEMENT_AND_SOPS = (DraftDocument.STATEMENT, DraftDocument.SOP)


def saved_meanwhile(version: PolicyVersion, actor, *, documents) -> str:
    """Who saved ``documents`` of the draft last, and when, for a refusal of a save from an older page: "by you at
    10:42, in another tab or window" (a walk found "Someone else saved" said to the person who had, in a second tab),
    or "by Jane Smith at 10:42". One query, only when a save is refused."""
    last = (version.revisions.filter(document__in=documents, starting_point=False).select_related("saved_by")
            .order_by("-sequence").first())
    return saved_by_whom(last.saved_by if last else None, last.saved_at if last else None, actor)
