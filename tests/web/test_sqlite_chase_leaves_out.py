"""`make run`'s chase on SQLite leaves out what a step made no longer needed after the chase planned it, as PostgreSQL's
does (found on 2026-12-06). The chase plans, then writes: a step that closes reminders in between (a report submitted
answering the annual report's date, a review completed or its date moved, a step that ends a stage's wait) closes what
the ledger held, and the chase must not then write what it had planned. PostgreSQL's INSERT leaves such reminders out
(notifications.services.ledger._still_called_for); the demo's SQLite wrote its plan as it stood, so a reminder planned
before the step stayed open for good. It now stages the plan and writes it by the same statement.

Run in a subprocess on a copy of the demo's database (tests/web/conftest.py): a plan made for one of its policies, with
reminders for dates and a stage it has moved on from, written by the chase's own insert."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.make_run import local_env

ROOT = Path(__file__).resolve().parents[2]

LEAVES_OUT = r"""
import datetime
import django
django.setup()
from django.db import transaction
from django.utils import timezone
from core.models import User
from lifecycle.models import Policy
from notifications.models import Reminder
from notifications.services import ledger
from notifications.services.rules import PlannedReminder, review_item

policy = (Policy.objects.exclude(status="withdrawn")
          .filter(review_due_on__isnull=False, monitoring_report_due_on__isnull=False, status_changed_at__isnull=False)
          .exclude(status="submitted_for_qa").order_by("pk").first())
user = User.objects.filter(is_active=True).order_by("pk").first()
changed_on = timezone.localtime(policy.status_changed_at).date()
far = datetime.date(2099, 1, 4)
CYCLE = 999  # a cycle of its own: nothing the demo wrote shares the ledger's key


def planned(kind, due_on, item_due_on, item=0):
    return PlannedReminder(policy.pk, policy.reference, policy.title, CYCLE, user.pk, kind, due_on, item_due_on,
                           "test", f"{kind} for {item_due_on}", item)


year_before = policy.monitoring_report_due_on - datetime.timedelta(days=365)
review_before = policy.review_due_on - datetime.timedelta(days=90)
plan = [
    # A date the policy has moved on from (a report answered it; the review was brought forward): left out.
    planned("monitoring_due", far, year_before),
    planned("review_due", far, review_before, item=review_item(review_before)),
    # Work waiting too long whose status has changed on or after its day: left out.
    planned("stuck", changed_on, None),
    # Still called for: the dates the policy holds now, and a wait from after its status changed.
    planned("monitoring_due", far + datetime.timedelta(days=1), policy.monitoring_report_due_on),
    planned("review_due", far, policy.review_due_on, item=review_item(policy.review_due_on)),
    planned("stuck", far, None),
]
with transaction.atomic():
    new = ledger._reminders_insert(plan)
written = sorted(f"{kind}:{item_due_on}" for kind, item_due_on in
                 Reminder.objects.filter(policy=policy, cycle=CYCLE).values_list("kind", "item_due_on"))
expected = sorted(f"{item.kind}:{item.item_due_on}" for item in plan[3:])
assert new == 3 and written == expected, (new, written, expected)
# Again: the exactly-once key skips what is there, and the staging table of the first run is gone.
with transaction.atomic():
    assert ledger._reminders_insert(plan) == 0
print("left out ok")
"""


@pytest.mark.sqlite
def test_the_demos_chase_leaves_out_what_a_step_made_no_longer_needed(tmp_path, demo_sqlite):
    env = local_env(demo_sqlite.copy_to(tmp_path / "chase.sqlite3"))
    result = subprocess.run([sys.executable, "-c", LEAVES_OUT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr[-3000:]}"
    assert "left out ok" in result.stdout
