"""Publishing an approved version: now, or on a date that coincides with the implementation plan; re-publishing
the version in force after a review that concluded no change; a local work instruction published on its approval.

SOP, "Role of the Policy Co-ordination Unit": "Publish all corporate policy" and "Provide the 'gateway'
function for the internal and external publication of policy, SOPs, impact assessments and monitoring
reports". OFFICIAL-SENSITIVE material never goes on the public Publication Scheme.
"""

from __future__ import annotations

import datetime
from typing import Unpack

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from acknowledgements.services import acknowledgement_audience_carry_forward, acknowledgement_audience_record
from core.audit import audit_log
from core.dates import date_shown
from core.events import AuditAction
from core.exceptions import ApplicationError
from lifecycle.details import kept_off_the_scheme
from lifecycle.models import ApprovalDecision, Policy, PolicyVersion
from lifecycle.services import (
    policy_put_marking_in_force,
    policy_put_title_in_force,
    policy_record_publication,
    policy_record_republication,
    policy_set_publication_dates,
)
from lifecycle.services.base import Binding, begin_step, finish_step, optional_text, said_done
from lifecycle.services.drafting import freeze
from lifecycle.steps import performs
from lifecycle.workflow import APPROVE_LOCAL, PUBLISH, REPUBLISH_NO_CHANGE
from publication.models import Publication
from publication.services.stored_files import queue_file_rendering


def _validate_channels(policy: Policy, version: PolicyVersion, *, on_intranet: bool, in_notices: bool,
                       on_publication_scheme: bool) -> None:
    """The channels ``version`` may go out on, by the marking and suitability it was frozen and approved with (a
    review's downgrade is in force only once its version is published: the policy is still marked as the version in
    force)."""
    if not (on_intranet or in_notices or on_publication_scheme):
        raise ApplicationError("Choose at least one channel to publish on.", field="channels")
    refusal = kept_off_the_scheme(policy, version.details_read) if on_publication_scheme else ""
    if refusal:
        raise ApplicationError(f"{refusal[:1].upper()}{refusal[1:]}.", field="on_publication_scheme")


def check_withheld_read(current: PolicyVersion, withheld_hash: str | None) -> None:
    """Rule 17 for what the public copy withholds: PCU's decision to publish covers the parts of the SOPs withheld
    from the Publication Scheme as its page showed them (SOP, stage 5: PCU arranges publication "on the MPS
    Publication Scheme"; "SOPs that are not on the MPS Publication Scheme may be requested under the Freedom of
    Information Act"). A page drawn before another member of PCU withheld a part, or published one again, is
    refused and nothing is published; the page is shown again with the parts as they are now (integrity review of
    2026-12-06). The parts change only under the policy's lock (publication.services.redactions), which the caller
    holds. None: a caller that showed no page (a command, the demo's seeding)."""
    if withheld_hash is None or withheld_hash == current.withheld_hash:
        return
    raise ApplicationError(
        "What the public copy withholds has changed since you opened this page: another member of the Policy "
        "Co-ordination Unit has withheld a part, or published one again. Nothing was published. Check the parts "
        "withheld as shown now and publish again if they are right.", code="withheld_changed")


