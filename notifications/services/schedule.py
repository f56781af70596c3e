"""When to chase: pure date arithmetic, shared by every kind of reminder."""

from __future__ import annotations

import datetime
import functools

from dateutil.relativedelta import relativedelta


def latest_step(today: datetime.date, steps: list[tuple[datetime.date, str]], *, due: datetime.date,
                every_days: int) -> tuple[datetime.date, str] | None:
    """The newest scheduled step on or before ``today``: fixed steps before the due date, then one every
    ``every_days`` while overdue. A missed run catches up with one reminder, not a burst."""
    if today > due:
        overdue_days = (today - due).days
        step_date = due + datetime.timedelta(days=overdue_days - overdue_days % every_days)
        if step_date > due:
            return step_date, f"overdue by {(step_date - due).days} days"
    candidates = [(day, label) for day, label in steps if day <= today]
    return max(candidates) if candidates else None


def before_steps(due: datetime.date, months: list[int]) -> tuple[tuple[datetime.date, str], ...]:
    return _before_steps_cached(due, tuple(months))


@functools.lru_cache(maxsize=8192)
def _before_steps_cached(due: datetime.date, months: tuple[int, ...]) -> tuple[tuple[datetime.date, str], ...]:
    # Cached: candidates share a few thousand due dates (make bench: the chase scan 3.4x -> about 2.1x the bare
    # SQL of its due items, at 100,000 policies).
    labels = {6: "6 months before: start the review now"}
    steps = [(due - relativedelta(months=m), labels.get(m, f"{m} month{'s' if m > 1 else ''} before"))
             for m in months]
    return (*steps, (due, "due today"))
