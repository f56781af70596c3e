"""Drafting: creating a policy, new draft versions, the draft Policy Statement and SOPs, and freezing a package
at submission. SOP, "Role of Policy Developers": "Retain an audit trail of all versions of policy statements
and SOPs"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import rules
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.html import MAX_RICH_TEXT_LENGTH, sanitise_rich_text
from core.models import Role, RoleAssignment, User
from core.services import reference_allocate
from lifecycle import emergency, permissions
from lifecycle.models import (
    DraftDocument,
    DraftRevision,
    HealthAndSafety,
    Policy,
    PolicyVersion,
    SOPVersion,
    StandardOperatingProcedure,
)
from lifecycle.models.revisions import content_hash
from lifecycle.restorers import RESTORERS
from lifecycle.services.base import lock_policy, optional_text, require_actor, require_name, require_text
from lifecycle.signals import draft_version_created
from lifecycle.states import DRAFT_EDITABLE_STATUSES, PolicyKind, ProtectiveMarking


def new_draft(*, policy: Policy, actor, previous: PolicyVersion | None, new_cycle: bool) -> PolicyVersion:
    """Create the next draft package, carrying the statement, SOP texts, EIA and Workbook forward."""
    if previous is None:
        major, minor = 1, 0
    elif new_cycle:
        major, minor = previous.major + 1, 0
    else:
        major, minor = previous.major, previous.minor + 1
    # The author is whoever writes the draft. PCU, DCFD or DOI returning a submission, a Lead rejecting it,
    # or a co-ordinator starting a review do not write the next draft: it stays with the previous author, so
    # separation of duties does not later bar them from signing off or approving the work they sent back.
    author = actor if previous is None or permissions.can_draft(actor, policy) else previous.author
    version = PolicyVersion.objects.create(
        policy=policy,
        major=major,
        minor=minor,
        statement=previous.statement if previous else "",
        # A review starts its own note of changes; a returned draft keeps the one it had.
        summary_of_changes="" if (previous is None or new_cycle) else previous.summary_of_changes,
        health_and_safety=previous.health_and_safety if previous else "",
        health_and_safety_statement=previous.health_and_safety_statement if previous else "",
        revises_published=(policy.first_published_on is not None),
        author=author,
    )
    if previous is not None:
        SOPVersion.objects.bulk_create(
            SOPVersion(sop_id=sop_version.sop_id, policy_version=version, text=sop_version.text)
            for sop_version in previous.sop_versions.all()
        )
    draft_version_created.send(sender=PolicyVersion, new_version=version, previous_version=previous, actor=actor)
    policy.forget_cached_version()
    return version


def freeze(locked: Policy, version: PolicyVersion, actor, *, freeze_eia: bool = True,
           freeze_workbook: bool = True) -> None:
    """Submission freezes the package: statement, SOP texts, EIA, Workbook and the document details it was
    submitted with (issue 12: "frozen with the version at submission") become evidence. The emergency route leaves
    the EIA and the Workbook open for what it skipped (issue 13)."""
    now = timezone.now()
    version.details = locked.details_snapshot()
    version.content_hash = version.compute_content_hash()
    version.submitted_at = now
    version.submitted_by = actor
    version.save(update_fields=["details", "content_hash", "submitted_at", "submitted_by"])
    documents = [getattr(version, "workbook", None)] if freeze_workbook else []
    if freeze_eia:
        documents.append(getattr(version, "eia", None))
    for document in documents:
        if document is not None and document.frozen_at is None:
            document.frozen_at = now
            document.save(update_fields=["frozen_at"])
    locked.forget_cached_version()


# --- interim revisions ---------------------------------------------------------------------------


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


def _restored(revision: DraftRevision | None) -> dict:
    """What an audit event says of a restore."""
    if revision is None:
        return {}
    return {"restored_from": {"version": revision.policy_version.number, "revision": revision.sequence}}


@transaction.atomic
def draft_revision_restore(*, policy: Policy, actor, revision: DraftRevision, base_revision: int | None = None,
                           latest_seen: int | None = None) -> DraftRevision | None:
    """Put an earlier revision of the statement, an SOP, the EIA or the Workbook back into the working draft, as a
    new save (audited, and kept as a new revision that names the one restored): the revision restored is never
    changed. None when the draft already holds exactly that content.

    Stale pages are refused: ``base_revision`` is the draft's statement-and-SOP counter the page showed;
    ``latest_seen`` the newest revision of the working draft the page knew of (a newer save of the same
    document since, by anyone, refuses the restore)."""
    require_actor(actor)
    if revision.policy_version.policy_id != policy.pk:
        raise ApplicationError("That revision is not of this policy.", code="not_found")
    locked = lock_policy(policy)
    version = locked.current_version
    # Read under the policy's lock: any revision numbered after this one is the one this restore writes.
    last = version.revisions.aggregate(last=Max("sequence"))["last"] or 0
    if latest_seen is not None and version.revisions.filter(document=revision.document, sop=revision.sop,
                                                            sequence__gt=latest_seen).exists():
        raise ApplicationError(
            f"Someone else saved the {revision.document_label} of this draft since you opened the page. Nothing was "
            "restored: reload, look at the newer revision, and restore again if you still want to.",
            code="conflict")
    content = revision.content
    if revision.document == DraftDocument.STATEMENT:
        draft_update(policy=locked, actor=actor, statement=content.get("statement", ""),
                     summary_of_changes=content.get("summary_of_changes", ""), base_revision=base_revision,
                     restored_from=revision)
    elif revision.document == DraftDocument.SOP:
        sop_update_draft(sop=revision.sop, actor=actor, text=content.get("text", ""), title=content.get("title"),
                         base_revision=base_revision, restored_from=revision)
    elif revision.document in RESTORERS:
        RESTORERS[revision.document](policy=locked, actor=actor, revision=revision)
    else:
        raise ApplicationError(f"The {revision.get_document_display()} cannot be restored.", code="invalid")
    return version.revisions.filter(sequence__gt=last, restored_from=revision).first()


@transaction.atomic
def policy_create(
    *,
    actor,
    title: str,
    purpose: str,
    relevant_to: str,
    business_group,
    owning_unit,
    kind: str = PolicyKind.CORPORATE,
    risk_tier: str = "medium",
    protective_marking: str = ProtectiveMarking.OFFICIAL,
    suitable_for_publication_scheme: bool = True,
    registered_file_reference: str = "",
    subject=None,
    owner=None,
    designated_lead=None,
    policy_manager=None,
    coordinator=None,
    developers: Iterable = (),
    supports: str | Policy | None = None,
) -> Policy:
    """Start a new policy in stage 1 (identification and scoping) with draft version 1.0. A local work instruction
    may name the corporate policy it supplements (``supports``, its reference)."""
    require_actor(actor)
    title = require_name(title, "a title", field="title", max_length=200)
    purpose = require_text(purpose, "the purpose of the policy", field="purpose")
    relevant_to = require_text(relevant_to, "who the policy is relevant to", field="relevant_to")
    _check_new_policy(actor=actor, business_group=business_group, owning_unit=owning_unit, kind=kind,
                      risk_tier=risk_tier, protective_marking=protective_marking,
                      suitable_for_publication_scheme=suitable_for_publication_scheme)
    supported = _supported_policy(kind, supports)
    if kind == PolicyKind.LOCAL:
        # SOP: corporate policy statements are published externally on the Publication Scheme; a local work
        # instruction, outside the corporate process, never is (publication.services refuses it there too).
        suitable_for_publication_scheme = False
    # Name the group's role holders where the form left them empty and the group has exactly one.
    if not (designated_lead and coordinator and owner and policy_manager):
        sole = _sole_holders(business_group=business_group, unit=owning_unit)
        designated_lead = designated_lead or sole.get(Role.LEAD)
        coordinator = coordinator or sole.get(Role.COORDINATOR)
        owner = owner or sole.get(Role.OWNER)
        policy_manager = policy_manager or sole.get(Role.MANAGER)
    developer_list = list(developers)
    if permissions.has_group_role(actor, Role.DEVELOPER, business_group.pk) and actor not in developer_list:
        developer_list.append(actor)
    policy = Policy.objects.create(
        reference=reference_allocate(counter="policy", prefix="POL"), title=title, purpose=purpose,
        relevant_to=relevant_to, business_group=business_group, owning_unit=owning_unit, kind=kind,
        risk_tier=risk_tier, protective_marking=protective_marking,
        suitable_for_publication_scheme=suitable_for_publication_scheme,
        registered_file_reference=(registered_file_reference or "").strip()[:60], subject=subject,
        owner=owner, designated_lead=designated_lead, policy_manager=policy_manager, coordinator=coordinator,
        supports=supported,
    )
    policy.developers.set(developer_list)
    version = new_draft(policy=policy, actor=actor, previous=None, new_cycle=False)
    audit_log(actor=actor, action=AuditAction.POLICY_CREATED, obj=policy, changes={
        "reference": policy.reference, "title": title, "business_group": business_group.name, "kind": kind,
        "risk_tier": risk_tier, "protective_marking": protective_marking, "version": version.number,
        "subject": subject.name if subject else "", "supports": supported.reference if supported else None,
        # Told: the supplemented corporate policy's Lead, who must agree first (notifications: NAMED_IN_CHANGES).
        **({"notify_user_ids": [supported.designated_lead_id]} if supported and supported.designated_lead_id else {}),
    })
    return policy


def _supported_policy(kind: str, supports: str | Policy | None) -> Policy | None:
    """The corporate policy in force that a local work instruction supplements, from its reference (or None)."""
    reference = (supports.reference if isinstance(supports, Policy) else (supports or "")).strip().upper()
    if not reference:
        return None
    if kind != PolicyKind.LOCAL:
        raise ApplicationError("Only a local work instruction supplements a corporate policy: leave it empty for a "
                               "corporate policy.", field="supports")
    supported = Policy.objects.filter(reference=reference).first()
    if supported is None or not supported.is_in_force:
        raise ApplicationError(f"There is no corporate policy {reference} in force: enter the reference of the "
                               "corporate policy it supplements, or leave it empty.", field="supports")
    if supported.kind != PolicyKind.CORPORATE:
        raise ApplicationError(f"{reference} is itself a local work instruction: a local work instruction "
                               "supplements a corporate policy.", field="supports")
    return supported


def _check_new_policy(*, actor, business_group, owning_unit, kind, risk_tier, protective_marking,
                      suitable_for_publication_scheme) -> None:
    """The choices of a new policy, and whether ``actor`` may start one in that business group."""
    if business_group is None:
        raise ApplicationError("Choose the business group that owns the policy.", field="business_group")
    if owning_unit is None or owning_unit.business_group_id != business_group.pk:
        raise ApplicationError("Choose an owning unit of that business group.", field="owning_unit")
    if kind not in PolicyKind.values:
        raise ApplicationError("Choose whether this is a corporate policy or a local work instruction.", field="kind")
    if protective_marking not in ProtectiveMarking.values:
        raise ApplicationError("Choose a protective marking.", field="protective_marking")
    if risk_tier not in {"high", "medium", "low"}:
        raise ApplicationError("Choose a risk tier.", field="risk_tier")
    if protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE and suitable_for_publication_scheme:
        raise ApplicationError(
            "An OFFICIAL-SENSITIVE policy cannot be marked suitable for the Publication Scheme.",
            field="suitable_for_publication_scheme",
        )
    may_start = any(
        permissions.has_group_role(actor, role, business_group.pk) for role in (Role.DEVELOPER, Role.MANAGER)
    ) or permissions.has_force_role(actor, Role.PCU)
    if not (rules.has_perm("lifecycle.start_policy", actor) and may_start):
        raise ApplicationError(
            f"Only policy developers and managers of {business_group} (or PCU) can start a policy there.",
            code="forbidden",
        )


def _sole_holders(*, business_group, unit) -> dict[str, User]:
    """{role: user} for each role of the named people that exactly one active user holds in ``business_group``,
    in one query. Managers head units: a manager of ``unit`` is preferred to the group's other managers."""
    roles = (Role.LEAD, Role.COORDINATOR, Role.OWNER, Role.MANAGER)
    holders: dict[str, dict[int, User]] = defaultdict(dict)
    unit_managers: dict[int, User] = {}
    for assignment in RoleAssignment.objects.filter(
        business_group=business_group, role__in=roles, user__is_active=True,
    ).select_related("user").order_by():
        holders[assignment.role][assignment.user_id] = assignment.user
        if assignment.role == Role.MANAGER and assignment.unit_id == unit.pk:
            unit_managers[assignment.user_id] = assignment.user
    if unit_managers:
        holders[Role.MANAGER] = unit_managers
    return {role: next(iter(users.values())) for role, users in holders.items() if len(users) == 1}


