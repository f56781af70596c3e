"""Publishing an approved version: now, or on a date that coincides with the implementation plan.

SOP, "Role of the Policy Co-ordination Unit": "Publish all corporate policy" and "Provide the 'gateway'
function for the internal and external publication of policy, SOPs, impact assessments and monitoring
reports". OFFICIAL-SENSITIVE material never goes on the public Publication Scheme.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Unpack

from celery import signature
from dateutil.relativedelta import relativedelta
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone

from acknowledgements.services import acknowledgement_audience_record
from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from lifecycle import permissions
from lifecycle.models import ApprovalDecision, Policy, PolicyVersion, SOPVersion
from lifecycle.services import (
    lock_policy,
    policy_put_title_in_force,
    policy_record_publication,
    policy_record_republication,
    policy_set_publication_dates,
    require_actor,
)
from lifecycle.services.base import (
    Binding,
    begin_step,
    check_step_allowed,
    check_version_read,
    finish_step,
    optional_text,
)
from lifecycle.services.drafting import freeze
from lifecycle.states import PolicyKind, ProtectiveMarking, Status
from lifecycle.steps import performs
from lifecycle.workflow import APPROVE_LOCAL, PUBLISH, REPUBLISH_NO_CHANGE
from publication import scheme_files
from publication.documents import document_marking
from publication.models import FOIExemption, Publication, PublishedFile, SOPRedaction
from publication.redaction import html_blocks

logger = logging.getLogger(__name__)
STORE_FILES_TASK = "publication.tasks.store_publication_files"
STORE_CURRENT_FILES_TASK = "publication.tasks.store_current_publication_files"


def _validate_channels(policy: Policy, *, on_intranet: bool, in_notices: bool, on_publication_scheme: bool) -> None:
    if not (on_intranet or in_notices or on_publication_scheme):
        raise ApplicationError("Choose at least one channel to publish on.", field="channels")
    if on_publication_scheme and policy.kind == PolicyKind.LOCAL:
        # SOP: local work instructions "sit outside of the corporate policy development process"; corporate policy
        # statements are the ones "published externally via the MPS Publication Scheme".
        raise ApplicationError("A local work instruction never goes on the public Publication Scheme.",
                               field="on_publication_scheme")
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
    asked_to_acknowledge: dict | None = None,
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
        return publication
    _publish_now(locked, publication, actor=actor)
    return publication


@performs(REPUBLISH_NO_CHANGE)
@transaction.atomic
def policy_republish_no_change(
    *, policy: Policy, actor, on_intranet: bool = True, on_publication_scheme: bool = False,
    **read: Unpack[Binding],
) -> Publication:
    """PCU re-publishes the version in force once a review concluded no change and DCFD confirmed the EIA
    (lifecycle.workflow.REPUBLISH_NO_CHANGE): a Publication of its own, always with a notice, replacing the earlier
    publication on every channel; the next review falls due 3 years from today."""
    locked = begin_step(REPUBLISH_NO_CHANGE, policy=policy, actor=actor, **read)
    current = locked.current_version
    _validate_channels(locked, on_intranet=on_intranet, in_notices=True, on_publication_scheme=on_publication_scheme)
    today = timezone.localdate()
    before_review = locked.review_due_on
    review = policy_record_republication(locked=locked, published_on=today)
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
    transaction.on_commit(lambda: _queue_file_rendering(publication.pk))
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
    dates = [*policy_set_publication_dates(locked=locked, published_on=timezone.localdate(now)),
             *policy_put_title_in_force(locked=locked, version=package)]
    finish_step(APPROVE_LOCAL, locked, actor, version=package, extra_fields=dates, changes={
        "comments": comments, "content_hash": package.content_hash, "channels": publication.channels,
        "supported_policy": locked.supports.reference if locked.supports_id else None,
        "review_due_on": locked.review_due_on, "monitoring_report_due_on": locked.monitoring_report_due_on,
    })
    _supersede_earlier(locked, publication, actor=actor)
    transaction.on_commit(lambda: _queue_file_rendering(publication.pk))
    return publication


def _publish_now(locked: Policy, publication: Publication, *, actor, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    title_before = locked.title
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
                       "not_impact_assessed": locked.not_impact_assessed,
                       # A review's new title comes into force with its version (issue 12).
                       **({"title": [title_before, locked.title]} if locked.title != title_before else {})})
    _supersede_earlier(locked, publication, actor=actor)
    # Issue 14: the files are rendered once, by a task, after the publication is committed.
    transaction.on_commit(lambda: _queue_file_rendering(publication.pk))


def _queue_task(name: str, *args) -> None:
    """After the commit: the change stands whatever happens here. With the broker down, beat's
    store-publication-files job (or the first download) renders missing files instead."""
    try:
        # By name: publication.tasks builds on this module, not the other way round.
        signature(name, args=args).delay()
    except Exception:
        logger.exception("Task %s%r not queued", name, args)


def _queue_file_rendering(publication_id: int) -> None:
    _queue_task(STORE_FILES_TASK, publication_id)


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


# --- the stored files of a publication (issue 14) ------------------------------------------------------------


class StoredFileRefused(Exception):
    """A stored file that no longer matches the SHA-256 recorded at publication (or has gone): never served."""

    def __init__(self, published_file: PublishedFile, reason: str):
        super().__init__(reason)
        self.published_file = published_file
        self.reason = reason


def _pack_contents(publication: Publication) -> dict[str, dict]:
    """What each audience's copy of the pack holds, read once from the frozen version (rendering is pure)."""
    policy = publication.policy
    version = publication.policy_version
    sop_versions = list(version.sop_versions.select_related("sop").order_by("sop__position", "sop_id"))
    eia = getattr(version, "eia", None)
    official = [sv for sv in sop_versions if sv.sop.protective_marking == ProtectiveMarking.OFFICIAL]
    contents: dict[str, dict] = {}
    policy_is_official = policy.protective_marking == ProtectiveMarking.OFFICIAL
    if (publication.on_publication_scheme and policy_is_official and policy.suitable_for_publication_scheme):
        external = [sv for sv in official if sv.sop.publish_externally]
        labels = dict(FOIExemption.choices)
        withheld: dict[int, dict[int, str]] = {}
        for redaction in SOPRedaction.objects.filter(sop_version__in=external).order_by("block"):
            withheld.setdefault(redaction.sop_version_id, {})[redaction.block] = labels[redaction.exemption]
        # SOP: "the completed EIAs for each policy will be published on the MPS Publication Scheme".
        public_eia = eia if eia is not None and eia.is_complete and eia.frozen_at else None
        contents[PublishedFile.Audience.PUBLIC] = {"sop_versions": external, "eia": public_eia,
                                                   "withheld_by_sop_version": withheld}
    if policy_is_official:
        contents[PublishedFile.Audience.STAFF] = {"sop_versions": official, "eia": eia}
    if not policy_is_official or len(official) < len(sop_versions):
        contents[PublishedFile.Audience.CLEARED] = {"sop_versions": sop_versions, "eia": eia}
    return contents


