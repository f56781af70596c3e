"""The retrospective EIA is its authors' to write (QA walk in Chromium, HIGH): after an emergency approval the named
developer got the 404 "has moved on" on the policy and on its EIA and Workbook pages until it was published, yet the
chase reminded them of the EIA (`manage.py chase --dry-run` listed them); the policy manager could edit it, but the
overview told them "Nothing is waiting for you"; a developer named on it in implementation (developer3 on the demo's
POL-0014) saw the EIA's form, but the overview said nothing waited for them and My work did not list it.

One rule says who writes what the emergency route skipped (the chase's, lifecycle.selectors.emergency_authors): the
pages they need, the overview's "What to do next", My work and the chase read it, and agree here person by person."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest

from assessments.services import (
    document_editable,
    eia_complete_retrospective,
    eia_update,
    retrospective_qa_signoff,
    workbook_update,
)
from core.models import Role
from lifecycle import services as s
from lifecycle.models import Policy
from lifecycle.services.people.changes import policy_add_developer, policy_reassign
from lifecycle.states import Status
from notifications.services import chase_plan
from publication.services import policy_publish
from tests.factories import (
    ALL_IMPACTS,
    RoleAssignmentFactory,
    UnitFactory,
    UserFactory,
    emergency_approve,
    reload,
    user_with_role,
)
from workspace.selectors import my_work

pytestmark = pytest.mark.django_db

EIA_WORK = "Complete the retrospective EIA"
WORKBOOK_WORK = "Complete the Workbook's impact sections"


@pytest.fixture
def approved(policy_in, people) -> Policy:
    """Approved by the emergency route (the Lead asks, a member of PCU agrees), not yet sent for publication."""
    policy = policy_in(Status.DEVELOPMENT)
    s.draft_update(policy=policy, actor=people.developer, statement="<p>Taser for response officers.</p>")
    emergency_approve(reload(policy), people)
    policy = reload(policy)
    assert policy.status == Status.APPROVED and policy.not_impact_assessed
    return policy


def published(policy, people) -> Policy:
    s.policy_forward_for_publication(policy=reload(policy), actor=people.coordinator)
    policy_publish(policy=reload(policy), actor=people.pcu)
    policy = reload(policy)
    assert policy.status == Status.IMPLEMENTATION and policy.not_impact_assessed
    return policy


def what_to_do_next(client, user, policy) -> str:
    """The overview's "What to do next" column, its links' addresses kept, as text."""
    client.force_login(user)
    response = client.get(f"/policies/{policy.reference}/")
    assert response.status_code == 200, (user.username, response.status_code)
    page = response.content.decode()
    column = page[page.index("What to do next"):page.index("</div>\n</div>", page.index("What to do next"))]
    column = re.sub(r'<a [^>]*href="([^"]*)"[^>]*>', r" [\1] ", column)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", column)).split())


def my_work_next(user, reference) -> set[str]:
    return {policy.next_label for queue in my_work(user=user) for policy in queue["policies"] or ()
            if policy.reference == reference}


def chased(policy, day) -> set[int]:
    """Who the chase reminds of the emergency approval's impact assessment on ``day``."""
    return {planned.recipient_id for planned in chase_plan(today=day)
            if planned.kind == "emergency_eia" and planned.policy_id == policy.pk}


def before_due(policy) -> datetime.date:
    """A day the chase reminds the authors and not yet the Lead (a week before the date, a weekly step)."""
    return policy.emergency_eia_due_on - datetime.timedelta(days=7)


def test_the_named_developer_opens_the_policy_and_its_documents_before_publication(client, people, approved):
    client.force_login(people.developer)
    for suffix in ("", "eia/", "workbook/"):
        response = client.get(f"/policies/{approved.reference}/{suffix}")
        assert response.status_code == 200, (suffix, response.status_code)
        if suffix:
            assert 'id="main-form"' in response.content.decode(), suffix
    eia_update(policy=reload(approved), actor=people.developer, aims="Protect officers and the public.")
    assert reload(approved).current_version.eia.aims == "Protect officers and the public."


@pytest.mark.parametrize("author", ["developer", "manager"])
def test_the_overview_tells_each_author_what_waits_for_them(client, people, approved, author):
    column = what_to_do_next(client, getattr(people, author), approved)
    assert f"[/policies/{approved.reference}/eia/] {EIA_WORK}" in column, column
    assert "Nothing is waiting for you" not in column


def test_a_developer_named_in_implementation_is_told_in_both(client, people, approved):
    """developer3 on the demo's POL-0014: named after publication, they see the EIA's form, and the overview and My
    work both say it waits for them."""
    policy = published(approved, people)
    developer3 = user_with_role(Role.DEVELOPER, people.group, username="developer3")
    policy_add_developer(policy=reload(policy), actor=people.coordinator, new=developer3,
                         reason="A second developer to complete the EIA.")
    client.force_login(developer3)
    assert 'id="main-form"' in client.get(f"/policies/{policy.reference}/eia/").content.decode()
    column = what_to_do_next(client, developer3, reload(policy))
    assert f"[/policies/{policy.reference}/eia/] {EIA_WORK}" in column, column
    assert "Nothing is waiting for you" not in column
    assert my_work_next(developer3, policy.reference) == {EIA_WORK}
    assert developer3.pk in chased(policy, before_due(policy))


