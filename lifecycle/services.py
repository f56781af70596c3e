"""Every state change of a policy goes through one of these functions.

Each one: validates its arguments, locks the policy row (``select_for_update``), checks the transition
is possible from the *current* state, that the actor may make it and that its gates are met, applies the
change, and writes the audit event, all in one transaction. A refusal raises ``ApplicationError`` with a
message fit to show the user, and leaves nothing half done. Side effects (mail, tasks) run on commit.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

import rules
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from core.audit import audit_log
from core.exceptions import ApplicationError
from core.html import MAX_RICH_TEXT_LENGTH, sanitise_rich_text
from core.models import ApprovalRoute, Role, RoleAssignment, User
from core.services import reference_allocate
from lifecycle import gates, permissions
from lifecycle.models import (
    ApprovalDecision,
    CommissioningDecision,
    ConsultationRecord,
    ConsulteeType,
    Policy,
    PolicyVersion,
    QAOutcome,
    QASignOff,
    SOPVersion,
    StandardOperatingProcedure,
)
from lifecycle.signals import draft_version_created
from lifecycle.states import DRAFT_EDITABLE_STATUSES, PolicyKind, ProtectiveMarking, QADiscipline, Status

TRANSITION_LABELS = {
    "request_commissioning": "request commissioning of",
    "commission": "commission",
    "decline_commissioning": "decline commissioning of",
    "submit_for_qa": "submit for quality assurance",
    "pass_qa": "pass quality assurance of",
    "return_from_qa": "return",
    "forward_to_lead": "forward to the Designated Lead",
    "approve": "approve",
    "reject": "reject",
    "emergency_approve": "approve by the emergency route",
    "forward_for_publication": "forward for publication",
    "publish": "publish",
    "complete_implementation": "move to monitoring",
    "start_review": "start a review of",
    "withdraw": "withdraw",
}


# --- shared mechanics --------------------------------------------------------------------------


def require_actor(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise ApplicationError("You must be signed in with an active account to do this.", code="forbidden")


def _require_text(value: str | None, label: str, *, field: str, max_length: int = 20_000) -> str:
    text = (value or "").strip()
    if not text:
        raise ApplicationError(f"Enter {label}.", code="invalid", field=field)
    if len(text) > max_length:
        raise ApplicationError(f"{label[0].upper()}{label[1:]} must be {max_length:,} characters or fewer.",
                               code="invalid", field=field)
    return text


def _optional_text(value: str | None, label: str, *, field: str, max_length: int = 20_000) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        raise ApplicationError(f"{label} must be {max_length:,} characters or fewer.", code="invalid", field=field)
    return text


def lock_policy(policy: Policy | int) -> Policy:
    """Re-read the policy under a row lock; everything after this sees the committed current state."""
    policy_id = policy.pk if isinstance(policy, Policy) else policy
    locked = Policy.objects.select_for_update().filter(pk=policy_id).first()
    if locked is None:
        raise ApplicationError("That policy no longer exists.", code="not_found")
    return locked


def check_expected_status(locked: Policy, expected_status: str | None) -> None:
    if expected_status is not None and locked.status != expected_status:
        raise ApplicationError(
            f"{locked.reference} has moved on since you opened the page: it is now "
            f"'{locked.get_status_display()}'. Nothing was changed; reload to see its current state.",
            code="stale",
        )


def ensure_transition_allowed(locked: Policy, name: str, actor, *, check_gates: bool = True, skip_gates=()) -> None:
    """Refuse, with the reason, unless ``name`` may run now, by ``actor``, with its gates met."""
    bound = getattr(locked, name)
    meta = bound._django_fsm
    label = TRANSITION_LABELS.get(name, name.replace("_", " "))
    if not meta.has_transition(locked.status):
        raise ApplicationError(
            f"Cannot {label} {locked.reference}: it is '{locked.get_status_display()}'. "
            "This may already have been done by someone else.",
            code="stale",
        )
    if actor is not None and not meta.has_transition_perm(locked, locked.status, actor):
        raise ApplicationError(
            f"You are not allowed to {label} {locked.reference}.", code="forbidden"
        )
    if check_gates:
        transition = meta.get_transition(locked.status)
        unmet = [gate for gate in transition.conditions if gate not in skip_gates and not gate(locked)]
        if unmet:
            reasons = " ".join(getattr(gate, "reason", gate.__name__) for gate in unmet)
            raise ApplicationError(f"Cannot {label} {locked.reference} yet. {reasons}", code="gate")


def _fire(locked: Policy, name: str, *, extra_fields: Iterable[str] = ()) -> str:
    """Run the django-fsm transition (which re-checks its conditions) and save the state."""
    before = locked.status
    try:
        getattr(locked, name)()
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at", "updated_at", *extra_fields])
    except (TransitionNotAllowed, ConcurrentTransition) as exc:
        raise ApplicationError(
            f"{locked.reference} could not move on: its state changed meanwhile. Reload and try again.",
            code="stale",
        ) from exc
    return before


def _status_change(before: str, locked: Policy) -> dict:
    return {"status": [before, locked.status]}


def _new_draft(*, policy: Policy, actor, previous: PolicyVersion | None, new_cycle: bool) -> PolicyVersion:
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


def _freeze(locked: Policy, version: PolicyVersion, actor, *, freeze_eia: bool = True) -> None:
    """Submission freezes the package: statement, SOP texts, EIA and Workbook become evidence."""
    now = timezone.now()
    version.content_hash = version.compute_content_hash()
    version.submitted_at = now
    version.submitted_by = actor
    version.save(update_fields=["content_hash", "submitted_at", "submitted_by"])
    documents = [getattr(version, "workbook", None)]
    if freeze_eia:
        documents.append(getattr(version, "eia", None))
    for document in documents:
        if document is not None and document.frozen_at is None:
            document.frozen_at = now
            document.save(update_fields=["frozen_at"])
    locked.forget_cached_version()


def _add_months(day: datetime.date, months: int) -> datetime.date:
    return day + relativedelta(months=months)


# --- creating and drafting ---------------------------------------------------------------------


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
    owner=None,
    designated_lead=None,
    policy_manager=None,
    coordinator=None,
    developers: Iterable = (),
) -> Policy:
    """Start a new policy in stage 1 (identification and scoping) with draft version 1.0."""
    require_actor(actor)
    title = _require_text(title, "a title", field="title", max_length=200)
    purpose = _require_text(purpose, "the purpose of the policy", field="purpose")
    relevant_to = _require_text(relevant_to, "who the policy is relevant to", field="relevant_to")
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
    if not may_start:
        raise ApplicationError(
            f"Only policy developers and managers of {business_group} (or PCU) can start a policy there.",
            code="forbidden",
        )
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
        reference=reference_allocate(counter="policy", prefix="POL"),
        title=title,
        purpose=purpose,
        relevant_to=relevant_to,
        business_group=business_group,
        owning_unit=owning_unit,
        kind=kind,
        risk_tier=risk_tier,
        protective_marking=protective_marking,
        suitable_for_publication_scheme=suitable_for_publication_scheme,
        registered_file_reference=(registered_file_reference or "").strip()[:60],
        owner=owner,
        designated_lead=designated_lead,
        policy_manager=policy_manager,
        coordinator=coordinator,
    )
    policy.developers.set(developer_list)
    version = _new_draft(policy=policy, actor=actor, previous=None, new_cycle=False)
    audit_log(
        actor=actor,
        action="policy.created",
        obj=policy,
        changes={
            "reference": policy.reference,
            "title": title,
            "business_group": business_group.name,
            "kind": kind,
            "risk_tier": risk_tier,
            "protective_marking": protective_marking,
            "version": version.number,
        },
    )
    return policy


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
    if base_revision is not None and base_revision != version.draft_revision:
        raise ApplicationError(
            f"Someone else saved this draft while you were editing it (draft revision {version.draft_revision}, "
            f"you started from {base_revision}). Your text has not been saved: copy it, reload, and merge.",
            code="conflict",
        )
    return locked, version


@transaction.atomic
def draft_update(
    *, policy: Policy, actor, statement: str, summary_of_changes: str | None = None, base_revision: int | None = None
) -> PolicyVersion:
    """Save the working draft of the Policy Statement (sanitised) and the summary of changes."""
    require_actor(actor)
    if statement is not None and len(statement) > MAX_RICH_TEXT_LENGTH:
        raise ApplicationError("The Policy Statement is too long.", field="statement")
    locked, version = _lock_editable_draft(policy, actor, base_revision=base_revision)
    clean = sanitise_rich_text(statement)
    changes = {}
    if clean != version.statement:
        changes["statement"] = {"length": [len(version.statement), len(clean)]}
        version.statement = clean
    if summary_of_changes is not None:
        summary = _optional_text(summary_of_changes, "The summary of changes", field="summary_of_changes")
        if summary != version.summary_of_changes:
            changes["summary_of_changes"] = [version.summary_of_changes, summary]
            version.summary_of_changes = summary
    if not changes:
        return version
    version.draft_revision += 1
    version.save(update_fields=["statement", "summary_of_changes", "draft_revision"])
    audit_log(actor=actor, action="policy.draft_saved", obj=version, policy_id=locked.pk,
              changes={"version": version.number, "draft_revision": version.draft_revision, **changes})
    return version


@transaction.atomic
def sop_create(
    *, policy: Policy, actor, title: str, text: str = "", protective_marking: str = ProtectiveMarking.OFFICIAL,
    publish_externally: bool = False,
) -> StandardOperatingProcedure:
    require_actor(actor)
    title = _require_text(title, "a title for the SOP", field="title", max_length=200)
    if protective_marking not in ProtectiveMarking.values:
        raise ApplicationError("Choose a protective marking for the SOP.", field="protective_marking")
    if protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE and publish_externally:
        raise ApplicationError("An OFFICIAL-SENSITIVE SOP cannot be published externally.",
                               field="publish_externally")
    if text and len(text) > MAX_RICH_TEXT_LENGTH:
        raise ApplicationError("The SOP text is too long.", field="text")
    locked, version = _lock_editable_draft(policy, actor, base_revision=None)
    position = locked.sops.count()
    sop = StandardOperatingProcedure.objects.create(
        policy=locked, title=title, protective_marking=protective_marking,
        publish_externally=publish_externally, position=position,
    )
    SOPVersion.objects.create(sop=sop, policy_version=version, text=sanitise_rich_text(text))
    audit_log(actor=actor, action="sop.created", obj=sop, policy_id=locked.pk,
              changes={"title": title, "protective_marking": protective_marking, "version": version.number})
    return sop


@transaction.atomic
def sop_update_draft(
    *, sop: StandardOperatingProcedure, actor, text: str, title: str | None = None, base_revision: int | None = None,
) -> SOPVersion:
    require_actor(actor)
    if text and len(text) > MAX_RICH_TEXT_LENGTH:
        raise ApplicationError("The SOP text is too long.", field="text")
    locked, version = _lock_editable_draft(sop.policy, actor, base_revision=base_revision)
    sop_version, _ = SOPVersion.objects.select_for_update().get_or_create(sop=sop, policy_version=version)
    clean = sanitise_rich_text(text)
    changes = {}
    if clean != sop_version.text:
        changes["text"] = {"length": [len(sop_version.text), len(clean)]}
        sop_version.text = clean
        sop_version.save(update_fields=["text", "updated_at"])
    if title is not None:
        new_title = _require_text(title, "a title for the SOP", field="title", max_length=200)
        if new_title != sop.title:
            # The title is not versioned but is in every submitted package's content hash: renaming an SOP
            # that has been submitted would silently rewrite the evidence of that earlier version.
            if SOPVersion.objects.filter(sop=sop, policy_version__submitted_at__isnull=False).exists():
                raise ApplicationError(
                    f"'{sop.title}' has been submitted under that title, which is part of the record of the "
                    "submitted version, so it cannot be renamed.", code="frozen", field="title",
                )
            changes["title"] = [sop.title, new_title]
            sop.title = new_title
            sop.save(update_fields=["title"])
    if changes:
        version.draft_revision += 1
        version.save(update_fields=["draft_revision"])
        audit_log(actor=actor, action="sop.draft_saved", obj=sop, policy_id=locked.pk,
                  changes={"version": version.number, **changes})
    return sop_version


# --- consultation ------------------------------------------------------------------------------


@transaction.atomic
def consultation_record(
    *, policy: Policy, actor, consultee: str, organisation: str, consultee_type: str, date_sent: datetime.date,
    response: str = "", response_received_on: datetime.date | None = None, decision_taken: str = "",
    feedback_given: bool = False,
) -> ConsultationRecord:
    """Add a line to the consultation log (SOP stage 3: consult subject matter experts, those affected,
    and always the Safety and Health Risk Management Team)."""
    require_actor(actor)
    consultee = _require_text(consultee, "who was consulted", field="consultee", max_length=160)
    organisation = _require_text(organisation, "their organisation", field="organisation", max_length=160)
    if consultee_type not in ConsulteeType.values:
        raise ApplicationError("Choose the type of consultee.", field="consultee_type")
    if not isinstance(date_sent, datetime.date):
        raise ApplicationError("Enter the date the consultation was sent.", field="date_sent")
    if date_sent > timezone.localdate():
        raise ApplicationError("The date sent cannot be in the future.", field="date_sent")
    if response_received_on and response_received_on < date_sent:
        raise ApplicationError("The response cannot be received before the consultation was sent.",
                               field="response_received_on")
    locked = lock_policy(policy)
    if not permissions.can_draft(actor, locked):
        raise ApplicationError(f"You are not allowed to record consultation on {locked.reference}.",
                               code="forbidden")
    if locked.status not in DRAFT_EDITABLE_STATUSES:
        raise ApplicationError(
            f"Consultation can be recorded only in scoping or development; {locked.reference} is "
            f"'{locked.get_status_display()}'.", code="frozen",
        )
    record = ConsultationRecord.objects.create(
        policy=locked, cycle=locked.current_cycle, consultee=consultee, organisation=organisation,
        consultee_type=consultee_type, date_sent=date_sent,
        response=_optional_text(response, "The response", field="response"),
        response_received_on=response_received_on,
        decision_taken=_optional_text(decision_taken, "The decision taken", field="decision_taken"),
        feedback_given=bool(feedback_given), recorded_by=actor,
    )
    audit_log(actor=actor, action="consultation.recorded", obj=record, policy_id=locked.pk,
              changes={"consultee": consultee, "organisation": organisation, "type": consultee_type,
                       "date_sent": date_sent, "cycle": record.cycle})
    return record


@transaction.atomic
def consultation_record_response(
    *, record: ConsultationRecord, actor, response: str, response_received_on: datetime.date | None = None,
    decision_taken: str | None = None, feedback_given: bool | None = None,
) -> ConsultationRecord:
    """Record a consultee's response (SHRMT records its own advice) and what was decided about it."""
    require_actor(actor)
    locked_policy = lock_policy(record.policy_id)
    locked = ConsultationRecord.objects.select_for_update().get(pk=record.pk)
    is_shrmt_answering = locked.consultee_type == ConsulteeType.SHRMT and permissions.is_shrmt(actor)
    if not (permissions.can_draft(actor, locked_policy) or is_shrmt_answering):
        raise ApplicationError("You are not allowed to record this response.", code="forbidden")
    if locked.cycle != locked_policy.current_cycle or locked_policy.status not in DRAFT_EDITABLE_STATUSES:
        raise ApplicationError("This consultation belongs to a closed stage and can no longer be changed.",
                               code="frozen")
    response = _require_text(response, "the response", field="response")
    received = response_received_on or timezone.localdate()
    if received < locked.date_sent:
        raise ApplicationError("The response cannot be received before the consultation was sent.",
                               field="response_received_on")
    before = {"response": locked.response, "decision_taken": locked.decision_taken,
              "feedback_given": locked.feedback_given}
    locked.response = response
    locked.response_received_on = received
    if decision_taken is not None:
        locked.decision_taken = _optional_text(decision_taken, "The decision taken", field="decision_taken")
    if feedback_given is not None:
        locked.feedback_given = bool(feedback_given)
    locked.save(update_fields=["response", "response_received_on", "decision_taken", "feedback_given",
                               "updated_at"])
    audit_log(actor=actor, action="consultation.response_recorded", obj=locked, policy_id=locked_policy.pk,
              changes={"before": before, "response": response, "decision_taken": locked.decision_taken,
                       "feedback_given": locked.feedback_given})
    return locked


