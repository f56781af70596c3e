"""core.fsm.ConcurrentTransitions: django-fsm-2's optimistic lock, its state fields found once per model. A save of a
policy or monitoring report whose state changed since it was read is still refused."""

import pytest
from django.db import transaction
from django_fsm import ConcurrentTransition, ConcurrentTransitionMixin

from assessments.models import MonitoringReport
from lifecycle.models import Policy
from lifecycle.states import Status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Policy, MonitoringReport])
def test_the_state_fields_are_those_the_library_finds(model):
    instance = model()
    found = list(ConcurrentTransitionMixin.state_fields.fget(instance))
    assert list(instance.state_fields) == found and [field.name for field in found] == ["status"]


def test_a_save_over_a_changed_state_is_still_refused(people):
    policy = people.policy()
    stale = Policy.objects.get(pk=policy.pk)
    Policy.objects.filter(pk=policy.pk).update(status=Status.COMMISSIONING)
    stale.title = "Saved over a change it did not see"
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    assert Policy.objects.get(pk=policy.pk).title != stale.title