def _lock_editable_draft(policy: Policy, actor, *, base_revision: int | None) -> tuple[Policy, PolicyVersion]:
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
    if base_revision is not None and base_revision != version.draft_revision:
        raise ApplicationError(
            f"This draft was saved {saved_meanwhile(version, actor, documents=STATEMENT_AND_SOPS)} while you were "
            f"editing it (draft revision {version.draft_revision}, you started from {base_revision}). Your text has "
            "not been saved: copy it, reload, and merge.",
            code="conflict",
        )
    return locked, version


# The documents whose saves count in the version's own draft revision (the EIA and the Workbook count their own).
STATEMENT_AND_SOPS = (DraftDocument.STATEMENT, DraftDocument.SOP)


def saved_meanwhile(version: PolicyVersion, actor, *, documents) -> str:
    """Who saved ``documents`` of the draft last, and when, for a refusal of a save from an older page: "by you at
    10:42, in another tab or window" (a walk found "Someone else saved" said to the person who had, in a second tab),
    or "by Jane Smith at 10:42". One query, only when a save is refused."""
    last = (version.revisions.filter(document__in=documents, starting_point=False).select_related("saved_by")
            .order_by("-sequence").first())
    if last is None or last.saved_by is None:
        return "by someone else"
    when = timezone.localtime(last.saved_at).strftime("%H:%M")
    if last.saved_by_id == getattr(actor, "pk", None):
        return f"by you at {when}, in another tab or window,"
    return f"by {last.saved_by} at {when}"