# --- stages 1 and 2: scoping and commissioning -------------------------------------------------


@transaction.atomic
def policy_request_commissioning(*, policy: Policy, actor, expected_status: str | None = None) -> Policy:
    require_actor(actor)
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "request_commissioning", actor)
    before = _fire(locked, "request_commissioning")
    audit_log(actor=actor, action="policy.commissioning_requested", obj=locked,
              changes=_status_change(before, locked))
    return locked


@transaction.atomic
def policy_commission(*, policy: Policy, actor, comments: str = "", expected_status: str | None = None) -> Policy:
    """SOP stage 2: the Designated Lead's formal agreement to progress the work."""
    require_actor(actor)
    comments = _optional_text(comments, "Comments", field="comments")
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "commission", actor, skip_gates=[gates.commissioning_recorded])
    decision = CommissioningDecision.objects.create(
        policy=locked, cycle=locked.current_cycle, decision=CommissioningDecision.Decision.COMMISSIONED,
        decided_by=actor, comments=comments,
    )
    before = _fire(locked, "commission")
    audit_log(actor=actor, action="policy.commissioned", obj=locked,
              changes={**_status_change(before, locked), "cycle": decision.cycle, "comments": comments})
    return locked


@transaction.atomic
def policy_decline_commissioning(*, policy: Policy, actor, reasons: str, expected_status: str | None = None) -> Policy:
    require_actor(actor)
    reasons = _require_text(reasons, "the reasons for declining", field="reasons")
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "decline_commissioning", actor)
    CommissioningDecision.objects.create(
        policy=locked, cycle=locked.current_cycle, decision=CommissioningDecision.Decision.DECLINED,
        decided_by=actor, comments=reasons,
    )
    before = _fire(locked, "decline_commissioning")
    audit_log(actor=actor, action="policy.commissioning_declined", obj=locked,
              changes={**_status_change(before, locked), "reasons": reasons})
    return locked


