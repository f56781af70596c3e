"""The daily plan: everything due to be chased today, to whom (reads only; a fixed number of queries). SOP: policies
are "reviewed and published at least once every 3 years" with "monitoring reports annually"; "allow at least 6 months
for a basic review"."""

from __future__ import annotations

import datetime
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from acknowledgements.models import AcknowledgementAudience
from acknowledgements.selectors import in_force, outstanding_sql
from assessments.models import MonitoringReport, MonitoringResponse
from core.converters import REFERENCE_MARKER
from lifecycle.deadlines import (
    SHORTEST_STAGE_WORKING_DAYS,
    WITHDRAWAL_DECIDED_AT,
    publication_scheduled,
    withdrawal_decided_column,
    withdrawal_waiting,
)
from lifecycle.due import MONITORING, REMEDIAL, REVIEW, leaver_named_in_a_column
from lifecycle.models import NOT_WITHDRAWN, Policy, PolicyVersion, QASignOff
from lifecycle.selectors import REPORT_MARKING, sensitive_instructions
from lifecycle.states import ProtectiveMarking, Status
from notifications.models import Reminder, ReminderKind
from notifications.services.people import People
from notifications.services.rules import STUCK_STATUSES, PlannedReminder, PolicyChase

POLICY_FIELDS = [
    "pk", "reference", "title", "status", "business_group_id", "review_due_on", "monitoring_report_due_on",
    "not_impact_assessed", "emergency_eia_due_on", "status_changed_at", "owner_id", "designated_lead_id",
    "policy_manager_id", "coordinator_id", "first_published_on", "protective_marking",
]


def chase_plan(*, today: datetime.date | None = None) -> list[PlannedReminder]:
    """Everything due to be chased today, to whom (the dry run of ``chase_run``). Reads only; a fixed number of
    queries."""
    today = today or timezone.localdate()
    return [*policy_plan(today), *_acknowledgement_plan(today)]


def policy_plan(today: datetime.date) -> list[PlannedReminder]:
    """The reminders the policies' own schedules call for today (``PolicyChase``): all but issue 14's, which the
    chase writes straight from SQL (``acknowledgement_reminders``)."""
    config = settings.POLICYHUB_CHASE
    horizon = today + relativedelta(months=max(config["review_months_before"]))
    # N working days are at least N calendar days, so this is a safe pre-filter for work past its stage deadline.
    stuck_since = timezone.make_aware(datetime.datetime.combine(
        today - datetime.timedelta(days=SHORTEST_STAGE_WORKING_DAYS), datetime.time.max))
    candidates = (
        Policy.objects.exclude(status=Status.WITHDRAWN)
        # Only policies for which some schedule could fire: a small share of the register.
        .filter(_could_be_due(horizon, today, stuck_since))
        # A withdrawal decided is waited on from the decision (lifecycle.deadlines.waiting_on reads it from the row).
        .annotate(cycle=Max("versions__major"), **{WITHDRAWAL_DECIDED_AT: withdrawal_decided_column()})
        .values(*POLICY_FIELDS, "cycle", WITHDRAWAL_DECIDED_AT)
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
        ).order_by("-period_end").values("policy_id", "status", "submitted_at", "pk",
                                         report_marking=F(REPORT_MARKING))
        if row["policy_id"] in candidate_ids
    }
    submitted_on = dict(
        PolicyVersion.objects.filter(policy_id__in=[r["pk"] for r in policies
                                                    if r["status"] == Status.SUBMITTED_FOR_QA])
        .values_list("policy_id").annotate(last=Max("submitted_at"))
    ) if policies else {}
    # The quality assurance still to be given: of a package submitted, and of what an emergency approval skipped, whose
    # authors are reminded until their parts are signed off (PolicyChase.emergency_eia). One query for both.
    missing_disciplines = _missing_disciplines([r["pk"] for r in policies
                                                if r["status"] == Status.SUBMITTED_FOR_QA or r["not_impact_assessed"]])
    # A version PCU scheduled for publication waits on its date, not on PCU: not chased as stuck, by the rule the
    # dashboard counts stuck with (lifecycle.deadlines.publication_scheduled). Few: read once.
    if any(r["status"] == Status.AWAITING_PUBLICATION for r in policies):
        scheduled = set(Policy.objects.filter(publication_scheduled()).values_list("pk", flat=True))
        for row in policies:
            row["scheduled"] = row["pk"] in scheduled
    # Open remedial actions due within their warning, or overdue: few, loaded by their own rule and kept for the
    # candidates, each with its report's own marking (joined: no query of its own), as are the reports in QA.
    remedial: dict[int, list[dict]] = defaultdict(list)
    for action in (MonitoringResponse.objects.filter(REMEDIAL.due_by(REMEDIAL.soon_from(today)))
                   .order_by("remedial_due_on", "pk")
                   .values("pk", "policy_id", "remedial_action", "remedial_owner_id", "remedial_due_on",
                           "remedial_completed_at", report_marking=F(f"report__{REPORT_MARKING}"))):
        if action["policy_id"] in candidate_ids:
            remedial[action["policy_id"]].append(action)
    plan: list[PlannedReminder] = []
    for row in policies:
        plan.extend(_plan_for(row, today, people, config, reports_in_qa, submitted_on, missing_disciplines,
                              remedial))
    return plan


