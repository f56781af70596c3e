"""A leaver's whole portfolio handed over in ONE transaction (``person_handover``): the preview, the plan and its
fingerprint, with a fixed number of queries plus the audit chain's four per policy."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.audit import audit_log, audit_log_many
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import Role, RoleAssignment, User
from lifecycle.models import Policy
from lifecycle.permissions import forget_roles, is_pcu, role_index
from lifecycle.services.base import require_actor, require_text
from lifecycle.services.drafting import check_new_lead_cleared_for_instructions, sensitive_instructions_by_group
from lifecycle.services.people.parts import (
    DESIGNATED_LEAD,
    DEVELOPER,
    PARTS,
    REASON_MAX_LENGTH,
    SINGLE_PARTS,
    HolderChange,
    OpenTask,
    check_new_holder,
    holders_changed,
    lock_people,
    may_reassign,
    open_tasks_requested,
    role_assignments_of,
)
from lifecycle.states import Status


@dataclass
class Holding:
    """One policy a person is named on, and the parts they hold there."""

    policy: Policy
    parts: tuple[str, ...]
    movable: tuple[str, ...] = ()

    @property
    def kept(self) -> tuple[str, ...]:
        return tuple(part for part in self.parts if part not in self.movable)

    @property
    def movable_labels(self) -> str:
        return "; ".join(PARTS[part].label for part in self.movable)

    @property
    def kept_labels(self) -> str:
        return "; ".join(PARTS[part].label for part in self.kept)


@dataclass
class HandoverPlan:
    leaver: User
    holdings: list[Holding]
    tasks: list[OpenTask] = field(default_factory=list)
    # Whom the new Designated Lead must be cleared for, told before they are chosen: {(business group id, name):
    # {corporate policy's reference: [its OFFICIAL-SENSITIVE local work instructions there]}} of the policies whose
    # Lead part moves (sensitive_instructions_by_group); person_handover refuses a Lead not cleared for them.
    lead_must_be_cleared_for: dict = field(default_factory=dict)

    @property
    def lead_moving(self) -> list[Policy]:
        return [holding.policy for holding in self.holdings if DESIGNATED_LEAD in holding.movable]

    @property
    def moving(self) -> list[Holding]:
        return [holding for holding in self.holdings if holding.movable]

    @property
    def staying(self) -> list[Holding]:
        """What the actor may not move (the owner and Lead parts for a co-ordinator; other groups' policies)."""
        return [holding for holding in self.holdings if holding.kept]

    @property
    def parts_needed(self) -> list[str]:
        needed = {part for holding in self.holdings for part in holding.movable}
        return [key for key in PARTS if key in needed]

    @property
    def fingerprint(self) -> str:
        """What the preview showed, posted back with the confirmation: a changed portfolio is refused as stale."""
        text = ";".join(f"{h.policy.pk}:{','.join(h.movable)}" for h in self.holdings)
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _holdings_query(leaver: User):
    """The policies ``leaver`` holds a part on, withdrawn ones left out: a withdrawn policy is archived evidence that
    nobody acts on again (its reminders stopped when it was withdrawn), and its parts name who held them then (SOP:
    "Retain an audit trail of all versions of policy statements and SOPs"). QA walk: the Lead's handover listed, and
    would have moved, the withdrawn POL-0001 and POL-0003, rewriting the Lead named on archived records. So the
    preview, the handover and the holdings that bar deactivation (``holdings_of``) read live policies only: a person
    named only on withdrawn ones holds nothing live."""
    developer = Policy.developers.through.objects.filter(policy_id=OuterRef("pk"), user_id=leaver.pk)
    named = Q(owner_id=leaver.pk) | Q(designated_lead_id=leaver.pk) | Q(policy_manager_id=leaver.pk) \
        | Q(coordinator_id=leaver.pk) | Q(Exists(developer))
    return (Policy.objects.filter(named).exclude(status=Status.WITHDRAWN)
            .annotate(is_named_developer=Exists(developer)).order_by("pk"))


def _holdings(policies, leaver: User, actor) -> list[Holding]:
    holdings = []
    for policy in policies:
        parts = tuple(key for key in SINGLE_PARTS if getattr(policy, PARTS[key].column) == leaver.pk)
        parts += (DEVELOPER,) if policy.is_named_developer else ()
        movable = tuple(part for part in parts if actor is None or may_reassign(actor, policy, part))
        holdings.append(Holding(policy=policy, parts=parts, movable=movable))
    return holdings


def may_hand_over(user) -> bool:
    """PCU; a co-ordinator (for their group's policies only: the plan says which parts they may move)."""
    return bool(is_pcu(user) or any(role == Role.COORDINATOR for role, _ in role_index(user)))


def handover_scope_check(actor) -> None:
    require_actor(actor)
    if not may_hand_over(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit, or a business group's co-ordinator for their "
                               "group's policies, can hand over a person's work.", code="forbidden")


def may_open_portfolio(actor, plan: HandoverPlan) -> bool:
    """Whether ``actor`` may see ``plan``'s person at all (out-of-scope objects are not found): PCU anyone; a
    co-ordinator a person of their groups: named on one of their groups' policies, or holding a role in one of them
    (a role held before the account was closed counts: the leaver is still theirs to hand over). Anyone else was
    a name and a count of policies elsewhere, for a username typed into the address."""
    if is_pcu(actor):
        return True
    groups = {group for role, group in role_index(actor) if role == Role.COORDINATOR}
    if any(holding.policy.business_group_id in groups for holding in plan.holdings):
        return True
    return bool(groups) and RoleAssignment.objects.filter(user_id=plan.leaver.pk, business_group_id__in=groups).exists()


def handover_preview(*, actor, leaver: User) -> HandoverPlan:
    """Every policy ``leaver`` is named on, the parts ``actor`` may move, and their open tasks (read only)."""
    handover_scope_check(actor)
    holdings = _holdings(_holdings_query(leaver), leaver, actor)
    tasks: list[OpenTask] = []
    # The open tasks quote reminders in their own words (a remedial action's, what the Lead directed after a monitoring
    # report that may be OFFICIAL-SENSITIVE while its policy is OFFICIAL now): listed only on the policies whose parts
    # the actor may move, which they are cleared for (PCU force-wide; a co-ordinator by their role on the policy's
    # group, ``roles_cleared_for``), never on another group's policy a co-ordinator may open the leaver's page beside.
    ids = [holding.policy.pk for holding in holdings if holding.movable]
    for _, found in open_tasks_requested.send(sender=Policy, user=leaver, policy_ids=ids):
        tasks.extend(found or [])
    plan = HandoverPlan(leaver=leaver, holdings=holdings, tasks=sorted(tasks, key=lambda t: (t.policy_id, t.what)))
    # One statement, and none unless the Lead part moves (PCU's alone: their force-wide role clears them for every
    # group's material, so the instructions may be named to them).
    plan.lead_must_be_cleared_for = sensitive_instructions_by_group(plan.lead_moving)
    return plan


def holdings_of(user: User) -> list[str]:
    """core.holdings provider: every part ``user`` holds, as sentences (one query)."""
    return [f"{', '.join(PARTS[part].label for part in holding.parts)} of {holding.policy.reference}"
            for holding in _holdings(_holdings_query(user).only(
                "pk", "reference", "business_group_id", *SINGLE_PARTS), user, None)]


@dataclass(frozen=True)
class HandoverResult:
    policies: int
    changes: int
    kept: int


@transaction.atomic
def person_handover(*, actor, leaver: User, replacements: dict, reason: str, expected: str | None = None
                    ) -> HandoverResult:
    """Move ``leaver``'s whole portfolio within ``actor``'s scope, in one transaction: each part they hold to
    ``replacements[part]``. Queries: a fixed number, however many policies move (one audit event each, written in
    bulk: ``core.audit.audit_log_many``). ``expected``: the fingerprint of the preview the page showed, which a page
    always sends ("" when its form left it out: refused); None only for a caller that showed no preview (a script,
    a command), as ``lifecycle.services.base.check_version_read`` takes a version read."""
    handover_scope_check(actor)
    reason = require_text(reason, "the reason for the handover", field="reason", max_length=REASON_MAX_LENGTH)
    policies = list(_holdings_query(leaver).select_for_update(of=("self",), no_key=True))  # as lock_policy
    plan = HandoverPlan(leaver=leaver, holdings=_holdings(policies, leaver, actor))
    if expected is not None and not expected:
        # Integrity review of 2026-12-06: a confirmation without the preview's fingerprint moved policies the preview
        # never showed (the leaver named on one more meanwhile).
        raise ApplicationError(f"The page you sent this from does not say which preview of {leaver}'s work you "
                               "confirmed. Nothing was moved: check the preview again and confirm it.", code="stale")
    if expected is not None and expected != plan.fingerprint:
        raise ApplicationError(f"{leaver}'s work has changed since the preview. Nothing was moved: check the "
                               "preview again.", code="stale")
    if not plan.moving:
        raise ApplicationError(f"{leaver} holds nothing that you can hand over.", code="stale")
    chosen = {part: replacements.get(part) for part in plan.parts_needed}
    people = lock_people(chosen.values())
    assignments = role_assignments_of(people)
    for part, user in chosen.items():
        for holding in plan.moving:
            if part in holding.movable:
                check_new_holder(user, PARTS[part], policy=holding.policy, locked_users=people,
                                  assignments=assignments, field_name=part)
        if user is not None and user.pk == leaver.pk:
            raise ApplicationError(f"Choose someone other than {leaver}.", field=part)
    if DESIGNATED_LEAD in chosen:
        # SOP, "Local Work Instructions": the corporate policy's Lead gives the "prior agreement with the corporate
        # lead" to the instructions supplementing it, which they must be cleared to read: as policy_reassign and
        # policy_move_business_group refuse it for one policy, the handover refuses it, whole, for them all, in one
        # statement; the lead's roles are those just read (role_assignments_of).
        lead = chosen[DESIGNATED_LEAD]
        check_new_lead_cleared_for_instructions(
            plan.lead_moving, lead=lead, roles={(role, group) for role, group, _ in assignments.get(lead.pk, ())},
            field=DESIGNATED_LEAD)
    changes = _apply_handover(plan, {part: user.pk for part, user in chosen.items()})
    _audit_handover(actor, plan, chosen, reason)
    holders_changed.send(sender=Policy, changes=changes, actor=actor)
    for user in (leaver, *chosen.values()):
        forget_roles(user)
    return HandoverResult(policies=len(plan.moving), changes=len(changes), kept=len(plan.staying))


def _apply_handover(plan: HandoverPlan, new_ids: dict[str, int]) -> list[HolderChange]:
    """Bulk: one UPDATE per single part, one DELETE and one INSERT for the developers."""
    leaver_id = plan.leaver.pk
    changes = [HolderChange(h.policy.pk, part, leaver_id, new_ids[part]) for h in plan.moving for part in h.movable]
    now = timezone.now()
    for key in SINGLE_PARTS:
        ids = [c.policy_id for c in changes if c.part == key]
        if ids:
            Policy.objects.filter(pk__in=ids).update(**{PARTS[key].column: new_ids[key], "updated_at": now})
    developer_ids = [c.policy_id for c in changes if c.part == DEVELOPER]
    if developer_ids:
        through = Policy.developers.through
        # One DELETE: a queryset's delete() would fetch the rows and delete them 100 at a time, because core listens
        # to every model's post_delete (for guardian's grants); these are not grants, and the handover audits them.
        leaving = through.objects.filter(policy_id__in=developer_ids, user_id=leaver_id)
        leaving._raw_delete(leaving.db)
        through.objects.bulk_create([through(policy_id=pk, user_id=new_ids[DEVELOPER]) for pk in developer_ids],
                                    ignore_conflicts=True)
    return changes


def _audit_handover(actor, plan: HandoverPlan, chosen: dict, reason: str) -> None:
    """One event per policy (chained in bulk, a fixed number of queries for them all), then one on the leaver,
    which is the one that notifies, once, not once per policy: the leaver and who takes over, and each affected
    business group's co-ordinators and Lead (notifications.services.handover)."""
    leaver = plan.leaver
    audit_log_many(actor=actor, action=AuditAction.POLICY_HANDED_OVER, entries=[
        (holding.policy, {"reason": reason, "from": leaver.username,
                          "parts": [[part, leaver.username, chosen[part].username] for part in holding.movable]})
        for holding in plan.moving])
    audit_log(actor=actor, action=AuditAction.PERSON_HANDED_OVER, obj=leaver, changes={
        "reason": reason, "policies": len(plan.moving), "kept": [h.policy.reference for h in plan.staying],
        # Which policies moved, for the notice to the leaver, those taking over and each affected business group
        # (notifications.services.handover).
        "moved": sorted(h.policy.reference for h in plan.moving),
        "to": {part: user.username for part, user in chosen.items()},
        "notify_user_ids": sorted({leaver.pk, *(user.pk for user in chosen.values())}),
    })