# --- stage 3 to 4: submission and quality assurance ---------------------------------------------


@transaction.atomic
def policy_submit_for_qa(*, policy: Policy, actor, expected_status: str | None = None) -> Policy:
    """SOP stage 4: Policy Statement, SOPs, EIA and Workbook go to PCU (copied to the co-ordinator).
    The package is frozen from here on."""
    require_actor(actor)
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "submit_for_qa", actor)
    version = PolicyVersion.objects.select_for_update().get(pk=locked.current_version.pk)
    _freeze(locked, version, actor)
    before = _fire(locked, "submit_for_qa")
    audit_log(actor=actor, action="policy.submitted_for_qa", obj=locked,
              changes={**_status_change(before, locked), "version": version.number,
                       "content_hash": version.content_hash})
    return locked


_DISCIPLINE_PERMS = {
    QADiscipline.PCU: "lifecycle.qa_signoff_pcu",
    QADiscipline.DCFD: "lifecycle.qa_signoff_dcfd",
    QADiscipline.DOI: "lifecycle.qa_signoff_doi",
}


def _lock_for_qa(policy, actor, discipline, expected_status) -> tuple[Policy, PolicyVersion]:
    if discipline not in _DISCIPLINE_PERMS:
        raise ApplicationError("Choose PCU, DCFD or DOI as the quality assurance discipline.", field="discipline")
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    if locked.status != Status.SUBMITTED_FOR_QA:
        raise ApplicationError(
            f"{locked.reference} is not awaiting quality assurance: it is '{locked.get_status_display()}'. "
            "This may already have been done by someone else.", code="stale",
        )
    version = locked.current_version
    if version.author_id == actor.pk or version.submitted_by_id == actor.pk:
        # Separation of duties, whatever other roles the author holds.
        raise ApplicationError("You wrote or submitted this version, so you cannot quality-assure it.",
                               code="forbidden")
    if not rules.has_perm(_DISCIPLINE_PERMS[discipline], actor, locked):
        raise ApplicationError(
            f"Only {QADiscipline(discipline).label} can record this sign-off.", code="forbidden"
        )
    if version.qa_signoffs.filter(discipline=discipline).exists():
        raise ApplicationError(
            f"{QADiscipline(discipline).label} has already recorded its decision on version {version.number}.",
            code="stale",
        )
    return locked, version