@pytest.fixture
def others(people) -> dict:
    """Managers of the business group not named on the policy (one of its unit, one of another unit) and a developer
    of the group not named on it."""
    unit_manager = UserFactory(username="unit_manager")
    RoleAssignmentFactory(user=unit_manager, role=Role.MANAGER, business_group=people.group, unit=people.unit)
    other_unit_manager = UserFactory(username="other_unit_manager")
    RoleAssignmentFactory(user=other_unit_manager, role=Role.MANAGER, business_group=people.group,
                          unit=UnitFactory(business_group=people.group, name="Another unit"))
    return {"unit_manager": unit_manager, "other_unit_manager": other_unit_manager,
            "unnamed_developer": user_with_role(Role.DEVELOPER, people.group, username="unnamed_developer")}


def _cast(people, others) -> list:
    """Everyone with a part in the business group or the route, and those of ``others``."""
    return [people.developer, people.manager, people.coordinator, people.lead, people.owner, people.pcu,
            people.pcu_qa, people.dcfd, people.doi, people.developer2, *others.values()]


def _told(client, user, policy) -> bool:
    column = what_to_do_next(client, user, policy) if _sees(client, user, policy) else ""
    return EIA_WORK in column or WORKBOOK_WORK in column


def _sees(client, user, policy) -> bool:
    client.force_login(user)
    return client.get(f"/policies/{policy.reference}/").status_code == 200


def _agree(client, people, others, policy, *, expected: set[str]):
    """The chase, the overview, My work and the EIA's or Workbook's editor name the same people."""
    policy = reload(policy)
    reminded = chased(policy, before_due(policy))
    for user in _cast(people, others):
        named = user.username in expected
        assert (user.pk in reminded) is named, (user.username, "chase")
        assert _told(client, user, policy) is named, (user.username, "overview")
        assert bool(my_work_next(user, policy.reference) & {EIA_WORK, WORKBOOK_WORK}) is named, (user.username,
                                                                                                 "my work")
        version = policy.current_version
        documents = [version.eia, version.workbook]
        assert any(document_editable(user=user, policy=reload(policy), document=document)
                   for document in documents) is named, (user.username, "editable")


def test_one_rule_names_the_authors_in_every_reading(client, people, others, approved):
    """The named developer and the named policy manager; not the group's other managers (who could edit a draft of
    their unit or group) nor a developer of the group not named on it."""
    _agree(client, people, others, approved, expected={"developer", "manager"})
    policy = published(approved, people)
    _agree(client, people, others, policy, expected={"developer", "manager"})


def test_a_manager_who_has_left_passes_their_part_to_the_groups_managers(client, people, others, approved):
    """The chase's rule: a named manager who no longer answers (left) is replaced by the business group's managers;
    every reading says the same."""
    people.manager.is_active = False
    people.manager.save(update_fields=["is_active"])
    _agree(client, people, others, approved, expected={"developer", "unit_manager", "other_unit_manager"})


def test_a_manager_named_instead_is_the_only_manager(client, people, others, approved):
    policy_reassign(policy=reload(approved), actor=people.coordinator, role="policy_manager",
                    new_holder=others["unit_manager"], reason="The unit's head takes it on.")
    _agree(client, people, others, approved, expected={"developer", "unit_manager"})


def test_the_authors_part_ends_with_the_sign_off_of_what_they_write(client, people, others, approved):
    policy = published(approved, people)
    eia_update(policy=policy, actor=people.developer, aims="Protect officers and the public.", impacts=ALL_IMPACTS,
               decision="no_major_change")
    eia_complete_retrospective(policy=reload(policy), actor=people.dcfd)
    # The EIA is signed off: the Workbook's impact sections are what is left of theirs (PCU signs them off).
    column = what_to_do_next(client, people.developer, reload(policy))
    assert f"[/policies/{policy.reference}/workbook/] {WORKBOOK_WORK}" in column, column
    assert EIA_WORK not in column
    assert my_work_next(people.developer, policy.reference) == {WORKBOOK_WORK}
    _agree(client, people, others, policy, expected={"developer", "manager"})
    workbook_update(policy=reload(policy), actor=people.developer, information_management="Kept seven years.",
                    consultation_summary="Consulted after the event.", health_and_safety_impact="none",
                    health_and_safety_statement="No health and safety impact.")
    retrospective_qa_signoff(policy=reload(policy), actor=people.pcu_qa, discipline="pcu")
    # Nothing of theirs is left (DOI's quality assurance is DOI's): no longer told, listed or chased; the Lead, as
    # risk owner, still is once the date has passed.
    policy = reload(policy)
    assert policy.not_impact_assessed
    _agree(client, people, others, policy, expected=set())
    late = chased(policy, policy.emergency_eia_due_on + datetime.timedelta(days=1))
    assert late == {people.lead.pk}
