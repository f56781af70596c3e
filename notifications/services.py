"""Chasing, the outbox relay and the daily digest.

SOP, "Role of Business Group Policy Co-ordinator": "Ensure policy reviews and monitoring reports are
completed on time by the policy authors through employing a system of prompts and reminders"; policies are
"reviewed and published at least once every 3 years" with "monitoring reports annually"; "allow at least
6 months for a basic review".

Exactly once: every reminder is a row of the ledger whose unique constraint is (policy, cycle, recipient,
kind, due date), written with INSERT ... ON CONFLICT DO NOTHING; each person's items go into at most one
digest a day (unique (recipient, date)), sent once (``sent_at`` under a row lock). Running the chase twice,
or again after a worker was killed half way, adds nothing that is already there.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections import defaultdict
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from acknowledgements.selectors import audiences_in_force, outstanding_people, profiles_of
from assessments.models import MonitoringReport, MonitoringResponse
from core.events import AuditAction
from core.models import OutboxEvent, Role, RoleAssignment, User
from lifecycle import workflow

# The stage deadlines (lifecycle.due) say from when work waiting on someone is chased; the dashboard reads them too.
from lifecycle.due import (
    DEADLINE_OF_STATUS,
    MONITORING,
    MONITORING_REPORT_QA,
    REMEDIAL,
    REVIEW,
    SHORTEST_STAGE_WORKING_DAYS,
    STAGE_DEADLINES,
)
from lifecycle.models import Policy, PolicyVersion, QASignOff
from lifecycle.services.people import HolderChange, OpenTask
from lifecycle.states import Status
from notifications.models import Digest, Notification, Reminder, ReminderKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlannedReminder:
    policy_id: int
    reference: str
    title: str
    cycle: int
    recipient_id: int
    kind: str
    due_on: datetime.date
    item_due_on: datetime.date | None
    step: str
    message: str


# --- schedules: pure date arithmetic -------------------------------------------------------------


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


def _before_steps(due: datetime.date, months: list[int]) -> tuple[tuple[datetime.date, str], ...]:
    return _before_steps_cached(due, tuple(months))


@functools.lru_cache(maxsize=8192)
def _before_steps_cached(due: datetime.date, months: tuple[int, ...]) -> tuple[tuple[datetime.date, str], ...]:
    # Cached: candidates share a few thousand due dates (make bench: the chase scan 3.4x -> about 2.1x the bare
    # SQL of its due items, at 100,000 policies).
    labels = {6: "6 months before: start the review now"}
    steps = [(due - relativedelta(months=m), labels.get(m, f"{m} month{'s' if m > 1 else ''} before"))
             for m in months]
    return (*steps, (due, "due today"))


# --- who answers for a policy -------------------------------------------------------------------


def active_role_holders(*, include_developers: bool = True) -> dict[tuple[int | None, str], set[int]]:
    """{(business group id or None for force-wide, role): {user ids}} of active users, in one query."""
    holders: dict[tuple[int | None, str], set[int]] = defaultdict(set)
    assignments = RoleAssignment.objects.filter(user__is_active=True).order_by()
    if not include_developers:
        assignments = assignments.exclude(role=Role.DEVELOPER)
    for user_id, role, group_id in assignments.values_list("user_id", "role", "business_group_id"):
        holders[(group_id, role)].add(user_id)
    return holders


class People:
    """Role holders per business group and the named people of each candidate policy, loaded with a fixed
    number of queries for the whole scan."""

    def __init__(self, policy_ids: list[int]):
        # Developers are never looked up by group here (they are named on the policy).
        self.group_roles = active_role_holders(include_developers=False)
        self.developers: dict[int, set[int]] = defaultdict(set)
        self.inactive_developers: dict[int, set[int]] = defaultdict(set)
        through = Policy.developers.through
        rows = through.objects.filter(policy_id__in=policy_ids).values_list(
            "policy_id", "user_id", "user__is_active"
        ) if policy_ids else []
        for policy_id, user_id, active in rows:
            (self.developers if active else self.inactive_developers)[policy_id].add(user_id)
        self.active = set(User.objects.filter(is_active=True).order_by().values_list("pk", flat=True))

    def named_or_group(self, named_id: int | None, group_id: int, role: str) -> set[int]:
        if named_id is not None and named_id in self.active:
            return {named_id}
        return set(self.group_roles.get((group_id, role), set()))

    def force(self, role: str) -> set[int]:
        return set(self.group_roles.get((None, role), set()))


# --- the daily plan ------------------------------------------------------------------------------


POLICY_FIELDS = [
    "pk", "reference", "title", "status", "business_group_id", "review_due_on", "monitoring_report_due_on",
    "not_impact_assessed", "emergency_eia_due_on", "status_changed_at", "owner_id", "designated_lead_id",
    "policy_manager_id", "coordinator_id", "first_published_on",
]


def chase_plan(*, today: datetime.date | None = None) -> list[PlannedReminder]:
    """Everything due to be chased today, to whom. Reads only; a fixed number of queries."""
    today = today or timezone.localdate()
    config = settings.POLICYHUB_CHASE
    horizon = today + relativedelta(months=max(config["review_months_before"]))
    # N working days are at least N calendar days, so this is a safe pre-filter for work past its stage deadline.
    stuck_since = timezone.make_aware(datetime.datetime.combine(
        today - datetime.timedelta(days=SHORTEST_STAGE_WORKING_DAYS), datetime.time.max))
    candidates = (
        Policy.objects.exclude(status=Status.WITHDRAWN)
        # Only policies for which some schedule could fire: a small share of the register.
        .filter(_could_be_due(horizon, today, stuck_since))
        .annotate(cycle=Max("versions__major"))
        .values(*POLICY_FIELDS, "cycle")
        .order_by("pk")
    )
    policies = list(candidates)
    ids = [row["pk"] for row in policies]
    people = People(ids)
    # Reports in QA are few: load them by status (no IN list of thousands of ids) and keep the candidates'.
    candidate_ids = set(ids)
    reports_in_qa = {
        row["policy_id"]: row for row in MonitoringReport.objects.filter(
            status__in=[MonitoringReport.Status.SUBMITTED, MonitoringReport.Status.QA_PASSED]
        ).order_by("-period_end").values("policy_id", "status", "submitted_at", "pk")
        if row["policy_id"] in candidate_ids
    }
    submitted_on = dict(
        PolicyVersion.objects.filter(policy_id__in=[r["pk"] for r in policies
                                                    if r["status"] == Status.SUBMITTED_FOR_QA])
        .values_list("policy_id").annotate(last=Max("submitted_at"))
    ) if policies else {}
    missing_disciplines = _missing_disciplines([r["pk"] for r in policies if r["status"] == Status.SUBMITTED_FOR_QA])
    # Open remedial actions due within their warning, or overdue: few, loaded by their own rule and kept for the
    # candidates.
    remedial: dict[int, list[dict]] = defaultdict(list)
    for action in (MonitoringResponse.objects.filter(REMEDIAL.due_by(REMEDIAL.soon_from(today)))
                   .order_by("remedial_due_on", "pk")
                   .values("pk", "policy_id", "remedial_action", "remedial_owner_id", "remedial_due_on",
                           "remedial_completed_at")):
        if action["policy_id"] in candidate_ids:
            remedial[action["policy_id"]].append(action)
    plan: list[PlannedReminder] = []
    for row in policies:
        plan.extend(_plan_for(row, today, people, config, reports_in_qa, submitted_on, missing_disciplines,
                              remedial))
    plan.extend(_acknowledgement_plan(today))
    return plan


def _acknowledgement_plan(today: datetime.date) -> list[PlannedReminder]:
    """Issue 14: everyone a version in force asks to confirm they have read it, and who has not, is chased once:
    one reminder per version, due on the day it was published (the ledger's key then holds it once, however often
    the chase runs; someone who joins the unit later is chased on their first chase). Those already chased are left
    out of the plan, so that a dry run lists only what would be sent. Queries: the audiences, the people, then two
    per audience."""
    audiences = audiences_in_force()
    if not audiences:
        return []
    first_published = dict(
        PolicyVersion.objects.filter(pk__in=[audience.policy_version_id for audience in audiences],
                                     publications__status="published")
        .values_list("pk").annotate(first=Min("publications__published_at")).order_by())
    profiles = profiles_of(User.objects.all())
    plan = []
    for audience in audiences:
        published_at = first_published.get(audience.policy_version_id)
        if published_at is None:
            continue
        due = timezone.localdate(published_at)
        if due > today:
            continue
        waiting = outstanding_people(audience, profiles)
        if not waiting:
            continue
        waiting -= set(Reminder.objects.filter(kind=ReminderKind.ACKNOWLEDGEMENT, policy_id=audience.policy_id,
                                               cycle=audience.major, due_on=due)
                       .values_list("recipient_id", flat=True).order_by())
        policy, number = audience.policy, audience.policy_version.number
        library_page = reverse("library:policy", args=[policy.reference])
        plan.extend(PlannedReminder(
            policy.pk, policy.reference, policy.title, audience.major, recipient, ReminderKind.ACKNOWLEDGEMENT, due,
            None, "read and confirm",
            f"Read {policy.reference} {policy.title}, version {number}, and confirm you have read it at "
            f"{library_page}.") for recipient in sorted(waiting))
    return plan


def _could_be_due(horizon, today, stuck_since) -> Q:
    developers = Policy.developers.through.objects.filter(policy_id=OuterRef("pk"), user__is_active=False)
    report_in_qa = MonitoringReport.objects.filter(policy_id=OuterRef("pk"),
                                                   status=MonitoringReport.Status.SUBMITTED)
    remedial_due = MonitoringResponse.objects.filter(REMEDIAL.due_by(REMEDIAL.soon_from(today)),
                                                     policy_id=OuterRef("pk"))
    return (
        # lifecycle.due decides what a date applies to (issue 13: "Overdue is overdue"): a policy published at
        # least once and not withdrawn, whatever stage a review has reached.
        REVIEW.due_by(horizon)
        | MONITORING.due_by(today + relativedelta(months=max(settings.POLICYHUB_CHASE["monitoring_months_before"])))
        | Q(not_impact_assessed=True)
        | Q(Exists(remedial_due))
        | Q(status_changed_at__lte=stuck_since, status__in=list(STUCK_STATUSES))
        | Q(Exists(report_in_qa))
        | Q(owner__is_active=False) | Q(designated_lead__is_active=False) | Q(policy_manager__is_active=False)
        | Q(Exists(developers))
    )


# The statuses in which work waits on someone's stage deadline (lifecycle.due.STAGE_DEADLINES: whom it chases,
# what for, and from when).
STUCK_STATUSES = {deadline.status: (deadline.chases, deadline.waiting_for) for deadline in STAGE_DEADLINES}


def _missing_disciplines(policy_ids: list[int]) -> dict[int, set[str]]:
    if not policy_ids:
        return {}

    latest = PolicyVersion.objects.filter(policy_id=OuterRef("policy_version__policy_id")).order_by(
        "-major", "-minor").values("pk")[:1]
    signed: dict[int, set[str]] = defaultdict(set)
    for policy_id, discipline in QASignOff.objects.filter(
        policy_version__policy_id__in=policy_ids, policy_version_id=Subquery(latest)
    ).values_list("policy_version__policy_id", "discipline"):
        signed[policy_id].add(discipline)
    return {policy_id: {"pcu", "dcfd", "doi"} - signed[policy_id] for policy_id in policy_ids}


def _plan_for(row, today, people: People, config, reports_in_qa, submitted_on, missing_disciplines, remedial):
    chase = _PolicyChase(row=row, today=today, people=people, config=config, reports_in_qa=reports_in_qa,
                         submitted_on=submitted_on, missing_disciplines=missing_disciplines,
                         remedial=remedial.get(row["pk"], []))
    return [*chase.review(), *chase.monitoring_report(), *chase.monitoring_qa(), *chase.remedial_actions(),
            *chase.emergency_eia(), *chase.stuck(), *chase.orphans()]


@dataclass
class _PolicyChase:
    """The reminders one policy's row calls for today, one kind per method."""

    row: dict
    today: datetime.date
    people: People
    config: dict
    reports_in_qa: dict
    submitted_on: dict
    missing_disciplines: dict
    remedial: list

    def __post_init__(self) -> None:
        self.group = self.row["business_group_id"]
        self.cycle = self.row["cycle"] or 1
        self.authors = self.people.developers.get(self.row["pk"], set()) | self.named("policy_manager_id",
                                                                                       Role.MANAGER)
        self.every = self.config["overdue_every_days"]
        # The review's state by lifecycle.due's one rule: None where no review date applies.
        self.review_state = REVIEW.state_of(self.row, self.today)

    def named(self, column: str, role: str) -> set[int]:
        return self.people.named_or_group(self.row[column], self.group, role)

    def reminders(self, kind, step, recipients, message, item_due=None) -> list[PlannedReminder]:
        row = self.row
        return [PlannedReminder(row["pk"], row["reference"], row["title"], self.cycle, recipient, kind, step[0],
                                item_due, step[1], message) for recipient in sorted(recipients)]

    def escalated(self, due) -> set[int]:
        overdue = (self.today - due).days
        extra: set[int] = set()
        thresholds = self.config["escalate_after_days"]
        if overdue >= thresholds["coordinator"]:
            extra |= self.named("coordinator_id", Role.COORDINATOR)
        if overdue >= thresholds["lead"]:
            extra |= self.named("designated_lead_id", Role.LEAD)
        if overdue >= thresholds["owner"]:
            extra |= self.named("owner_id", Role.OWNER)
        return extra

    def review(self) -> list[PlannedReminder]:
        """The 3-yearly review: chased until the reviewed version is published, whatever stage the review is in
        (lifecycle.due.REVIEW)."""
        row, due = self.row, self.row["review_due_on"]
        if self.review_state is None:
            return []
        step = latest_step(self.today, _before_steps(due, self.config["review_months_before"]), due=due,
                           every_days=self.every)
        if not step:
            return []
        return self.reminders(ReminderKind.REVIEW_DUE, step, self.authors | self.escalated(due),
                              f"Review of {row['reference']} {row['title']} is due on {due:%-d %B %Y} ({step[1]}).",
                              due)

    def monitoring_report(self) -> list[PlannedReminder]:
        """The annual monitoring report, until a report reaches the co-ordinator. The published version stays in
        force during a review, so its report is chased through the review too (lifecycle.due.MONITORING)."""
        row, due = self.row, self.row["monitoring_report_due_on"]
        if MONITORING.state_of(row, self.today) is None or row["pk"] in self.reports_in_qa:
            return []
        step = latest_step(self.today, _before_steps(due, self.config["monitoring_months_before"]), due=due,
                           every_days=self.every)
        if not step:
            return []
        return self.reminders(ReminderKind.MONITORING_DUE, step, self.authors | self.escalated(due),
                              f"The annual monitoring report for {row['reference']} {row['title']} is due on "
                              f"{due:%-d %B %Y} ({step[1]}).", due)

    def monitoring_qa(self) -> list[PlannedReminder]:
        """A monitoring report sitting with the co-ordinator for QA."""
        report = self.reports_in_qa.get(self.row["pk"])
        if not (report and report["status"] == MonitoringReport.Status.SUBMITTED and report["submitted_at"]):
            return []
        submitted = timezone.localtime(report["submitted_at"])
        start = MONITORING_REPORT_QA.due_on(submitted.date())
        step = latest_step(self.today, [(start, "waiting for quality assurance")], due=start, every_days=self.every)
        if not step:
            return []
        return self.reminders(ReminderKind.MONITORING_QA, step, self.named("coordinator_id", Role.COORDINATOR),
                              f"A monitoring report for {self.row['reference']} has been waiting for your quality "
                              f"assurance since {submitted:%-d %B %Y}, expected by {start:%-d %B %Y}.")

    def remedial_actions(self) -> list[PlannedReminder]:
        """Remedial actions the Lead directed after a monitoring report: to whoever is named, from a fortnight
        before until recorded as done (lifecycle.due.REMEDIAL), then weekly while overdue, with the Lead who
        directed it once overdue and the usual escalation."""
        reminders = []
        for action in self.remedial:
            state = REMEDIAL.state_of(action, self.today)
            if state is None:
                continue
            due = state.due
            step = latest_step(self.today, [(due - REMEDIAL.warning, "a fortnight before"), (due, "due today")],
                               due=due, every_days=self.every)
            if not step:
                continue
            owner = action["remedial_owner_id"]
            recipients = {owner} if owner in self.people.active else self.named("designated_lead_id", Role.LEAD)
            if state.is_overdue:
                recipients |= self.named("designated_lead_id", Role.LEAD) | self.escalated(due)
            what = " ".join(action["remedial_action"].split())
            what = what if len(what) <= 160 else what[:159] + "\u2026"
            reminders.extend(self.reminders(
                ReminderKind.REMEDIAL_ACTION, step, recipients,
                f"Remedial action on {self.row['reference']} after its monitoring report, due {due:%-d %B %Y} "
                f"({state.phrase}): {what}", due))
        return reminders

    def emergency_eia(self) -> list[PlannedReminder]:
        """Emergency approval: weekly until the EIA is signed off, then to the Lead as risk owner once overdue."""
        row, due, today = self.row, self.row["emergency_eia_due_on"], self.today
        if not (row["not_impact_assessed"] and due):
            return []
        offset = (today - due).days % self.config["emergency_eia_every_days"]
        step_date = today - datetime.timedelta(days=offset)
        label = "overdue" if step_date > due else ("due today" if step_date == due else "weekly reminder")
        recipients = set(self.authors)
        if today >= due:
            recipients |= self.named("designated_lead_id", Role.LEAD)
        return self.reminders(ReminderKind.EMERGENCY_EIA, (step_date, label), recipients,
                              f"{row['reference']} {row['title']} was approved without an Equality Impact "
                              f"Assessment; it is due by {due:%-d %B %Y}.", due)

    def stuck(self) -> list[PlannedReminder]:
        """Work waiting too long in a stage (QA, with the Lead, awaiting publication...)."""
        row = self.row
        if not (row["status"] in STUCK_STATUSES and row["status_changed_at"]):
            return []
        waiting_since = timezone.localtime(row["status_changed_at"]).date()
        if row["status"] == Status.SUBMITTED_FOR_QA and self.submitted_on.get(row["pk"]):
            waiting_since = timezone.localtime(self.submitted_on[row["pk"]]).date()
        deadline = DEADLINE_OF_STATUS[row["status"]]
        start = deadline.due_on(waiting_since)
        step = latest_step(self.today, [(start, "waiting too long")], due=start, every_days=self.every)
        if not step:
            return []
        who, what = deadline.chases, deadline.waiting_for
        # Issue 13, "Overdue is overdue": a review stalled past its date says so in every reminder about it.
        overdue = ""
        if self.review_state is not None and self.review_state.is_overdue:
            overdue = (f"; its review was due on {self.review_state.due:%-d %B %Y} "
                       f"({self.review_state.phrase})")
        if who == "qa":
            recipients = set().union(*(self.people.force(d) for d in self.missing_disciplines.get(row["pk"], set())))
        elif who == "pcu":
            recipients = self.people.force(Role.PCU)
        elif who == "lead":
            recipients = self.named("designated_lead_id", Role.LEAD)
        else:
            recipients = self.named("coordinator_id", Role.COORDINATOR)
        return self.reminders(ReminderKind.STUCK, step, recipients,
                              f"{row['reference']} {row['title']} has been waiting for {what} since "
                              f"{waiting_since:%-d %B %Y}, expected by {start:%-d %B %Y}{overdue}.")

    def orphans(self) -> list[PlannedReminder]:
        """Someone named on the policy has left (inactive account)."""
        row = self.row
        inactive = [label for label, user_id in (("owner", row["owner_id"]), ("Designated Lead",
                    row["designated_lead_id"]), ("policy manager", row["policy_manager_id"]))
                    if user_id is not None and user_id not in self.people.active]
        if self.people.inactive_developers.get(row["pk"]):
            inactive.append("developer")
        if not inactive:
            return []
        monday = self.today - datetime.timedelta(days=self.today.weekday())
        # Issue 12: the reminder points at the page where the gap is filled (the path comes first so that the
        # 400-character message never cuts it off); once filled, notifications.services.reminders_hand_over
        # supersedes the open reminder and the chase plans no new one.
        people_page = reverse("lifecycle:people", args=[row["reference"]])
        return self.reminders(ReminderKind.ORPHAN, (monday, "weekly"), self.named("coordinator_id", Role.COORDINATOR),
                              f"Reassign at {people_page}: {row['reference']} {row['title']} needs reassigning, "
                              f"its {', '.join(inactive)} account is no longer active.")