@transaction.atomic
def policy_record_qa_signoff(
    *, policy: Policy, actor, discipline: str, comments: str = "", expected_status: str | None = None
) -> QASignOff:
    """PCU, DCFD (the EIA) or DOI (information management) passes the submission. When the last of the three
    has passed, the policy moves to "QA passed" in the same transaction."""
    require_actor(actor)
    comments = _optional_text(comments, "Comments", field="comments")
    locked, version = _lock_for_qa(policy, actor, discipline, expected_status)
    signoff = QASignOff.objects.create(
        policy_version=version, discipline=discipline, outcome=QAOutcome.PASSED, signed_by=actor, comments=comments
    )
    audit_log(actor=actor, action=f"policy.qa_signed_off.{discipline}", obj=locked,
              changes={"version": version.number, "discipline": discipline, "comments": comments})
    if gates.all_qa_signoffs_passed(locked):
        before = _fire(locked, "pass_qa")
        audit_log(actor=actor, action="policy.qa_passed", obj=locked,
                  changes={**_status_change(before, locked), "version": version.number})
    return signoff


@transaction.atomic
def policy_return_from_qa(
    *, policy: Policy, actor, discipline: str, comments: str, expected_status: str | None = None
) -> PolicyVersion:
    """Any QA discipline may return the submission with comments; work continues in a new draft."""
    require_actor(actor)
    comments = _require_text(comments, "comments explaining what must change", field="comments")
    locked, version = _lock_for_qa(policy, actor, discipline, expected_status)
    QASignOff.objects.create(
        policy_version=version, discipline=discipline, outcome=QAOutcome.RETURNED, signed_by=actor,
        comments=comments,
    )
    before = _fire(locked, "return_from_qa")
    draft = _new_draft(policy=locked, actor=actor, previous=version, new_cycle=False)
    audit_log(actor=actor, action="policy.returned_from_qa", obj=locked,
              changes={**_status_change(before, locked), "discipline": discipline, "comments": comments,
                       "returned_version": version.number, "new_draft": draft.number})
    return draft


