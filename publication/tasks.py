from celery import shared_task

from publication.services import publication_publish_due


@shared_task(name="publication.tasks.publish_due_publications", acks_late=True)
def publish_due_publications() -> list[int]:
    """Thin and safe to run twice: the service re-checks each publication under lock."""
    return publication_publish_due()