# --- running the chase -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChaseResult:
    planned: int
    new_reminders: int
    digests: list[int]


def chase_run(*, today: datetime.date | None = None) -> ChaseResult:
    """Write today's reminders to the ledger (exactly once), put them in each person's inbox, and prepare
    the day's digests. Safe to run twice, or to re-run after being killed part way.

    A fixed number of statements, however many reminders are due (issue 16): the ledger is written by one
    INSERT of the whole plan (arrays unnested by PostgreSQL), the inbox by one INSERT ... SELECT. Each is one
    statement, so a run killed part way has written all of a step or none of it, and the exactly-once key
    makes the next run write only what is missing."""
    today = today or timezone.localdate()
    plan = chase_plan(today=today)
    with transaction.atomic():
        new_reminders = _reminders_insert(plan)
    # Filed straight into today's digests: updating every new inbox item afterwards would write each row twice
    # (make bench: 111,000 reminders, the update alone took longer than planning the chase).
    reminders_to_inbox(digest_date=today)
    digests = digests_prepare(today=today)
    logger.info("chase %s: %s planned, %s new reminders, %s digests", today, len(plan), new_reminders,
                len(digests))
    return ChaseResult(planned=len(plan), new_reminders=new_reminders, digests=digests)


def _reminders_insert(plan: list[PlannedReminder]) -> int:
    """The planned reminders into the ledger in one statement; those already there (the exactly-once key) are
    skipped. Returns how many were new."""
    if not plan:
        return 0
    if connection.vendor != "postgresql":  # the demo's SQLite
        before = Reminder.objects.count()
        Reminder.objects.bulk_create([
            Reminder(policy_id=item.policy_id, cycle=item.cycle, recipient_id=item.recipient_id, kind=item.kind,
                     due_on=item.due_on, item_due_on=item.item_due_on, step=item.step[:40],
                     message=item.message[:400]) for item in plan], ignore_conflicts=True, batch_size=500)
        return Reminder.objects.count() - before
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = [connection.ops.quote_name(Reminder._meta.get_field(name).column) for name in
               ("policy", "cycle", "recipient", "kind", "due_on", "item_due_on", "step", "message", "created_at")]
    # Column names from the model, every value a parameter (one array per column).
    statement = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        "SELECT policy_id, cycle, recipient_id, kind, due_on, item_due_on, step, message, %s "
        "FROM unnest(%s::bigint[], %s::integer[], %s::bigint[], %s::text[], %s::date[], %s::date[], %s::text[], "
        "%s::text[]) AS plan (policy_id, cycle, recipient_id, kind, due_on, item_due_on, step, message) "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [
            timezone.now(), [item.policy_id for item in plan], [item.cycle for item in plan],
            [item.recipient_id for item in plan], [str(item.kind) for item in plan], [item.due_on for item in plan],
            [item.item_due_on for item in plan], [item.step[:40] for item in plan],
            [item.message[:400] for item in plan],
        ])
        return cursor.rowcount