def _lock_publication_for_files(publication_id: int) -> Publication | None:
    return (Publication.objects.select_for_update(of=("self",))
            .select_related("policy", "policy__business_group", "policy__owning_unit", "policy_version")
            .filter(pk=publication_id).first())


def _render_changed(locked: Publication, latest: dict[str, PublishedFile], *, rendition: int,
                    reason: str) -> list[PublishedFile]:
    """Render and store each audience's pack whose HTML differs from what its newest file was rendered from (every
    audience, when there is none), as ``rendition``; with one audit event naming the hashes. Rendering is pure: the
    HTML is the whole of what a file prints, so equal HTML means an equal file."""
    from publication.pdf import policy_pdf_html, render_pdf  # WeasyPrint is slow to import: only when rendering

    published_on = timezone.localtime(locked.published_at).date()
    files = []
    for audience, content in _pack_contents(locked).items():
        html = policy_pdf_html(policy=locked.policy, version=locked.policy_version, published_on=published_on,
                               audience=audience, **content)
        source = hashlib.sha256(html.encode("utf-8")).hexdigest()
        if audience in latest and latest[audience].source_sha256 == source:
            continue
        data = render_pdf(html)
        digest = hashlib.sha256(data).hexdigest()
        name = default_storage.save(
            f"publications/{locked.policy.reference}/v{locked.policy_version.number}/"
            f"{locked.pk}-{audience}-{digest[:16]}.pdf", ContentFile(data))
        files.append(PublishedFile.objects.create(
            publication=locked, audience=audience, storage_name=name, size=len(data), sha256=digest,
            marking=document_marking(policy=locked.policy, sop_versions=content["sop_versions"]),
            rendition=rendition, reason=reason, source_sha256=source,
        ))
    if files:
        changes = {"version": locked.policy_version.number, "publication": locked.pk,
                   "files": {file.audience: {"sha256": file.sha256, "size": file.size} for file in files}}
        if rendition > 1:
            changes.update(rendition=rendition, reason=reason, replaces={
                file.audience: latest[file.audience].sha256 for file in files if file.audience in latest})
        audit_log(actor=None, action=AuditAction.PUBLICATION_FILES_STORED, obj=locked.policy, changes=changes)
    return files


