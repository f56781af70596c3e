"""The SOPs of the working draft: adding one, saving its text, title, marking and external publication, and taking
it out of the draft (the submitted versions that hold it keep it). The text and the external publication are the
draft's own (SOPVersion), frozen with the version at submission; the title and marking are the SOP's, and frozen once
a version holding it has been submitted."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.html import sanitise_rich_text_bounded
from core.models import AuditEvent
from core.stale_saves import saved_by_whom
from core.submissions import SOP_CREATE, Submission, submission_check_repeat, submission_claim, submission_done
from core.text import in_words
from lifecycle.models import DraftDocument, DraftRevision, Policy, PolicyVersion, SOPVersion, StandardOperatingProcedure
from lifecycle.services.base import require_actor, require_name
from lifecycle.services.working_draft import lock_editable_draft, restored_changes, revision_record
from lifecycle.states import ProtectiveMarking


def _check_sop_marking(protective_marking: str, publish_externally: bool) -> None:
    """The marking and publication an SOP may have, on the create page and the edit page alike. SOP, "Definitions":
    "Policy owners should consider publishing their SOPs via the MPS Publication Scheme ... (SOPs should be
    classified under the Protective Marking System ...)"; an OFFICIAL-SENSITIVE one is never published externally
    (on PostgreSQL, migration 0019's sop_sensitive_not_external triggers say so too)."""
    if protective_marking not in ProtectiveMarking.values:
        raise ApplicationError("Choose a protective marking for the SOP.", field="protective_marking")
    if protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE and publish_externally:
        raise ApplicationError("An OFFICIAL-SENSITIVE SOP cannot be published externally.",
                               field="publish_externally")


# SOP, "Standard Operating Procedures": "There may be more than one set of SOPs supporting a single policy, which
# describe different or distinct processes", and Policy Managers "Ensure ... associated SOPs are proportionate and do
# not place an unnecessary burden on the end user". A package of more than this many is past any set of distinct
# processes, and is a statement on stated limits (STYLE rule 19): with each SOP's text at most
# core.html.MAX_RICH_TEXT_LENGTH, what one page, comparison or PDF of a package holds is bounded.
MAX_SOPS_PER_DRAFT = 30


def _check_room_for_sop(version: PolicyVersion) -> None:
    """Refuse an SOP added, or put back, to a draft already holding MAX_SOPS_PER_DRAFT. Read under the policy's lock,
    which every change of an SOP takes."""
    if version.sop_versions.count() >= MAX_SOPS_PER_DRAFT:
        raise ApplicationError(
            f"Draft version {version.number} already has {MAX_SOPS_PER_DRAFT} SOPs, the most a draft may hold. The "
            "force's procedure asks for SOPs that describe distinct processes and are proportionate to the policy: "
            "combine related procedures into one SOP, or remove one from the draft, then add this one.",
            code="too_many",
        )


def _versions_listed(numbers: list[str]) -> str:
    """"version 1.0", "versions 1.0 and 1.1", "versions 1.0, 1.1 and 2.0"."""
    if len(numbers) == 1:
        return f"version {numbers[0]}"
    return f"versions {in_words(numbers)}"


def _submitted_numbers(sop: StandardOperatingProcedure) -> list[str]:
    """The numbers of the submitted (frozen) versions that hold ``sop``, oldest first: its text, title and marking
    are part of their record."""
    return [f"{major}.{minor}" for major, minor in
            SOPVersion.objects.filter(sop=sop, policy_version__submitted_at__isnull=False)
            .order_by("policy_version__major", "policy_version__minor")
            .values_list("policy_version__major", "policy_version__minor")]


@transaction.atomic
def sop_create(
    *, policy: Policy, actor, title: str, text: str = "", protective_marking: str = ProtectiveMarking.OFFICIAL,
    publish_externally: bool = False, submission: Submission | str | None = None,
) -> StandardOperatingProcedure:
    """Add an SOP to the working draft. ``submission``: the one-time token of the form that sent it
    (core.submissions; None from no page): the same form sent again adds no second one."""
    require_actor(actor)
    claim = submission_claim(submission=submission, actor=actor, purpose=SOP_CREATE)
    title = require_name(title, "a title for the SOP", field="title", max_length=200)
    _check_sop_marking(protective_marking, publish_externally)
    clean = sanitise_rich_text_bounded(text, label="The SOP text", field="text")  # before the lock (STYLE rule 19)
    locked, version = lock_editable_draft(policy, actor, base_revision=None)
    _check_room_for_sop(version)
    submission_check_repeat(claim, content={"policy": locked, "title": title, "text": text,
                                            "protective_marking": protective_marking,
                                            "publish_externally": bool(publish_externally)})
    position = locked.sops.count()
    sop = StandardOperatingProcedure.objects.create(
        policy=locked, title=title, protective_marking=protective_marking, position=position,
    )
    sop_version = SOPVersion.objects.create(sop=sop, policy_version=version, text=clean,
                                            publish_externally=bool(publish_externally))
    revision = revision_record(version=version, document=DraftDocument.SOP, sop=sop, actor=actor,
                               content={"title": sop.title, "text": sop_version.text})
    audit_log(actor=actor, action=AuditAction.SOP_CREATED, obj=sop, policy_id=locked.pk,
              changes={"title": title, "protective_marking": protective_marking,
                       "publish_externally": sop_version.publish_externally, "version": version.number,
                       "revision": revision.sequence if revision else None})
    submission_done(claim, created=f"the SOP “{title}” was added to draft version {version.number}",
                    named=f"the SOP “{title}”", landing=reverse("lifecycle:statement", args=[locked.reference]))
    return sop


def _sop_marking_changes(sop: StandardOperatingProcedure, sop_version: SOPVersion, *,
                         protective_marking: str | None, publish_externally: bool | None) -> dict:
    """What an edit changes of the SOP's marking and of the draft's external publication of it, as {field: {"before",
    "after"}} (how the timeline reads a change), refused where a submitted version would change under it. Read under
    the policy's lock (every change of an SOP takes it)."""
    marking = sop.protective_marking if protective_marking is None else protective_marking
    external = sop_version.publish_externally if publish_externally is None else bool(publish_externally)
    _check_sop_marking(marking, external)
    changes = {}
    if marking != sop.protective_marking:
        # The marking is not versioned, and decides who may read every package holding the SOP: once one has been
        # submitted it is part of that record (migration 0007's trigger refuses the change), as the title is.
        if submitted := _submitted_numbers(sop):
            raise ApplicationError(
                f"'{sop.title}' was submitted with {_versions_listed(submitted)} marked "
                f"{sop.get_protective_marking_display()}, which is part of the record of that version, so its marking "
                "cannot be changed. To mark the procedure differently from now on, add it as a new SOP with the new "
                "marking and remove this one from the draft.", code="frozen", field="protective_marking",
            )
        changes["protective_marking"] = {"before": sop.protective_marking, "after": marking}
    if external != sop_version.publish_externally:
        # The draft's own choice, as its text is: the version in force keeps the SOPs it was published with on the
        # Publication Scheme, and this one goes there (or comes off) when the draft's version is published, after
        # PCU has decided what to withhold from it (SOP, stage 5).
        changes["publish_externally"] = {"before": sop_version.publish_externally, "after": external}
    return changes


def _flag_of_latest_version(sop: StandardOperatingProcedure) -> bool:
    """Whether the newest version still holding ``sop`` published it externally (False if none holds it): what an
    SOP put back in the draft starts with, as a new draft carries its predecessor's choice forward."""
    return bool(SOPVersion.objects.filter(sop=sop)
                .order_by("-policy_version__major", "-policy_version__minor")
                .values_list("publish_externally", flat=True).first())


@transaction.atomic
def sop_update_draft(
    *, sop: StandardOperatingProcedure, actor, text: str, title: str | None = None, base_revision: int | None = None,
    restored_from: DraftRevision | None = None, protective_marking: str | None = None,
    publish_externally: bool | None = None,
) -> SOPVersion:
    """Save an SOP's text (sanitised), title, protective marking and external publication in the working draft, kept
    as a revision (of its title and text; the marking's and the publication's change are in the audit event).
    ``protective_marking`` and ``publish_externally``: None leaves them as they are. An SOP removed from the draft
    (``sop_remove_from_draft``) is not edited; restoring one of its revisions (``restored_from``) puts it back,
    published externally if the newest version holding it was."""
    require_actor(actor)
    clean = sanitise_rich_text_bounded(text, label="The SOP text", field="text")  # before the lock (STYLE rule 19)
    locked, version = lock_editable_draft(sop.policy, actor, base_revision=base_revision)
    # Read again under the policy's lock, which every change of an SOP takes: the page's copy may be older.
    sop = StandardOperatingProcedure.objects.get(pk=sop.pk, policy=locked)
    sop_version = SOPVersion.objects.select_for_update().filter(sop=sop, policy_version=version).first()
    changes: dict = {}
    if sop_version is None:
        if restored_from is None:
            raise ApplicationError(sop_removed_from_draft(sop, version, actor), code="not_found")
        _check_room_for_sop(version)
        sop_version = SOPVersion.objects.create(sop=sop, policy_version=version, text="",
                                                publish_externally=_flag_of_latest_version(sop))
        changes["put_back_in_draft"] = True
    # Checked before anything is written, and said of the SOP as it stands.
    marking = _sop_marking_changes(sop, sop_version, protective_marking=protective_marking,
                                   publish_externally=publish_externally)
    before = {"title": sop.title, "text": sop_version.text}
    version_fields = []
    if clean != sop_version.text:
        changes["text"] = {"length": [len(sop_version.text), len(clean)]}
        sop_version.text = clean
        version_fields.append("text")
    changed_fields = []
    if title is not None:
        new_title = require_name(title, "a title for the SOP", field="title", max_length=200)
        if new_title != sop.title:
            # The title is not versioned but is in every submitted package's content hash: renaming an SOP
            # that has been submitted would silently rewrite the evidence of that earlier version.
            if _submitted_numbers(sop):
                raise ApplicationError(
                    f"'{sop.title}' has been submitted under that title, which is part of the record of the "
                    "submitted version, so it cannot be renamed.", code="frozen", field="title",
                )
            changes["title"] = [sop.title, new_title]
            sop.title = new_title
            changed_fields.append("title")
    if marking:
        changes["values"] = marking
        if "protective_marking" in marking:
            sop.protective_marking = marking["protective_marking"]["after"]
            changed_fields.append("protective_marking")
        if "publish_externally" in marking:
            sop_version.publish_externally = marking["publish_externally"]["after"]
            version_fields.append("publish_externally")
    _save_in_order(sop, changed_fields, sop_version, version_fields)
    if changes:
        version.draft_revision += 1
        version.save(update_fields=["draft_revision"])
        revision = revision_record(version=version, document=DraftDocument.SOP, sop=sop, actor=actor, before=before,
                                   content={"title": sop.title, "text": sop_version.text}, restored_from=restored_from)
        audit_log(actor=actor, action=AuditAction.SOP_DRAFT_SAVED, obj=sop, policy_id=locked.pk,
                  changes={"version": version.number, "revision": revision.sequence if revision else None,
                           **restored_changes(restored_from), **changes})
    return sop_version


def sop_last_removal(sop: StandardOperatingProcedure) -> AuditEvent | None:
    """The event of the SOP's last removal from a draft (``sop_remove_from_draft``), with who removed it. One query."""
    return (AuditEvent.objects.filter(object_type=StandardOperatingProcedure._meta.label_lower,
                                      object_id=str(sop.pk), action=AuditAction.SOP_REMOVED_FROM_DRAFT)
            .select_related("actor").order_by("-sequence").first())


def sop_removed_from_draft(sop: StandardOperatingProcedure, version: PolicyVersion, actor) -> str:
    """What a save of an SOP no longer in the draft is told (its editor was open while it was removed, in another tab
    or by a colleague), in plain words: who removed it and when (its last removal's event), and how to put it back.
    The service's refusal, and the page's when it sees first. One query."""
    removal = sop_last_removal(sop)
    who = saved_by_whom(removal.actor if removal else None, removal.occurred_at if removal else None, actor)
    return (f"“{sop.title}” was removed from draft version {version.number} {who.rstrip(',')}, so your changes to it "
            "could not be saved. To put it back, restore its last revision from the draft's revisions page.")


def _save_in_order(sop: StandardOperatingProcedure, sop_fields: list[str], sop_version: SOPVersion,
                             version_fields: list[str]) -> None:
    """Write what changed, in the order PostgreSQL's sop_sensitive_not_external triggers (migration 0019) accept:
    an SOP marked OFFICIAL-SENSITIVE never has a version published externally, so the draft's flag comes off
    before the marking goes on, and goes on after the marking comes off."""
    writes = [(sop_version, [*version_fields, "updated_at"] if version_fields else []), (sop, sop_fields)]
    if sop_version.publish_externally:
        writes.reverse()
    for row, fields in writes:
        if fields:
            row.save(update_fields=fields)


@transaction.atomic
def sop_remove_from_draft(*, sop: StandardOperatingProcedure, actor, base_revision: int | None) -> PolicyVersion:
    """Take an SOP out of the working draft: the draft's text of it (its SOPVersion row) goes; nothing else does.

    SOP, "Role of Policy Developers": "Retain an audit trail of all versions of policy statements and SOPs ...
    Copies of document versions, including any interim amendments, must be retained". So a submitted version that
    holds the SOP keeps it (its frozen text, external publication, title and marking: the triggers of migrations
    0002 and 0007 refuse any change to them), the SOP itself stays (its revisions name it), and the text the draft
    held is kept as one of the draft's revisions before it goes, so restoring that revision puts it back. Bound to
    the draft revision the page was drawn from (``base_revision``): a removal confirmed on a page older than the
    draft is refused."""
    require_actor(actor)
    locked, version = lock_editable_draft(sop.policy, actor, base_revision=None)
    sop = StandardOperatingProcedure.objects.get(pk=sop.pk, policy=locked)
    sop_version = SOPVersion.objects.select_for_update().filter(sop=sop, policy_version=version).first()
    # Said before a stale page: the usual cause of both at once is the same confirmation sent twice.
    if sop_version is None:
        raise ApplicationError(f"'{sop.title}' has already been removed from draft version {version.number}.",
                               code="not_found")
    if base_revision is None or base_revision != version.draft_revision:
        raise ApplicationError(
            "The draft has changed since you opened this page: someone saved it meanwhile. Nothing was removed: check "
            f"that you still mean to remove '{sop.title}' from the draft as it is now, then confirm again.",
            code="conflict",
        )
    content = {"title": sop.title, "text": sop_version.text}
    # Kept as the draft's starting point for the SOP when no save of it in this draft was (carried forward
    # unchanged); otherwise its latest revision already holds exactly this.
    revision_record(version=version, document=DraftDocument.SOP, sop=sop, actor=actor, before=content,
                    content=content)
    kept = (DraftRevision.objects.filter(policy_version=version, document=DraftDocument.SOP, sop=sop)
            .order_by("-sequence").values_list("sequence", flat=True).first())
    sop_version.delete()
    version.draft_revision += 1
    version.save(update_fields=["draft_revision"])
    audit_log(actor=actor, action=AuditAction.SOP_REMOVED_FROM_DRAFT, obj=sop, policy_id=locked.pk, changes={
        "title": sop.title, "version": version.number, "draft_revision": version.draft_revision, "revision": kept,
        "kept_in_submitted_versions": _submitted_numbers(sop),
    })
    return version
