"""What "overdue" means: one rule for every list, page, reminder, dashboard and export.

SOP, "Monitoring and Review": "All policies will be reviewed at least every 3 years" and "Policy monitoring
reports will be completed annually". A review date stays in force until the reviewed version is published
(``policy_publish`` sets the next one), so a policy past its review date is overdue whatever stage its review
has reached: a review that was started and then stalled does not drop out of sight (issue 13, "Overdue is
overdue"). The same holds for the annual monitoring report, which stays late until it is submitted.

Each ``DueRule`` gives the date field, the warning period and the policies it applies to (those published at
least once and not withdrawn), as a Python answer for one date (``rule.status(due)``) and as ORM conditions for
a queryset (``rule.overdue(today)`` ...), so that a page, the chase and the dashboard cannot disagree.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.lookups import in_ids
from core.models import User

# The one working-day calendar (Monday to Friday less the bank holidays of England and Wales, issue 13), for the
# stage deadlines here, which the chase reads.
from core.working_days import working_days_after
from lifecycle.models import Policy
from lifecycle.states import REVIEW_WARNING_MONTHS, Status


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


@functools.lru_cache(maxsize=64)
def _warning_ends(today: datetime.date, warning: relativedelta) -> datetime.date:
    """``today + warning``, worked out once per day and period: every row of a list asks it (the register's 25, the
    chase's thousands), and a relativedelta's month arithmetic is the dearest part of a due state."""
    return today + warning


@dataclass(frozen=True)
class DueRule:
    field: str
    label: str
    warning: relativedelta
    warning_label: str

    def applies(self) -> Q:
        """The policies this date means something for: in force at least once and not withdrawn."""
        return Q(first_published_on__isnull=False, **{f"{self.field}__isnull": False}) & ~Q(status=Status.WITHDRAWN)

    def soon_from(self, today: datetime.date) -> datetime.date:
        return _warning_ends(today, self.warning)

    def overdue(self, today: datetime.date | None = None) -> Q:
        today = today or timezone.localdate()
        return self.applies() & Q(**{f"{self.field}__lt": today})

    def due_soon(self, today: datetime.date | None = None) -> Q:
        today = today or timezone.localdate()
        return self.applies() & Q(**{f"{self.field}__gte": today, f"{self.field}__lte": self.soon_from(today)})

    def due_by(self, day: datetime.date) -> Q:
        """Due on or before ``day`` (overdue included): the chase's pre-filter, with its own look-ahead."""
        return self.applies() & Q(**{f"{self.field}__lte": day})

    def due_or_overdue(self, today: datetime.date | None = None) -> Q:
        today = today or timezone.localdate()
        return self.applies() & Q(**{f"{self.field}__lte": self.soon_from(today)})

    def in_date(self, today: datetime.date | None = None) -> Q:
        today = today or timezone.localdate()
        return self.applies() & Q(**{f"{self.field}__gt": self.soon_from(today)})

    def condition(self, status: str, today: datetime.date | None = None) -> Q:
        return {DueStatus.OVERDUE: self.overdue, DueStatus.DUE_SOON: self.due_soon,
                DueStatus.IN_DATE: self.in_date}[DueStatus(status)](today)

    @staticmethod
    def is_overdue(due: datetime.date, today: datetime.date) -> bool:
        """Overdue the day after its date (``state``'s first rule, without working out the warning period: the
        indicators ask it for every policy on every day they measure)."""
        return due < today

    def state(self, due: datetime.date | None, today: datetime.date | None = None) -> DueState | None:
        if due is None:
            return None
        today = today or timezone.localdate()
        if self.is_overdue(due, today):
            return DueState(DueStatus.OVERDUE, due, (today - due).days)
        status = DueStatus.DUE_SOON if due <= self.soon_from(today) else DueStatus.IN_DATE
        return DueState(status, due, (due - today).days)

    def state_of(self, policy, today: datetime.date | None = None) -> DueState | None:
        """The state for one policy (a model instance or a values() row), None where the rule does not apply."""
        get = policy.get if isinstance(policy, dict) else lambda name: getattr(policy, name, None)
        if get("first_published_on") is None or get("status") == Status.WITHDRAWN:
            return None
        return self.state(get(self.field), today)


@dataclass(frozen=True)
class ItemDueRule(DueRule):
    """A due date on an item of its own rather than a policy column (a remedial action the Lead directed after a
    monitoring report): it applies while the item is not done (``done_field`` empty) and its policy is not
    withdrawn. The same answers as a policy's rule: ``state`` for one date, ORM conditions for a queryset of the
    items (``overdue``, ``due_soon``, ``due_by`` ...)."""

    done_field: str = ""
    policy_path: str = "policy"

    def applies(self) -> Q:
        return (Q(**{f"{self.field}__isnull": False, f"{self.done_field}__isnull": True})
                & ~Q(**{f"{self.policy_path}__status": Status.WITHDRAWN}))

    def state_of(self, item, today: datetime.date | None = None) -> DueState | None:
        get = item.get if isinstance(item, dict) else lambda name: getattr(item, name, None)
        if get(self.done_field) is not None:
            return None
        return self.state(get(self.field), today)


# SOP: "allow at least 6 months for a basic review".
REVIEW = DueRule(field="review_due_on", label="Review", warning=relativedelta(months=REVIEW_WARNING_MONTHS),
                 warning_label="within 6 months")
# Annual monitoring report: chased from a month before it is due.
MONITORING = DueRule(field="monitoring_report_due_on", label="Monitoring report", warning=relativedelta(months=1),
                     warning_label="within a month")
# SOP, role of the Designated Business Group Policy Lead: "review monitoring results and direct remedial action".
# The action is due by the date the Lead set, chased from a fortnight before, and overdue until it is recorded
# as done (assessments.MonitoringResponse).
REMEDIAL = ItemDueRule(field="remedial_due_on", label="Remedial action", warning=relativedelta(weeks=2),
                       warning_label="within a fortnight", done_field="remedial_completed_at")
RULES = {"review": REVIEW, "monitoring": MONITORING}


# --- what else needs someone's attention (issue 15, oversight) ----------------------------------------------------
# The dashboard, the register's filters and the exports all read these, so a figure and the list behind it cannot
# disagree. Each is a Q over policies, for one ``today``.


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
# The fewest working days any stage allows: N working days are at least N calendar days, so work that arrived
# less than this many calendar days ago cannot be late anywhere (the chase's pre-filter).
SHORTEST_STAGE_WORKING_DAYS = min(deadline.working_days for deadline in STAGE_DEADLINES)


def stage_deadline_state(policy, today: datetime.date | None = None) -> DueState | None:
    """By when the work on ``policy`` (an instance or a values() row) is expected, None where it waits on no one's
    stage deadline. No query: the status and the time it last changed are on the row."""
    get = policy.get if isinstance(policy, dict) else lambda name: getattr(policy, name, None)
    deadline, since = DEADLINE_OF_STATUS.get(get("status")), get("status_changed_at")
    if deadline is None or since is None:
        return None
    return deadline.state(timezone.localtime(since).date(), today)


# Work waiting past its stage's deadline is stuck, whichever stage it waits in: the dashboard and the register's
# filter count it as My work and the policy page call it "waiting too long" and the chase chases it (the QA crawl
# found My work saying a policy to forward to the Lead had waited too long while the dashboard, which counted
# only quality assurance, the Lead's decision and publication, had it green and nothing stuck).
STUCK_STAGES = STAGE_DEADLINES
STUCK_BY_KEY = {stage.key: stage for stage in STUCK_STAGES}


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


def stuck(stage: str | None = None, today: datetime.date | None = None) -> Q:
    """Policies waiting in ``stage`` (a STUCK_STAGES key; None: any of them) since before their stage's
    ``stuck_cutoff``: its deadline has come. A publication PCU scheduled waits on its date, not on anyone
    (``publication_scheduled``): not stuck."""
    statuses_by_days: dict[int, list[str]] = {}
    for deadline in [STUCK_BY_KEY[stage]] if stage else STUCK_STAGES:
        statuses_by_days.setdefault(deadline.working_days, []).append(deadline.status)
    conditions = []
    for working_days, statuses in statuses_by_days.items():
        before = timezone.make_aware(datetime.datetime.combine(
            stuck_cutoff(today, working_days) + datetime.timedelta(days=1), datetime.time.min))
        conditions.append(Q(status__in=statuses, status_changed_at__lt=before))
    return functools.reduce(operator.or_, conditions) & ~publication_scheduled()


def stuck_stage(status: str, is_stuck: bool) -> StageDeadline | None:
    """The stage a policy is stuck in, from its status and whether ``stuck(None)`` holds for it: each stage waits in
    a status of its own, so ``stuck(stage)`` is ``stuck(None)`` in that stage's status (the attention list names it;
    the dashboard counts each stage's figure from it)."""
    return DEADLINE_OF_STATUS.get(status) if is_stuck else None


NOT_WITHDRAWN = ~Q(status=Status.WITHDRAWN)


def emergency_eia_awaiting() -> Q:
    """Approved by the emergency route and still not impact assessed (SOP: "the impact assessment must be completed
    as soon as reasonably practicable")."""
    return Q(not_impact_assessed=True) & NOT_WITHDRAWN


def emergency_eia_overdue(today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    return emergency_eia_awaiting() & Q(emergency_eia_due_on__lt=today)


# The parts of a policy named in a column of its own that a leaver can be left holding, and their words in the orphan
# reminder ("its co-ordinator account is no longer active"); the named developers (many, Policy.developers) are the
# one other part. The one declaration: the dashboard's "Orphaned" figure, the register's filter and the attention
# list's "reassign" link (``orphaned``) and the chase's orphan reminder (notifications: ``rules.orphaned_parts``, when
# it is sent and when it stops, and ``plan._could_be_due``, which policies it reads) read them, so a policy shown
# orphaned is the one whose co-ordinator is told to reassign it (a review found the co-ordinator counted here and
# never chased). Every part the SOP names (lifecycle.services.people.PARTS) is here, none left out: a co-ordinator who
# has left is no exception, the reminder then going to the business group's other co-ordinators (SOP, the
# co-ordinator's role: "Ensure good governance so that policies within the BG are reviewed, monitored and
# published"), who may reassign the part.
NAMED_PARTS: tuple[tuple[str, str], ...] = (
    ("owner", "owner_id"), ("Designated Lead", "designated_lead_id"), ("policy manager", "policy_manager_id"),
    ("co-ordinator", "coordinator_id"),
)
DEVELOPER_PART = "developer"


def orphaned() -> Q:
    """A leaver still named on the policy: in one of its ``NAMED_PARTS`` or among its developers (what core.holdings
    counts as held; the orphan reminder asks the co-ordinator to reassign it)."""
    # Uncorrelated subqueries: PostgreSQL reads each once into a hash and tests every row against it (a correlated
    # EXISTS on the developers, asked by several figures of one aggregate, took 17 s at 100,000 policies). The leavers
    # are read from their partial index (core.User.Meta); the developer rows naming them are looked up by user in the
    # through table's index (``in_ids``), not hashed from all of it (make bench: 77 ms a figure, in each of
    # PostgreSQL's parallel workers, against 2 ms).
    leavers = User.objects.filter(is_active=False).values("pk")
    with_leaving_developer = Policy.developers.through.objects.filter(in_ids("user_id", leavers)).values("policy_id")
    named = functools.reduce(operator.or_, (Q(**{f"{column}__in": leavers}) for _, column in NAMED_PARTS))
    return NOT_WITHDRAWN & (named | Q(pk__in=with_leaving_developer))


def leaver_named_in_a_column() -> Q:
    """A leaver in one of the ``NAMED_PARTS`` columns, by a join to each holder's account (the chase's pre-filter,
    ``plan._could_be_due``, with the developers' EXISTS beside it): ``orphaned``'s parts, none restated."""
    return functools.reduce(operator.or_, (Q(**{f"{column.removesuffix('_id')}__is_active": False})
                                           for _, column in NAMED_PARTS))


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


# The rule for each colour, in words for the page and as conditions for the queries (the same list).
RAG_RULES = {
    Rag.RED: "The review or the annual monitoring report is overdue, or an emergency approval's impact "
             "assessment is past its date.",
    Rag.AMBER: "Not red, and the review is due within 6 months, the monitoring report within a month, an "
               "emergency approval still awaits its impact assessment, work on it is stuck past its "
               "step's deadline, or a leaver is still named on the policy.",
    Rag.GREEN: "Neither red nor amber (withdrawn policies have no colour).",
}


# The conditions the colours are made of, by name, each one of the rules above (for one ``today``). The register's
# filter joins their Q's into one (``rag_condition``); a query may instead ask each of them once per policy and read
# the colours from the answers (``rag_of`` over booleans): the dashboard's aggregate, where a FILTER per colour asked
# every rule again for each colour (make bench, PCU's 100,000 policies: the leavers' five hashed probes three times a
# policy).
RAG_PARTS: dict[str, Callable[[datetime.date], Q]] = {
    "review_overdue": REVIEW.overdue,
    "monitoring_overdue": MONITORING.overdue,
    "emergency_eia_overdue": emergency_eia_overdue,
    "review_due_soon": REVIEW.due_soon,
    "monitoring_due_soon": MONITORING.due_soon,
    "emergency_eia_awaiting": lambda today: emergency_eia_awaiting(),
    "stuck": lambda today: stuck(None, today),
    "orphaned": lambda today: orphaned(),
    "not_withdrawn": lambda today: NOT_WITHDRAWN,
}


def _negated(condition):
    """``~`` of a Q; ``not`` of one policy's answer (``~True`` is -2 in Python)."""
    return not condition if isinstance(condition, bool) else ~condition


def rag_of(colour: str, parts: Mapping):
    """``colour``'s rule over ``parts`` (RAG_PARTS' names): a Q from their Q's, or whether one policy is of that
    colour from its answers to them (True or False each)."""
    red = parts["review_overdue"] | parts["monitoring_overdue"] | parts["emergency_eia_overdue"]
    amber = (parts["review_due_soon"] | parts["monitoring_due_soon"] | parts["emergency_eia_awaiting"]
             | parts["stuck"] | parts["orphaned"])
    if colour == Rag.RED:
        return red
    if colour == Rag.AMBER:
        return amber & _negated(red)
    return parts["not_withdrawn"] & _negated(red) & _negated(amber)


def rag_condition(colour: str, today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    return rag_of(colour, {name: rule(today) for name, rule in RAG_PARTS.items()})


def rag_case(today: datetime.date | None = None) -> models.Case:
    """The colour as an annotation: ``Policy.objects.annotate(rag=rag_case(today))``; NULL for a withdrawn one."""
    today = today or timezone.localdate()
    return models.Case(
        *(models.When(rag_condition(colour, today), then=models.Value(colour.value)) for colour in Rag),
        default=None, output_field=models.CharField(),
    )
