"""Every queue My work gives offers every key its template reads (templates/core/home.html).

A key a queue lacks is not an error to the template engine, but each one is a failed lookup: a KeyError, then an
AttributeError, then ``dir()`` of the dict and a failed list index, before it gives up. PCU's My work made 46 of them
a request (make bench, 100,000 policies: ``dir`` alone 0.27 ms of a profiled request), on the page whose Python is
held to half its SQL (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from core.models import User
from lifecycle.states import Status
from tests.factories import advance_to
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

HOME = Path(settings.BASE_DIR) / "templates" / "core" / "home.html"
ROLES = ("developer", "manager", "coordinator", "lead", "owner", "pcu", "dcfd", "doi", "shrmt")


def _keys_read() -> set[str]:
    keys = set(re.findall(r"\bqueue\.(\w+)", HOME.read_text()))
    assert {"title", "policies", "reports", "entries", "acknowledgements", "more"} <= keys  # the pattern still reads
    return keys


@pytest.mark.parametrize("role", ROLES)
def test_every_queue_offers_every_key_the_template_reads(people, role):
    # Some work in hand, so that the queues with items are among those checked.
    advance_to(people.policy(title="In quality assurance"), Status.SUBMITTED_FOR_QA, people)
    advance_to(people.policy(title="In force"), "implementation", people)
    keys = _keys_read()
    queues = my_work(user=User.objects.get(pk=getattr(people, role).pk))
    assert queues or role in {"shrmt"}, f"{role} has no queue to check"
    for queue in queues:
        missing = keys - queue.keys()
        assert not missing, f"{role}'s queue {queue['title']!r} lacks {sorted(missing)}"