def publication_store_files(*, publication: Publication | int) -> list[PublishedFile]:
    """Render each audience's PDF pack of a published publication once, store it, and record its SHA-256 (with an
    audit event naming the hashes). Safe to run twice, and by two workers at once: the publication row is locked
    and a publication whose files are recorded is left alone. Returns the files (existing or new)."""
    publication_id = getattr(publication, "pk", publication)
    with transaction.atomic():
        locked = _lock_publication_for_files(publication_id)
        if locked is None or locked.status != Publication.Status.PUBLISHED:
            return []
        existing = list(locked.files.all())
        if existing:
            return existing
        return _render_changed(locked, {}, rendition=1, reason="")


def publication_store_current_files(*, publication: Publication | int, reason: str) -> list[PublishedFile]:
    """Render again the files of a current publication whose packs print something new since they were stored
    (the retrospective EIA signed off, the "not impact assessed" warning gone), each as a new rendition with its
    own SHA-256; the earlier files are kept. Safe to run twice: an audience whose pack prints what its newest file
    was rendered from is left alone. A superseded publication's files are the record of what was published, and
    are never rendered again. Returns the new files."""
    publication_id = getattr(publication, "pk", publication)
    with transaction.atomic():
        locked = _lock_publication_for_files(publication_id)
        if locked is None or not locked.is_current:
            return []
        stored = list(locked.files.order_by("audience", "rendition"))
        if not stored:
            return _render_changed(locked, {}, rendition=1, reason="")
        latest = {file.audience: file for file in stored}
        return _render_changed(locked, latest, rendition=max(file.rendition for file in stored) + 1,
                               reason=reason[:300])