@transaction.atomic
def draft_update(
    *, policy: Policy, actor, statement: str, summary_of_changes: str | None = None, base_revision: int | None = None,
    restored_from: DraftRevision | None = None, health_and_safety: str | None = None,
    health_and_safety_statement: str | None = None,
) -> PolicyVersion:
    """Save the working draft of the Policy Statement (sanitised) and the summary of changes, kept as a revision.
    ``restored_from``: the earlier revision this save puts back (``draft_revision_restore``)."""
    require_actor(actor)
    if statement is not None and len(statement) > MAX_RICH_TEXT_LENGTH:
        raise ApplicationError("The Policy Statement is too long.", field="statement")
    locked, version = _lock_editable_draft(policy, actor, base_revision=base_revision)
    before = {"statement": version.statement, "summary_of_changes": version.summary_of_changes,
              "health_and_safety": version.health_and_safety,
              "health_and_safety_statement": version.health_and_safety_statement}
    clean = sanitise_rich_text(statement)
    changes = {}
    if clean != version.statement:
        changes["statement"] = {"length": [len(version.statement), len(clean)]}
        version.statement = clean
    if summary_of_changes is not None:
        summary = optional_text(summary_of_changes, "The summary of changes", field="summary_of_changes")
        if summary != version.summary_of_changes:
            changes["summary_of_changes"] = [version.summary_of_changes, summary]
            version.summary_of_changes = summary
    if health_and_safety is not None:
        if health_and_safety not in ("", *HealthAndSafety.values):
            raise ApplicationError("Choose whether health and safety implications were identified.",
                                   field="health_and_safety")
        text = optional_text(health_and_safety_statement, "The health and safety statement",
                             field="health_and_safety_statement")
        if health_and_safety == HealthAndSafety.IDENTIFIED and not text:
            raise ApplicationError("State the health and safety implications, or choose “None identified”.",
                                   field="health_and_safety_statement")
        if health_and_safety == HealthAndSafety.NONE:
            text = ""
        for field, value in (("health_and_safety", health_and_safety), ("health_and_safety_statement", text)):
            if getattr(version, field) != value:
                changes[field] = [getattr(version, field), value]
                setattr(version, field, value)
    if not changes:
        return version
    version.draft_revision += 1
    version.save(update_fields=["statement", "summary_of_changes", "health_and_safety", "health_and_safety_statement",
                                "draft_revision"])
    revision = revision_record(
        version=version, document=DraftDocument.STATEMENT, actor=actor, before=before, restored_from=restored_from,
        content={"statement": version.statement, "summary_of_changes": version.summary_of_changes,
                 "health_and_safety": version.health_and_safety,
                 "health_and_safety_statement": version.health_and_safety_statement},
    )
    audit_log(actor=actor, action=AuditAction.POLICY_DRAFT_SAVED, obj=version, policy_id=locked.pk,
              changes={"version": version.number, "draft_revision": version.draft_revision,
                       "revision": revision.sequence if revision else None, **_restored(restored_from), **changes})
    return version