def reminders_to_inbox(*, digest_date: datetime.date | None = None) -> int:
    """Every reminder gets exactly one inbox item (the OneToOne makes a re-run harmless): one INSERT ... SELECT
    of those still without one, titled "<kind>: <reference> <title>" as ``Reminder.get_kind_display`` words it.

    With ``digest_date`` (the chase) each item is filed at once in its recipient's digest of that day, created
    if missing, unless that digest has already been sent (then the item waits for tomorrow's, as in
    ``digests_prepare``, whose locks this shares: a digest being sent is waited for)."""
    if connection.vendor != "postgresql":
        return _reminders_to_inbox_in_batches()
    digest_join, digest_column, digest_params = "", "NULL", []
    kinds = " ".join("WHEN %s THEN %s" for _ in ReminderKind.choices)
    labels = [str(value) for choice in ReminderKind.choices for value in choice]
    notification, reminder, policy = (connection.ops.quote_name(model._meta.db_table)
                                      for model in (Notification, Reminder, Policy))
    # Table names from the models, every value a parameter.
    pending = f"NOT EXISTS (SELECT 1 FROM {notification} n WHERE n.reminder_id = r.id)"  # noqa: S608
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        if digest_date is not None:
            digest = connection.ops.quote_name(Digest._meta.db_table)
            cursor.execute(
                f"INSERT INTO {digest} (recipient_id, digest_date, created_at, attempts, item_count) "  # noqa: S608
                f"SELECT DISTINCT r.recipient_id, %s::date, %s, 0, 0 FROM {reminder} r WHERE {pending} "
                "ON CONFLICT DO NOTHING", [digest_date, now])
            # As digests_prepare: wait for any of these being sent now, and keep new sends back till we commit.
            cursor.execute(f"SELECT id FROM {digest} WHERE digest_date = %s AND sent_at IS NULL "  # noqa: S608
                           f"AND recipient_id IN (SELECT r.recipient_id FROM {reminder} r WHERE {pending}) "
                           "ORDER BY id FOR UPDATE", [digest_date])
            # A bulk join, hashed: planned from the statistics of a digest table that was nearly empty at its last
            # ANALYZE (a first chase), PostgreSQL would otherwise scan every digest for every reminder.
            cursor.execute("SET LOCAL enable_nestloop = off")
            digest_join = (f"LEFT JOIN {digest} d ON d.recipient_id = r.recipient_id AND d.digest_date = %s "
                           "AND d.sent_at IS NULL ")
            digest_column, digest_params = "d.id", [digest_date]
        cursor.execute(
            f"INSERT INTO {notification} (recipient_id, policy_id, reminder_id, title, body, created_at, digest_id) "  # noqa: S608
            f"SELECT r.recipient_id, r.policy_id, r.id, "
            f"left((CASE r.kind {kinds} ELSE r.kind END) || ': ' || p.reference || ' ' || p.title, 300), r.message, "
            f"%s, {digest_column} FROM {reminder} r JOIN {policy} p ON p.id = r.policy_id {digest_join}"
            f"WHERE {pending} ORDER BY r.id ON CONFLICT DO NOTHING", [*labels, now, *digest_params])
        return cursor.rowcount


