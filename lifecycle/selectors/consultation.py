"""The consultation log as a policy's pages read it (SOP, "Role of Policy Managers/Unit Heads": "Ensure an audit
trail of consultation results and decisions is maintained").

A record belongs to the review cycle it was recorded in (``ConsultationRecord.cycle``: the major number of the
versions drafted in it). A review's draft the Designated Lead withdrew (lifecycle.services.review_draft) marks every
version of its cycle withdrawn and keeps them, and its consultation with them, for ever; the next review is the cycle
after it (lifecycle.services.drafting.new_draft). So the records of a cycle whose versions were withdrawn are never
the consultation of the version shown, nor of any later cycle: the log shows them apart, marked as the withdrawn
draft's, to those who see the drafts (who see the withdrawn versions on the versions page too)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from lifecycle.models import ConsultationRecord, Policy, PolicyVersion
from lifecycle.selectors.pages import user_may_see_drafts, user_may_see_sensitive
from lifecycle.selectors.written import cycle_frozen_sensitive


def _withdrawn_versions_of_cycle() -> QuerySet:
    """The withdrawn versions of the record's cycle (every version of a withdrawn cycle is marked at once)."""
    return PolicyVersion.objects.filter(policy_id=OuterRef("policy_id"), major=OuterRef("cycle"),
                                        withdrawn_at__isnull=False)


def consultations_shown(*, policy: Policy, version) -> QuerySet:
    """The consultation log as far as ``version`` (the one version_shown gives this user): staff who see the
    version in force see the consultations of the cycles up to it, not those on a draft under review; nobody sees a
    withdrawn review draft's among them (``consultation_log_shown`` shows those apart)."""
    if version is None:
        return ConsultationRecord.objects.none()
    return policy.consultations.filter(cycle__lte=version.major).exclude(Exists(_withdrawn_versions_of_cycle()))


@dataclass
class WithdrawnCycle:
    """A withdrawn review draft's consultation: its cycle (the draft's version number), when it was withdrawn, and its
    records."""

    cycle: int
    withdrawn_at: datetime.datetime
    records: list = field(default_factory=list)


@dataclass
class ConsultationLog:
    records: list  # the consultation of the cycles up to the version shown, newest cycle first
    withdrawn: list[WithdrawnCycle]  # each withdrawn review draft's, newest first; empty for those who see no drafts


def consultation_log_shown(*, user, policy: Policy, version) -> ConsultationLog:
    """What the consultation log shows ``user``: the records of ``consultations_shown``, and, to those who see the
    drafts, each withdrawn review draft's records apart, with the day it was withdrawn. One query for both, each
    record marked by its cycle's withdrawal (``cycle_withdrawn_at``), with who recorded it. A cycle with a version
    frozen OFFICIAL-SENSITIVE only for those cleared for it (``cycle_frozen_sensitive``)."""
    if version is None:
        return ConsultationLog(records=[], withdrawn=[])
    withdrawn_at = Subquery(_withdrawn_versions_of_cycle().order_by("withdrawn_at").values("withdrawn_at")[:1])
    shown = Q(cycle__lte=version.major, cycle_withdrawn_at__isnull=True)
    if user_may_see_drafts(user=user, policy=policy):
        shown |= Q(cycle_withdrawn_at__isnull=False)
    rows = (policy.consultations.annotate(cycle_withdrawn_at=withdrawn_at).filter(shown)
            .select_related("recorded_by").order_by("-cycle", "date_sent", "pk"))
    if not user_may_see_sensitive(user=user, policy=policy):
        # A cycle written while the policy was OFFICIAL-SENSITIVE (a version of it frozen so) is only the cleared's.
        rows = rows.exclude(cycle_frozen_sensitive())
    log = ConsultationLog(records=[], withdrawn=[])
    for record in rows:
        record.policy = policy
        if record.cycle_withdrawn_at is None:
            log.records.append(record)
            continue
        if not log.withdrawn or log.withdrawn[-1].cycle != record.cycle:
            log.withdrawn.append(WithdrawnCycle(cycle=record.cycle, withdrawn_at=record.cycle_withdrawn_at))
        log.withdrawn[-1].records.append(record)
    return log
