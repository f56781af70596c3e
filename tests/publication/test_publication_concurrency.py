"""The publication job may run twice at once (a retried Celery task, two beat schedulers): it publishes once."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from core.audit import audit_verify_chain
from core.models import AuditEvent
from lifecycle.states import Status
from publication.models import Publication
from publication.services import policy_publish, publication_publish_due
from tests.factories import reload


@pytest.mark.django_db(transaction=True)
def test_two_publication_jobs_at_once_publish_once(policy_in, people):
    policy = policy_in(Status.AWAITING_PUBLICATION)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    publication = policy_publish(policy=policy, actor=people.pcu, publish_on=tomorrow)
    barrier = threading.Barrier(2)
    results: list = []

    def job():
        try:
            barrier.wait(timeout=10)
            results.append(publication_publish_due(today=tomorrow))
        finally:
            connection.close()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [[], [publication.pk]]
    assert reload(policy).status == Status.IMPLEMENTATION
    assert Publication.objects.get(pk=publication.pk).status == Publication.Status.PUBLISHED
    assert AuditEvent.objects.filter(policy_id=policy.pk, action="policy.published").count() == 1
    assert audit_verify_chain().ok
