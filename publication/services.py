"""Publishing an approved version: now, or on a date that coincides with the implementation plan.

SOP, "Role of the Policy Co-ordination Unit": "Publish all corporate policy" and "Provide the 'gateway'
function for the internal and external publication of policy, SOPs, impact assessments and monitoring
reports". OFFICIAL-SENSITIVE material never goes on the public Publication Scheme.
"""

from __future__ import annotations

import datetime
from typing import Unpack

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from lifecycle import permissions
from lifecycle.models import Policy
from lifecycle.services import lock_policy, policy_record_publication, require_actor
from lifecycle.services.base import Binding, begin_step, check_step_allowed, check_version_read
from lifecycle.states import ProtectiveMarking, Status
from lifecycle.workflow import PUBLISH, performs
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


# SOP, stage 5: publication may be timed "to coincide with a wider implementation plan". A plan further
# off than two years is not a plan but a typing slip (9999-12-31 was once accepted).
MAX_YEARS_AHEAD = 2
MAX_REASON_LENGTH = 2_000


def latest_publication_date(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + relativedelta(years=MAX_YEARS_AHEAD)


def _validate_publish_on(publish_on: datetime.date | None, today: datetime.date) -> None:
    if publish_on is None:
        return
    if publish_on < today:
        raise ApplicationError("The publication date cannot be in the past.", field="publish_on")
    latest = latest_publication_date(today)
    if publish_on > latest:
        raise ApplicationError(f"The publication date must be within {MAX_YEARS_AHEAD} years: on or before "
                               f"{latest:%-d %B %Y}.", field="publish_on")


@performs(PUBLISH)
@transaction.atomic
def policy_publish(
    *,
    policy: Policy,
    actor,
    on_intranet: bool = True,
    in_notices: bool = True,
    on_publication_scheme: bool = False,
    publish_on: datetime.date | None = None,
    **read: Unpack[Binding],
) -> Publication:
    """PCU publishes the approved version at once, or schedules it for ``publish_on``. The step's ceremony
    (lifecycle.workflow.PUBLISH) checks the status, PCU, separation of duties (whoever quality-assured or approved
    the version does not publish it) and that the version and content are the ones the publisher read."""
    today = timezone.localdate()
    _validate_publish_on(publish_on, today)
    locked = begin_step(PUBLISH, policy=policy, actor=actor, **read)
    current = locked.current_version
    _validate_channels(locked, on_intranet=on_intranet, in_notices=in_notices,
                       on_publication_scheme=on_publication_scheme)
    if Publication.objects.filter(policy_version=current, status=Publication.Status.SCHEDULED).exists():
        raise ApplicationError(f"Version {current.number} is already scheduled for publication.", code="stale")
    publication = Publication.objects.create(
        policy=locked, policy_version=current, on_intranet=on_intranet, in_notices=in_notices,
        on_publication_scheme=on_publication_scheme, requested_by=actor,
        scheduled_for=publish_on if publish_on and publish_on > today else None,
    )
    if publication.scheduled_for:
        audit_log(actor=actor, action=AuditAction.POLICY_PUBLICATION_SCHEDULED, obj=locked,
                  changes={"version": current.number, "scheduled_for": publication.scheduled_for,
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
    audit_log(actor=actor, action=AuditAction.POLICY_PUBLISHED, obj=locked,
              changes={"status": [before, locked.status], "version": publication.policy_version.number,
                       "channels": publication.channels, "review_due_on": locked.review_due_on,
                       "monitoring_report_due_on": locked.monitoring_report_due_on,
                       "scheduled_for": publication.scheduled_for,
                       "not_impact_assessed": locked.not_impact_assessed})
    _supersede_earlier(locked, publication, actor=actor)


def _supersede_earlier(locked: Policy, publication: Publication, *, actor) -> None:
    """The newly published version replaces the earlier one on every channel both are on; on a channel the new
    one is not on, the earlier one is taken down, not left there as if it were still in force (v1.0 stayed on
    the Publication Scheme as current after v2.0 was published without it). Each is recorded."""
    earlier = list(
        Publication.objects.select_for_update().filter(
            policy=locked, status=Publication.Status.PUBLISHED, superseded_at__isnull=True,
        ).exclude(pk=publication.pk).select_related("policy_version").order_by("pk")
    )
    now = timezone.now()
    for old in earlier:
        old.superseded_by = publication
        old.superseded_at = now
        old.save(update_fields=["superseded_by", "superseded_at"])
        audit_log(actor=actor, action=AuditAction.POLICY_PUBLICATION_SUPERSEDED, obj=locked, changes={
            "version": old.policy_version.number,
            "superseded_by": publication.policy_version.number,
            "replaced_on": [name for name in old.channels if name in publication.channels],
            "removed_from": [name for name in old.channels if name not in publication.channels],
            "reason": f"Superseded by version {publication.policy_version.number}.",
        })


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
    audit_log(actor=actor, action=AuditAction.POLICY_PUBLICATION_BROUGHT_FORWARD, obj=locked_policy,
              changes={"version": locked.policy_version.number, "scheduled_for": locked.scheduled_for,
                       "published_on": timezone.localdate(), "channels": locked.channels})
    _publish_now(locked_policy, locked, actor=actor)
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
            # Acting on the schedule PCU set: the actor recorded is the system, on PCU's instruction.
            _publish_now(locked_policy, publication, actor=None, today=today)
            published.append(publication_id)
    return published