def _acknowledgement_plan(today: datetime.date) -> list[PlannedReminder]:
    """Issue 14's reminders to read and confirm, as the chase would write them today (``acknowledgement_reminders``,
    ordered by policy and person: the order the statement finds them in, no sort of its own). One query."""
    select, params = acknowledgement_reminders(today)
    with connection.cursor() as cursor:
        cursor.execute(f"{select} ORDER BY chased.policy_id, chased.cycle, chased.recipient_id", params)
        rows = cursor.fetchall()
    return [PlannedReminder(policy_id, reference, title, cycle, recipient_id, kind, _as_date(due_on), item_due_on,
                            step, message)
            for policy_id, cycle, recipient_id, kind, _, due_on, item_due_on, step, message, reference, title in rows]


# The ledger's columns in the order ``acknowledgement_reminders`` selects them (then the policy's reference and title).
LEDGER_COLUMNS = ("policy", "cycle", "recipient", "kind", "chased_item", "due_on", "item_due_on", "step", "message")


def acknowledgement_reminders(today: datetime.date, *, policy_ids: list[int] | None = None) -> tuple[str, list]:
    """Issue 14, the one declaration of who is chased to read and confirm, as SQL: the dry run (``chase_plan``)
    SELECTs it, the chase (``chase_run``) INSERTs ... SELECTs it, so the two cannot disagree, and the chase writes
    millions of them without a Python object each (issue 16).

    Everyone a version in force asks to confirm they have read it, and who has not
    (``acknowledgements.selectors.outstanding_sql``), is chased once: one reminder per version, due on the day it
    was first published (the ledger's key then holds it once, however often the chase runs; someone who joins the
    unit later is chased on their first chase). Those already chased are left out, so that a dry run lists only
    what would be sent. Columns: ``LEDGER_COLUMNS``, then ``reference`` and ``title``; the statement is
    ``SELECT ... FROM (...) chased WHERE ...``, for a caller to order. ``policy_ids``: those policies' only (the
    staff a publication asks, told when it is published: ``ledger.acknowledgement_requests_tell``)."""
    # The library page the reminder points at, with the reference in its place: references are generated from
    # letters, digits and hyphens, which reverse() leaves as they are.
    page_start, _, page_end = reverse("library:policy", args=[REFERENCE_MARKER]).partition(REFERENCE_MARKER)
    in_scope = AcknowledgementAudience.objects.filter(policy_id__in=policy_ids) if policy_ids is not None \
        else AcknowledgementAudience.objects.all()
    audiences = (
        in_scope.filter(in_force())
        .annotate(audience_id=F("pk"), marking=F("policy__protective_marking"),
                  group_id=F("policy__business_group_id"), reference=F("policy__reference"),
                  title=F("policy__title"),
                  # An aggregate, so that the date is worked out once per audience, not once per person asked.
                  due=TruncDate(Min("policy_version__publications__published_at",
                                    filter=Q(policy_version__publications__status="published"))))
        .filter(due__lte=today)
        .order_by()
        .values("audience_id", "policy_id", "major", "minor", "counts_from_minor", "marking", "group_id", "due",
                "reference", "title")
    )
    outstanding, params = outstanding_sql(audiences)
    reminder = connection.ops.quote_name(Reminder._meta.db_table)
    # "Read POL-000123 Title, version 2.0, and confirm you have read it at /library/POL-000123/.", written with ||
    # (SQLite's parser overflows on Concat's nesting), cut to the ledger's length.
    message = (f"SUBSTR(%s || o.reference || %s || o.title || %s || o.major || %s || o.minor || %s || o.reference "
               f"|| %s, 1, {MESSAGE_LENGTH})")
    message_params = ["Read ", " ", ", version ", ".", f", and confirm you have read it at {page_start}",
                      f"{page_end}."]
    # Table names from the model; every value a parameter. CAST(NULL AS date): a bare NULL in a subquery is text.
    return (
        f"SELECT chased.* FROM (SELECT o.policy_id, o.major AS cycle, o.user_id AS recipient_id, %s AS kind, "  # noqa: S608
        f"0 AS chased_item, o.due AS due_on, CAST(NULL AS date) AS item_due_on, %s AS step, {message} AS message, "
        f"o.reference, o.title FROM ({outstanding}) o) chased "
        f"WHERE NOT EXISTS (SELECT 1 FROM {reminder} m WHERE m.policy_id = chased.policy_id "
        f"AND m.cycle = chased.cycle AND m.recipient_id = chased.recipient_id AND m.kind = chased.kind "
        f"AND m.chased_item = chased.chased_item AND m.due_on = chased.due_on)",
        [ReminderKind.ACKNOWLEDGEMENT.value, ACKNOWLEDGEMENT_STEP, *message_params, *params],
    )


