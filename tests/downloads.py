"""A published version's PDF is stored by a task queued after its publication commits; a test that publishes inside
its own transaction (no commit) has no such task run, and a download then answers 202, "being prepared", having
queued the task itself, never rendering in the request (publication.views._stored_or_queued; STYLE rule 19)."""

from django.test import TestCase

from publication.models import Publication
from publication.services import publication_store_files


def files_stored(policy) -> None:
    """The worker has run the tasks queued at the policy's publications: their files are stored."""
    for publication in Publication.objects.filter(policy=policy, status=Publication.Status.PUBLISHED,
                                                  files__isnull=True).distinct():
        publication_store_files(publication=publication)


def downloaded(client, url: str, **extra):
    """GET ``url``; if the files are being prepared (202), the worker runs the task the download queued (what a
    commit would send), and the download is asked again."""
    with TestCase.captureOnCommitCallbacks() as queued:
        response = client.get(url, **extra)
    if response.status_code != 202:
        return response
    for callback in queued:
        callback()
    return client.get(url, **extra)
