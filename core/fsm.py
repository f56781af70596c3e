"""django-fsm-2's optimistic lock, with its state fields found once per model (issue 16).

``ConcurrentTransitionMixin`` remembers each state field's value when an instance is made, to refuse a save whose state
changed underneath it. It finds those fields by testing every field of the model, on every instance: for a policy,
28 tests each time one is read (make bench, 100,000 policies: My work's queues build about 130 instances a request,
about 2 ms of Python). The fields of a model do not change while the process runs, so they are found once."""

from __future__ import annotations

from functools import cache

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMFieldMixin


@cache
def _state_fields(model: type[models.Model]) -> tuple[FSMFieldMixin, ...]:
    return tuple(field for field in model._meta.fields if isinstance(field, FSMFieldMixin))


class ConcurrentTransitions(ConcurrentTransitionMixin):
    """``ConcurrentTransitionMixin``, the same refusal of a stale save, with ``state_fields`` worked out once per
    model."""

    @property
    def state_fields(self):
        return _state_fields(type(self))
