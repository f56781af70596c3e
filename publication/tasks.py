from celery import shared_task

from publication.services import (
    STORE_CURRENT_FILES_TASK,
    STORE_FILES_TASK,
    policy_store_current_files,
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


@shared_task(name=STORE_CURRENT_FILES_TASK, acks_late=True)
def store_current_publication_files(policy_id: int, reason: str) -> list[str]:
    """Queued after a change to what a policy's files print (the retrospective EIA signed off): render its current
    publications' files again where they changed. Safe to run twice."""
    return [file.sha256 for file in policy_store_current_files(policy_id=policy_id, reason=reason)]


@shared_task(name="publication.tasks.store_missing_publication_files", acks_late=True)
def store_missing_publication_files() -> list[int]:
    """Beat's safety net for a rendering task lost with the broker."""
    return publication_store_missing_files()