@transaction.atomic
def policy_forward_to_lead(*, policy: Policy, actor, expected_status: str | None = None) -> Policy:
    require_actor(actor)
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "forward_to_lead", actor)
    before = _fire(locked, "forward_to_lead")
    audit_log(actor=actor, action="policy.forwarded_to_lead", obj=locked,
              changes={**_status_change(before, locked), "version": locked.current_version.number})
    return locked


# --- stage 4: the Lead's decision ---------------------------------------------------------------


def _approval_board(policy: Policy):
    route = (
        ApprovalRoute.objects.filter(risk_tier=policy.risk_tier, business_group=policy.business_group).first()
        or ApprovalRoute.objects.filter(risk_tier=policy.risk_tier, business_group__isnull=True).first()
    )
    return route.board if route else None


@transaction.atomic
def policy_approve(
    *, policy: Policy, actor, comments: str = "", expected_status: str | None = None
) -> ApprovalDecision:
    """SOP stage 4: the Designated Lead approves publication of a QA-passed, impact-assessed version."""
    require_actor(actor)
    comments = _optional_text(comments, "Comments", field="comments")
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "approve", actor, skip_gates=[gates.approval_recorded])
    version = locked.current_version
    decision = ApprovalDecision.objects.create(
        policy_version=version, decision=ApprovalDecision.Decision.APPROVED, decided_by=actor, reasons=comments,
        board=_approval_board(locked),
    )
    before = _fire(locked, "approve")
    audit_log(actor=actor, action="policy.approved", obj=locked,
              changes={**_status_change(before, locked), "version": version.number,
                       "board": decision.board.name if decision.board else None, "comments": comments})
    return decision


