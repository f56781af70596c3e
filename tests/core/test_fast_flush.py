"""The flush after a transactional test deletes rather than truncates (tests/fast_flush.py): it must leave what
Django's ``TRUNCATE`` leaves, every table empty, the records of evidence included, and the append-only triggers on
again for the next statement."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from core.models import AuditEvent, RoleAssignment
from tests.factories import make_people

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_flush_empties_every_table_and_leaves_the_append_only_triggers_on(people, policy_in):
    policy_in("with_lead")
    assert AuditEvent.objects.exists() and RoleAssignment.objects.exists()
    models = [model for model in apps.get_models() if model._meta.managed and not model._meta.proxy]
    assert sum(model._default_manager.exists() for model in models) > 10

    call_command("flush", verbosity=0, interactive=False)

    # Every table empty, but the content types and permissions Django writes again after any flush (post_migrate).
    left = {model._meta.label for model in models if model._default_manager.exists()}
    assert left <= {"contenttypes.ContentType", "auth.Permission"}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"
    # The flush switched the triggers off for its own transaction only: the audit trail is append-only again.
    make_people().policy()
    assert AuditEvent.objects.exists()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.all().delete()
    assert AuditEvent.objects.exists()
