"""How long each stage may take, and what a policy waits on now: "what to do next ... by when" (issue 17), and what
counts as stuck. My work, the policy page and the confirmation after a step say it as "by when"
(``stage_deadline_state``), the chase reminds whoever holds the work from that day (notifications.services.rules), and
the dashboard and the register's "stuck" filter count what has reached it (``stuck``): all read the declarations here.

``DueStatus`` and ``DueState`` (one due date as a person reads it) are here, below lifecycle.due, whose date rules
(the review, the monitoring report) answer in them too, and whose red/amber/green status counts stuck work from here.
"""

from __future__ import annotations

import datetime
import functools
import operator
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.lookups import in_ids

# The one working-day calendar (Monday to Friday less the bank holidays of England and Wales, issue 13), for the
# stage deadlines here, which the chase reads.
from core.working_days import working_days_after
from lifecycle.gates import open_withdrawal_decision
from lifecycle.models import Policy, WithdrawalDecision
from lifecycle.states import Status


class DueStatus(models.TextChoices):
    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due_soon", "Due soon"
    IN_DATE = "in_date", "In date"


@dataclass(frozen=True)
class DueState:
    """One due date as a person should read it: its status, and how many days late or left."""

    status: DueStatus
    due: datetime.date
    days: int  # days overdue when OVERDUE, days left otherwise

    @property
    def is_overdue(self) -> bool:
        return self.status == DueStatus.OVERDUE

    @property
    def phrase(self) -> str:
        if self.status == DueStatus.OVERDUE:
            return f"overdue by {self.days} day{'s' if self.days != 1 else ''}"
        if self.days == 0:
            return "due today"
        return f"due in {self.days} day{'s' if self.days != 1 else ''}"


# --- how long each stage may take: "what to do next ... by when" (issue 17) ----------------------------------------
# Work handed to someone is expected within a number of working days of reaching them. Each stage's deadline is
# declared once, here: My work and the policy page show it as "by when" (and "waiting too long" once it has passed),
# the chase reminds whoever holds the work from that day (notifications.services), and the dashboard and the
# register's "stuck" filter count what has reached it. None of them restates the number.
#
# The SOP sets no timescale for any of these stages: it says who acts, not how soon (stage 4: "The Policy
# Co-ordination Unit will co-ordinate the quality assurance process in conjunction with DCFD and DOI, and will
# notify when the quality assurance process has successfully completed and the documents are ready for formal
# approval to publish"). Its only time is for the whole review ("you need to allow at least 6 months for a basic
# review") and its ask to "plan your activities". So the working days below are PolicyHub's own service standard,
# two working weeks a stage, which keeps the four hand-offs of stage 4 well inside those 6 months; a force that
# agrees another standard changes it here, once.
STAGE_WORKING_DAYS = 10


@dataclass(frozen=True)
class StageDeadline:
    """How long work may wait on the people of one stage: ``due_on(since)``, ``state(since)``."""

    key: str  # the dashboard's and the register's "stuck" filter value
    status: str  # the policy status the work waits in ("" for a monitoring report's quality assurance)
    label: str  # "In quality assurance"
    waiting_for: str  # the chase's sentence: "has been waiting for <waiting_for> since ..."
    chases: str  # whom the chase reminds: "qa" (the disciplines yet to sign), "lead", "coordinator" or "pcu"
    sop: str  # what the SOP says of the stage
    working_days: int = STAGE_WORKING_DAYS

    def due_on(self, since: datetime.date) -> datetime.date:
        """The day the work is expected by: ``working_days`` working days after it arrived (a Friday's, a
        Saturday's or a Sunday's count from the Monday)."""
        return working_days_after(since, self.working_days)

    def state(self, since: datetime.date, today: datetime.date | None = None) -> DueState:
        """As a person should read it: overdue once the day has passed, due today, or in date."""
        today = today or timezone.localdate()
        due = self.due_on(since)
        if due < today:
            return DueState(DueStatus.OVERDUE, due, (today - due).days)
        return DueState(DueStatus.DUE_SOON if due == today else DueStatus.IN_DATE, due, (due - today).days)


COMMISSIONING_DECISION = StageDeadline(
    key="commissioning", status=Status.COMMISSIONING, label="Awaiting a commissioning decision",
    waiting_for="a commissioning decision", chases="lead",
    sop="SOP stage 2: \"seek formal agreement to progress the work, through the relevant Designated Business Group "
        "Policy Lead\".")
