"""The emergency route's gates and what its pages read (issue 13). SOP stage 3: an exception "where a policy has to be
introduced to meet immediate operational needs ... must be made with the approval of the appropriate policy lead ... in
consultation with the Policy Co-ordination Unit": the Designated Lead asks, a member of PCU agrees in their own name
or refuses, and while they decide the draft the Lead read is held. Declared with the cycle's other gates
(lifecycle.gates.gate); the steps are lifecycle.workflow's."""

from __future__ import annotations

from django.utils import timezone

from lifecycle.gates import gate
from lifecycle.states import EMERGENCY_SOURCES

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
      "agree to.", label="The Lead's request for emergency approval")
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
