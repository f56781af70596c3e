"""Staff with no part in a policy's drafting read its timeline's public milestones (``PUBLIC_TIMELINE_ACTIONS``).
Read through the policy's whole index ANDed with the trail's index of actions, each of that page's two statements
took 3-4 ms at a million events (make bench, the developer's timeline: its own SQL 9.8 ms against the co-ordinator's
5.6 ms). A partial index holds just those rows in timeline order (core.models.audit ``PUBLIC_MILESTONE_ACTIONS``); the
timeline's filter is the index's condition, word for word, so that PostgreSQL can prove the one from the other."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q

from core.models import AuditEvent
from lifecycle.selectors import PUBLIC_TIMELINE_ACTIONS, timeline_events

pytestmark = pytest.mark.django_db

INDEX = "audit_policy_milestones_idx"


def test_the_index_holds_exactly_the_milestones_the_timeline_reads():
    index = next(each for each in AuditEvent._meta.indexes if each.name == INDEX)
    assert index.condition == Q(action__in=list(PUBLIC_TIMELINE_ACTIONS))
    assert index.fields == ["policy_id", "-sequence"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
@pytest.mark.parametrize("counted", [False, True])
def test_a_readers_milestones_are_read_from_the_index(people, counted):
    events = timeline_events(policy_id=people.policy().pk, drafts=False)
    # The page's two statements: how many there are, and a page of them.
    queryset = events.order_by().values("policy_id").annotate(n=Count("pk")).values("n") if counted else events[:10]
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Only the choice between indexes is asked: a test's few rows would otherwise be read by a scan of the table.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert INDEX in plan, plan