QUALITY_ASSURANCE = StageDeadline(
    key="qa", status=Status.SUBMITTED_FOR_QA, label="In quality assurance",
    waiting_for="quality assurance sign-off", chases="qa",
    sop="SOP stage 4: \"The Policy Co-ordination Unit will co-ordinate the quality assurance process in conjunction "
        "with DCFD and DOI, and will notify when the quality assurance process has successfully completed\".")
FORWARD_TO_LEAD = StageDeadline(
    key="forward_to_lead", status=Status.QA_PASSED, label="Quality-assured, to forward to the Designated Lead",
    waiting_for="forwarding to the Designated Lead", chases="coordinator",
    sop="SOP stage 4: \"The documents should then be sent ... to the relevant Designated Business Group Policy "
        "Lead\".")
LEAD_DECISION = StageDeadline(
    key="lead", status=Status.WITH_LEAD, label="With the Designated Lead",
    waiting_for="the Designated Lead's decision", chases="lead",
    sop="SOP stage 4: the Lead decides \"following the normal business group policy approval process\".")
FORWARD_FOR_PUBLICATION = StageDeadline(
    key="forward_for_publication", status=Status.APPROVED, label="Approved, to send to PCU",
    waiting_for="sending to PCU for publication", chases="coordinator",
    sop="SOP stage 5: \"If approval for publication is given, final versions of the above documents are to be sent "
        "to the Policy Co-ordination Unit to arrange publication\".")
PUBLICATION = StageDeadline(
    key="publication", status=Status.AWAITING_PUBLICATION, label="Awaiting publication",
    waiting_for="publication by PCU", chases="pcu",
    sop="SOP stage 5: PCU arranges publication \"on the Corporate Policy Intranet, in Notices, on the MPS "
        "Publication Scheme\".")
# Not a policy status: an annual monitoring report waiting on its co-ordinator (assessments.MonitoringReport).
MONITORING_REPORT_QA = StageDeadline(
    key="monitoring_qa", status="", label="Monitoring report in quality assurance",
    waiting_for="quality assurance of the monitoring report", chases="coordinator",
    sop="SOP stage 6: the report is \"submitted to the Business Group Policy Co-ordinator for quality assurance. "
        "Once satisfied, the Business Group Policy Co-ordinator will send the report to the Policy Co-ordination "
        "Unit\".")

STAGE_DEADLINES = (COMMISSIONING_DECISION, QUALITY_ASSURANCE, FORWARD_TO_LEAD, LEAD_DECISION,
                   FORWARD_FOR_PUBLICATION, PUBLICATION)
DEADLINE_OF_STATUS = {deadline.status: deadline for deadline in STAGE_DEADLINES}

# Not a policy status either: a withdrawal the Designated Lead or the Management Board owner decided
# (lifecycle.models.WithdrawalDecision, open until PCU carries it out: lifecycle.workflow_monitoring.WITHDRAW). From
# the decision the policy waits for PCU, whatever status it was in, and no longer for the step of that status (QA walk
# in Chromium: POL-0010, quality-assured, was "expected by 4 December 2026 (2 days overdue)" straight after the
# decision, the forwarding's deadline counted from when it had entered that status, and the co-ordinator was chased
# to forward it). So its wait is counted from the decision (``decided_at``), by this allowance. The SOP sets no time
# for it (nor names withdrawal: PCU is the "gateway" for publication, and so for taking a policy down) and the code
# had none: it is PolicyHub's own service standard, the same two working weeks as every stage above
# (``STAGE_WORKING_DAYS``), stated here once; a force that agrees another for withdrawals changes it here.
WITHDRAWAL = StageDeadline(
    key="withdrawal", status="", label="Withdrawal decided, to carry out",
    waiting_for="the withdrawal to be carried out by PCU", chases="pcu", working_days=STAGE_WORKING_DAYS,
    sop="SOP: the Management Board member and the Designated Lead \"retain ultimate ownership\" of their policies; "
        "PCU is the \"gateway\" for publication, and so for taking a policy down.")
# The attribute (of a list's row, or a column of a values() row) holding when the open withdrawal decision was made,
# None where there is none (``withdrawal_decided_column``): what ``waiting_on`` reads of a row, with no query.
WITHDRAWAL_DECIDED_AT = "withdrawal_decided_at"


def withdrawal_decided_column() -> models.Subquery:
    """When the policy's open withdrawal decision was made, as a column of a query on policies (annotated as
    ``WITHDRAWAL_DECIDED_AT``), NULL where none is open: from the open decisions' partial unique index (one at most a
    policy, lifecycle.models.WithdrawalDecision.Meta)."""
    open_decision = (WithdrawalDecision.objects.filter(policy_id=models.OuterRef("pk"), carried_out_at__isnull=True)
                     .order_by().values("decided_at")[:1])
    return models.Subquery(open_decision, output_field=models.DateTimeField())