def policy_store_current_files(*, policy_id: int, reason: str) -> list[PublishedFile]:
    """``publication_store_current_files`` for each current publication of the policy."""
    current = (Publication.objects.filter(policy_id=policy_id, status=Publication.Status.PUBLISHED,
                                          superseded_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    return [file for publication_id in list(current)
            for file in publication_store_current_files(publication=publication_id, reason=reason)]


RETROSPECTIVE_EIA_REASON = "The retrospective Equality Impact Assessment was signed off."


def _why_files_print_something_new(event) -> str:
    """Why an audited change alters what the current files of its policy print ("" if it does not)."""
    changes = event.changes or {}
    if event.action == AuditAction.POLICY_EIA_COMPLETED_RETROSPECTIVELY:
        return RETROSPECTIVE_EIA_REASON
    if changes.get("retrospective") is True and changes.get("not_impact_assessed") is False:
        return "Nothing the emergency route skipped is outstanding: the policy is impact assessed."
    return ""


def scheme_files_follow_the_audit_trail(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """core.AuditEvent's post_save: after any audited change of a policy commits, the Scheme's file remembered for
    it is no longer used (publication.scheme_files)."""
    if created and not raw and instance.policy_id:
        policy_id = instance.policy_id
        transaction.on_commit(lambda: scheme_files.forget(policy_id))


def stored_files_follow_the_audit_trail(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """core.AuditEvent's post_save (connected in ready(): assessments signs the EIA off, and never imports
    publication). After the change commits, a task renders the policy's current files again if what they print
    changed; rendering takes seconds, so never inside the sign-off's transaction."""
    if not created or raw or not instance.policy_id:
        return
    reason = _why_files_print_something_new(instance)
    if reason:
        policy_id = instance.policy_id
        transaction.on_commit(lambda: _queue_task(STORE_CURRENT_FILES_TASK, policy_id, reason))


def publication_store_missing_files(*, limit: int = 50) -> list[int]:
    """Beat's safety net: the current publications whose files were never stored (the task was lost with the
    broker). Returns the publication ids rendered."""
    pending = list(
        Publication.objects.filter(status=Publication.Status.PUBLISHED, superseded_at__isnull=True, files__isnull=True)
        .order_by("published_at", "pk").values_list("pk", flat=True)[:limit]
    )
    rendered = [publication_id for publication_id in pending if publication_store_files(publication=publication_id)]
    # A re-rendering lost with the broker: a current publication whose EIA was signed off after its newest file.
    newest_file = (PublishedFile.objects.filter(publication_id=OuterRef("pk")).order_by("-rendered_at")
                   .values("rendered_at")[:1])
    stale = list(
        Publication.objects.filter(status=Publication.Status.PUBLISHED, superseded_at__isnull=True)
        .annotate(newest_file_at=Subquery(newest_file))
        .filter(newest_file_at__isnull=False, policy_version__eia__frozen_at__gt=F("newest_file_at"))
        .order_by("published_at", "pk").values_list("pk", flat=True)[:limit]
    )
    for publication_id in stale:
        if publication_store_current_files(publication=publication_id, reason=RETROSPECTIVE_EIA_REASON):
            rendered.append(publication_id)
    return rendered


def _stored_bytes(published_file: PublishedFile) -> bytes | None:
    try:
        with default_storage.open(published_file.storage_name, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def published_file_intact(*, published_file: PublishedFile) -> bytes | None:
    """The stored bytes if they match the SHA-256 recorded at publication, else None, reporting nothing: for the
    Scheme's early download (publication.middleware), which hands anything but an intact file to the view, whose
    published_file_read refuses and reports it. The bytes returned are the ones hashed: what is checked is what is
    served."""
    data = _stored_bytes(published_file)
    if data is not None and hashlib.sha256(data).hexdigest() == published_file.sha256:
        return data
    return None


def published_file_read(*, published_file: PublishedFile) -> bytes:
    """The stored bytes, checked against the SHA-256 recorded at publication. A file that is missing or differs
    is refused and reported: an audit event (PCU is told) and an error in the log; never served."""
    data = _stored_bytes(published_file)
    if data is not None and hashlib.sha256(data).hexdigest() == published_file.sha256:
        return data
    reason = "missing" if data is None else "does not match its SHA-256"
    logger.error("Stored file %s of publication %s %s: refused", published_file.storage_name,
                 published_file.publication_id, reason)
    with transaction.atomic():
        audit_log(actor=None, action=AuditAction.PUBLICATION_FILE_TAMPERED, obj=published_file.publication.policy,
                  changes={"publication": published_file.publication_id, "audience": published_file.audience,
                           "file": published_file.storage_name, "expected_sha256": published_file.sha256,
                           "found_sha256": hashlib.sha256(data).hexdigest() if data is not None else None,
                           "reason": reason})
    raise StoredFileRefused(published_file, reason)


# --- parts of a SOP withheld from its public copy ---------------------------------------------------------------


def _redaction_target(*, sop_version: SOPVersion | int, actor) -> tuple[Policy, SOPVersion]:
    require_actor(actor)
    if not permissions.is_pcu(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit decides what is withheld from publication.",
                               code="forbidden")
    sop_version_id = getattr(sop_version, "pk", sop_version)
    policy_id = SOPVersion.objects.filter(pk=sop_version_id).values_list("policy_version__policy_id", flat=True).first()
    if policy_id is None:
        raise ApplicationError("That procedure no longer exists.", code="not_found")
    locked_policy = lock_policy(policy_id)
    target = SOPVersion.objects.select_related("sop", "policy_version").get(pk=sop_version_id)
    if locked_policy.current_version is None or target.policy_version_id != locked_policy.current_version.pk:
        raise ApplicationError("That procedure belongs to an earlier version: only the version going to publication "
                               "can have parts withheld.", code="stale")
    if locked_policy.status not in {Status.APPROVED, Status.AWAITING_PUBLICATION}:
        raise ApplicationError(f"{locked_policy.reference} is not waiting for publication: what its public copy "
                               "withholds is decided between approval and publication.", code="stale")
    if Publication.objects.filter(policy_version=target.policy_version, status=Publication.Status.PUBLISHED).exists():
        raise ApplicationError(f"Version {target.policy_version.number} is already published: its public copy is "
                               "fixed.", code="stale")
    if not (target.sop.publish_externally and target.sop.protective_marking == ProtectiveMarking.OFFICIAL):
        raise ApplicationError(f"“{target.sop.title}” is not published externally, so nothing of it is public.",
                               field="sop_version")
    return locked_policy, target


@transaction.atomic
def sop_redaction_record(*, sop_version: SOPVersion | int, actor, block: int, exemption: str) -> SOPRedaction:
    """PCU withholds one part of an externally published SOP from its public copy, citing the FOI exemption."""
    locked_policy, target = _redaction_target(sop_version=sop_version, actor=actor)
    if exemption not in FOIExemption.values:
        raise ApplicationError("Choose the Freedom of Information Act exemption that applies.", field="exemption")
    parts = len(html_blocks(target.text))
    if not isinstance(block, int) or not 1 <= block <= parts:
        raise ApplicationError(f"Choose a part of the procedure, from 1 to {parts}.", field="block")
    if SOPRedaction.objects.filter(sop_version=target, block=block).exists():
        raise ApplicationError(f"Part {block} of “{target.sop.title}” is already withheld.", field="block")
    redaction = SOPRedaction.objects.create(sop_version=target, block=block, exemption=exemption, recorded_by=actor)
    audit_log(actor=actor, action=AuditAction.SOP_REDACTION_RECORDED, obj=locked_policy, changes={
        "sop": target.sop.title, "version": target.policy_version.number, "part": block,
        "exemption": FOIExemption(exemption).label,
    })
    return redaction


@transaction.atomic
def sop_redaction_remove(*, redaction: SOPRedaction | int, actor) -> None:
    """PCU publishes a part it had withheld (before publication only)."""
    redaction_id = getattr(redaction, "pk", redaction)
    sop_version_id = SOPRedaction.objects.filter(pk=redaction_id).values_list("sop_version_id", flat=True).first()
    if sop_version_id is None:
        raise ApplicationError("That part is no longer withheld.", code="stale")
    locked_policy, target = _redaction_target(sop_version=sop_version_id, actor=actor)
    found = SOPRedaction.objects.select_for_update().filter(pk=redaction_id).first()
    if found is None:
        raise ApplicationError("That part is no longer withheld.", code="stale")
    changes = {"sop": target.sop.title, "version": target.policy_version.number, "part": found.block,
               "exemption": found.get_exemption_display()}
    found.delete()
    audit_log(actor=actor, action=AuditAction.SOP_REDACTION_REMOVED, obj=locked_policy, changes=changes)
def scheduled_publications_cancel(sender, policy: Policy, actor, **kwargs) -> int:
    """lifecycle.signals.policy_withdrawn, inside the withdrawal's transaction (the policy is locked): whatever was
    scheduled for it will not be published, and each cancellation is recorded."""
    scheduled = list(Publication.objects.select_for_update().select_related("policy_version").filter(
        policy=policy, status=Publication.Status.SCHEDULED).order_by("pk"))
    for publication in scheduled:
        publication.status = Publication.Status.CANCELLED
        publication.save(update_fields=["status"])
        audit_log(actor=actor, action=AuditAction.POLICY_PUBLICATION_CANCELLED, obj=policy,
                  changes={"version": publication.policy_version.number, "scheduled_for": publication.scheduled_for,
                           "channels": publication.channels, "reason": "The policy was withdrawn."})
    return len(scheduled)
