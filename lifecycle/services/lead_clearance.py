"""A corporate policy's Designated Lead who stops being cleared for an OFFICIAL-SENSITIVE local work instruction that
supplements it (security probe F2).

SOP, "Local Work Instructions": they "must not be produced to supplement, or as an alternative to Corporate Policy,
unless there is prior agreement with the corporate lead". The corporate lead reads the instruction's draft to give it
(``lifecycle.workflow.AGREE_LOCAL_SUPPLEMENT``); one marked OFFICIAL-SENSITIVE is read only by those cleared for its
business group's material (``lifecycle.selectors.roles_cleared_for``). Naming such a Lead is refused (the instruction
started or re-marked, the policy moved, its Lead reassigned, a leaver's handover: ``lifecycle.services.drafting``), but
a Lead cleared when named may stop being so: the role that cleared them taken away (``core.services.role_revoke``, or
deleted below the services, ``core.receivers``). The instruction is then hidden from them, and its agreement waits on
someone who cannot read it.

Core sends ``core.signals.clearance_reduced`` inside that change's transaction; ``corporate_lead_uncleared_report``
answers it there. The Lead is not changed: naming another is PCU's alone (``lifecycle.services.people.PARTS``), and who
should lead a corporate policy is not a role change's to decide. Instead each corporate policy concerned gets an audit
event, in the same transaction, that the outbox relay turns into a notice for PCU, who name the Lead and are cleared for
every group's material, and for the policy's co-ordinator (its business group's, where it names none: SOP, the
co-ordinator's role, "Ensure good governance so that policies within the BG are reviewed, monitored and published"),
saying which policy and which instructions need a cleared Designated Lead. The instructions are named by reference
only: the co-ordinator may not be cleared for them either. The chase's orphan reminder reads the same condition each
week until it is settled (notifications: ``rules.orphaned_parts``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef

from core.audit import audit_log_many
from core.events import AuditAction
from lifecycle import permissions
from lifecycle.models import Policy
from lifecycle.selectors import roles_cleared_for, sensitive_instructions
from lifecycle.services.drafting import in_words, sensitive_instructions_by_group
from lifecycle.states import PolicyKind, Status


def corporate_lead_uncleared_report(*, person, actor, cause: str,
                                    roles_lost: Iterable[tuple[str, int | None]] | None = None) -> int:
    """Inside the transaction of the change that reduced ``person``'s clearance (``cause`` says what, in words that
    follow "their"), record on each corporate policy that names them Designated Lead, and that an OFFICIAL-SENSITIVE
    local work instruction not withdrawn supplements in a business group this change left them not cleared for, an
    event telling PCU and its co-ordinator (``AuditAction.POLICY_LEAD_NOT_CLEARED_FOR_INSTRUCTIONS``). ``roles_lost``:
    the roles the change took ({(role, business group id)}); None (an account closed) for all of them. A group they
    were not cleared for before this change was already told of, and is not told again.

    Returns how many events were written. One statement when they lead no such policy, however many they lead;
    otherwise a fixed number more (the instructions, their roles, and ``audit_log_many``'s few for the events),
    however many policies, the policies locked in id order by the first."""
    supplemented = sensitive_instructions().filter(supports_id=OuterRef("pk"))
    corporates = list(Policy.objects.select_for_update(of=("self",), no_key=True).select_related("business_group")
                      .filter(Exists(supplemented), designated_lead_id=person.pk, kind=PolicyKind.CORPORATE)
                      .exclude(status=Status.WITHDRAWN).order_by("pk"))
    if not corporates:
        return 0
    # Read after the change, in its transaction: the role taken away is gone, a closed account holds nothing.
    permissions.forget_roles(person)
    roles = permissions.role_index(person)
    held_before = None if roles_lost is None else roles | frozenset(roles_lost)
    uncleared: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for (group_id, group_name), by_policy in sensitive_instructions_by_group(corporates).items():
        if roles_cleared_for(roles, group_id) or (held_before is not None
                                                  and not roles_cleared_for(held_before, group_id)):
            continue
        for reference, instructions in by_policy.items():
            uncleared[reference][group_name] = instructions
    entries = [(corporate, _changes(corporate, person, cause, uncleared[corporate.reference]))
               for corporate in corporates if corporate.reference in uncleared]
    return audit_log_many(actor=actor, action=AuditAction.POLICY_LEAD_NOT_CLEARED_FOR_INSTRUCTIONS, entries=entries)


def _changes(corporate: Policy, person, cause: str, instructions: dict[str, list[str]]) -> dict:
    """What the event records, and the reason its notice says first (notifications: ``REASON_SAID``): the
    instructions by reference, never their titles."""
    groups = in_words(sorted(instructions))
    references = [reference for group in sorted(instructions) for reference in instructions[group]]
    one = len(references) == 1
    which = (f"the OFFICIAL-SENSITIVE local work instruction {references[0]} supplements it" if one else
             f"the OFFICIAL-SENSITIVE local work instructions {', '.join(references)} supplement it")
    reason = (
        f"{person}, its Designated Lead, is no longer cleared for OFFICIAL-SENSITIVE material of {groups} (their "
        f"{cause}): {which}, and its Designated Lead must read {'it' if one else 'them'} to give the \"prior "
        f"agreement with the corporate lead\" {'it needs' if one else 'they need'} (SOP, \"Local Work "
        f"Instructions\"). The Policy Co-ordination Unit can name as Designated Lead of {corporate.reference} "
        f"someone of {corporate.business_group} cleared for {groups}, or an administrator can give {person} a role "
        f"in {groups} again.")
    return {"designated_lead": person.username, "instructions": dict(instructions), "reason": reason}
