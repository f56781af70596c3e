"""The register's compiled statements (lifecycle.selectors.PolicyRows, policy_count) follow a change of role at once.
This test needs a register holding its one draft only, so it is not in test_register_count.py, whose register is
built once for the whole module."""

import pytest

from core.models import Role
from lifecycle.selectors import policy_count
from tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    # Roles and grants are cached on the user object.
    return type(user).objects.get(pk=user.pk)


def test_the_compiled_statements_follow_a_change_of_role_at_once(people):
    """The compiled statements are kept per Viewer (id, roles, managed scope): a role given or taken away is a
    different Viewer, so the very next request lists and counts what the new roles allow, not what the old did."""
    from core.services import role_revoke
    from lifecycle.register_views import REGISTER_ROW_FIELDS
    from lifecycle.selectors import PolicyRows

    draft = people.policy()  # scoping: seen by its group's co-ordinator, not by staff with no role
    staff = UserFactory(username="staff_member")

    def seen():
        rows = PolicyRows(user=_fresh(staff), fields=REGISTER_ROW_FIELDS)[0:100]
        return {row.reference for row in rows}, policy_count(user=_fresh(staff))

    assert seen() == (set(), 0)
    assignment = RoleAssignmentFactory(user=staff, role=Role.COORDINATOR, business_group=draft.business_group)
    assert seen() == ({draft.reference}, 1)
    role_revoke(actor=people.pcu, assignment=assignment)
    assert seen() == (set(), 0)
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    RoleAssignmentFactory(user=staff, role=Role.PCU, business_group=None)
    assert seen() == (set(), 0)
