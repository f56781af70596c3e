"""What "overdue" means: one rule for every list, page, reminder, dashboard and export.

SOP, "Monitoring and Review": "All policies will be reviewed at least every 3 years" and "Policy monitoring
reports will be completed annually". A review date stays in force until the reviewed version is published
(``policy_publish`` sets the next one), so a policy past its review date is overdue whatever stage its review
has reached: a review that was started and then stalled does not drop out of sight (issue 13, "Overdue is
overdue"). The same holds for the annual monitoring report, which stays late until it is submitted.

Each ``DueRule`` gives the date field, the warning period and the policies it applies to (those published at
least once and not withdrawn), as a Python answer for one date (``rule.status(due)``) and as ORM conditions for
a queryset (``rule.overdue(today)`` ...), so that a page, the chase and the dashboard cannot disagree. How long each
stage may take, and what counts as stuck, is lifecycle.deadlines'; the red/amber/green status below reads both.
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
from lifecycle.deadlines import DueState, DueStatus, stuck, withdrawal_waiting
from lifecycle.models import Policy
from lifecycle.states import REVIEW_WARNING_MONTHS, Status


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
    # Not a colour's own condition: which stage a policy stuck waits in (``stuck_stage``), a withdrawal decided or its
    # status's, for the dashboard's figure of each stage.
    "withdrawal_decided": lambda today: withdrawal_waiting(),
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