def _check_sop_marking(protective_marking: str, publish_externally: bool) -> None:
    """The marking and publication an SOP may have, on the create page and the edit page alike. SOP, "Definitions":
    "Policy owners should consider publishing their SOPs via the MPS Publication Scheme ... (SOPs should be
    classified under the Protective Marking System ...)"; an OFFICIAL-SENSITIVE one is never published externally
    (the database's sop_sensitive_not_external says so too)."""
    if protective_marking not in ProtectiveMarking.values:
        raise ApplicationError("Choose a protective marking for the SOP.", field="protective_marking")
    if protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE and publish_externally:
        raise ApplicationError("An OFFICIAL-SENSITIVE SOP cannot be published externally.",
                               field="publish_externally")


def _versions_listed(numbers: list[str]) -> str:
    """"version 1.0", "versions 1.0 and 1.1", "versions 1.0, 1.1 and 2.0"."""
    if len(numbers) == 1:
        return f"version {numbers[0]}"
    return f"versions {', '.join(numbers[:-1])} and {numbers[-1]}"


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
    publish_externally: bool = False,
) -> StandardOperatingProcedure:
    require_actor(actor)
    title = require_name(title, "a title for the SOP", field="title", max_length=200)
    _check_sop_marking(protective_marking, publish_externally)
    if text and len(text) > MAX_RICH_TEXT_LENGTH:
        raise ApplicationError("The SOP text is too long.", field="text")
    locked, version = _lock_editable_draft(policy, actor, base_revision=None)
    position = locked.sops.count()
    sop = StandardOperatingProcedure.objects.create(
        policy=locked, title=title, protective_marking=protective_marking,
        publish_externally=publish_externally, position=position,
    )
    sop_version = SOPVersion.objects.create(sop=sop, policy_version=version, text=sanitise_rich_text(text))
    revision = revision_record(version=version, document=DraftDocument.SOP, sop=sop, actor=actor,
                               content={"title": sop.title, "text": sop_version.text})
    audit_log(actor=actor, action=AuditAction.SOP_CREATED, obj=sop, policy_id=locked.pk,
              changes={"title": title, "protective_marking": protective_marking, "version": version.number,
                       "revision": revision.sequence if revision else None})
    return sop