def withdrawal_waiting(decided: Q | None = None) -> Q:
    """The policies with a withdrawal decided and not yet carried out (``decided``: a further condition on the decision,
    its ``decided_at``), as a condition on a query of policies. Uncorrelated: the open decisions are few, looked up
    by id (core.lookups.InIds)."""
    decisions = WithdrawalDecision.objects.filter(carried_out_at__isnull=True)
    if decided is not None:
        decisions = decisions.filter(decided)
    return in_ids("pk", decisions.order_by().values("policy_id"))


def waiting_on(policy) -> tuple[StageDeadline, datetime.datetime] | None:
    """The deadline the work on ``policy`` waits on and the moment its wait began, None where it waits on no one's: a
    withdrawal decided and not yet carried out (``WITHDRAWAL``, from the decision), whatever its status; else its
    status's (``DEADLINE_OF_STATUS``, from when it entered it). The one rule of what a policy waits for and since when:
    its "by when" (``stage_deadline_state``) and the chase (notifications.services.rules.PolicyChase.stuck) read it, as
    ``stuck`` asks it of a query.

    Of a values() row or a list's row, the open decision's time must have been selected (``WITHDRAWAL_DECIDED_AT``,
    ``withdrawal_decided_column``): no query. Of a model instance not annotated with it, it is read
    (lifecycle.gates.open_withdrawal_decision: once a page, where the page keeps its reads)."""
    if isinstance(policy, dict):
        status, since, decided = policy["status"], policy["status_changed_at"], policy[WITHDRAWAL_DECIDED_AT]
    else:
        status, since, decided = policy.status, policy.status_changed_at, _withdrawal_decided_at(policy)
    if decided is not None and status != Status.WITHDRAWN:
        return WITHDRAWAL, decided
    deadline = DEADLINE_OF_STATUS.get(status)
    return (deadline, since) if deadline is not None and since is not None else None


def _withdrawal_decided_at(policy) -> datetime.datetime | None:
    """When ``policy``'s open withdrawal decision was made: from its row (``WITHDRAWAL_DECIDED_AT``), else, of a model
    instance not annotated with it, from the decision (read once a page)."""
    if not isinstance(policy, Policy) or WITHDRAWAL_DECIDED_AT in policy.__dict__:
        return getattr(policy, WITHDRAWAL_DECIDED_AT)
    decision = open_withdrawal_decision(policy) if policy.status != Status.WITHDRAWN else None
    return decision.decided_at if decision is not None else None


def stage_deadline_state(policy, today: datetime.date | None = None, *, scheduled: bool = False) -> DueState | None:
    """By when the work on ``policy`` (an instance, a list's row or a values() row: ``waiting_on``) is expected, None
    where it waits on no one's deadline. ``scheduled``: a publication PCU scheduled, which waits on its date, not on
    its status's deadline (``publication_scheduled``); a withdrawal decided is still waited on."""
    waiting = waiting_on(policy)
    if waiting is None or (scheduled and waiting[0] is not WITHDRAWAL):
        return None
    deadline, since = waiting
    return deadline.state(timezone.localtime(since).date(), today)


# Work waiting past its stage's deadline is stuck, whichever stage it waits in: the dashboard and the register's
# filter count it as My work and the policy page call it "waiting too long" and the chase chases it (the QA crawl
# found My work saying a policy to forward to the Lead had waited too long while the dashboard, which counted
# only quality assurance, the Lead's decision and publication, had it green and nothing stuck). A withdrawal decided
# is its own stage, whatever the status (``WITHDRAWAL``).
STUCK_STAGES = (*STAGE_DEADLINES, WITHDRAWAL)
STUCK_BY_KEY = {stage.key: stage for stage in STUCK_STAGES}
# The fewest working days any stage allows: N working days are at least N calendar days, so work that arrived
# less than this many calendar days ago cannot be late anywhere (the chase's pre-filter).
SHORTEST_STAGE_WORKING_DAYS = min(deadline.working_days for deadline in STUCK_STAGES)


def stuck_threshold_days() -> int:
    """The working days the dashboard's stages allow (one standard, ``STAGE_WORKING_DAYS``), for its explanation."""
    return max(stage.working_days for stage in STUCK_STAGES)


def stuck_cutoff(today: datetime.date | None = None, working_days: int = STAGE_WORKING_DAYS) -> datetime.date:
    """The last day on which work could have started waiting and be past ``working_days`` ``today``: the latest
    ``day`` with ``working_days_after(day, working_days) <= today`` (as the chase: waiting since a Friday, a
    Saturday or a Sunday counts from the Monday)."""
    today = today or timezone.localdate()
    day = today
    while working_days_after(day, working_days) > today:
        day -= datetime.timedelta(days=1)
    return day


