"""My work's summary: how many policies the user sees in the register, and how many of them are in development,
in approval or awaiting publication (submitted and not yet published: lifecycle.states.APPROVAL_PIPELINE, stage 4 and
the start of stage 5) and published. Counted per status and added up (workspace.summary.home_summary), so each figure is
checked here against the register's own visibility filter, for PCU (who sees every policy) and for a developer of
another business group (who sees only what is in force, and their own drafts)."""

import pytest

from lifecycle.models import Policy
from lifecycle.selectors import policy_list
from lifecycle.states import APPROVAL_PIPELINE, PUBLISHED_STATUSES, Status
from publication.services import policy_publish
from tests.factories import advance_to
from workspace.summary import home_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(people):
    """One policy in scoping, one in commissioning, one with PCU for quality assurance, one awaiting publication,
    two published (one of them withdrawn afterwards: seen by PCU, in no stage), and one of group 2 in scoping."""
    made = {
        "scoping": people.policy(title="Still scoping"),
        "commissioning": advance_to(people.policy(title="Being commissioned"), Status.COMMISSIONING, people),
        "qa": advance_to(people.policy(title="In quality assurance"), Status.SUBMITTED_FOR_QA, people),
        "awaiting": advance_to(people.policy(title="Awaiting publication"), Status.AWAITING_PUBLICATION, people),
    }
    for name in ("published", "withdrawn"):
        policy = advance_to(people.policy(title=f"Policy {name}"), Status.AWAITING_PUBLICATION, people)
        policy_publish(policy=policy, actor=people.pcu, on_publication_scheme=True)
        made[name] = Policy.objects.get(pk=policy.pk)
    made["withdrawn"] = advance_to(made["withdrawn"], Status.WITHDRAWN, people)
    made["other group"] = people.policy(actor=people.developer2, title="Another group's draft",
                                        business_group=people.group2, owning_unit=people.unit2,
                                        developers=[people.developer2])
    return made


def _expected(user) -> dict:
    visible = policy_list(user=user)
    return {
        "visible_count": visible.count(),
        "in_development": visible.filter(status__in=[Status.SCOPING, Status.COMMISSIONING,
                                                     Status.DEVELOPMENT]).count(),
        "in_approval_or_awaiting_publication": visible.filter(status__in=APPROVAL_PIPELINE).count(),
        "published": visible.filter(status__in=PUBLISHED_STATUSES).count(),
    }


def test_pcu_sees_every_policy_counted_by_stage(people, policies):
    summary = home_summary(user=people.pcu)
    assert {key: summary[key] for key in _expected(people.pcu)} == _expected(people.pcu) == {
        "visible_count": 7, "in_development": 3, "in_approval_or_awaiting_publication": 2, "published": 1}


def test_a_developer_of_another_group_counts_only_what_they_see(people, policies):
    summary = home_summary(user=people.developer2)
    expected = _expected(people.developer2)
    assert {key: summary[key] for key in expected} == expected
    # Their own draft and the one policy in force; not group 1's drafts, nor the withdrawn policy.
    assert expected == {"visible_count": 2, "in_development": 1, "in_approval_or_awaiting_publication": 0,
                        "published": 1}


def test_the_page_shows_the_counts(client, people, policies):
    client.force_login(people.pcu)
    page = client.get("/").content.decode()
    assert "In scoping, commissioning or development: <strong>3</strong>" in page
    # The one awaiting publication is counted here, not as published: stage 5, but not yet in force.
    assert "In approval or awaiting publication: <strong>2</strong>" in page
    assert "7 policies in the register" in page


def test_the_roles_are_named_in_the_order_of_their_assignments(people):
    """My work names the roles held (workspace.summary.held_roles: one compiled statement) as the assignments read
    and sort them: by their str()."""
    from core.models import Role, RoleAssignment
    from workspace.summary import held_roles

    user = people.lead2
    RoleAssignment.objects.create(user=user, role=Role.DEVELOPER, business_group=people.group)
    RoleAssignment.objects.create(user=user, role=Role.DCFD)
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, business_group=people.group2)
    expected = [(assignment.get_role_display(), assignment.business_group.name if assignment.business_group else None)
                for assignment in sorted(RoleAssignment.objects.filter(user=user)
                                         .select_related("business_group", "user"), key=str)]
    assert len(expected) == 4
    assert [(held.get_role_display(), held.business_group) for held in held_roles(user)] == expected


def test_the_figures_add_up_to_the_register_count(client, people, policies):
    """QA crawl, finding 8: "In scoping, commissioning or development: 4 · In approval: 4 · Published: 5" sat above
    "14 policies in the register": the withdrawn policy was counted in the register and in none of the rows. It has
    its own row, shown to those who see one."""
    summary = home_summary(user=people.pcu)
    rows = ("in_development", "in_approval_or_awaiting_publication", "published", "withdrawn")
    assert sum(summary[row] for row in rows) == summary["visible_count"] == 7
    assert summary["withdrawn"] == policy_list(user=people.pcu).filter(status=Status.WITHDRAWN).count() == 1
    client.force_login(people.pcu)
    assert "Withdrawn: <strong>1</strong>" in client.get("/").content.decode()
    # Someone who sees no withdrawn policy is not shown a row of none.
    summary = home_summary(user=people.developer2)
    assert summary["withdrawn"] == 0
    assert sum(summary[row] for row in rows) == summary["visible_count"]
    client.force_login(people.developer2)
    assert "Withdrawn:" not in client.get("/").content.decode()
