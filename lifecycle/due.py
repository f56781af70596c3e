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
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import User

# The one working-day calendar (Monday to Friday less the bank holidays of England and Wales, issue 13), for the
# stuck threshold here and in the chase.
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
        return today + self.warning

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


def stuck_threshold_days() -> int:
    """Working days a submission may wait on a sign-off, decision or publication (settings.POLICYHUB_CHASE, the
    chase's own threshold: ``CHASE_STUCK_WORKING_DAYS``)."""
    return int(settings.POLICYHUB_CHASE["stuck_after_working_days"])


def stuck_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The last day on which work could have started waiting and be past the threshold ``today``: the latest
    ``day`` with ``working_days_after(day, threshold) <= today`` (as the chase: waiting since a Friday, a
    Saturday or a Sunday counts from the Monday)."""
    today = today or timezone.localdate()
    threshold = stuck_threshold_days()
    day = today
    while working_days_after(day, threshold) > today:
        day -= datetime.timedelta(days=1)
    return day


@dataclass(frozen=True)
class StuckStage:
    key: str
    status: str
    label: str


# SOP, stage 4: the package waits on PCU's co-ordinated quality assurance, then on the Designated Lead's decision,
# then on PCU to publish it. A submission waiting in one of them longer than the threshold is stuck.
STUCK_STAGES = (
    StuckStage("qa", Status.SUBMITTED_FOR_QA, "In quality assurance"),
    StuckStage("lead", Status.WITH_LEAD, "With the Designated Lead"),
    StuckStage("publication", Status.AWAITING_PUBLICATION, "Awaiting publication"),
)
STUCK_BY_KEY = {stage.key: stage for stage in STUCK_STAGES}


def stuck(stage: str | None = None, today: datetime.date | None = None) -> Q:
    """Policies waiting in ``stage`` (a STUCK_STAGES key; None: any of them) since before ``stuck_cutoff``: the
    status has not changed for more than the threshold's working days."""
    statuses = [STUCK_BY_KEY[stage].status] if stage else [s.status for s in STUCK_STAGES]
    before = timezone.make_aware(datetime.datetime.combine(stuck_cutoff(today) + datetime.timedelta(days=1),
                                                           datetime.time.min))
    return Q(status__in=statuses, status_changed_at__lt=before)


NOT_WITHDRAWN = ~Q(status=Status.WITHDRAWN)


def emergency_eia_awaiting() -> Q:
    """Approved by the emergency route and still not impact assessed (SOP: "the impact assessment must be completed
    as soon as reasonably practicable")."""
    return Q(not_impact_assessed=True) & NOT_WITHDRAWN


def emergency_eia_overdue(today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    return emergency_eia_awaiting() & Q(emergency_eia_due_on__lt=today)


def orphaned() -> Q:
    """A leaver still named on the policy: an inactive owner, Designated Lead, manager, co-ordinator or developer
    (what core.holdings counts as held; the orphan reminder asks the co-ordinator to reassign it)."""
    # Uncorrelated subqueries: PostgreSQL reads each once into a hash and tests every row against it (a correlated
    # EXISTS on the developers, asked by several figures of one aggregate, took 17 s at 100,000 policies).
    leavers = User.objects.filter(is_active=False).values("pk")
    with_leaving_developer = Policy.developers.through.objects.filter(user__is_active=False).values("policy_id")
    return NOT_WITHDRAWN & (Q(owner_id__in=leavers) | Q(designated_lead_id__in=leavers)
                            | Q(policy_manager_id__in=leavers) | Q(coordinator_id__in=leavers)
                            | Q(pk__in=with_leaving_developer))


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


# The rule for each colour, in words for the page and as conditions for the queries (the same list).
RAG_RULES = {
    Rag.RED: "The review or the annual monitoring report is overdue, or an emergency approval's impact "
             "assessment is past its date.",
    Rag.AMBER: "Not red, and the review is due within 6 months, the monitoring report within a month, an "
               "emergency approval still awaits its impact assessment, a submission is stuck past the "
               "threshold, or a leaver is still named on the policy.",
    Rag.GREEN: "Neither red nor amber (withdrawn policies have no colour).",
}


def rag_condition(colour: str, today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    red = REVIEW.overdue(today) | MONITORING.overdue(today) | emergency_eia_overdue(today)
    amber = (REVIEW.due_soon(today) | MONITORING.due_soon(today) | emergency_eia_awaiting() | stuck(None, today)
             | orphaned())
    if colour == Rag.RED:
        return red
    if colour == Rag.AMBER:
        return amber & ~red
    return NOT_WITHDRAWN & ~red & ~amber


def rag_case(today: datetime.date | None = None) -> models.Case:
    """The colour as an annotation: ``Policy.objects.annotate(rag=rag_case(today))``; NULL for a withdrawn one."""
    today = today or timezone.localdate()
    return models.Case(
        *(models.When(rag_condition(colour, today), then=models.Value(colour.value)) for colour in Rag),
        default=None, output_field=models.CharField(),
    )
