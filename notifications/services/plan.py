"""The daily plan: everything due to be chased today, to whom (reads only; a fixed number of queries). SOP: policies
are "reviewed and published at least once every 3 years" with "monitoring reports annually"; "allow at least 6 months
for a basic review"."""

from __future__ import annotations

import datetime
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Exists, Max, Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from acknowledgements.selectors import audiences_in_force, outstanding_people, profiles_of
from assessments.models import MonitoringReport, MonitoringResponse
from core.models import User
from lifecycle.due import MONITORING, REMEDIAL, REVIEW, SHORTEST_STAGE_WORKING_DAYS
from lifecycle.models import Policy, PolicyVersion, QASignOff
from lifecycle.states import Status
from notifications.models import Reminder, ReminderKind
from notifications.services.people import People
from notifications.services.rules import STUCK_STATUSES, PlannedReminder, PolicyChase

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
    chase = PolicyChase(row=row, today=today, people=people, config=config, reports_in_qa=reports_in_qa,
                         submitted_on=submitted_on, missing_disciplines=missing_disciplines,
                         remedial=remedial.get(row["pk"], []))
    return [*chase.review(), *chase.monitoring_report(), *chase.monitoring_qa(), *chase.remedial_actions(),
            *chase.emergency_eia(), *chase.stuck(), *chase.orphans()]
