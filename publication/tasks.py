from celery import shared_task

from publication.services import (
    STORE_FILES_TASK,
    publication_publish_due,
    publication_store_files,
    publication_store_missing_files,
)


@shared_task(name="publication.tasks.publish_due_publications", acks_late=True)
def publish_due_publications() -> list[int]:
    """Thin and safe to run twice: the service re-checks each publication under lock."""
    return publication_publish_due()


@shared_task(name=STORE_FILES_TASK, acks_late=True)
def store_publication_files(publication_id: int) -> list[str]:
    """Queued after a publication commits: render its files once and store them. Safe to run twice."""
    return [file.sha256 for file in publication_store_files(publication=publication_id)]


@shared_task(name="publication.tasks.store_missing_publication_files", acks_late=True)
def store_missing_publication_files() -> list[int]:
    """Beat's safety net for a rendering task lost with the broker."""
    return publication_store_missing_files()