def _reminders_to_inbox_in_batches() -> int:
    created = 0
    pending = Reminder.objects.filter(notification__isnull=True).select_related("policy").order_by("pk")
    while True:
        batch = list(pending[:2000])
        if not batch:
            return created
        with transaction.atomic():
            Notification.objects.bulk_create(
                [Notification(recipient_id=reminder.recipient_id, policy_id=reminder.policy_id, reminder=reminder,
                              title=f"{reminder.get_kind_display()}: {reminder.policy.reference} "
                                    f"{reminder.policy.title}"[:300],
                              body=reminder.message) for reminder in batch],
                ignore_conflicts=True,
            )
        created += len(batch)


def digests_prepare(*, today: datetime.date) -> list[int]:
    """One digest per person per day, holding everything not yet e-mailed. Returns the unsent digest ids."""
    with transaction.atomic():
        # order_by(): the model's default ordering would otherwise join the DISTINCT (one row per item).
        recipients = list(Notification.objects.filter(digest__isnull=True).order_by("recipient_id")
                          .values_list("recipient_id", flat=True).distinct())
        Digest.objects.bulk_create([Digest(recipient_id=user_id, digest_date=today) for user_id in recipients],
                                   ignore_conflicts=True)
        # digest_send holds a digest's row lock while it e-mails it. Wait for any of these being sent now: the
        # update below (a new snapshot) then sees it sent and keeps the new items for tomorrow, instead of
        # filing them in an e-mail that has already gone. Holding the locks keeps new sends back till we commit.
        list(Digest.objects.select_for_update().filter(recipient_id__in=recipients, digest_date=today,
                                                       sent_at__isnull=True).order_by("pk").values_list("pk"))
        todays = Digest.objects.filter(recipient_id=OuterRef("recipient_id"), digest_date=today,
                                       sent_at__isnull=True).values("pk")[:1]
        # Items arriving after today's digest went out wait for tomorrow's (at most one e-mail a day).
        Notification.objects.filter(digest__isnull=True, recipient_id__in=recipients).update(digest=Subquery(todays))
    return list(Digest.objects.filter(digest_date=today, sent_at__isnull=True).values_list("pk", flat=True))


