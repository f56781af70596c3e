"""The stored files of a publication (issue 14): each audience's PDF pack rendered once, by a task after the
publication commits, stored with its SHA-256, rendered again only when what it prints changed (a retrospective
EIA signed off), and checked against that SHA-256 whenever it is read.
"""

from __future__ import annotations

import hashlib
import logging

from celery import signature
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core.audit import audit_log
from core.events import AuditAction
from lifecycle.states import ProtectiveMarking
from publication import files_queued, scheme_files
from publication.documents import document_marking
from publication.models import FOIExemption, Publication, PublishedFile, SOPRedaction

logger = logging.getLogger(__name__)
STORE_FILES_TASK = "publication.tasks.store_publication_files"
STORE_CURRENT_FILES_TASK = "publication.tasks.store_current_publication_files"


def queue_task(name: str, *args) -> bool:
    """After the commit: the change stands whatever happens here. With the broker down, beat's
    store-publication-files job (or a download a minute later: publication.files_queued) queues missing files
    again. A task that fails after its last attempt has recorded why (publication.services.file_failures); in the
    test process, where tasks run at once and their errors propagate, that error ends here. False if the task was not
    queued (or, run at once, failed)."""
    try:
        # By name: publication.tasks builds on this module, not the other way round.
        signature(name, args=args).delay()
    except Exception:
        logger.exception("Task %s%r not queued", name, args)
        return False
    return True


def queue_file_rendering(publication_id: int) -> None:
    """Queue the task that stores the publication's files (after it commits, or PCU asks again), marked queued so
    that the downloads meanwhile do not queue it again (publication.files_queued); with the broker down, marked for a
    minute only, and the next download after it queues the task."""
    files_queued.remember(publication_id)
    _queue_marked(publication_id)


def publication_files_request(*, publication: Publication) -> bool:
    """A download of ``publication``'s files, none stored yet: their task is queued, once for many downloads (the
    first to claim ``files_queued``'s mark, after the one queued at publication stood for QUEUED_SECONDS), never
    rendered here (STYLE rule 19: the render is seconds of CPU, and the staff told of a publication all ask at once).
    True if this call queued it (once any transaction around it commits; under eager Celery, as `make run` has, the
    task has run by then); False if another did, or Redis cannot say (the task queued at publication and beat's
    safety net store them)."""
    publication_id = publication.pk
    if not files_queued.claim(publication_id):
        return False
    transaction.on_commit(lambda: _queue_marked(publication_id))
    return True


def _queue_marked(publication_id: int) -> None:
    if not queue_task(STORE_FILES_TASK, publication_id):
        files_queued.remember(publication_id, seconds=files_queued.RETRY_SECONDS)


class StoredFileRefused(Exception):
    """A stored file that no longer matches the SHA-256 recorded at publication (or has gone): never served."""

    def __init__(self, published_file: PublishedFile, reason: str):
        super().__init__(reason)
        self.published_file = published_file
        self.reason = reason


def _pack_contents(publication: Publication) -> dict[str, dict]:
    """What each audience's copy of the pack holds, read once from the frozen version (rendering is pure).

    Each copy is what was published, whenever it is stored (its task late, or PCU storing the files again): it prints
    the marking the version was published with (its frozen details), and the copies are those publication stored
    for that marking. The policy's marking now may be higher: a review re-marking it OFFICIAL-SENSITIVE does so at
    once, the version in force included, and a file stored after that printed OFFICIAL-SENSITIVE beside the
    version's "Suitable for Publication Scheme: Yes", unlike the copies stored in time (QA walk). Who may read a copy
    is the policy's marking now and the version's (``access_policy``, ``published_file_readable``: a copy for readers
    not cleared of a version published OFFICIAL-SENSITIVE, stored before this rule, is kept and read by none of
    them): the public copy is stored only while the policy is on the Scheme now (a raise takes it off at once)."""
    policy = publication.policy
    version = publication.policy_version
    sop_versions = list(version.sop_versions.select_related("sop").order_by("sop__position", "sop_id"))
    eia = getattr(version, "eia", None)
    official = [sv for sv in sop_versions if sv.sop.protective_marking == ProtectiveMarking.OFFICIAL]
    contents: dict[str, dict] = {}
    published_marking = version.details_read.get("protective_marking") or policy.protective_marking
    published_official = published_marking == ProtectiveMarking.OFFICIAL
    if (publication.on_publication_scheme and published_official
            and policy.protective_marking == ProtectiveMarking.OFFICIAL and policy.suitable_for_publication_scheme):
        # The SOPs this version was published with externally (frozen with it, whatever a later draft chooses).
        external = [sv for sv in official if sv.publish_externally]
        labels = dict(FOIExemption.choices)
        withheld: dict[int, dict[int, str]] = {}
        for redaction in SOPRedaction.objects.filter(sop_version__in=external).order_by("block"):
            withheld.setdefault(redaction.sop_version_id, {})[redaction.block] = labels[redaction.exemption]
        # SOP: "the completed EIAs for each policy will be published on the MPS Publication Scheme".
        public_eia = eia if eia is not None and eia.is_complete and eia.frozen_at else None
        contents[PublishedFile.Audience.PUBLIC] = {"sop_versions": external, "eia": public_eia,
                                                   "withheld_by_sop_version": withheld}
    if published_official:
        contents[PublishedFile.Audience.STAFF] = {"sop_versions": official, "eia": eia}
    if not published_official or len(official) < len(sop_versions):
        contents[PublishedFile.Audience.CLEARED] = {"sop_versions": sop_versions, "eia": eia}
    for content in contents.values():
        content["marking"] = published_marking
    return contents


def lock_publication_for_files(publication_id: int) -> Publication | None:
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
            marking=document_marking(policy=locked.policy, sop_versions=content["sop_versions"],
                                     marking=content["marking"]),
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
        locked = lock_publication_for_files(publication_id)
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
        locked = lock_publication_for_files(publication_id)
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
        transaction.on_commit(lambda: queue_task(STORE_CURRENT_FILES_TASK, policy_id, reason))


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
