"""My work and the policy's "What to do next" on a policy approved by the emergency route and published, in
implementation (QA walk in Chromium, the demo's POL-0014): My work said "Next: Sign off the Workbook's impact sections"
to PCU, "Sign off the retrospective EIA" to DCFD and "See that the retrospective EIA is completed" to the Lead, while
the overview's "What to do next" said only "Move to monitoring" (a button, or "Next: Move to monitoring, by ...").
Each part is declared once (lifecycle.emergency.SKIPPED_PARTS) and both name the reader's part from it; the overview
links it to the page it is signed off on once that page would offer it (until its authors have written it, it says
why instead: leftover C)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from assessments.services import eia_complete_retrospective, eia_update, workbook_update
from lifecycle.emergency import RISK_OWNER_WATCH, SKIPPED_PARTS
from tests.factories import ALL_IMPACTS, reload
from tests.workspace.test_emergency_signoffs import emergency_approved as emergency_approved  # noqa: F401 (fixture)
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db


def my_work_next(user, reference) -> set[str]:
    return {policy.next_label for queue in my_work(user=user) for policy in queue["policies"] or ()
            if policy.reference == reference}


def what_to_do_next(client, user, policy) -> str:
    """The overview's "What to do next" column, its links' addresses kept, as text."""
    client.force_login(user)
    page = client.get(f"/policies/{policy.reference}/").content.decode()
    column = page[page.index("What to do next"):page.index("</div>\n</div>", page.index("What to do next"))]
    column = re.sub(r'<a [^>]*href="([^"]*)"[^>]*>', r" [\1] ", column)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", column)).split())


def written(policy, people):
    """The retrospective EIA and the Workbook's impact sections written by the policy's developer: each part ready to
    sign off."""
    eia_update(policy=reload(policy), actor=people.developer, aims="Protect officers and the public.",
               impacts=ALL_IMPACTS, decision="no_major_change")
    workbook_update(policy=reload(policy), actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Consulted after the event.", health_and_safety_impact="none",
                    health_and_safety_statement="No health and safety impact.")
    return reload(policy)


@pytest.mark.parametrize(("username", "discipline"), [("pcu_qa", "pcu"), ("dcfd", "dcfd"), ("doi", "doi")])
def test_each_discipline_is_told_its_part_in_both(client, people, emergency_approved, username, discipline):
    policy = written(emergency_approved, people)
    part = SKIPPED_PARTS[discipline]
    user = getattr(people, username)
    assert my_work_next(user, policy.reference) == {part.title}
    column = what_to_do_next(client, user, policy)
    assert f"[{reverse(part.page, args=[policy.reference])}] {part.title}" in column, column
    assert "Nothing is waiting for you" not in column


@pytest.mark.parametrize(("username", "discipline"), [("pcu_qa", "pcu"), ("dcfd", "dcfd"), ("doi", "doi")])
def test_a_part_still_to_be_written_is_named_in_both_and_linked_in_neither(client, people, emergency_approved,
                                                                          username, discipline):
    """Leftover C: the overview linked the part to its sign-off page while its authors were still to write it, and
    the page only said so. It is named, as My work names it, with why it waits, and not linked."""
    part = SKIPPED_PARTS[discipline]
    user = getattr(people, username)
    assert my_work_next(user, emergency_approved.reference) == {part.title}
    column = what_to_do_next(client, user, emergency_approved)
    assert part.title in column and "nothing to sign off yet" in column, column
    assert reverse(part.page, args=[emergency_approved.reference]) not in column
    assert "Nothing is waiting for you" not in column


def test_the_member_of_pcu_who_agreed_the_route_is_told_the_workbook_in_both(client, people, emergency_approved):
    """Agreeing to the Lead's request is no part that bars the Workbook's late sign-off (lifecycle.duties: the Lead's
    decision, not PCU's agreement, is the approver's part), so both say it to them as to any member of PCU."""
    part = SKIPPED_PARTS["pcu"]
    assert my_work_next(people.pcu, emergency_approved.reference) == {part.title}
    assert part.title in what_to_do_next(client, people.pcu, emergency_approved)


def test_the_lead_is_told_to_watch_as_risk_owner_in_both(client, people, emergency_approved):
    assert my_work_next(people.lead, emergency_approved.reference) == {RISK_OWNER_WATCH}
    assert RISK_OWNER_WATCH in what_to_do_next(client, people.lead, emergency_approved)


def test_a_part_signed_off_leaves_both(client, people, emergency_approved):
    policy = emergency_approved
    eia_update(policy=policy, actor=people.developer, aims="Protect officers and the public.", impacts=ALL_IMPACTS,
               decision="no_major_change")
    eia_complete_retrospective(policy=reload(policy), actor=people.dcfd)
    title = SKIPPED_PARTS["dcfd"].title
    assert title not in my_work_next(people.dcfd, policy.reference)
    assert title not in what_to_do_next(client, people.dcfd, reload(policy))
