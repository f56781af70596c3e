"""Issue 11, finding 3: a published publication is evidence (the trigger of publication's migration 0003)."""

from __future__ import annotations

import pytest
from django.db import connection

from lifecycle.models import PolicyVersion
from tests.core.test_append_only import new_draft, refused, run

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")


@pytest.fixture
def draft(people) -> PolicyVersion:
    return people.policy().versions.get()


# --- publications ----------------------------------------------------------------------------------------------


def publication_row(version: PolicyVersion, people, status: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO publication_publication (policy_id, policy_version_id, on_intranet, in_notices, "
            "on_publication_scheme, status, requested_by_id, requested_at, published_at, published_by_id, "
            "republication) "
            "VALUES (%s, %s, true, true, true, %s, %s, now(), CASE WHEN %s = 'published' THEN now() END, %s, 0) "
            "RETURNING id",
            [version.policy_id, version.pk, status, people.pcu.pk, status, people.pcu.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def published(draft, people):
    return publication_row(draft, people, "published")


@pytest.mark.parametrize("sql", [
    "UPDATE publication_publication SET on_publication_scheme = false WHERE id = %s",
    "UPDATE publication_publication SET status = 'cancelled' WHERE id = %s",
    "UPDATE publication_publication SET published_at = published_at - interval '1 day' WHERE id = %s",
    "UPDATE publication_publication SET published_by_id = NULL WHERE id = %s",
    "DELETE FROM publication_publication WHERE id = %s",
], ids=["channel", "status", "time", "who", "delete"])
def test_published_publication_is_frozen(published, sql):
    refused(sql, [published])


def test_published_publication_may_be_superseded_once(published, draft, people):
    newer = publication_row(new_draft(draft, people), people, "published")
    assert run("UPDATE publication_publication SET superseded_by_id = %s, superseded_at = now() WHERE id = %s",
               [newer, published]) == 1
    refused("UPDATE publication_publication SET superseded_at = now() - interval '1 day' WHERE id = %s",
            [published])
    refused("UPDATE publication_publication SET superseded_by_id = NULL, superseded_at = NULL WHERE id = %s",
            [published])


def test_scheduled_publication_can_still_be_cancelled_or_moved(draft, people):
    scheduled = publication_row(draft, people, "scheduled")
    assert run("UPDATE publication_publication SET scheduled_for = current_date + 7 WHERE id = %s", [scheduled]) == 1
    assert run("UPDATE publication_publication SET status = 'cancelled' WHERE id = %s", [scheduled]) == 1
