from celery import Task, shared_task
from celery.exceptions import Retry

from publication.services import (
    PREPARE_DRAFT_PDF_TASK,
    STORE_CURRENT_FILES_TASK,
    STORE_FILES_TASK,
    draft_pdf_prepare,
    draft_pdfs_delete_old,
    policy_files_not_stored,
    policy_store_current_files,
    publication_files_not_stored,
    publication_publish_due,
    publication_store_files,
    publication_store_missing_files,
)

# A file store briefly unwritable (a mount coming back, a full disk cleared) is tried again: after 1, 2, 4 and 8
# minutes (with jitter), about a quarter of an hour in all; then the failure is recorded and PCU told.
STORE_FILES_ATTEMPTS = 5
STORING = {"autoretry_for": (Exception,), "max_retries": STORE_FILES_ATTEMPTS - 1, "retry_backoff": 60,
           "retry_backoff_max": 900, "retry_jitter": True, "acks_late": True}


class StoreFilesTask(Task):
    """A rendering task whose last attempt failed records why, durably, where PCU is told and the Publication page
    reads it (publication.services.file_failures): a log line alone told nobody. Recorded here rather than in
    on_failure, which Celery skips when a task's errors propagate (tasks run at once in tests)."""

    def __call__(self, *args, **kwargs):
        try:
            # As Celery's own custom __call__ does: the worker has already pushed this attempt's request (with its
            # retries count); Task.__call__ would push a blank one.
            return self.run(*args, **kwargs)
        except Retry:
            raise  # autoretry_for: another attempt is due
        except Exception as error:
            if self.request.retries >= self.max_retries:
                self.record_failure(error, *args, attempts=self.request.retries + 1, **kwargs)
            raise


class StorePublicationFilesTask(StoreFilesTask):
    def record_failure(self, exc, publication_id: int, *, attempts: int) -> None:
        publication_files_not_stored(publication=publication_id, error=exc, attempts=attempts)


class StoreCurrentFilesTask(StoreFilesTask):
    def record_failure(self, exc, policy_id: int, reason: str, *, attempts: int) -> None:
        policy_files_not_stored(policy_id=policy_id, reason=reason, error=exc, attempts=attempts)


@shared_task(name="publication.tasks.publish_due_publications", acks_late=True)
def publish_due_publications() -> list[int]:
    """Thin and safe to run twice: the service re-checks each publication under lock."""
    return publication_publish_due()


@shared_task(name=STORE_FILES_TASK, base=StorePublicationFilesTask, **STORING)
def store_publication_files(publication_id: int) -> list[str]:
    """Queued after a publication commits (or PCU asks again): render its files once and store them. Safe to run
    twice."""
    return [file.sha256 for file in publication_store_files(publication=publication_id)]


@shared_task(name=STORE_CURRENT_FILES_TASK, base=StoreCurrentFilesTask, **STORING)
def store_current_publication_files(policy_id: int, reason: str) -> list[str]:
    """Queued after a change to what a policy's files print (the retrospective EIA signed off): render its current
    publications' files again where they changed. Safe to run twice."""
    return [file.sha256 for file in policy_store_current_files(policy_id=policy_id, reason=reason)]


@shared_task(name="publication.tasks.store_missing_publication_files", acks_late=True)
def store_missing_publication_files() -> list[int]:
    """Beat's safety net for a rendering task lost with the broker."""
    return publication_store_missing_files()


@shared_task(name=PREPARE_DRAFT_PDF_TASK, acks_late=True)
def prepare_draft_pdf(draft_pdf_id: int) -> str:
    """The PDF of a version not published, asked for at /policies/<ref>/pdf/ (publication.services.draft_pdfs).
    Safe to run twice: only a pending one is rendered. A failure is recorded on it; its page says so, and a request
    a minute later queues it again."""
    return draft_pdf_prepare(draft_pdf_id=draft_pdf_id)


@shared_task(name="publication.tasks.delete_old_draft_pdfs")
def delete_old_draft_pdfs() -> int:
    """Beat, hourly: prepared PDFs of drafts are kept for a day."""
    return draft_pdfs_delete_old()