def digests_pending(*, older_than_seconds: int = 300) -> list[int]:
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    return list(Digest.objects.filter(sent_at__isnull=True, created_at__lte=cutoff).order_by("pk")
                .values_list("pk", flat=True))


def digest_send(*, digest_id: int) -> bool:
    """Send one digest e-mail, once. Returns False if it had already been sent (a re-delivered task)."""
    with transaction.atomic():
        # Lock the digest only: locking the joined user row too would hold up that person's own requests
        # (their last login, every audit event naming them) for as long as the mail server takes.
        digest = Digest.objects.select_for_update(of=("self",)).select_related("recipient").filter(pk=digest_id).first()
        if digest is None or digest.sent_at is not None:
            return False
        items = list(digest.items.select_related("policy").order_by("created_at", "pk"))
        digest.attempts += 1
        if not items or not digest.recipient.email or not digest.recipient.is_active:
            digest.sent_at = timezone.now()
            digest.item_count = len(items)
            digest.save(update_fields=["sent_at", "attempts", "item_count"])
            return False
        context = {"user": digest.recipient, "items": items, "digest": digest,
                   "base_url": settings.POLICYHUB_BASE_URL,
                   "inbox_url": settings.POLICYHUB_BASE_URL + reverse("notifications:list")}
        plural = "s" if len(items) != 1 else ""
        message = EmailMultiAlternatives(
            subject=f"PolicyHub: {len(items)} item{plural} for you on {digest.digest_date:%-d %B %Y}",
            body=render_to_string("notifications/digest.txt", context),
            to=[digest.recipient.email],
            headers={"Message-ID": f"<digest-{digest.pk}@policyhub>", "X-PolicyHub-Digest": str(digest.pk)},
        )
        message.attach_alternative(render_to_string("notifications/digest.html", context), "text/html")
        # Sent inside the lock and marked sent in the same transaction: a crash before the commit means it
        # is sent again (the Message-ID lets the mail system drop the copy); never lost.
        message.send()
        digest.sent_at = timezone.now()
        digest.item_count = len(items)
        digest.save(update_fields=["sent_at", "attempts", "item_count"])
    return True