# SOP, stage 5: publication may be timed "to coincide with a wider implementation plan". A plan further
# off than two years is not a plan but a typing slip (9999-12-31 was once accepted).
MAX_YEARS_AHEAD = 2


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
    asked_to_acknowledge: dict | None = None,
    withheld_hash: str | None = None,
    **read: Unpack[Binding],
) -> Publication:
    """PCU publishes the approved version at once, or schedules it for ``publish_on``. The step's ceremony
    (lifecycle.workflow.PUBLISH) checks the status, PCU, separation of duties (whoever quality-assured or approved
    the version does not publish it) and that the version and content are the ones the publisher read;
    ``withheld_hash``, what the page showed withheld from the public copy (``PolicyVersion.withheld_hash_of``; None
    from no page), is checked too (``check_withheld_read``)."""
    today = timezone.localdate()
    _validate_publish_on(publish_on, today)
    locked = begin_step(PUBLISH, policy=policy, actor=actor, **read)
    current = locked.current_version
    _validate_channels(locked, current, on_intranet=on_intranet, in_notices=in_notices,
                       on_publication_scheme=on_publication_scheme)
    if Publication.objects.filter(policy_version=current, status=Publication.Status.SCHEDULED).exists():
        raise ApplicationError(f"Version {current.number} is already scheduled for publication.", code="stale")
    check_withheld_read(current, withheld_hash)
    # Issue 14: whom the version asks to confirm they have read it, once in force ({business_groups, units, roles,
    # ask_again}, chosen on the publish page).
    acknowledgement_audience_record(policy=locked, version=current, actor=actor, **(asked_to_acknowledge or {}))
    publication = Publication.objects.create(
        policy=locked, policy_version=current, on_intranet=on_intranet, in_notices=in_notices,
        on_publication_scheme=on_publication_scheme, requested_by=actor,
        scheduled_for=publish_on if publish_on and publish_on > today else None,
    )
    if publication.scheduled_for:
        audit_log(actor=actor, action=AuditAction.POLICY_PUBLICATION_SCHEDULED, obj=locked,
                  changes={"version": current.number, "scheduled_for": publication.scheduled_for,
                           "channels": publication.channels})
        said_done(locked, f"Publication scheduled for {date_shown(publication.scheduled_for)}")
        return publication
    publish_now(locked, publication, actor=actor)
    return publication


@performs(REPUBLISH_NO_CHANGE)
@transaction.atomic
def policy_republish_no_change(
    *, policy: Policy, actor, on_intranet: bool = True, on_publication_scheme: bool = False,
    **read: Unpack[Binding],
) -> Publication:
    """PCU re-publishes the version in force once a review concluded no change and DCFD confirmed the EIA
    (lifecycle.workflow.REPUBLISH_NO_CHANGE): a Publication of its own, always with a notice, replacing the earlier
    publication on every channel; the next review falls due 3 years from today. Where DCFD had the EIA updated, the
    version re-published is the minor version holding it, and it asks the staff the version it replaces asked, the
    policy itself unchanged (``acknowledgement_audience_carry_forward``)."""
    locked = begin_step(REPUBLISH_NO_CHANGE, policy=policy, actor=actor, **read)
    if not (on_intranet or on_publication_scheme):
        # The notice announces a policy staff or the public can read (SOP, stage 5: "on the Corporate Policy
        # Intranet, in Notices, on the MPS Publication Scheme"): a re-publication in Notices alone announced one
        # nobody could (QA walk).
        raise ApplicationError("Choose where the policy is re-published: the Corporate Policy Intranet, the "
                               "Publication Scheme or both (a notice is always given).", field="on_intranet")
    current = locked.current_version
    _validate_channels(locked, current, on_intranet=on_intranet, in_notices=True,
                       on_publication_scheme=on_publication_scheme)
    today = timezone.localdate()
    before_review = locked.review_due_on
    review = policy_record_republication(locked=locked, published_on=today)
    if current.pk != review.policy_version_id:
        # Issue 14 (QA walk): not a new choice of PCU's, whose form asks none: those asked to confirm they had read the
        # version in force are asked still, of this one, and a confirmation given counts.
        acknowledgement_audience_carry_forward(policy=locked, version=current, replaced=review.policy_version,
                                               actor=actor)
    review.republished_by = actor
    review.save(update_fields=["republished_on", "republished_by"])
    previous = Publication.objects.filter(policy_version=current).aggregate(last=Max("republication"))["last"] or 0
    publication = Publication.objects.create(
        policy=locked, policy_version=current, on_intranet=on_intranet, in_notices=True,
        on_publication_scheme=on_publication_scheme, requested_by=actor, status=Publication.Status.PUBLISHED,
        published_at=timezone.now(), published_by=actor, republication=previous + 1, no_change_review=review,
    )
    finish_step(REPUBLISH_NO_CHANGE, locked, actor, extra_fields=["review_due_on", "last_published_on"], changes={
        "channels": publication.channels, "review_due_on": [before_review, locked.review_due_on],
        "reason": review.reason, "eia_outcome": review.eia_outcome, "no_change_review": review.pk,
    })
    _supersede_earlier(locked, publication, actor=actor)
    # Issue 14: the re-publication's files are rendered once, like any publication's.
    transaction.on_commit(lambda: queue_file_rendering(publication.pk))
    return publication


