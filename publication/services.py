"""Publishing an approved version: now, or on a date that coincides with the implementation plan.

SOP, "Role of the Policy Co-ordination Unit": "Publish all corporate policy" and "Provide the 'gateway'
function for the internal and external publication of policy, SOPs, impact assessments and monitoring
reports". OFFICIAL-SENSITIVE material never goes on the public Publication Scheme.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from core.audit import audit_log
from core.exceptions import ApplicationError
from lifecycle import permissions
from lifecycle.models import Policy
from lifecycle.services import (
    check_expected_status,
    ensure_transition_allowed,
    lock_policy,
    policy_record_publication,
    require_actor,
)
from lifecycle.states import ProtectiveMarking, Status
from publication.models import Publication


def _validate_channels(policy: Policy, *, on_intranet: bool, in_notices: bool, on_publication_scheme: bool) -> None:
    if not (on_intranet or in_notices or on_publication_scheme):
        raise ApplicationError("Choose at least one channel to publish on.", field="channels")
    if on_publication_scheme:
        if policy.protective_marking == ProtectiveMarking.OFFICIAL_SENSITIVE:
            raise ApplicationError("An OFFICIAL-SENSITIVE policy cannot go on the public Publication Scheme.",
                                   field="on_publication_scheme")
        if not policy.suitable_for_publication_scheme:
            raise ApplicationError("This policy is not marked suitable for the Publication Scheme.",
                                   field="on_publication_scheme")


@transaction.atomic
def policy_publish(
    *,
    policy: Policy,
    actor,
    on_intranet: bool = True,
    in_notices: bool = True,
    on_publication_scheme: bool = False,
    publish_on: datetime.date | None = None,
    expected_status: str | None = None,
) -> Publication:
    """PCU publishes the approved version at once, or schedules it for ``publish_on``."""
    require_actor(actor)
    today = timezone.localdate()
    if publish_on is not None and publish_on < today:
        raise ApplicationError("The publication date cannot be in the past.", field="publish_on")
    locked = lock_policy(policy)
    check_expected_status(locked, expected_status)
    if not permissions.is_pcu(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit publishes policy.", code="forbidden")
    ensure_transition_allowed(locked, "publish", actor)
    _validate_channels(locked, on_intranet=on_intranet, in_notices=in_notices,
                       on_publication_scheme=on_publication_scheme)
    version = locked.current_version
    if Publication.objects.filter(policy_version=version, status=Publication.Status.SCHEDULED).exists():
        raise ApplicationError(f"Version {version.number} is already scheduled for publication.", code="stale")
    publication = Publication.objects.create(
        policy=locked, policy_version=version, on_intranet=on_intranet, in_notices=in_notices,
        on_publication_scheme=on_publication_scheme, requested_by=actor,
        scheduled_for=publish_on if publish_on and publish_on > today else None,
    )
    if publication.scheduled_for:
        audit_log(actor=actor, action="policy.publication_scheduled", obj=locked,
                  changes={"version": version.number, "scheduled_for": publication.scheduled_for,
                           "channels": publication.channels})
        return publication
    _publish_now(locked, publication, actor=actor)
    return publication


def _publish_now(locked: Policy, publication: Publication, *, actor, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    before = policy_record_publication(locked=locked, actor=actor, version=publication.policy_version,
                                       published_on=today)
    publication.status = Publication.Status.PUBLISHED
    publication.published_at = timezone.now()
    publication.published_by = actor
    publication.save(update_fields=["status", "published_at", "published_by"])
    audit_log(actor=actor, action="policy.published", obj=locked,
              changes={"status": [before, locked.status], "version": publication.policy_version.number,
                       "channels": publication.channels, "review_due_on": locked.review_due_on,
                       "monitoring_report_due_on": locked.monitoring_report_due_on,
                       "scheduled_for": publication.scheduled_for,
                       "not_impact_assessed": locked.not_impact_assessed})


@transaction.atomic
def publication_cancel(*, publication: Publication, actor, reason: str) -> Publication:
    require_actor(actor)
    if not permissions.is_pcu(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit can cancel a scheduled publication.",
                               code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Enter the reason for cancelling.", field="reason")
    locked_policy = lock_policy(publication.policy_id)
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if locked.status != Publication.Status.SCHEDULED:
        raise ApplicationError("That publication is no longer scheduled.", code="stale")
    locked.status = Publication.Status.CANCELLED
    locked.save(update_fields=["status"])
    audit_log(actor=actor, action="policy.publication_cancelled", obj=locked_policy,
              changes={"version": locked.policy_version.number, "reason": reason})
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
                audit_log(actor=None, action="policy.publication_cancelled", obj=locked_policy,
                          changes={"reason": "The policy moved on before its scheduled publication date.",
                                   "version": publication.policy_version.number})
                continue
            # Acting on the schedule PCU set: the actor recorded is the system, on PCU's instruction.
            _publish_now(locked_policy, publication, actor=None, today=today)
            published.append(publication_id)
    return published