# --- the outbox --------------------------------------------------------------------------------


NOBODY: tuple[tuple[str, ...], str] = ((), "")
# The people an event names itself: the user ids in its changes' "notify_user_ids" (a reassignment's old and new
# holders), for events whose recipients no role describes.
NAMED_IN_CHANGES = "named_in_changes"

# Every audit action, and whom its event notifies: (who, title). The cycle's steps declare theirs in
# lifecycle.workflow (``notify``, ``notice``); the rest are here. A test proves every AuditAction has an entry,
# "nobody" included, so a new action cannot be forgotten, and the relay refuses a topic it does not know.
EVENT_RECIPIENTS: dict[AuditAction, tuple[tuple[str, ...], str]] = {
    **dict.fromkeys(AuditAction, NOBODY),
    **{step.audit: (step.notify, step.notice) for step in workflow.STEPS if step.notify},
    AuditAction.ROLE_CONFLICT_FLAGGED: (("pcu",), "A role assignment to check: one person holds two independent "
                                                  "checks"),
    AuditAction.POLICY_EIA_COMPLETED_RETROSPECTIVELY: (("authors", "lead", "coordinator"), "EIA signed off"),
    AuditAction.POLICY_PUBLICATION_CANCELLED: (("pcu", "lead"), "Scheduled publication cancelled"),
    # Issue 14: "A tampered stored file (the hash does not match) is refused and reported".
    AuditAction.PUBLICATION_FILE_TAMPERED: (("pcu",), "A published file does not match its record"),
    AuditAction.MONITORING_REPORT_SUBMITTED: (("coordinator",), "Monitoring report to quality-assure"),
    AuditAction.MONITORING_REPORT_QA_PASSED: (("pcu", "authors"), "Monitoring report quality assured"),
    AuditAction.MONITORING_REPORT_RETURNED: (("authors",), "Monitoring report returned with comments"),
    AuditAction.MONITORING_REPORT_PUBLISHED: (("authors", "coordinator"), "Monitoring report published"),
    AuditAction.MONITORING_REMEDIAL_ACTION_COMPLETED: (("lead", "coordinator"), "Remedial action done"),
    AuditAction.MONITORING_REPORT_READ_FOR_REVIEW: (("lead",), "A monitoring report read for the review"),
    # Issue 12: each change notifies the old and new holders, named by id in the event's changes
    # ("notify_user_ids"); a leaver's handover notifies once, from the event on the leaver, not once per policy.
    AuditAction.POLICY_REASSIGNED: ((NAMED_IN_CHANGES,), "People changed"),
    AuditAction.POLICY_MOVED_BUSINESS_GROUP: ((NAMED_IN_CHANGES, "coordinator"),
                                              "Policy moved to another business group"),
    AuditAction.PERSON_HANDED_OVER: ((NAMED_IN_CHANGES,), "Work handed over"),
    # Issue 12: a re-marking or a new approval route concerns whoever drafts and co-ordinates the policy.
    AuditAction.POLICY_DETAILS_CHANGED: (("authors", "coordinator"), "Document details changed"),
    # Issue 12: the invited person (or every holder of the invited team's role), named by id in the changes.
    AuditAction.POLICY_ADVICE_INVITED: ((NAMED_IN_CHANGES,), "You are invited to advise on a draft"),
    AuditAction.POLICY_ADVICE_WITHDRAWN: ((NAMED_IN_CHANGES,), "Invitation to advise withdrawn"),
    AuditAction.POLICY_ADVICE_GIVEN: (("authors", "coordinator"), "Advice given on the draft"),
}


