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
from django.db import models
from django.db.models import Q
from django.utils import timezone

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

    def due_or_overdue(self, today: datetime.date | None = None) -> Q:
        today = today or timezone.localdate()
        return self.applies() & Q(**{f"{self.field}__lte": self.soon_from(today)})

    def in_date(self, today: datetime.date | None = None) -> Q:
        today = today or timezone.localdate()
        return self.applies() & Q(**{f"{self.field}__gt": self.soon_from(today)})

    def condition(self, status: str, today: datetime.date | None = None) -> Q:
        return {DueStatus.OVERDUE: self.overdue, DueStatus.DUE_SOON: self.due_soon,
                DueStatus.IN_DATE: self.in_date}[DueStatus(status)](today)

    def state(self, due: datetime.date | None, today: datetime.date | None = None) -> DueState | None:
        if due is None:
            return None
        today = today or timezone.localdate()
        if due < today:
            return DueState(DueStatus.OVERDUE, due, (today - due).days)
        status = DueStatus.DUE_SOON if due <= self.soon_from(today) else DueStatus.IN_DATE
        return DueState(status, due, (due - today).days)

    def state_of(self, policy, today: datetime.date | None = None) -> DueState | None:
        """The state for one policy (a model instance or a values() row), None where the rule does not apply."""
        get = policy.get if isinstance(policy, dict) else lambda name: getattr(policy, name, None)
        if get("first_published_on") is None or get("status") == Status.WITHDRAWN:
            return None
        return self.state(get(self.field), today)


# SOP: "allow at least 6 months for a basic review".
REVIEW = DueRule(field="review_due_on", label="Review", warning=relativedelta(months=6),
                 warning_label="within 6 months")
# Annual monitoring report: chased from a month before it is due.
MONITORING = DueRule(field="monitoring_report_due_on", label="Monitoring report", warning=relativedelta(months=1),
                     warning_label="within a month")
RULES = {"review": REVIEW, "monitoring": MONITORING}
