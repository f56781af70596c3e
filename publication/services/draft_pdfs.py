"""The PDF pack of a version not published (a draft, or one submitted and not yet published), prepared by the worker
and kept while what it prints stands (``DraftPdf``).

Integrity review of 2026-12-06 (HIGH): /policies/<ref>/pdf/ rendered a draft for each request, and one GET of a
draft of four 490,000-character SOPs held a web worker for 63 s (STYLE rule 19: one request must never be able to
stall a worker). Now the request looks its file up by the version's content fingerprint (``read_hash``) and the rest
of what it prints (``draft_pdf_print_key``): served if ready, else queued once and a page says it is being prepared,
as the long spreadsheet exports are (core.exports). A second request while it renders finds the same row (one per
version and print key, by constraint) and starts no second render. A draft's PDF is a copy of what its pages show,
not evidence: nothing is audited, and a file that is missing or differs from its SHA-256 is prepared again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from lifecycle.models import PolicyVersion
from lifecycle.states import ProtectiveMarking
from publication.models import DraftPdf
from publication.services.stored_files import queue_task

logger = logging.getLogger(__name__)
PREPARE_DRAFT_PDF_TASK = "publication.tasks.prepare_draft_pdf"
# A render queued this long ago and still pending lost its task (the broker restarted, the worker killed): the next
# request queues it again. Longer than the largest draft takes (30 SOPs of 500,000 characters: a few minutes).
DRAFT_PDF_STALLED_MINUTES = 10
# A render that failed (the file store full, WeasyPrint refusing the document) is tried again by a request this
# long after, not by every request meanwhile; the page says so.
DRAFT_PDF_RETRY_SECONDS = 60
# A prepared file is kept this long, then deleted (beat: publication.tasks.delete_old_draft_pdfs); asked for again,
# it is prepared again.
DRAFT_PDF_KEEP_HOURS = 24


def _pack_sop_versions(version: PolicyVersion, *, cleared: bool) -> list:
    """The SOPs the pack prints, by the rule ``lifecycle.selectors.sop_versions_for`` lists them with for a reader:
    an OFFICIAL-SENSITIVE one only in the copy for those cleared for it."""
    return [sop_version for sop_version in
            version.sop_versions.select_related("sop").order_by("sop__position", "sop_id")
            if cleared or sop_version.sop.protective_marking != ProtectiveMarking.OFFICIAL_SENSITIVE]


def draft_pdf_print_key(*, policy, version: PolicyVersion, cleared: bool) -> str:
    """What the pack prints, as a SHA-256: the version's ``read_hash`` (statement, SOP titles and texts, details, and
    the open EIA and workbook by their revisions), which copy it is, and what it prints from outside that hash (the
    SOPs' markings, the policy's dates, units and authors, the EIA it shows). Reads no SOP text but the hash's."""
    eia = getattr(version, "eia", None)
    printed = {
        "read_hash": version.read_hash,
        "cleared": cleared,
        "frozen": version.is_frozen,
        "sops": [[sop_id, marking] for sop_id, marking in
                 version.sop_versions.order_by("sop__position", "sop_id").values_list("sop_id",
                                                                                       "sop__protective_marking")],
        "policy": [policy.protective_marking, str(policy.business_group), str(policy.owning_unit),
                   str(policy.created_at.date()) if policy.created_at else None, str(policy.review_due_on),
                   str(policy.emergency_eia_due_on), policy.not_impact_assessed, str(policy.last_published_on)],
        "authors": (list(version.authors) if version.authors is not None and version.is_frozen
                    else sorted(str(developer) for developer in policy.developers.all())),
        "eia": [eia.pk, str(eia.frozen_at), eia.draft_revision] if eia is not None else None,
    }
    encoded = json.dumps(printed, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _queue(draft_pdf_id: int) -> None:
    transaction.on_commit(lambda: queue_task(PREPARE_DRAFT_PDF_TASK, draft_pdf_id))


def draft_pdf_request(*, policy, version: PolicyVersion, cleared: bool) -> DraftPdf:
    """The prepared PDF of ``version`` for a reader (``cleared``: one cleared for its OFFICIAL-SENSITIVE SOPs), as it
    prints now: found, or recorded and queued once its record commits. Under the row's lock, a render whose task was
    lost is queued again after DRAFT_PDF_STALLED_MINUTES, and one that failed after DRAFT_PDF_RETRY_SECONDS; a render
    under way is left to finish (the second request starts no second render). Read again once queued: under eager
    Celery (`make run`) the render has run when the record commits, and the reader is served it at once."""
    key = draft_pdf_print_key(policy=policy, version=version, cleared=cleared)
    draft_pdf, queued = _requested(version, key, cleared=cleared)
    if queued and not transaction.get_connection().in_atomic_block:
        draft_pdf.refresh_from_db()
    return draft_pdf


def _requested(version: PolicyVersion, key: str, *, cleared: bool) -> tuple[DraftPdf, bool]:
    """``draft_pdf_request``'s record, and whether this request queued its render."""
    now = timezone.now()
    with transaction.atomic():
        draft_pdf = DraftPdf.objects.select_for_update().filter(policy_version=version, print_key=key).first()
        if draft_pdf is None:
            try:
                with transaction.atomic():  # two first requests at once: the constraint lets one in
                    draft_pdf = DraftPdf.objects.create(policy_version=version, print_key=key,
                                                        read_hash=version.read_hash, cleared=cleared,
                                                        requested_at=now)
            except IntegrityError:
                return DraftPdf.objects.get(policy_version=version, print_key=key), False
            _queue(draft_pdf.pk)
            return draft_pdf, True
        stalled = (draft_pdf.status == DraftPdf.Status.PENDING
                   and draft_pdf.requested_at < now - datetime.timedelta(minutes=DRAFT_PDF_STALLED_MINUTES))
        retry = (draft_pdf.status == DraftPdf.Status.FAILED and draft_pdf.finished_at is not None
                 and draft_pdf.finished_at < now - datetime.timedelta(seconds=DRAFT_PDF_RETRY_SECONDS))
        if stalled or retry:
            draft_pdf.status = DraftPdf.Status.PENDING
            draft_pdf.requested_at = now
            draft_pdf.finished_at = None
            draft_pdf.save(update_fields=["status", "requested_at", "finished_at"])
            _queue(draft_pdf.pk)
            return draft_pdf, True
    return draft_pdf, False


def draft_pdf_read(*, draft_pdf: DraftPdf) -> bytes | None:
    """The bytes of a ready PDF, checked against its SHA-256; None (and the record deleted, so that the next request
    prepares it again) if its file is missing or differs."""
    try:
        with default_storage.open(draft_pdf.storage_name, "rb") as handle:
            data = handle.read()
    except OSError:
        data = None
    if data is not None and hashlib.sha256(data).hexdigest() == draft_pdf.sha256:
        return data
    logger.error("The prepared PDF %s of version %s is missing or differs from its SHA-256: prepared again",
                 draft_pdf.storage_name, draft_pdf.policy_version_id)
    _delete(DraftPdf.objects.filter(pk=draft_pdf.pk))
    return None


def _delete(draft_pdfs) -> int:
    """Delete these records, and their files once the deletion commits."""
    with transaction.atomic():
        doomed = list(draft_pdfs.select_for_update().values_list("pk", "storage_name"))
        DraftPdf.objects.filter(pk__in=[pk for pk, _ in doomed]).delete()
        names = [name for _, name in doomed if name]
        if names:
            transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
    return len(doomed)


def draft_pdf_prepare(*, draft_pdf_id: int) -> str:
    """The worker's part: render a pending PDF as its version prints now, store it with its SHA-256, mark it ready.
    Safe to run twice: only a pending record is rendered, and a second render's file is dropped. A version changed
    since it was asked for is not rendered (its record deleted): its next request asks for what it prints now. The
    earlier prepared copies of the same version for the same readers are deleted once it is ready."""
    from publication.pdf import render_policy_pdf  # WeasyPrint is heavy to load: only where a PDF is rendered

    draft_pdf = (DraftPdf.objects.select_related("policy_version__policy")
                 .filter(pk=draft_pdf_id, status=DraftPdf.Status.PENDING).first())
    if draft_pdf is None:
        return "not pending"
    version = draft_pdf.policy_version
    policy = version.policy
    if draft_pdf_print_key(policy=policy, version=version, cleared=draft_pdf.cleared) != draft_pdf.print_key:
        _delete(DraftPdf.objects.filter(pk=draft_pdf.pk, status=DraftPdf.Status.PENDING))
        return "changed"
    try:
        data = render_policy_pdf(policy=policy, version=version,
                                 sop_versions=_pack_sop_versions(version, cleared=draft_pdf.cleared),
                                 published_on=policy.last_published_on, eia=getattr(version, "eia", None))
        digest = hashlib.sha256(data).hexdigest()
        name = default_storage.save(f"draft-pdfs/{version.pk}/{draft_pdf.print_key[:16]}-{digest[:16]}.pdf",
                                    ContentFile(data))
    except Exception:
        logger.exception("The PDF of version %s could not be prepared", version.pk)
        DraftPdf.objects.filter(pk=draft_pdf.pk, status=DraftPdf.Status.PENDING).update(
            status=DraftPdf.Status.FAILED, finished_at=timezone.now())
        raise
    with transaction.atomic():
        ready = DraftPdf.objects.filter(pk=draft_pdf.pk, status=DraftPdf.Status.PENDING).update(
            status=DraftPdf.Status.READY, storage_name=name, size=len(data), sha256=digest,
            finished_at=timezone.now())
        if not ready:  # rendered twice, or deleted meanwhile: this file is nobody's
            transaction.on_commit(lambda: default_storage.delete(name))
            return "not pending"
        _delete(DraftPdf.objects.filter(policy_version=version, cleared=draft_pdf.cleared,
                                        status=DraftPdf.Status.READY).exclude(pk=draft_pdf.pk))
    return "ready"


def draft_pdfs_delete_old(*, now: datetime.datetime | None = None) -> int:
    """Beat: the PDFs asked for more than DRAFT_PDF_KEEP_HOURS ago, and their files."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=DRAFT_PDF_KEEP_HOURS)
    return _delete(DraftPdf.objects.filter(requested_at__lt=cutoff))
