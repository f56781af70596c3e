"""Stages 1 and 2: the request to commission development, and the decision to commission or decline it. Each
step's rule is declared in lifecycle.workflow; these functions hold only what is particular to each step."""

from __future__ import annotations

from typing import Unpack

from django.db import transaction

from lifecycle.models import (
    CommissioningDecision,
    Policy,
)
from lifecycle.services.base import (
    Binding,
    begin_step,
    finish_step,
    optional_text,
    require_text,
    take_plain_step,
)
from lifecycle.steps import performs
from lifecycle.workflow import (
    COMMISSION,
    DECLINE_COMMISSIONING,
    REQUEST_COMMISSIONING,
)


@performs(REQUEST_COMMISSIONING)
@transaction.atomic
def policy_request_commissioning(
    *, policy: Policy, actor, **read: Unpack[Binding],
) -> Policy:
    return take_plain_step(REQUEST_COMMISSIONING, policy=policy, actor=actor, **read)


@performs(COMMISSION)
@transaction.atomic
def policy_commission(
    *, policy: Policy, actor, comments: str = "", **read: Unpack[Binding],
) -> Policy:
    """SOP stage 2: the Designated Lead's formal agreement to progress the work."""
    comments = optional_text(comments, "Comments", field="comments")
    locked = begin_step(COMMISSION, policy=policy, actor=actor, **read)
    decision = CommissioningDecision.objects.create(
        policy=locked, cycle=locked.current_cycle, decision=CommissioningDecision.Decision.COMMISSIONED,
        decided_by=actor, comments=comments,
    )
    finish_step(COMMISSION, locked, actor, changes={"cycle": decision.cycle, "comments": comments})
    return locked


@performs(DECLINE_COMMISSIONING)
@transaction.atomic
def policy_decline_commissioning(
    *, policy: Policy, actor, reasons: str, **read: Unpack[Binding],
) -> Policy:
    reasons = require_text(reasons, "the reasons for declining", field="reasons")
    locked = begin_step(DECLINE_COMMISSIONING, policy=policy, actor=actor, **read)
    CommissioningDecision.objects.create(
        policy=locked, cycle=locked.current_cycle, decision=CommissioningDecision.Decision.DECLINED,
        decided_by=actor, comments=reasons,
    )
    finish_step(DECLINE_COMMISSIONING, locked, actor, changes={"reasons": reasons})
    return locked
