"""A publication's files that could not be stored (QA: the failure was only logged, PCU never told, and every
download then failed with a 500).

The rendering task tries again with backoff (publication.tasks); after its last attempt the failure is recorded
here, as an audit event PCU is told of (``publication.files_not_stored``, with the reason in plain words). The
Publication page shows it until the files are stored, and PCU asks for them to be stored again from there
(``publication_store_files_again``, which queues the same task). Beat's safety net renders the files whose task
was lost, and leaves a recorded failure to PCU rather than telling them of it every five minutes.

SOP, "Role of the Policy Co-ordination Unit": "Publish all corporate policy", and "Provide the 'gateway' function
for the internal and external publication of policy".
"""

from __future__ import annotations

import errno
import logging

from django.db import transaction
from django.db.models import CharField, F, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.models import AuditEvent
from lifecycle import permissions
from lifecycle.services import require_actor
from publication.models import Publication, PublishedFile
from publication.selectors import FILES_EVENTS, files_not_stored
from publication.services.stored_files import (
    RETROSPECTIVE_EIA_REASON,
    STORE_CURRENT_FILES_TASK,
    lock_publication_for_files,
    publication_store_current_files,
    publication_store_files,
    queue_file_rendering,
    queue_task,
)

logger = logging.getLogger(__name__)

FULL = "the file store is full"
REFUSED = "the file store does not allow the files to be written"
NO_FOLDER = "the file store's folder is missing or is not a folder"
NOT_WRITTEN = "the file store could not be written to"
NOT_RENDERED = "the PDF could not be produced from the published version"


def failure_in_words(error: BaseException) -> str:
    """Why the files were not stored, in words PCU can act on (never the exception's text: it names server
    paths)."""
    if isinstance(error, OSError):
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return FULL
        if isinstance(error, PermissionError) or error.errno == errno.EROFS:
            return REFUSED
        if isinstance(error, (FileNotFoundError, NotADirectoryError, FileExistsError)):
            return NO_FOLDER
        return NOT_WRITTEN
    return NOT_RENDERED


def _record(locked: Publication, *, error: BaseException, attempts: int, rendition_reason: str = ""):
    reason = failure_in_words(error)
    logger.error("The files of publication %s (%s v%s) were not stored after %s attempt(s): %s (%r)", locked.pk,
                 locked.policy.reference, locked.policy_version.number, attempts, reason, error)
    changes = {"publication": locked.pk, "version": locked.policy_version.number, "attempts": attempts,
               "reason": reason, "error": type(error).__name__}
    if rendition_reason:
        changes["rendition_reason"] = rendition_reason
    return audit_log(actor=None, action=AuditAction.PUBLICATION_FILES_NOT_STORED, obj=locked.policy,
                     changes=changes)


def publication_files_not_stored(*, publication: Publication | int, error: BaseException, attempts: int):
    """Record that a publication's files could not be stored after ``attempts`` (PCU is told: notifications route
    the event). Nothing is recorded if they were stored meanwhile (by a download, or another worker), or if the
    publication is no longer published. Returns the event, or None."""
    with transaction.atomic():
        locked = lock_publication_for_files(getattr(publication, "pk", publication))
        if locked is None or locked.status != Publication.Status.PUBLISHED or locked.files.exists():
            return None
        return _record(locked, error=error, attempts=attempts)