@transaction.atomic
def policy_reject(*, policy: Policy, actor, reasons: str, expected_status: str | None = None) -> PolicyVersion:
    require_actor(actor)
    reasons = _require_text(reasons, "the reasons for rejecting", field="reasons")
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "reject", actor)
    version = locked.current_version
    ApprovalDecision.objects.create(
        policy_version=version, decision=ApprovalDecision.Decision.REJECTED, decided_by=actor, reasons=reasons,
        board=_approval_board(locked),
    )
    before = _fire(locked, "reject")
    draft = _new_draft(policy=locked, actor=actor, previous=version, new_cycle=False)
    audit_log(actor=actor, action="policy.rejected", obj=locked,
              changes={**_status_change(before, locked), "version": version.number, "reasons": reasons,
                       "new_draft": draft.number})
    return draft


@transaction.atomic
def policy_emergency_approve(
    *, policy: Policy, actor, risk_statement: str, pcu_agreed_by, eia_due_on: datetime.date | None = None,
    expected_status: str | None = None,
) -> ApprovalDecision:
    """The emergency route. SOP stage 3: an exception "where a policy has to be introduced to meet immediate
    operational needs ... must be made with the approval of the appropriate policy lead (ACPO level or
    equivalent - who will be responsible for any associated risks), in consultation with the Policy
    Co-ordination Unit. In these circumstances, the impact assessment must be completed as soon as
    reasonably practicable." """
    require_actor(actor)
    risk_statement = _require_text(risk_statement, "the risk statement (the operational need and the risks "
                                   "you accept as risk owner)", field="risk_statement")
    if pcu_agreed_by is None or not permissions.has_force_role(pcu_agreed_by, Role.PCU) or not pcu_agreed_by.is_active:
        raise ApplicationError("Name the member of the Policy Co-ordination Unit who agreed this emergency "
                               "approval.", field="pcu_agreed_by")
    if pcu_agreed_by.pk == actor.pk:
        raise ApplicationError("The PCU agreement must come from someone other than the approving Lead.",
                               field="pcu_agreed_by")
    today = timezone.localdate()
    due = eia_due_on or today + datetime.timedelta(days=settings.POLICYHUB_EMERGENCY_EIA_DAYS)
    if due <= today:
        raise ApplicationError("The date the EIA is due must be in the future.", field="eia_due_on")
    if due > today + datetime.timedelta(days=180):
        raise ApplicationError("The EIA must be completed as soon as reasonably practicable: set a date within "
                               "6 months.", field="eia_due_on")
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "emergency_approve", actor, skip_gates=[gates.approval_recorded])
    version = PolicyVersion.objects.select_for_update().get(pk=locked.current_version.pk)
    # The statement, SOPs and Workbook are frozen; the EIA stays open until DCFD signs off the
    # retrospective assessment (assessments.services.eia_complete_retrospective).
    _freeze(locked, version, actor, freeze_eia=False)
    decision = ApprovalDecision.objects.create(
        policy_version=version, decision=ApprovalDecision.Decision.EMERGENCY_APPROVED, decided_by=actor,
        risk_statement=risk_statement, pcu_agreed_by=pcu_agreed_by, eia_due_on=due,
        board=_approval_board(locked),
    )
    locked.not_impact_assessed = True
    locked.emergency_eia_due_on = due
    before = _fire(locked, "emergency_approve", extra_fields=["not_impact_assessed", "emergency_eia_due_on"])
    audit_log(actor=actor, action="policy.emergency_approved", obj=locked,
              changes={**_status_change(before, locked), "version": version.number,
                       "risk_owner": actor.username, "pcu_agreed_by": pcu_agreed_by.username,
                       "risk_statement": risk_statement, "eia_due_on": due, "not_impact_assessed": True})
    return decision


