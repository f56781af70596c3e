"""My work's queues are statements compiled once per person and day (workspace.selectors._compiled_queue, issue 16),
and the versions someone is asked to confirm once per profile (acknowledgements.selectors.outstanding_rows). A second
request compiles nothing, yet reads what changed since; a new role is a new statement; and the rows are those of the
querysets they are compiled from."""

from __future__ import annotations

import datetime

import pytest

from acknowledgements.selectors import outstanding_for, outstanding_rows
from acknowledgements.selectors.outstanding import _compiled_outstanding
from core.models import Role, RoleAssignment, User
from lifecycle.models import Policy
from lifecycle.states import Status
from tests.factories import advance_to
from tests.library.helpers import published, staff
from workspace import selectors
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

QUEUES = (selectors._due_policies, selectors._drafts, selectors._leads_policies,
          selectors._awaiting_quality_assurance, selectors._to_forward, selectors._to_publish,
          selectors._awaiting_eia, selectors._under_way)


def _compilations() -> int:
    return sum(queue.compiled.cache_info().misses for queue in QUEUES)


def _queue(queues, start: str) -> dict:
    return next(queue for queue in queues if queue["title"].startswith(start))


def _fresh(user) -> User:
    # Roles are cached on the user object, as for one request.
    return User.objects.get(pk=user.pk)


def test_a_second_request_compiles_nothing_and_reads_what_changed_since(people):
    for queue in QUEUES:
        queue.compiled.cache_clear()
    first = advance_to(people.policy(title="Submitted first"), Status.SUBMITTED_FOR_QA, people)
    waiting = _queue(my_work(user=_fresh(people.pcu)), "Submissions to quality-assure")
    assert [policy.reference for policy in waiting["policies"]] == [first.reference]
    compiled = _compilations()
    assert compiled >= 4  # reviews and reports due, submissions and those to publish, at least

    second = advance_to(people.policy(title="Submitted second"), Status.SUBMITTED_FOR_QA, people)
    advance_to(first, Status.QA_PASSED, people)
    waiting = _queue(my_work(user=_fresh(people.pcu)), "Submissions to quality-assure")
    assert [policy.reference for policy in waiting["policies"]] == [second.reference]
    assert _compilations() == compiled
    # Each item holds the queue's columns, converted as Django converts them, and nothing else of the policy.
    item = waiting["policies"][0]
    assert (item.pk, item.title, item.status, item.status_changed_at) == (
        second.pk, "Submitted second", Status.SUBMITTED_FOR_QA,
        Policy.objects.get(pk=second.pk).status_changed_at)
    assert not hasattr(item, "purpose")


def test_a_new_role_is_a_new_statement_and_shows_its_queues_at_once(people):
    policy = advance_to(people.policy(title="Awaiting a decision"), Status.COMMISSIONING, people)
    titles = [queue["title"] for queue in my_work(user=_fresh(people.developer2))]
    assert "Commissioning decisions" not in titles
    RoleAssignment.objects.create(user=people.developer2, role=Role.LEAD, business_group=people.group)
    decisions = _queue(my_work(user=_fresh(people.developer2)), "Commissioning decisions")
    assert [item.reference for item in decisions["policies"]] == [policy.reference]
    # And another day is another statement: the due dates are compiled in.
    before = selectors._due_policies.compiled.cache_info().misses
    my_work(user=_fresh(people.developer2), today=datetime.date.today() + datetime.timedelta(days=1))
    assert selectors._due_policies.compiled.cache_info().misses == before + 2


def test_the_versions_to_confirm_are_those_of_outstanding_for_as_rows(people):
    reader = staff("reader", people.unit)
    for number in range(3):
        published(people, title=f"Read me {number}", audience={"business_groups": [people.group]})
    expected = [(audience.policy.reference, audience.policy.title, audience.policy_version.number)
                for audience in outstanding_for(user=_fresh(reader))]
    assert len(expected) == 3
    assert [(row.reference, row.title, row.number) for row in outstanding_rows(user=_fresh(reader), limit=5)] \
        == expected
    assert [row.reference for row in outstanding_rows(user=_fresh(reader), limit=2)] == [
        reference for reference, _, _ in expected[:2]]
    misses = _compiled_outstanding.cache_info().misses
    published(people, title="Read me too", audience={"business_groups": [people.group]})
    assert len(outstanding_rows(user=_fresh(reader), limit=5)) == 4
    assert _compiled_outstanding.cache_info().misses == misses
    # Nobody signed out, or inactive, is asked anything.
    reader.is_active = False
    assert outstanding_rows(user=reader, limit=5) == []
