"""The emergency route's gates and what its pages read (issue 13). SOP stage 3: an exception "where a policy has to be
introduced to meet immediate operational needs ... must be made with the approval of the appropriate policy lead ... in
consultation with the Policy Co-ordination Unit": the Designated Lead asks, a member of PCU agrees in their own name
or refuses, and while they decide the draft the Lead read is held. Declared with the cycle's other gates
(lifecycle.gates.gate); the steps are lifecycle.workflow's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from core.models import Role
from lifecycle.gates import gate, policies_decided
from lifecycle.permissions import free_for, has_group_role, role_index
from lifecycle.states import EMERGENCY_SOURCES, Duty, QADiscipline
from lifecycle.steps import halted_by_any

# Where ``latest_emergency_request`` keeps its answer on the policy object: (version id, request or None).
LATEST_EMERGENCY_REQUEST = "_policyhub_latest_emergency_request"


def latest_emergency_request(policy):
    """The Lead's latest request for emergency approval of the current version (answered or not), or None; read once
    per policy object (the overview asks it for the hold, the refusal and the route's gates). The services that ask
    or answer forget it (``forget_emergency_request``). An unanswered one is always the latest: the Lead asks again
    only once the last was answered (one_open_emergency_request_per_version)."""
    version = policy.current_version
    if version is None:
        return None
    kept = policy.__dict__.get(LATEST_EMERGENCY_REQUEST)
    if kept is None or kept[0] != version.pk:
        request = (policy.emergency_requests.filter(policy_version=version)
                   .select_related("requested_by", "answered_by").order_by("-requested_at", "-pk").first())
        kept = policy.__dict__[LATEST_EMERGENCY_REQUEST] = (version.pk, request)
    return kept[1]


def open_emergency_request(policy):
    """The Lead's unanswered request for emergency approval of the current version, or None."""
    request = latest_emergency_request(policy)
    return request if request is not None and request.answered_at is None else None


def emergency_refusal(policy):
    """PCU's refusal of the latest request for emergency approval of the draft, while it is still drafted, or None:
    for the overview to say why the draft goes the full route."""
    if policy.status not in EMERGENCY_SOURCES:
        return None
    request = latest_emergency_request(policy)
    return request if request is not None and request.agreed is False else None


def forget_emergency_request(policy) -> None:
    policy.__dict__.pop(LATEST_EMERGENCY_REQUEST, None)


def emergency_hold(policy) -> str:
    """Why the draft cannot be changed now, or "": the Designated Lead has asked for emergency approval of it and PCU
    has not answered. SOP stage 3: the emergency route is taken "with the approval of the appropriate policy lead ... in
    consultation with the Policy Co-ordination Unit"; PCU agrees to the draft the Lead read (``content_hash``), so
    while PCU decides that draft is held, as a submitted one is, instead of changing under the request and stalling
    it. Refused, the draft is open again and the Lead may ask again."""
    if policy.status not in EMERGENCY_SOURCES:
        return ""
    request = open_emergency_request(policy)
    if request is None:
        return ""
    asked_on = timezone.localtime(request.requested_at)
    return (f"{request.requested_by} asked for emergency approval of this draft of {policy.reference} on "
            f"{asked_on:%-d %B %Y}. It waits for a member of the Policy Co-ordination Unit to agree or refuse, and "
            "they agree to the draft as the Lead read it: it cannot be changed until they answer. If it must change, "
            "ask them to refuse the request; the Lead can then ask again.")


@gate("The emergency route has already been asked for this version: it waits for PCU's answer.",
      label="No emergency approval asked for yet")
def emergency_not_requested(policy) -> bool:
    return open_emergency_request(policy) is None


@gate("The Designated Lead has not asked for emergency approval of this version, so there is nothing for PCU to "
      "agree to.", label="The Lead's request for emergency approval",
      where=lambda: policies_decided("EmergencyRequest"))
def emergency_requested(policy) -> bool:
    return open_emergency_request(policy) is not None


@gate("The Designated Lead has asked for emergency approval of this draft: a member of the Policy Co-ordination Unit "
      "must agree or refuse before it can go any other way, such as to quality assurance.",
      label="PCU's answer to the Lead's request for emergency approval",
      applies=lambda policy: open_emergency_request(policy) is not None)
def no_emergency_request_waiting(policy) -> bool:
    """The full process waits while the emergency route is asked for: submitted meanwhile, the draft left the
    route's one status and the request was left unanswered for ever (found by the eleventh session's walk)."""
    return open_emergency_request(policy) is None


@dataclass(frozen=True)
class AuthorsWork:
    """What the policy's authors write of one part the emergency route skipped, before its discipline signs it off:
    the work as My work and the overview's "What to do next" name it to them (``title``), and the page it is written
    on (``page``, a URL name taking the policy's reference). Who the authors are is one rule
    (lifecycle.selectors.emergency_authors), which the chase reads too."""

    title: str
    page: str


@dataclass(frozen=True)
class SkippedPart:
    """One part of what the emergency route skipped, signed off late by its discipline (issue 13; SOP stage 3: "the
    impact assessment must be completed as soon as reasonably practicable"): how the policy's page lists it
    (``label``, ``who``), the work as My work and the overview's "What to do next" name it (``title``), the page
    it is signed off on (``page``, a URL name taking the policy's reference), and what the policy's authors write
    for it first (``authors``; None where they write nothing: DOI's quality assurance reads the Workbook PCU signs)."""

    discipline: str
    label: str
    who: str
    title: str
    page: str
    authors: AuthorsWork | None = None


# In the order the policy's page lists them (lifecycle.selectors.emergency_outstanding).
SKIPPED_PARTS: dict[str, SkippedPart] = {part.discipline: part for part in (
    SkippedPart(QADiscipline.DCFD, "Equality Impact Assessment, signed off by DCFD",
                "Diversity and Citizen Focus Directorate", "Sign off the retrospective EIA", "assessments:eia_signoff",
                authors=AuthorsWork("Complete the retrospective EIA", "assessments:eia")),
    SkippedPart(QADiscipline.PCU, "Workbook impact sections (health and safety, information management, "
                "consultation), signed off by PCU", "Policy Co-ordination Unit",
                "Sign off the Workbook's impact sections", "assessments:emergency_signoff",
                authors=AuthorsWork("Complete the Workbook's impact sections", "assessments:workbook")),
    SkippedPart(QADiscipline.DOI, "Quality assurance of information management by DOI", "Directorate of Information",
                "Sign off the quality assurance of information management", "assessments:emergency_signoff"),
)}
# The parts whose documents the authors write, by discipline: their work stands until that discipline signs it off
# (the EIA, which DCFD freezes; the Workbook's impact sections, which PCU freezes).
WRITTEN_BY_AUTHORS: dict[str, AuthorsWork] = {
    discipline: part.authors for discipline, part in SKIPPED_PARTS.items() if part.authors is not None}


def authors_work_waiting(signed_off) -> list[AuthorsWork]:
    """What the policy's authors still write of what the emergency route skipped, given the disciplines that have
    signed their part off (``signed_off``): the one answer the overview's "What to do next", My work and the chase
    read (lifecycle.selectors.emergency_authors says who the authors are)."""
    signed_off = set(signed_off)
    return [work for discipline, work in WRITTEN_BY_AUTHORS.items() if discipline not in signed_off]
# The Designated Lead's part while any is outstanding: as risk owner, they see them done (My work's "Emergency
# approvals awaiting sign-off"; SOP stage 3: the exception is made "with the approval of the appropriate policy lead").
RISK_OWNER_WATCH = "See that the retrospective EIA is completed"


def skipped_parts_waiting_for(user, policy, outstanding) -> list[SkippedPart]:
    """The parts of ``outstanding`` (lifecycle.selectors.emergency_outstanding: what the emergency route skipped on
    ``policy``, each signed off or not) that wait for ``user``, as My work lists them
    (workspace.role_queues._awaiting_quality_assurance): their force-wide discipline's, not yet signed off, and not to
    someone who took another part in the version (separation of duties: ``free_for``)."""
    if not policy.not_impact_assessed:
        return []
    roles = role_index(user)
    mine = [SKIPPED_PARTS[item.discipline] for item in outstanding
            if not item.done and (item.discipline, None) in roles]
    return mine if mine and free_for(user, policy, Duty.QA) else []


# Whether a person may sign off a part of what the emergency route skipped now: the sign-off services' own rule
# (assessments.services.retrospective.late_sign_off_refusal), which assessments registers when it is loaded
# (``refuses_late_sign_offs``), so that the policy's overview links a part only where its page would offer it, without
# importing assessments (rule 20, as lifecycle.restorers).
_LATE_SIGN_OFF_RULE: list[Callable] = []


def refuses_late_sign_offs(rule: Callable) -> Callable:
    """Register ``rule(user, policy, discipline) -> ApplicationError | None`` as ``late_sign_off_refusal``."""
    if _LATE_SIGN_OFF_RULE and _LATE_SIGN_OFF_RULE[0] is not rule:
        raise ValueError("Two rules are registered for the emergency route's late sign-offs.")
    _LATE_SIGN_OFF_RULE[:] = [rule]
    return rule


def late_sign_off_refusal(user, policy, discipline: str):
    """Why ``user`` may not sign off ``discipline``'s part of what the emergency route skipped on ``policy`` now (an
    ApplicationError with its reason: code "gate" while its authors are still to write it), or None where its sign-off
    page would offer it: the rule its page and service ask."""
    return _LATE_SIGN_OFF_RULE[0](user, policy, discipline)


def risk_owner_watches(user, policy) -> bool:
    """Whether ``user`` is told ``RISK_OWNER_WATCH`` of ``policy``: a Designated Lead of its business group, while it
    is not impact assessed (My work's "Emergency approvals awaiting sign-off") and its cycle not halted: once its
    withdrawal is decided nothing it skipped is signed off or chased (lifecycle.steps.HALTS; found in Chromium on
    POL-0014, "Nothing is waiting for you" beside "As the risk owner: See that the retrospective EIA is completed")."""
    return (bool(policy.not_impact_assessed) and halted_by_any(policy) is None
            and has_group_role(user, Role.LEAD, policy.business_group_id))
