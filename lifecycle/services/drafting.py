"""Drafting: creating a policy, new draft versions, the draft Policy Statement, restoring a revision, and freezing a
package at submission (the SOPs: lifecycle.services.sops; the draft's lock and revisions: .working_draft).
SOP, "Role of Policy Developers": "Retain an audit trail of all versions of policy statements and SOPs"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import rules
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.html import sanitise_rich_text_bounded
from core.models import Role, RoleAssignment, User
from core.services import reference_allocate
from core.submissions import POLICY_CREATE, Submission, submission_check_repeat, submission_claim, submission_done
from lifecycle import permissions
from lifecycle.models import (
    DraftDocument,
    DraftRevision,
    HealthAndSafety,
    Policy,
    PolicyVersion,
    SOPVersion,
)
from lifecycle.restorers import RESTORERS
from lifecycle.selectors import (
    readable_revisions,
    roles_cleared_for,
    sensitive_instructions,
    user_may_see_sensitive,
    visible_policies,
)
from lifecycle.services.base import lock_policy, optional_text, require_actor, require_name, require_text
from lifecycle.services.sops import sop_update_draft
from lifecycle.services.working_draft import lock_editable_draft, restored_changes, revision_record
from lifecycle.signals import draft_version_created
from lifecycle.states import PolicyKind, ProtectiveMarking


def new_draft(*, policy: Policy, actor, previous: PolicyVersion | None, new_cycle: bool) -> PolicyVersion:
    """Create the next draft package, carrying the statement, SOP texts, EIA and Workbook forward."""
    if previous is None:
        major, minor = 1, 0
    elif new_cycle:
        # After the newest version, not the one it starts from: a review draft withdrawn (kept, and numbered) leaves
        # the version in force current, and the next review is the cycle after the withdrawn one.
        newest_major = PolicyVersion.objects.filter(policy_id=policy.pk).order_by("-major").values_list(
            "major", flat=True).first()
        major, minor = max(previous.major, newest_major or 0) + 1, 0
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
            SOPVersion(sop_id=sop_version.sop_id, policy_version=version, text=sop_version.text,
                       publish_externally=sop_version.publish_externally)
            for sop_version in previous.sop_versions.all()
        )
    draft_version_created.send(sender=PolicyVersion, new_version=version, previous_version=previous, actor=actor)
    policy.forget_cached_version()
    return version


def freeze(locked: Policy, version: PolicyVersion, actor, *, freeze_eia: bool = True,
           freeze_workbook: bool = True, authors: list[str] | None = None) -> None:
    """Submission freezes the package: statement, SOP texts, EIA, Workbook and the document details it was
    submitted with (issue 12: "frozen with the version at submission") become evidence, and its authors, the
    developers named now (``authors_named``) unless given (a copy of the version in force names that version's). The
    emergency route leaves the EIA and the Workbook open for what it skipped (issue 13)."""
    now = timezone.now()
    version.details = locked.details_snapshot()
    version.content_hash = version.compute_content_hash()
    version.submitted_at = now
    version.submitted_by = actor
    version.authors = authors_named(locked) if authors is None else authors
    version.save(update_fields=["details", "content_hash", "submitted_at", "submitted_by", "authors"])
    documents = [getattr(version, "workbook", None)] if freeze_workbook else []
    if freeze_eia:
        documents.append(getattr(version, "eia", None))
    for document in documents:
        if document is not None and document.frozen_at is None:
            document.frozen_at = now
            document.save(update_fields=["frozen_at"])
    locked.forget_cached_version()


def authors_named(policy: Policy) -> list[str]:
    """The policy's developers as its document control names them (their names now, in the order it lists them):
    what a version records as its authors when it is frozen (PolicyVersion.authors)."""
    return [str(developer) for developer in policy.developers.all()]


# --- interim revisions ---------------------------------------------------------------------------


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
    # Only a revision the actor may read (the revisions page offers no other): one holding OFFICIAL-SENSITIVE material
    # restored by someone not cleared would put it in their draft (security review of 2026-12-06, HIGH).
    if not user_may_see_sensitive(user=actor, policy=locked) and not readable_revisions(
            DraftRevision.objects.filter(pk=revision.pk)).exists():
        raise ApplicationError("That revision is not of this policy.", code="not_found")
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
    submission: Submission | str | None = None,
) -> Policy:
    """Start a new policy in stage 1 (identification and scoping) with draft version 1.0. A local work instruction
    may name the corporate policy it supplements (``supports``, its reference). ``submission``: the one-time token
    of the form that sent it (core.submissions; None from no page): the same form sent again starts no second one."""
    require_actor(actor)
    claim = submission_claim(submission=submission, actor=actor, purpose=POLICY_CREATE)
    title = require_name(title, "a title", field="title", max_length=200)
    purpose = require_text(purpose, "the purpose of the policy", field="purpose")
    relevant_to = require_text(relevant_to, "who the policy is relevant to", field="relevant_to")
    _check_new_policy(actor=actor, business_group=business_group, owning_unit=owning_unit, kind=kind,
                      risk_tier=risk_tier, protective_marking=protective_marking,
                      suitable_for_publication_scheme=suitable_for_publication_scheme)
    supported = _supported_policy(kind, supports, actor=actor)
    check_corporate_lead_cleared(supported, marking=protective_marking, business_group=business_group,
                                 field="supports")
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
    # The same policy started again from the form drawn afresh (Back without JavaScript): asked first, before a
    # reference is taken (SOP, Policy Managers: "Ensure policy is necessary").
    submission_check_repeat(claim, content={
        "title": title, "purpose": purpose, "relevant_to": relevant_to, "business_group": business_group,
        "owning_unit": owning_unit, "kind": kind, "risk_tier": risk_tier, "protective_marking": protective_marking,
        "suitable_for_publication_scheme": suitable_for_publication_scheme,
        "registered_file_reference": registered_file_reference, "subject": subject, "supports": supported})
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
    submission_done(claim, created=f"{policy.reference} “{title}” was started, with draft version {version.number}",
                    named=f"{policy.reference} “{title}”", landing=reverse("lifecycle:detail", args=[policy.reference]))
    return policy


def _supported_policy(kind: str, supports: str | Policy | None, *, actor) -> Policy | None:
    """The corporate policy in force that a local work instruction supplements, from its reference (or None).

    Looked up among the policies ``actor`` may see (security probe F6): one out of their sight, another group's
    OFFICIAL-SENSITIVE policy or local work instruction, is answered exactly as a reference that does not exist, so
    that the answer confirms nothing of it, and is never linked."""
    reference = (supports.reference if isinstance(supports, Policy) else (supports or "")).strip().upper()
    if not reference:
        return None
    if kind != PolicyKind.LOCAL:
        raise ApplicationError("Only a local work instruction supplements a corporate policy: leave it empty for a "
                               "corporate policy.", field="supports")
    supported = (visible_policies(user=actor).filter(reference=reference).select_related("designated_lead")
                 .first())
    if supported is None or not supported.is_in_force:
        raise ApplicationError(f"There is no corporate policy {reference} in force: enter the reference of the "
                               "corporate policy it supplements, or leave it empty.", field="supports")
    if supported.kind != PolicyKind.CORPORATE:
        raise ApplicationError(f"{reference} is itself a local work instruction: a local work instruction "
                               "supplements a corporate policy.", field="supports")
    return supported


def check_corporate_lead_cleared(supported: Policy | None, *, marking: str, business_group, field: str) -> None:
    """A local work instruction that supplements ``supported`` needs the "prior agreement with the corporate lead"
    (SOP, "Local Work Instructions"), who reads its draft to give it (``is_supported_policy_lead``). Marked
    OFFICIAL-SENSITIVE (``marking``) for ``business_group``, it is read only by those cleared for that group's
    material (``user_may_see_sensitive``): refused unless the corporate lead is, who would otherwise be told its title
    and asked to agree to what they cannot open (security probe F2). The lead is the Designated Lead the corporate
    policy names, or, where it names none, any Lead of its business group (as ``is_policy_lead``)."""
    if supported is None or marking == ProtectiveMarking.OFFICIAL:
        return
    if any(roles_cleared_for(permissions.role_index(lead), business_group.pk) for lead in _corporate_leads(supported)):
        return
    who = (f"{supported.designated_lead}, the Designated Lead of {supported.reference}, is not"
           if supported.designated_lead_id is not None else
           f"{supported.reference} names no Designated Lead, and no Lead of {supported.business_group} is")
    raise ApplicationError(
        f"{who} cleared for OFFICIAL-SENSITIVE material of {business_group}: the corporate lead could not read this "
        "local work instruction to give the \"prior agreement with the corporate lead\" it needs. Ask an "
        f"administrator to give them a role in {business_group} first.", code="not_cleared", field=field)


def _corporate_leads(corporate: Policy) -> list[User]:
    """Who gives a local work instruction supplementing ``corporate`` its "prior agreement with the corporate lead"
    (``is_supported_policy_lead``): the Designated Lead it names, or, where it names none, every active Lead of its
    business group."""
    if corporate.designated_lead_id is not None:
        return [corporate.designated_lead]
    return list(User.objects.filter(is_active=True, role_assignments__role=Role.LEAD,
                                    role_assignments__business_group_id=corporate.business_group_id).distinct())


def sensitive_instructions_by_group(corporates: Iterable[Policy]) -> dict[tuple[int, str], dict[str, list[str]]]:
    """{(business group id, name): {corporate policy's reference: [references of its instructions there]}} of the
    OFFICIAL-SENSITIVE local work instructions, not withdrawn, that supplement one of the corporate policies
    ``corporates``: whose material their corporate lead must be cleared for, to give each its "prior agreement with
    the corporate lead" (SOP, "Local Work Instructions"). One statement for them all (none when no corporate policy
    is among them), groups by name, references in order. The marking that counts is the instruction's: an OFFICIAL
    policy's instructions may be OFFICIAL-SENSITIVE."""
    references = {policy.pk: policy.reference for policy in corporates if policy.kind == PolicyKind.CORPORATE}
    if not references:
        return {}
    by_group: dict[tuple[int, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for supports_id, group_id, group_name, reference in (
            sensitive_instructions().filter(supports_id__in=sorted(references))
            .order_by("business_group__name", "reference")
            .values_list("supports_id", "business_group_id", "business_group__name", "reference")):
        by_group[(group_id, group_name)][references[supports_id]].append(reference)
    return {group: dict(sorted(supported.items())) for group, supported in by_group.items()}


def in_words(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def check_new_lead_cleared_for_instructions(corporates: Iterable[Policy], *, lead: User, roles, field: str) -> None:
    """``lead``, about to be named Designated Lead of every policy of ``corporates`` at once (a leaver's handover,
    ``person_handover``), must be cleared for every OFFICIAL-SENSITIVE local work instruction that supplements one of
    them, as ``check_lead_cleared_for_instructions`` asks of one policy moved or given another Lead: they give each
    its "prior agreement with the corporate lead" (SOP, "Local Work Instructions") and could not read it otherwise
    (security probe F2). ``roles`` are the lead's ({(role, business group id)}, as ``role_index`` gives them, already
    loaded: the lead is active, ``check_new_holder`` saw to it), read by the one rule, ``roles_cleared_for``. One
    statement, however many policies (``sensitive_instructions_by_group``).

    Refused whole, naming each policy concerned with its instructions, by reference (the Lead is PCU's alone to hand
    over, ``PARTS``, whose force-wide role clears them for every group's material), and the groups the lead would
    need a role in."""
    uncleared = {group: supported for group, supported in sensitive_instructions_by_group(corporates).items()
                 if not roles_cleared_for(roles, group[0])}
    if not uncleared:
        return
    groups = in_words([name for _, name in uncleared])
    supported: dict[str, list[str]] = defaultdict(list)
    for by_policy in uncleared.values():
        for reference, instructions in by_policy.items():
            supported[reference].extend(instructions)
    policies = "; ".join(f"{reference} (supplemented by {', '.join(instructions)})"
                         for reference, instructions in sorted(supported.items()))
    one = len(supported) == 1
    raise ApplicationError(
        f"{lead} cannot take over as Designated Lead: they are not cleared for OFFICIAL-SENSITIVE material of "
        f"{groups}, where OFFICIAL-SENSITIVE local work instructions supplement {'a policy' if one else 'policies'} "
        f"handed over: {policies}. The corporate lead could not read them to give the \"prior agreement with the "
        f"corporate lead\" they need. Ask an administrator to give them a role in {groups} first, or choose as "
        "Designated Lead someone who holds one. Nothing was handed over.", code="not_cleared", field=field)


def check_lead_cleared_for_instructions(corporate: Policy, *, field: str) -> None:
    """``corporate``, about to be moved, or given another Designated Lead (the new group and Lead set, not yet
    saved), must keep a corporate lead cleared for every OFFICIAL-SENSITIVE local work instruction that supplements
    it, as ``check_corporate_lead_cleared`` asks of an instruction started, re-marked or moved: the lead gives each
    its "prior agreement with the corporate lead" (SOP, "Local Work Instructions") and could neither read it nor be
    told of it otherwise (security probe F2). A withdrawn instruction asks for no agreement again. One query when no
    such instruction supplements it (an OFFICIAL policy's instructions may be OFFICIAL-SENSITIVE: the marking that
    counts is the instruction's).

    The refusal names the instructions by reference only: it is shown to the one who moves the policy or names its
    Designated Lead, PCU alone (``PARTS``: the Lead is PCU's to name), whose force-wide role clears them for every
    group's material; their titles are not the refusal's to repeat."""
    if corporate.kind != PolicyKind.CORPORATE:
        return
    by_group = {group: supported[corporate.reference]
                for group, supported in sensitive_instructions_by_group([corporate]).items()}
    if not by_group:
        return
    leads = _corporate_leads(corporate)
    uncleared = {(group_id, name): references for (group_id, name), references in by_group.items()
                 if not any(roles_cleared_for(permissions.role_index(lead), group_id) for lead in leads)}
    if not uncleared:
        return
    groups = in_words([name for _, name in uncleared])
    references = [reference for group_references in uncleared.values() for reference in group_references]
    one = len(references) == 1
    who = (f"{leads[0]}, who would be the Designated Lead of {corporate.reference} in {corporate.business_group}, is"
           if corporate.designated_lead_id is not None else
           f"{corporate.reference} would name no Designated Lead, and no Lead of {corporate.business_group} is")
    which = (f"the OFFICIAL-SENSITIVE local work instruction {references[0]} supplements it" if one else
             f"the OFFICIAL-SENSITIVE local work instructions {', '.join(references)} supplement it")
    raise ApplicationError(
        f"{who} not cleared for OFFICIAL-SENSITIVE material of {groups}: {which}, and the corporate lead could not "
        f"read {'it' if one else 'them'} to give the \"prior agreement with the corporate lead\" "
        f"{'it needs' if one else 'they need'}. Ask an administrator to give them a role in {groups} first, or name "
        f"as Designated Lead someone of {corporate.business_group} who holds one. Nothing was changed.",
        code="not_cleared", field=field)


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


@transaction.atomic
def draft_update(
    *, policy: Policy, actor, statement: str, summary_of_changes: str | None = None, base_revision: int | None = None,
    restored_from: DraftRevision | None = None, health_and_safety: str | None = None,
    health_and_safety_statement: str | None = None,
) -> PolicyVersion:
    """Save the working draft of the Policy Statement (sanitised) and the summary of changes, kept as a revision.
    ``restored_from``: the earlier revision this save puts back (``draft_revision_restore``)."""
    require_actor(actor)
    # Refused before the lock and before anything is parsed (STYLE rule 19).
    clean = sanitise_rich_text_bounded(statement, label="The Policy Statement", field="statement")
    locked, version = lock_editable_draft(policy, actor, base_revision=base_revision)
    before = {"statement": version.statement, "summary_of_changes": version.summary_of_changes,
              "health_and_safety": version.health_and_safety,
              "health_and_safety_statement": version.health_and_safety_statement}
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
                       "revision": revision.sequence if revision else None, **restored_changes(restored_from),
                       **changes})
    return version
