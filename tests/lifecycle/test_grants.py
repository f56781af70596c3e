"""Per-object grants (django-guardian): one person given access to one policy, audited, and taken back."""

import pytest

from core.exceptions import ApplicationError
from core.models import AuditEvent, User
from lifecycle import services as s
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
