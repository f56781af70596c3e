"""My work's building blocks: what a queue reads of a policy, how many items it shows, and each queue's statement,
compiled once per person and day (issue 16). The queues themselves are built by concern: workspace.role_queues (the
cycle's work by role), workspace.due_queues (reviews and reports due), workspace.report_queues (monitoring reports)
and workspace.asked_queues (advice and reading asked of the person); workspace.selectors puts them in order."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

from core.compiled import compiled_per_key
from lifecycle.deadlines import (
    SCHEDULED_FOR,
    WITHDRAWAL_DECIDED_AT,
    scheduled_publication_column,
    withdrawal_decided_column,
)
from lifecycle.models import Policy
from lifecycle.monitoring_reports import ReportUnderWay
from lifecycle.next_steps import QA_SIGNED, next_work, qa_signed_column, taken_by
from lifecycle.selectors import named_developer_policy_ids, pk_in_ids
from lifecycle.steps import AWAITS, FIRST_DUE, Step
from lifecycle.workflow import awaited_column, first_due_column

# What My work shows of a policy in a queue (core/home.html, includes/status_tag.html, includes/due_state.html).
# Only these columns are read: not the statement-sized text of purpose and scope, nor the joined business
# group and unit that the register needs (make bench, PCU at 100,000 policies: 140 rows a page). What comes next
# (``next_of``) reads the status, first publication and the due dates of lifecycle.due.RULES among them: a QueueItem
# holds nothing else, and one missing would read as no date at all (tests/workspace/test_next_agrees_with_overview.py).
# Whether its reader is shown the draft whose next step it names (lifecycle.selectors.drafts_kept_from, the overview's
# rule asked of every row at once) reads its status, first publication and business group.
QUEUE_FIELDS = ("reference", "title", "status", "not_impact_assessed", "review_due_on", "monitoring_report_due_on",
                "first_published_on", "business_group_id", "status_changed_at", "kind")


# The status of the policy's monitoring report submitted and not yet published, selected with the due queues' rows
# (workspace.due_queues: a subquery in their statement, no query per row), for what comes next (``next_of``).
REPORT_UNDER_WAY = "report_under_way"
# And the end of the period that report covers, selected beside its status (``report_of``).
REPORT_UNDER_WAY_TO = "report_under_way_to"

# Whether a due queue's row is there only because its reader is named on the policy as a developer, while the rule
# makes them none of its developers (workspace.due_queues: no step of it is theirs, and none is named to them).
NAMED_ONLY = "named_only"


# How many items a queue shows. One more is read: when it is there, the queue says that more are waiting than it
# shows (and where to see them all), rather than seeming to hold only what fits.
QUEUE_SHOWN = 20


# How many people's compiled statements of each queue every process keeps, the least recently used dropped first:
# about 11 KB of SQL a person and day for all their queues (make bench: 6 or 7 statements), so about 6 MB at most. One
# dropped is compiled again on that person's next request, as every one was before.
COMPILED_QUEUES = 512


def as_queue(queryset: QuerySet[Policy], order: str = "updated_at", limit: int = QUEUE_SHOWN + 1) -> QuerySet[Policy]:
    """The queue's statement: its QUEUE_FIELDS, the step a part under way waits for (``AWAITS``: a review the
    Lead concluded "no change" waits for DCFD's confirmation, then PCU's re-publication) and, of a policy in quality
    assurance, the disciplines that have signed its version off (``QA_SIGNED``), so that what comes next, and who
    takes it, is said as the policy's overview says it (``workflow.way_on_of``, ``next_steps.taken_by``) with no query
    a row. The parts under way are few: each is looked up once for the statement
    (lifecycle.models.NoChangeReview.policies_where). And, of a policy awaiting publication, the date PCU scheduled
    it for (``SCHEDULED_FOR``): it then waits on that date, not on PCU's stage deadline, as its overview says. And
    when a withdrawal still to be carried out was decided (``WITHDRAWAL_DECIDED_AT``): the policy then waits for PCU
    from that moment, whatever its status (lifecycle.deadlines.waiting_on). And whether the step a part under way
    waits for has work to be done first (``FIRST_DUE``: the drafters' update of an EIA DCFD reopened, before DCFD signs
    it off), which comes next until it is done."""
    return (queryset.select_related(None).only(*QUEUE_FIELDS)
            .annotate(**{AWAITS: awaited_column(), QA_SIGNED: qa_signed_column(),
                         SCHEDULED_FOR: scheduled_publication_column(),
                         WITHDRAWAL_DECIDED_AT: withdrawal_decided_column(), FIRST_DUE: first_due_column()})
            .order_by(order, "pk")[:limit])


class QueueItem:
    """A policy in a queue: its ``pk`` and QUEUE_FIELDS, and what My work adds to it (its due state, next step and by
    when). Not a model instance: nothing else of the policy is read here, and building some 170 instances a request
    (PCU's queues), each testing its fields for django-fsm's lock, took more Python than the statements took to run
    (make bench, 100,000 policies)."""

    __slots__ = ("pk", *QUEUE_FIELDS, AWAITS, QA_SIGNED, SCHEDULED_FOR, WITHDRAWAL_DECIDED_AT, FIRST_DUE, "due_state",
                 "due_label", "next_label", "next_by", "next_done", "expected_by", "expected_late", "returned",
                 "skipped_part", REPORT_UNDER_WAY, REPORT_UNDER_WAY_TO, NAMED_ONLY)

    def __init__(self, names: tuple[str, ...], row) -> None:
        for name, value in zip(names, row, strict=True):
            setattr(self, name, value)


def next_of(step: Step, policy) -> tuple[str, str, str]:
    """What comes next on ``policy`` (a QueueItem) when ``step`` is its way on, who does it and who has done their
    part, as the policy's own "What to do next" says it (lifecycle.next_steps.next_work and taken_by, from the one
    declaration): the step, or work that falls due before it meanwhile (``Step.meanwhile``: the annual monitoring
    report before a review due later); of quality assurance, the disciplines still to sign off ("DCFD and DOI", "PCU
    has signed off."). No query: its dates are among QUEUE_FIELDS, its sign-offs in its row (``QA_SIGNED``), and its
    report under way (``REPORT_UNDER_WAY``) is in the due queues' rows."""
    by, done = taken_by(step, policy)
    work = next_work(step, policy, by=by, done=done, report=report_of(policy))
    return work.title, work.by, work.done


def report_of(policy) -> ReportUnderWay | None:
    """The policy's monitoring report under way, as a due queue's row selects it (``REPORT_UNDER_WAY``, its period's
    end beside it); None when there is none, or the row is of another queue."""
    status = getattr(policy, REPORT_UNDER_WAY, None)
    return ReportUnderWay(status, getattr(policy, REPORT_UNDER_WAY_TO)) if status else None


def compiled_rows(build: Callable[..., QuerySet]) -> Callable[..., list[list]]:
    """The rows of ``build(*key)``'s queryset (a queue: ordered, cut), read through one statement compiled once per
    arguments in this process (core.compiled), each a list of its values converted as Django converts them.

    ``build`` reads nothing but its arguments (a Viewer, ids, a flag: hashable, all that decides the statement), as
    ``PolicyRows`` compiles the register once per Viewer. Django compiled every queue's visibility filter and
    conditions anew on each request: more Python than PostgreSQL took to answer them (make bench, 100,000 policies:
    a developer's due queues 8.3 ms of Python against 3.7 ms of SQL)."""

    compiled = compiled_per_key(COMPILED_QUEUES)(build)

    def read(*key) -> list[list]:
        statement = compiled(*key)
        return [] if statement is None else statement.rows()

    read.compiled = compiled
    return read


def compiled_queue(build: Callable[..., QuerySet[Policy]]) -> Callable[..., list[QueueItem]]:
    """``compiled_rows`` for a queue of policies (``as_queue``): each row a QueueItem."""
    compiled = compiled_rows(build).compiled

    def read(*key) -> list[QueueItem]:
        statement = compiled(*key)
        if statement is None:
            return []
        # Each column's attribute, in the statement's order: the primary key's is ``pk``.
        names = tuple("pk" if column == Policy._meta.pk.attname else column for column in statement.columns)
        return [QueueItem(names, row) for row in statement.rows()]

    read.compiled = compiled
    return read


def group_ids(roles, *wanted: str) -> set[int]:
    return {group for role, group in roles if role in wanted and group is not None}


def named_developer(user_id: int) -> Q:
    """The policies naming the user as a developer, looked up by their ids in the primary key (``pk_in_ids``): a
    developer is named on a few policies, where a hashed IN made PostgreSQL read every policy due in the window and
    join them to those few (make bench, a developer named on 30 of 100,000 policies: each due queue 17 ms against
    1.2 ms)."""
    return pk_in_ids(named_developer_policy_ids(user_id))
