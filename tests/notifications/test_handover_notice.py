"""A leaver's handover told the leaver and those taking over only "Work handed over: <leaver>. By <PCU> on <date>.":
not which policies, nor what each person now holds (found by the twelfth session's Chromium walk). The item now says
which policies moved, by reference, and who took over each part, by name."""

from __future__ import annotations

import pytest

from core.models import Role, User
from lifecycle.services import people as people_services
from notifications import services
from notifications.models import Notification
from tests.factories import user_with_role
from tests.lifecycle.test_reassignment import portfolio

pytestmark = pytest.mark.django_db


def test_a_handover_says_which_policies_moved_and_who_took_each_part_over(people):
    leaver = portfolio(people, 3)
    references = sorted(leaver.developed_policies.values_list("reference", flat=True))
    successor = user_with_role(Role.DEVELOPER, people.group, username="successor", first_name="Priya",
                               last_name="Shah")
    people_services.person_handover(actor=User.objects.get(pk=people.pcu.pk), leaver=leaver, reason="Left the force",
                                    replacements={"developer": successor, "policy_manager": people.manager})
    services.outbox_relay()
    item = Notification.objects.get(recipient=successor, title__startswith="Work handed over")
    assert f"3 policies handed over from {leaver.get_full_name()}: {', '.join(references)}." in item.body
    assert f"Policy manager: {people.manager.get_full_name()}. Policy developer: Priya Shah." in item.body
    assert item.body.endswith(f"By {people.pcu.get_full_name()} on " + item.body.rsplit(" on ", 1)[1])