ACKNOWLEDGEMENT_STEP = "read and confirm"
MESSAGE_LENGTH = Reminder._meta.get_field("message").max_length


def _as_date(value) -> datetime.date:
    """A date column read by a raw cursor: a date on PostgreSQL, its ISO text on SQLite."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


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
        | withdrawal_waiting(Q(decided_at__lte=stuck_since))
        | Q(Exists(report_in_qa))
        # A leaver named on the policy: the parts the dashboard's "Orphaned" figure reads (lifecycle.due.NAMED_PARTS,
        # and the developers), so that a policy it shows orphaned is read and its co-ordinator told.
        | leaver_named_in_a_column()
        | Q(Exists(developers))
        # Someone named on an OFFICIAL-SENSITIVE policy may not be cleared for it, whatever is due: the orphan
        # reminder's own condition (rules.orphaned_parts), decided by the one clearance rule from the role holders
        # the chase loads anyway, so no rule restated here. (Read only while something was due, an uncleared
        # developer's reminder came and went with the review's schedule.) A few more rows, no more queries.
        | ~Q(protective_marking=ProtectiveMarking.OFFICIAL)
        # A corporate policy that an OFFICIAL-SENSITIVE local work instruction supplements, whose Designated Lead may
        # not be cleared for it (rules.orphaned_parts, by the same clearance rule): an uncorrelated subquery of the
        # few such instructions, read from the index on supports.
        | Q(pk__in=sensitive_instructions().values("supports_id"))
    )


def _missing_disciplines(policy_ids: list[int]) -> dict[int, set[str]]:
    if not policy_ids:
        return {}

    latest = PolicyVersion.objects.filter(NOT_WITHDRAWN, policy_id=OuterRef("policy_version__policy_id")).order_by(
        "-major", "-minor").values("pk")[:1]
    signed: dict[int, set[str]] = defaultdict(set)
    for policy_id, discipline in QASignOff.objects.filter(
        policy_version__policy_id__in=policy_ids, policy_version_id=Subquery(latest)
    ).values_list("policy_version__policy_id", "discipline"):
        signed[policy_id].add(discipline)
    return {policy_id: {"pcu", "dcfd", "doi"} - signed[policy_id] for policy_id in policy_ids}


def _plan_for(row, today, people: People, config, reports_in_qa, submitted_on, missing_disciplines, remedial):
    chase = PolicyChase(row=row, today=today, people=people, config=config, reports_in_qa=reports_in_qa,
                         submitted_on=submitted_on, missing_disciplines=missing_disciplines,
                         remedial=remedial.get(row["pk"], []))
    if row[WITHDRAWAL_DECIDED_AT] is not None:
        # A withdrawal decided: the policy waits for PCU to carry it out and for nothing else (lifecycle.steps.HALTS:
        # every other step is closed), so the withdrawal is all that is chased, to PCU, from the decision
        # (``PolicyChase.stuck``, lifecycle.deadlines.WITHDRAWAL); not its review, its report or anything else its
        # authors were reminded of (found with the demo), whose open reminders the decision closed
        # (reminders.withdrawal_decided_reminders_close).
        return chase.stuck()
    return [*chase.review(), *chase.monitoring_report(), *chase.monitoring_qa(), *chase.remedial_actions(),
            *chase.emergency_eia(), *chase.stuck(), *chase.orphans()]