def _sop_marking_changes(sop: StandardOperatingProcedure, *, protective_marking: str | None,
                         publish_externally: bool | None) -> dict:
    """What an edit changes of the SOP's marking and publication, as {field: {"before", "after"}} (how the timeline
    reads a change), refused where a version submitted or published would change under it. Read under the policy's
    lock (every change of an SOP takes it)."""
    marking = sop.protective_marking if protective_marking is None else protective_marking
    external = sop.publish_externally if publish_externally is None else bool(publish_externally)
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
    if external != sop.publish_externally:
        # The Publication Scheme shows a published version's SOPs by this flag as it stands (it is not versioned).
        # Taking an SOP off is safe at once; putting on one that a published version holds would publish that
        # version's text at once, before PCU had decided what to withhold from it (SOP, stage 5: PCU arranges
        # publication "on the MPS Publication Scheme").
        if external and SOPVersion.objects.filter(sop=sop, policy_version__publications__status="published").exists():
            raise ApplicationError(
                f"'{sop.title}' is in a published version of the policy: publishing it externally now would put that "
                "version's text on the Publication Scheme at once, before the Policy Co-ordination Unit has decided "
                "what to withhold from it. To publish the procedure with this draft, add it as a new SOP published "
                "externally and remove this one from the draft.", code="frozen", field="publish_externally",
            )
        changes["publish_externally"] = {"before": sop.publish_externally, "after": external}
    return changes


