"""A monitoring report started by mistake: its period corrected while it is a draft, or the draft discarded by its
author or PCU before it is submitted (or once the co-ordinator has returned it). Found by QA: neither was possible,
so a draft of the wrong period held the policy (one report is worked on at a time) and the author was stuck with it.

A discarded draft is kept, marked ``discarded``, not deleted: its events (kept for ever) name it by id, a returned
one carries the co-ordinator's comments, and the timeline hides the events of a report made OFFICIAL-SENSITIVE by
reading its row (lifecycle.selectors.pages), which a deletion would let through. It holds no period
(``monitoring_periods.live_reports``) and is no longer listed."""

from __future__ import annotations

import datetime
from typing import Unpack

from django.db import transaction

from assessments.models import MonitoringReport
from assessments.services import monitoring_periods
from assessments.services.monitoring import ReportBinding, check_report_read, lock_draft, lock_report
from core.audit import audit_log
from core.events import AuditAction
from core.exceptions import ApplicationError
from core.validators import refuse_direction_controls
from lifecycle import permissions
from lifecycle.services import require_actor

REASON_MAX_LENGTH = 2000


@transaction.atomic
def monitoring_report_correct_period(*, report: MonitoringReport, actor, period_start: datetime.date,
                                     period_end: datetime.date) -> MonitoringReport:
    """Those who may edit the draft (``monitoring_report_update``) correct its period, by the rules a new report's
    period meets (``monitoring_periods.check_period``), its own period aside."""
    require_actor(actor)
    policy, locked = lock_draft(report, actor,
                                frozen="This monitoring report has been submitted, so its period can no longer be "
                                       "changed.")
    monitoring_periods.check_period(policy, period_start, period_end, report=locked)
    changes = {field: [getattr(locked, field), value]
               for field, value in (("period_start", period_start), ("period_end", period_end))
               if getattr(locked, field) != value}
    if changes:
        locked.period_start, locked.period_end = period_start, period_end
        locked.save(update_fields=list(changes))
        audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_PERIOD_CORRECTED, obj=locked,
                  policy_id=policy.pk, changes=changes)
    return locked


@transaction.atomic
def monitoring_report_discard(*, report: MonitoringReport, actor, reason: str,
                              **read: Unpack[ReportBinding]) -> MonitoringReport:
    """Its author, or PCU (who keep the register and may clear a duplicate a second tab started), discard a draft.
    Not the co-ordinator, who quality-assures it, nor a colleague: separation of duties gives the report's fate to
    those two alone. Bound to the report read (rule 17): a draft changed since the page was read is not discarded
    unseen."""
    require_actor(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why you are discarding this report.", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(f"Keep the reason to {REASON_MAX_LENGTH} characters or fewer.", field="reason")
    refuse_direction_controls(reason, label="The reason", field="reason")
    policy, locked = lock_report(report)
    is_author = locked.author_id == actor.pk and permissions.can_draft(actor, policy)
    if not (is_author or permissions.is_pcu(actor)):
        raise ApplicationError("Only its author or PCU can discard a monitoring report.", code="forbidden")
    if locked.status != MonitoringReport.Status.DRAFT:
        moved_on = ("it was already discarded" if locked.status == MonitoringReport.Status.DISCARDED
                    else "it has been submitted to the co-ordinator")
        raise ApplicationError(f"This monitoring report cannot be discarded: {moved_on}. Nothing was changed.",
                               code="stale")
    check_report_read(locked, **read)
    content_hash = locked.content_hash
    locked.discard()
    locked.save(update_fields=["status"])
    audit_log(actor=actor, action=AuditAction.MONITORING_REPORT_DISCARDED, obj=locked, policy_id=policy.pk,
              changes={"reason": reason, "period": [locked.period_start, locked.period_end],
                       "content_hash": content_hash})
    return locked