def publication_scheduled() -> Q:
    """Awaiting publication on a date PCU set (publication.services.policy_publish with ``publish_on``): the
    version waits on its date, not on PCU, so it is not stuck. The dashboard, the register's filter and the chase
    read this; lifecycle.gates.scheduled_publication_date answers it for one policy's page. Uncorrelated: the
    scheduled publications are few, read once into a hash."""
    # From the scheduled publications' partial index (publication.Publication.Meta): a few rows, where the whole
    # table was read for each figure that asks (make bench, the dashboard at 100,000 policies: 25 ms each, eight times).
    scheduled = Policy.objects.filter(publications__status="scheduled").values("pk")
    # The status first: the hash of the scheduled publications is probed only for policies awaiting publication (a
    # condition on the row), not for every policy the dashboard's aggregate asks about.
    return Q(status=Status.AWAITING_PUBLICATION) & Q(pk__in=scheduled)


# The attribute a list's row holds ``scheduled_publication_column`` in (My work: workspace.queues.as_queue).
SCHEDULED_FOR = "publication_scheduled_for"


def scheduled_publication_column() -> models.Case:
    """lifecycle.gates.scheduled_publication_date as a column of a query on policies (annotated as
    ``SCHEDULED_FOR``): the date PCU scheduled the publication for, asked only of a policy awaiting publication (None
    for any other), so that a list says it waits on that date, as the overview does, with no query a row. Correlated,
    from the scheduled publications' partial index (publication.Publication.Meta): a list reads a few rows.
    The publication model is read through the relation, which publication declares: lifecycle imports no publication
    code (house style, rule 20)."""
    publication = Policy._meta.get_field("publications").related_model
    scheduled = (publication.objects.filter(policy_id=models.OuterRef("pk"), status="scheduled")
                 .order_by().values("scheduled_for")[:1])
    return models.Case(models.When(status=Status.AWAITING_PUBLICATION, then=models.Subquery(scheduled)),
                       default=None, output_field=models.DateField())


def _waiting_since_before(today: datetime.date | None, working_days: int) -> datetime.datetime:
    """The first moment from which work is not yet past ``working_days`` ``today`` (``stuck_cutoff``'s next day)."""
    return timezone.make_aware(datetime.datetime.combine(
        stuck_cutoff(today, working_days) + datetime.timedelta(days=1), datetime.time.min))


def stuck(stage: str | None = None, today: datetime.date | None = None) -> Q:
    """Policies waiting in ``stage`` (a STUCK_STAGES key; None: any of them) since before their stage's
    ``stuck_cutoff``: its deadline has come (``waiting_on``'s rule, as a query). A publication PCU scheduled waits on
    its date, not on anyone (``publication_scheduled``): not stuck. A withdrawal decided is waited on from its
    decision (``WITHDRAWAL``), and the policy no longer waits in its status's stage."""
    stages = [STUCK_BY_KEY[stage]] if stage else STUCK_STAGES
    statuses_by_days: dict[int, list[str]] = {}
    for deadline in stages:
        if deadline is not WITHDRAWAL:
            statuses_by_days.setdefault(deadline.working_days, []).append(deadline.status)
    conditions = []
    if statuses_by_days:
        in_status = functools.reduce(operator.or_, (
            Q(status__in=statuses, status_changed_at__lt=_waiting_since_before(today, working_days))
            for working_days, statuses in statuses_by_days.items()))
        conditions.append(in_status & ~publication_scheduled() & ~withdrawal_waiting())
    if WITHDRAWAL in stages:
        before = _waiting_since_before(today, WITHDRAWAL.working_days)
        conditions.append(withdrawal_waiting(Q(decided_at__lt=before)) & ~Q(status=Status.WITHDRAWN))
    return functools.reduce(operator.or_, conditions)


def stuck_stage(status: str, is_stuck: bool, withdrawal_decided: bool = False) -> StageDeadline | None:
    """The stage a policy is stuck in, from its status, whether ``stuck(None)`` holds for it and whether a withdrawal
    is decided and not yet carried out (``withdrawal_waiting``): then the withdrawal, whatever the status; else each
    stage waits in a status of its own, so ``stuck(stage)`` is ``stuck(None)`` in that stage's status (the attention
    list names it; the dashboard counts each stage's figure from it)."""
    if not is_stuck:
        return None
    return WITHDRAWAL if withdrawal_decided else DEADLINE_OF_STATUS.get(status)