@transaction.atomic
def policy_forward_for_publication(*, policy: Policy, actor, expected_status: str | None = None) -> Policy:
    require_actor(actor)
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "forward_for_publication", actor)
    before = _fire(locked, "forward_for_publication")
    audit_log(actor=actor, action="policy.forwarded_for_publication", obj=locked,
              changes={**_status_change(before, locked), "version": locked.current_version.number})
    return locked


# --- stages 5 and 6 -----------------------------------------------------------------------------


@transaction.atomic
def policy_complete_implementation(*, policy: Policy, actor, expected_status: str | None = None) -> Policy:
    require_actor(actor)
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "complete_implementation", actor)
    before = _fire(locked, "complete_implementation")
    audit_log(actor=actor, action="policy.implementation_completed", obj=locked,
              changes=_status_change(before, locked))
    return locked


@transaction.atomic
def policy_start_review(*, policy: Policy, actor, reason: str, expected_status: str | None = None) -> PolicyVersion:
    """Stage 6 feeds stage 1: a review starts a new major version back in scoping. The published version
    stays published (and in force) until the reviewed one replaces it."""
    require_actor(actor)
    reason = _require_text(reason, "the reason for the review", field="reason")
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "start_review", actor)
    previous = locked.current_version
    before = _fire(locked, "start_review")
    draft = _new_draft(policy=locked, actor=actor, previous=previous, new_cycle=True)
    audit_log(actor=actor, action="policy.review_started", obj=locked,
              changes={**_status_change(before, locked), "reason": reason, "previous_version": previous.number,
                       "new_draft": draft.number})
    return draft


@transaction.atomic
def policy_withdraw(*, policy: Policy, actor, reason: str, expected_status: str | None = None) -> Policy:
    require_actor(actor)
    reason = _require_text(reason, "the reason for withdrawing the policy", field="reason")
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "withdraw", actor)
    before = _fire(locked, "withdraw")
    audit_log(actor=actor, action="policy.withdrawn", obj=locked,
              changes={**_status_change(before, locked), "reason": reason})
    return locked


@transaction.atomic
def policy_set_review_date(*, policy: Policy, actor, review_due_on: datetime.date, reason: str) -> Policy:
    """A Lead or co-ordinator brings a review forward (SOP: "if no earlier review has been prompted by
    monitoring results, or external factors e.g. legislation, critical incidents")."""
    require_actor(actor)
    reason = _require_text(reason, "the reason for the earlier review", field="reason")
    if not isinstance(review_due_on, datetime.date):
        raise ApplicationError("Enter the new review date.", field="review_due_on")
    locked = lock_policy(policy)
    if not (permissions.is_group_lead(actor, locked) or permissions.is_group_coordinator(actor, locked)):
        raise ApplicationError(f"Only the Designated Lead or co-ordinator of {locked.business_group} can "
                               "change the review date.", code="forbidden")
    if not locked.is_in_force:
        raise ApplicationError(f"{locked.reference} is not a published policy in force, so it has no review date "
                               "to bring forward.", code="stale")
    if review_due_on < timezone.localdate():
        raise ApplicationError("The review date cannot be in the past.", field="review_due_on")
    if locked.review_due_on and review_due_on >= locked.review_due_on:
        raise ApplicationError(
            f"The review is already due on {locked.review_due_on:%d %B %Y}: a new date must be earlier "
            "(reviews are at least every 3 years).", field="review_due_on",
        )
    before = locked.review_due_on
    locked.review_due_on = review_due_on
    locked.save(update_fields=["review_due_on", "updated_at"])
    audit_log(actor=actor, action="policy.review_date_brought_forward", obj=locked,
              changes={"review_due_on": [before, review_due_on], "reason": reason})
    return locked