def policy_files_not_stored(*, policy_id: int, reason: str, error: BaseException, attempts: int) -> list:
    """Record that the current publications' files of a policy could not be rendered again (``reason``: what they
    print anew); the earlier files are still served meanwhile."""
    events = []
    current = list(Publication.objects.filter(policy_id=policy_id, status=Publication.Status.PUBLISHED,
                                              superseded_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    for publication_id in current:
        with transaction.atomic():
            locked = lock_publication_for_files(publication_id)
            if locked is not None and locked.is_current:
                events.append(_record(locked, error=error, attempts=attempts,
                                      rendition_reason=reason[:300] or RETROSPECTIVE_EIA_REASON))
    return events


def publication_store_files_again(*, publication: Publication | int, actor) -> Publication:
    """PCU asks for the files of a publication that could not be stored to be stored again (from the Publication
    page): recorded, then the rendering task is queued once the request commits, as at publication. Refused when no
    failure is outstanding (the files stored since, or already asked for again)."""
    require_actor(actor)
    if not permissions.is_pcu(actor):
        raise ApplicationError("Only the Policy Co-ordination Unit can store a publication's files again.",
                               code="forbidden")
    with transaction.atomic():
        locked = lock_publication_for_files(getattr(publication, "pk", publication))
        if locked is None or locked.status != Publication.Status.PUBLISHED:
            raise ApplicationError("That publication is not published.", code="not_found")
        failure = files_not_stored(policy_ids=[locked.policy_id]).get(locked.pk)
        if failure is None:
            raise ApplicationError(f"The files of version {locked.policy_version.number} are already stored, or are "
                                   "being stored again: nothing more was done.", code="stale")
        audit_log(actor=actor, action=AuditAction.PUBLICATION_FILES_STORE_REQUESTED, obj=locked.policy,
                  changes={"publication": locked.pk, "version": locked.policy_version.number,
                           "reason": failure.reason})
        publication_id, policy_id = locked.pk, locked.policy_id
        if failure.rendition_reason:
            rendition_reason = failure.rendition_reason
            transaction.on_commit(lambda: queue_task(STORE_CURRENT_FILES_TASK, policy_id, rendition_reason))
        else:
            transaction.on_commit(lambda: queue_file_rendering(publication_id))
    return locked


def _without_recorded_failure(publications):
    """``publications`` less those whose newest files event is a recorded failure: PCU has been told, and stores
    them again from the Publication page."""
    newest_files_event = (AuditEvent.objects.filter(policy_id=OuterRef("policy_id"), action__in=FILES_EVENTS)
                          .annotate(of_publication=KeyTextTransform("publication", "changes"))
                          .filter(of_publication=Cast(OuterRef("pk"), CharField()))
                          .order_by("-sequence").values("action")[:1])
    not_stored = AuditAction.PUBLICATION_FILES_NOT_STORED
    return (publications.annotate(newest_files_event=Subquery(newest_files_event))
            .filter(Q(newest_files_event__isnull=True) | ~Q(newest_files_event=not_stored)))


def _try(publication_id: int, store, **kwargs) -> bool:
    """Beat's one attempt: a failure is recorded (PCU told) and the others still tried."""
    try:
        return bool(store(publication=publication_id, **kwargs))
    except Exception as error:
        if kwargs:
            policy_id = Publication.objects.values_list("policy_id", flat=True).get(pk=publication_id)
            policy_files_not_stored(policy_id=policy_id, reason=kwargs["reason"], error=error, attempts=1)
        else:
            publication_files_not_stored(publication=publication_id, error=error, attempts=1)
        return False


def publication_store_missing_files(*, limit: int = 50) -> list[int]:
    """Beat's safety net: the current publications whose files were never stored (the task was lost with the
    broker), less those whose failure is recorded. Returns the publication ids rendered."""
    current = Publication.objects.filter(status=Publication.Status.PUBLISHED, superseded_at__isnull=True)
    pending = list(_without_recorded_failure(current.filter(files__isnull=True))
                   .order_by("published_at", "pk").values_list("pk", flat=True)[:limit])
    rendered = [publication_id for publication_id in pending if _try(publication_id, publication_store_files)]
    # A re-rendering lost with the broker: a current publication whose EIA was signed off after its newest file.
    newest_file = (PublishedFile.objects.filter(publication_id=OuterRef("pk")).order_by("-rendered_at")
                   .values("rendered_at")[:1])
    stale = list(
        _without_recorded_failure(current).annotate(newest_file_at=Subquery(newest_file))
        .filter(newest_file_at__isnull=False, policy_version__eia__frozen_at__gt=F("newest_file_at"))
        .order_by("published_at", "pk").values_list("pk", flat=True)[:limit]
    )
    for publication_id in stale:
        if _try(publication_id, publication_store_current_files, reason=RETROSPECTIVE_EIA_REASON):
            rendered.append(publication_id)
    return rendered