@performs(APPROVE_LOCAL)
@transaction.atomic
def policy_approve_local(*, policy: Policy, actor, comments: str = "", **read: Unpack[Binding]) -> Publication:
    """The business group's Designated Lead approves a local work instruction (lifecycle.workflow.APPROVE_LOCAL: its
    EIA complete and, when it supplements a corporate policy, that policy's Lead agreed to this draft), without PCU's
    quality assurance or publication (SOP: "not the responsibility of the Policy Co-ordination Unit"). The version is
    frozen, the Lead's decision recorded, and it is published at once on the Corporate Policy Intranet only, for its
    business group's library; never in Notices or on the Publication Scheme."""
    comments = optional_text(comments, "Comments", field="comments")
    locked = begin_step(APPROVE_LOCAL, policy=policy, actor=actor, **read)
    package = PolicyVersion.objects.select_for_update().get(pk=locked.current_version.pk)
    # Frozen as its author's package (the unit head who drafted it), approved by the Lead.
    freeze(locked, package, package.author)
    ApprovalDecision.objects.create(policy_version=package, decision=ApprovalDecision.Decision.APPROVED,
                                    decided_by=actor, reasons=comments)
    now = timezone.now()
    publication = Publication.objects.create(
        policy=locked, policy_version=package, on_intranet=True, in_notices=False, on_publication_scheme=False,
        requested_by=actor, status=Publication.Status.PUBLISHED, published_at=now, published_by=actor,
    )
    marking_before, dates_before = locked.protective_marking, _due_dates(locked)
    dates = [*policy_set_publication_dates(locked=locked, published_on=timezone.localdate(now)),
             *policy_put_title_in_force(locked=locked, version=package),
             *policy_put_marking_in_force(locked=locked, version=package)]
    finish_step(APPROVE_LOCAL, locked, actor, version=package, extra_fields=dates, changes={
        "comments": comments, "content_hash": package.content_hash, "channels": publication.channels,
        "supported_policy": locked.supports.reference if locked.supports_id else None,
        **_due_date_changes(dates_before, locked), **_marking_change(marking_before, locked),
    })
    _supersede_earlier(locked, publication, actor=actor)
    transaction.on_commit(lambda: queue_file_rendering(publication.pk))
    return publication


def publish_now(locked: Policy, publication: Publication, *, actor, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    title_before, marking_before, dates_before = locked.title, locked.protective_marking, _due_dates(locked)
    before = policy_record_publication(locked=locked, actor=actor, version=publication.policy_version,
                                       published_on=today)
    publication.status = Publication.Status.PUBLISHED
    publication.published_at = timezone.now()
    publication.published_by = actor
    publication.save(update_fields=["status", "published_at", "published_by"])
    audit_log(actor=actor, action=AuditAction.POLICY_PUBLISHED, obj=locked,
              changes={"status": [before, locked.status], "version": publication.policy_version.number,
                       "channels": publication.channels, **_due_date_changes(dates_before, locked),
                       "scheduled_for": publication.scheduled_for,
                       "not_impact_assessed": locked.not_impact_assessed,
                       # A review's new title comes into force with its version (issue 12), and its downgrade.
                       **({"title": [title_before, locked.title]} if locked.title != title_before else {}),
                       **_marking_change(marking_before, locked)})
    _supersede_earlier(locked, publication, actor=actor)
    # Issue 14: the files are rendered once, by a task, after the publication is committed.
    transaction.on_commit(lambda: queue_file_rendering(publication.pk))


# The due dates a publication sets (lifecycle.services.policy_set_publication_dates), recorded as every change is,
# [before, after]: the date alone, as earlier events have it (append-only, they keep it), said what a date became and
# not what it replaced. Readers take both (lifecycle.timeline, oversight.histories).
DUE_DATES = ("review_due_on", "monitoring_report_due_on")


def _due_dates(locked: Policy) -> dict:
    return {name: getattr(locked, name) for name in DUE_DATES}


def _due_date_changes(before: dict, locked: Policy) -> dict:
    return {name: [before[name], getattr(locked, name)] for name in DUE_DATES}


def _marking_change(before: str, locked: Policy) -> dict:
    """The audit's record of a review's downgrade coming into force with its version: {"protective_marking":
    [before, after]}, or nothing when the marking is as it was."""
    return {"protective_marking": [before, locked.protective_marking]} if locked.protective_marking != before else {}


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