@transaction.atomic
def policy_confirm_no_change(*, policy: Policy, actor, reason: str, expected_status: str | None = None) -> Policy:
    """The review concludes that no change is needed. The Designated Lead confirms it; the policy is
    re-published as it stands with a new 3-year review date, and the decision is audited."""
    require_actor(actor)
    reason = _require_text(reason, "why no change is needed (the evidence the review considered)", field="reason")
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    ensure_transition_allowed(locked, "confirm_no_change", actor)
    today = timezone.localdate()
    before_review = locked.review_due_on
    locked.review_due_on = _add_months(today, settings.POLICYHUB_REVIEW_INTERVAL_MONTHS)
    locked.last_published_on = today
    before = _fire(locked, "confirm_no_change", extra_fields=["review_due_on", "last_published_on"])
    audit_log(actor=actor, action="policy.review_concluded_no_change", obj=locked,
              changes={**_status_change(before, locked), "reason": reason, "version": locked.current_version.number,
                       "review_due_on": [before_review, locked.review_due_on]})
    return locked


def policy_record_publication(*, locked: Policy, actor, version: PolicyVersion, published_on: datetime.date) -> str:
    """Called by publication.services inside its transaction, with the policy already locked: moves the
    policy to implementation and recomputes the 3-yearly review and annual monitoring dates."""
    locked.review_due_on = _add_months(published_on, settings.POLICYHUB_REVIEW_INTERVAL_MONTHS)
    locked.monitoring_report_due_on = _add_months(published_on, settings.POLICYHUB_MONITORING_INTERVAL_MONTHS)
    if locked.first_published_on is None:
        locked.first_published_on = published_on
    locked.last_published_on = published_on
    return _fire(locked, "publish", extra_fields=[
        "review_due_on", "monitoring_report_due_on", "first_published_on", "last_published_on",
    ])


# --- per-object grants (django-guardian) ---------------------------------------------------------

GRANTABLE = {
    "draft_policy": "draft this policy",
    "consult_policy": "read this policy's drafts as a consultee",
}


@transaction.atomic
def policy_grant_access(*, policy: Policy, actor, user, permission: str) -> None:
    """Give one person access to one policy: a developer added to it, or a consultee reading its draft."""
    from guardian.shortcuts import assign_perm

    require_actor(actor)
    if permission not in GRANTABLE:
        raise ApplicationError("Choose what the person may do: draft, or read as a consultee.", field="permission")
    if user is None or not user.is_active:
        raise ApplicationError("Choose an active member of staff.", field="user")
    locked = lock_policy(policy)
    if not rules.has_perm("lifecycle.grant_access", actor, locked):
        raise ApplicationError(f"You are not allowed to give others access to {locked.reference}.", code="forbidden")
    if permission in permissions.object_grants(user, locked):
        raise ApplicationError(f"{user} can already {GRANTABLE[permission]}.", code="stale")
    assign_perm(f"lifecycle.{permission}", user, locked)
    permissions.forget_roles(user)
    audit_log(actor=actor, action="policy.access_granted", obj=locked,
              changes={"user": user.username, "permission": permission})


@transaction.atomic
def policy_revoke_access(*, policy: Policy, actor, user, permission: str) -> None:
    from guardian.shortcuts import remove_perm

    require_actor(actor)
    locked = lock_policy(policy)
    if not rules.has_perm("lifecycle.grant_access", actor, locked):
        raise ApplicationError(f"You are not allowed to change access to {locked.reference}.", code="forbidden")
    if permission not in permissions.object_grants(user, locked):
        raise ApplicationError(f"{user} does not have that access.", code="stale")
    remove_perm(f"lifecycle.{permission}", user, locked)
    permissions.forget_roles(user)
    audit_log(actor=actor, action="policy.access_revoked", obj=locked,
              changes={"user": user.username, "permission": permission})