FORCE_WIDE_KINDS = {"pcu", "dcfd", "doi", "shrmt"}


def _event_recipients(who: tuple[str, ...], policy: Policy | None, role_holders, changes: dict | None = None
                      ) -> set[int]:
    recipients: set[int] = set()
    group = policy.business_group_id if policy else None
    for kind in who:
        if kind == NAMED_IN_CHANGES:
            named = (changes or {}).get("notify_user_ids") or []
            recipients |= {user_id for user_id in named if isinstance(user_id, int)}
        elif kind == "authors":
            recipients |= {user.pk for user in policy.developers.all() if user.is_active}
            if policy.policy_manager_id:
                recipients.add(policy.policy_manager_id)
        elif kind in FORCE_WIDE_KINDS:
            recipients |= role_holders.get((None, kind), set())
        else:
            named = {"coordinator": policy.coordinator_id, "lead": policy.designated_lead_id,
                     "owner": policy.owner_id}[kind]
            recipients |= {named} if named else role_holders.get((group, kind), set())
    return recipients


def outbox_relay(*, limit: int = 500) -> int:
    """Turn waiting outbox rows into inbox items. Rows are claimed with SKIP LOCKED so two relays never
    handle the same row; the unique (event, recipient) constraint makes a replay harmless. A row whose topic
    is not an AuditAction is an error: logged, counted in ``attempts`` and left waiting, never marked done."""
    handled = 0
    cursor = 0
    role_holders: dict | None = None
    while handled < limit:
        with transaction.atomic():
            batch = list(
                OutboxEvent.objects.select_for_update(skip_locked=True).filter(handled_at__isnull=True, pk__gt=cursor)
                .select_related("audit_event").order_by("pk")[:100]
            )
            if not batch:
                break
            cursor = batch[-1].pk
            if role_holders is None:
                role_holders = active_role_holders()
            handled += _relay_batch(batch, role_holders)
    return handled


def _relay_batch(batch: list[OutboxEvent], role_holders) -> int:
    policy_ids = {event.audit_event.policy_id for event in batch if event.audit_event.policy_id}
    policies = Policy.objects.prefetch_related("developers").in_bulk(policy_ids)
    now = timezone.now()
    notifications = []
    done = []
    for event in batch:
        event.attempts += 1
        try:
            who, title = EVENT_RECIPIENTS[AuditAction(event.topic)]
        except ValueError:
            logger.error("Outbox event #%s has the unknown topic %r: left waiting (attempt %s).",
                         event.pk, event.topic, event.attempts)
            continue
        policy = policies.get(event.audit_event.policy_id)
        # An event of no policy (a role assignment) reaches force-wide roles and the people it names only.
        if who and (policy is not None or set(who) <= FORCE_WIDE_KINDS | {NAMED_IN_CHANGES}):
            actor_id = event.audit_event.actor_id
            subject = f"{policy.reference} {policy.title}" if policy else event.audit_event.object_repr
            recipients = _event_recipients(who, policy, role_holders, event.audit_event.changes)
            for recipient_id in sorted(recipients - {actor_id}):
                notifications.append(Notification(
                    recipient_id=recipient_id, policy=policy, source_event=event,
                    title=f"{title}: {subject}"[:300],
                    body=f"By {event.audit_event.actor_username or 'PolicyHub'} on "
                         f"{timezone.localtime(event.audit_event.occurred_at):%-d %B %Y, %H:%M}.",
                ))
        event.handled_at = now
        event.relayed_at = event.relayed_at or now
        done.append(event)
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    OutboxEvent.objects.bulk_update(batch, ["handled_at", "relayed_at", "attempts"])
    return len(done)


