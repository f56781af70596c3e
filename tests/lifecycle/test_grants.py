"""Per-object grants (django-guardian): one person given access to one policy, audited, and taken back."""

import pytest

from core.exceptions import ApplicationError
from core.models import AuditEvent, User
from lifecycle import services as s
from lifecycle.details import details_hash
from lifecycle.permissions import can_draft
from lifecycle.selectors import policy_list
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_grant_and_revoke_access_to_one_draft(people):
    policy = people.policy()
    consultee = UserFactory(username="consultee")
    assert not policy_list(user=consultee).filter(pk=policy.pk).exists()

    s.policy_grant_access(policy=policy, actor=people.developer, user=consultee, permission="consult_policy")
    assert policy_list(user=User.objects.get(pk=consultee.pk)).filter(pk=policy.pk).exists()
    assert not can_draft(consultee, policy)
    with pytest.raises(ApplicationError, match="can already"):
        s.policy_grant_access(policy=policy, actor=people.developer, user=consultee, permission="consult_policy")

    s.policy_revoke_access(policy=policy, actor=people.developer, user=consultee, permission="consult_policy")
    assert not policy_list(user=User.objects.get(pk=consultee.pk)).filter(pk=policy.pk).exists()
    with pytest.raises(ApplicationError, match="does not have that access"):
        s.policy_revoke_access(policy=policy, actor=people.developer, user=consultee, permission="consult_policy")
    actions = list(AuditEvent.objects.filter(policy_id=policy.pk, action__startswith="policy.access_")
                   .values_list("action", flat=True))
    assert actions == ["policy.access_granted", "policy.access_revoked"]


def test_only_people_with_a_part_in_the_policy_may_grant(people):
    policy = people.policy()
    outsider = UserFactory(username="outsider")
    for actor in (people.developer2, people.lead2, outsider):
        with pytest.raises(ApplicationError) as refused:
            s.policy_grant_access(policy=policy, actor=actor, user=outsider, permission="draft_policy")
        assert refused.value.code == "forbidden"
    with pytest.raises(ApplicationError, match="Choose what the person may do"):
        s.policy_grant_access(policy=policy, actor=people.developer, user=outsider, permission="delete_policy")


def test_an_official_sensitive_policy_is_granted_only_to_someone_cleared_for_it(people):
    """Security probe F2: a grant on an OFFICIAL-SENSITIVE policy to someone not cleared for it (no role on its
    business group, no force-wide role) showed them nothing but was recorded as access. Refused, saying why."""
    policy = people.policy(protective_marking="official_sensitive", suitable_for_publication_scheme=False)
    outsider = UserFactory(username="outsider")
    for person in (outsider, people.developer2):
        for permission in ("consult_policy", "draft_policy"):
            with pytest.raises(ApplicationError) as refusal:
                s.policy_grant_access(policy=policy, actor=people.developer, user=person, permission=permission)
            assert refusal.value.code == "not_cleared" and refusal.value.field == "user"
            assert f"{person} is not cleared for OFFICIAL-SENSITIVE material of Territorial Policing" in (
                refusal.value.message)
    assert not AuditEvent.objects.filter(policy_id=policy.pk, action="policy.access_granted").exists()
    # Cleared: a force-wide role.
    s.policy_grant_access(policy=policy, actor=people.developer, user=people.shrmt, permission="consult_policy")


def test_a_policy_is_not_re_marked_official_sensitive_while_someone_not_cleared_holds_a_grant(people):
    policy = people.policy()
    outsider = UserFactory(username="outsider", first_name="Olive", last_name="Outsider")
    s.policy_grant_access(policy=policy, actor=people.developer, user=outsider, permission="consult_policy")
    s.policy_grant_access(policy=policy, actor=people.developer, user=people.shrmt, permission="consult_policy")
    details = policy.details_snapshot()
    remark = {**details, "protective_marking": "official_sensitive", "suitable_for_publication_scheme": False}
    with pytest.raises(ApplicationError) as refusal:
        s.policy_update_details(policy=policy, actor=people.developer, expected_details=details_hash(details),
                                **remark)
    assert refusal.value.code == "not_cleared" and refusal.value.field == "protective_marking"
    assert "Olive Outsider" in refusal.value.message and str(people.shrmt) not in refusal.value.message
    s.policy_revoke_access(policy=policy, actor=people.developer, user=outsider, permission="consult_policy")
    s.policy_update_details(policy=policy, actor=people.developer, expected_details=details_hash(details), **remark)