@transaction.atomic
def sop_update_draft(
    *, sop: StandardOperatingProcedure, actor, text: str, title: str | None = None, base_revision: int | None = None,
    restored_from: DraftRevision | None = None, protective_marking: str | None = None,
    publish_externally: bool | None = None,
) -> SOPVersion:
    """Save an SOP's text (sanitised), title, protective marking and external publication in the working draft, kept
    as a revision (of its title and text; the marking's change is in the audit event). ``protective_marking`` and
    ``publish_externally``: None leaves them as they are. An SOP removed from the draft (``sop_remove_from_draft``)
    is not edited; restoring one of its revisions (``restored_from``) puts it back."""
    require_actor(actor)
    if text and len(text) > MAX_RICH_TEXT_LENGTH:
        raise ApplicationError("The SOP text is too long.", field="text")
    locked, version = _lock_editable_draft(sop.policy, actor, base_revision=base_revision)
    # Read again under the policy's lock, which every change of an SOP takes: the page's copy may be older.
    sop = StandardOperatingProcedure.objects.get(pk=sop.pk, policy=locked)
    sop_version = SOPVersion.objects.select_for_update().filter(sop=sop, policy_version=version).first()
    changes: dict = {}
    if sop_version is None:
        if restored_from is None:
            raise ApplicationError(
                f"'{sop.title}' is not in draft version {version.number}: it was removed from it. To put it back, "
                "restore its last revision from the draft's revisions page.", code="not_found",
            )
        sop_version = SOPVersion.objects.create(sop=sop, policy_version=version, text="")
        changes["put_back_in_draft"] = True
    # Checked before anything is written, and said of the SOP as it stands.
    marking = _sop_marking_changes(sop, protective_marking=protective_marking, publish_externally=publish_externally)
    before = {"title": sop.title, "text": sop_version.text}
    clean = sanitise_rich_text(text)
    if clean != sop_version.text:
        changes["text"] = {"length": [len(sop_version.text), len(clean)]}
        sop_version.text = clean
        sop_version.save(update_fields=["text", "updated_at"])
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
        for field, pair in marking.items():
            setattr(sop, field, pair["after"])
            changed_fields.append(field)
    if changed_fields:
        sop.save(update_fields=changed_fields)
    if changes:
        version.draft_revision += 1
        version.save(update_fields=["draft_revision"])
        revision = revision_record(version=version, document=DraftDocument.SOP, sop=sop, actor=actor, before=before,
                                   content={"title": sop.title, "text": sop_version.text}, restored_from=restored_from)
        audit_log(actor=actor, action=AuditAction.SOP_DRAFT_SAVED, obj=sop, policy_id=locked.pk,
                  changes={"version": version.number, "revision": revision.sequence if revision else None,
                           **_restored(restored_from), **changes})
    return sop_version


@transaction.atomic
def sop_remove_from_draft(*, sop: StandardOperatingProcedure, actor, base_revision: int | None) -> PolicyVersion:
    """Take an SOP out of the working draft: the draft's text of it (its SOPVersion row) goes; nothing else does.

    SOP, "Role of Policy Developers": "Retain an audit trail of all versions of policy statements and SOPs ...
    Copies of document versions, including any interim amendments, must be retained". So a submitted version that
    holds the SOP keeps it (its frozen text, title and marking: the triggers of migrations 0002 and 0007 refuse any
    change to them), the SOP itself stays (its revisions name it), and the text the draft held is kept as one of the
    draft's revisions before it goes, so restoring that revision puts it back. Bound to the draft revision the page
    was drawn from (``base_revision``): a removal confirmed on a page older than the draft is refused."""
    require_actor(actor)
    locked, version = _lock_editable_draft(sop.policy, actor, base_revision=None)
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


# --- consultation ------------------------------------------------------------------------------