# --- open reminders follow the new holder (issue 12) -----------------------------------------------


# The parts of a policy each kind of reminder chases (lifecycle.services.people.PARTS): a reminder moves only to
# whoever takes over a part it was sent for.
KIND_PARTS = {
    ReminderKind.REVIEW_DUE: {"developer", "policy_manager", "coordinator", "designated_lead", "owner"},
    ReminderKind.MONITORING_DUE: {"developer", "policy_manager", "coordinator", "designated_lead", "owner"},
    ReminderKind.MONITORING_QA: {"coordinator"},
    ReminderKind.EMERGENCY_EIA: {"developer", "policy_manager", "designated_lead"},
    ReminderKind.STUCK: {"designated_lead", "coordinator"},
    ReminderKind.ORPHAN: {"coordinator"},
    # The person a remedial action names is not a part of the policy; the Lead who directed it is.
    ReminderKind.REMEDIAL_ACTION: {"designated_lead"},
}


def open_reminders():
    """Reminders not yet dealt with: not superseded, and their inbox item (if made yet) unread."""
    return Reminder.objects.filter(superseded_at__isnull=True).filter(
        Q(notification__isnull=True) | Q(notification__read_at__isnull=True))


def reminders_hand_over(*, changes: list[HolderChange]) -> int:
    """Inside the transaction of a reassignment or handover: the old holders' open reminders on those policies
    are superseded and copied to the new holders (so the chase's exactly-once key already holds the new holder's
    copy and does not chase them twice), and open orphan reminders stop where no inactive holder remains. A fixed
    number of queries however many policies moved. Returns how many reminders were handed over."""
    now = timezone.now()
    _orphan_reminders_resolve({change.policy_id for change in changes}, now)
    moves: dict[tuple[int, int], set[tuple[str, int]]] = defaultdict(set)
    for change in changes:
        if change.old_id and change.new_id:
            moves[(change.policy_id, change.old_id)].add((change.part, change.new_id))
    if not moves:
        return 0
    candidates = open_reminders().filter(policy_id__in={policy for policy, _ in moves},
                                         recipient_id__in={old for _, old in moves}).order_by("pk")
    copies, superseded = [], []
    for reminder in candidates:
        targets = sorted({new for part, new in moves.get((reminder.policy_id, reminder.recipient_id), ())
                          if part in KIND_PARTS.get(reminder.kind, ())})
        if not targets:
            continue
        copies.extend(Reminder(policy_id=reminder.policy_id, cycle=reminder.cycle, recipient_id=target,
                               kind=reminder.kind, due_on=reminder.due_on, item_due_on=reminder.item_due_on,
                               step=reminder.step, message=reminder.message) for target in targets)
        reminder.superseded_at, reminder.handed_to_id = now, targets[0]
        superseded.append(reminder)
    if superseded:
        Reminder.objects.bulk_create(copies, ignore_conflicts=True)
        Reminder.objects.bulk_update(superseded, ["superseded_at", "handed_to"])
        # The copies reach the new holders' inboxes once the change is committed.
        transaction.on_commit(reminders_to_inbox)
    return len(superseded)


def _orphan_reminders_resolve(policy_ids: set[int], now) -> int:
    """The orphan reminder stops once the gap is filled: no inactive owner, Lead, manager or developer left."""
    developers = Policy.developers.through.objects.filter(policy_id=OuterRef("pk"), user__is_active=False)
    still_orphaned = Policy.objects.filter(pk__in=policy_ids).filter(
        Q(owner__is_active=False) | Q(designated_lead__is_active=False) | Q(policy_manager__is_active=False)
        | Q(Exists(developers))).values("pk")
    return open_reminders().filter(kind=ReminderKind.ORPHAN, policy_id__in=policy_ids) \
        .exclude(policy_id__in=still_orphaned).update(superseded_at=now)


def open_tasks_for(*, user, policy_ids: list[int]) -> list[OpenTask]:
    """A person's open reminders on those policies, for a handover preview (one query)."""
    return [OpenTask(policy_id=reminder.policy_id, what=f"{reminder.get_kind_display()}: {reminder.message}",
                     due_on=reminder.item_due_on or reminder.due_on)
            for reminder in open_reminders().filter(recipient_id=user.pk, policy_id__in=policy_ids)
            .order_by("policy_id", "-due_on")]


# --- the inbox ----------------------------------------------------------------------------------


def notifications_mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=notification_ids)
    return queryset.update(read_at=timezone.now())


def reminders_stop_for(*, policy_id: int) -> int:
    """Inside the transaction that withdraws a policy (issue 13): its open reminders stop, kept as evidence of who
    was chased and marked superseded (the chase itself never chases a withdrawn policy)."""
    return open_reminders().filter(policy_id=policy_id).update(superseded_at=timezone.now())
