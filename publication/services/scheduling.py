"""What PCU scheduled for publication on a date: cancelling it, bringing it forward, the daily job that publishes
what has come due, and cancelling whatever was scheduled for a policy whose withdrawal is decided, or carried out.

SOP, stage 5: "If publication is to coincide with a wider implementation plan the Policy Co-ordination Unit should
be advised."
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.validators import refuse_direction_controls
from lifecycle import permissions
from lifecycle.gates import reason_for
from lifecycle.models import Policy
from lifecycle.services import lock_policy, require_actor
from lifecycle.services.base import check_duty, check_step_allowed, check_version_read
from lifecycle.states import Status
from lifecycle.workflow import PUBLISH
from publication.models import Publication
from publication.services.publishing import publish_now

MAX_REASON_LENGTH = 2_000


def _lock_scheduled(publication: Publication | int) -> tuple[Policy, Publication]:
    """Lock the policy, then the publication (the order every publication service takes), and insist it is
    still scheduled."""
    publication_id = getattr(publication, "pk", publication)
    policy_id = Publication.objects.filter(pk=publication_id).values_list("policy_id", flat=True).first()
    if policy_id is None:
        raise ApplicationError("That publication no longer exists.", code="not_found")
    locked_policy = lock_policy(policy_id)
    locked = Publication.objects.select_for_update().select_related("policy_version").get(pk=publication_id)
    if locked.status != Publication.Status.SCHEDULED:
        raise ApplicationError(f"That publication is no longer scheduled: it is {locked.get_status_display().lower()}.",
                               code="stale")
    return locked_policy, locked


@transaction.atomic
def publication_cancel(*, publication: Publication | int, actor, reason: str) -> Publication:
    """PCU cancels a scheduled publication; the policy stays awaiting publication. PCU and the Designated
    Lead are told (notifications route ``policy.publication_cancelled``)."""
    require_actor(actor)
    if not permissions.is_pcu(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit can cancel a scheduled publication.",
                               code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Enter the reason for cancelling.", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(f"The reason must be {MAX_REASON_LENGTH:,} characters or fewer.", field="reason")
    refuse_direction_controls(reason, label="The reason", field="reason")
    locked_policy, locked = _lock_scheduled(publication)
    locked.status = Publication.Status.CANCELLED
    locked.save(update_fields=["status"])
    audit_log(actor=actor, action=AuditAction.POLICY_PUBLICATION_CANCELLED, obj=locked_policy,
              changes={"version": locked.policy_version.number, "scheduled_for": locked.scheduled_for,
                       "channels": locked.channels, "reason": reason})
    return locked


@transaction.atomic
def publication_bring_forward(*, publication: Publication | int, actor, version=None,
                              version_hash: str | None = None) -> Publication:
    """PCU publishes a scheduled publication now instead of on its date (the implementation plan moved)."""
    require_actor(actor)
    if not permissions.is_pcu(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit can bring a publication forward.",
                               code="forbidden")
    locked_policy, locked = _lock_scheduled(publication)
    if locked_policy.status != Status.AWAITING_PUBLICATION or (
        locked_policy.current_version.pk != locked.policy_version_id
    ):
        raise ApplicationError(f"{locked_policy.reference} has moved on since version "
                               f"{locked.policy_version.number} was scheduled: it can no longer be published.",
                               code="stale")
    check_step_allowed(locked_policy, PUBLISH, actor)
    check_version_read(locked_policy, version, version_hash)
    # Publishing now is publishing: whoever signed the version's QA does not (separation of duties).
    check_duty(locked_policy, PUBLISH, actor)
    audit_log(actor=actor, action=AuditAction.POLICY_PUBLICATION_BROUGHT_FORWARD, obj=locked_policy,
              changes={"version": locked.policy_version.number, "scheduled_for": locked.scheduled_for,
                       "published_on": timezone.localdate(), "channels": locked.channels})
    publish_now(locked_policy, locked, actor=actor)
    return locked


def publication_publish_due(*, today: datetime.date | None = None) -> list[int]:
    """Publish every scheduled publication whose date has come. Safe to run twice: each one is re-read
    under lock and skipped if it is no longer scheduled. Returns the ids published."""
    today = today or timezone.localdate()
    due_ids = list(
        Publication.objects.filter(status=Publication.Status.SCHEDULED, scheduled_for__lte=today)
        .order_by("scheduled_for", "pk").values_list("pk", flat=True)
    )
    published = []
    for publication_id in due_ids:
        with transaction.atomic():
            publication = Publication.objects.select_related("requested_by").get(pk=publication_id)
            locked_policy = lock_policy(publication.policy_id)
            publication = Publication.objects.select_for_update().get(pk=publication_id)
            if publication.status != Publication.Status.SCHEDULED:
                continue
            if locked_policy.status != Status.AWAITING_PUBLICATION or (
                locked_policy.current_version.pk != publication.policy_version_id
            ):
                publication.status = Publication.Status.CANCELLED
                publication.save(update_fields=["status"])
                audit_log(actor=None, action=AuditAction.POLICY_PUBLICATION_CANCELLED, obj=locked_policy,
                          changes={"reason": "The policy moved on before its scheduled publication date.",
                                   "version": publication.policy_version.number})
                continue
            # The publication step closed now, by the cycle's own rule (lifecycle.steps.HALTS: a withdrawal decided):
            # the decision cancels what was scheduled (``scheduled_publications_cancel_on_decision``), and the job asks
            # the rule again when the date comes, so that one decided otherwise (recorded before that, or by hand)
            # does not go out either. Cancelled, saying why, and PCU told (the event's route).
            closed = PUBLISH.closed_by(locked_policy)
            if closed is not None:
                _cancel(locked_policy, publication, actor=None, reason=_not_published(locked_policy, closed))
                continue
            # Acting on the schedule PCU set: the actor recorded is the system, on PCU's instruction.
            publish_now(locked_policy, publication, actor=None, today=today)
            published.append(publication_id)
    return published


def _not_published(policy: Policy, closed) -> str:
    """Why a scheduled publication of ``policy`` does not go out, the publication step being closed by ``closed``:
    its sentence (lifecycle.gates.reason_for), naming who decided the withdrawal and when."""
    return f"Not published: {reason_for(closed, policy)}"


def _cancel(policy: Policy, publication: Publication, *, actor, reason: str) -> None:
    """Cancel ``publication`` (scheduled, locked with its policy) and record why, in the caller's transaction; PCU and
    the Designated Lead are told (notifications route ``policy.publication_cancelled``)."""
    publication.status = Publication.Status.CANCELLED
    publication.save(update_fields=["status"])
    audit_log(actor=actor, action=AuditAction.POLICY_PUBLICATION_CANCELLED, obj=policy,
              changes={"version": publication.policy_version.number, "scheduled_for": publication.scheduled_for,
                       "channels": publication.channels, "reason": reason})


def _scheduled(policy: Policy) -> list[Publication]:
    return list(Publication.objects.select_for_update().select_related("policy_version").filter(
        policy=policy, status=Publication.Status.SCHEDULED).order_by("pk"))


def scheduled_publications_cancel(sender, policy: Policy, actor, **kwargs) -> int:
    """lifecycle.signals.policy_withdrawn, inside the withdrawal's transaction (the policy is locked): whatever was
    scheduled for it will not be published, and each cancellation is recorded."""
    scheduled = _scheduled(policy)
    for publication in scheduled:
        _cancel(policy, publication, actor=actor, reason="The policy was withdrawn.")
    return len(scheduled)


def scheduled_publications_cancel_on_decision(sender, policy: Policy, decision, **kwargs) -> int:
    """lifecycle.signals.withdrawal_decided, inside the decision's transaction (the policy is locked): the Designated
    Lead or the owner decided that the policy goes (they "retain ultimate ownership", SOP), so what PCU scheduled for it
    must not go out, to staff, in Notices or on the public Scheme, before PCU carries the withdrawal out (found with
    the demo: POL-0004's publication scheduled for 16 December, its withdrawal due on 18 December). Cancelled now, by
    the decision, rather than refused on its date: the Publication page, PCU's My work and the policy's overview then
    say at once that nothing is scheduled, and PCU is told today, not on the day it would have gone out. Each
    cancellation is its own audit event, by whoever decided, with the reason the publication step now gives
    (lifecycle.steps.HALTS); the scheduler asks the same rule on the day (``publication_publish_due``)."""
    scheduled = _scheduled(policy)
    closed = PUBLISH.closed_by(policy) if scheduled else None
    if closed is None:
        return 0
    for publication in scheduled:
        _cancel(policy, publication, actor=decision.decided_by, reason=_not_published(policy, closed))
    return len(scheduled)
