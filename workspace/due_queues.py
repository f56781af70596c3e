"""My work's reviews and monitoring reports overdue and due soon (lifecycle.due: the same rules as the register's
filter, the chase and the dashboard), of the policies the person answers for."""

from __future__ import annotations

from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.urls import reverse

from assessments.models import MonitoringReport
from assessments.selectors import reports_readable_by
from core.models import Role
from lifecycle.due import MONITORING, REVIEW, DueStatus
from lifecycle.models import Policy, PolicyUserObjectPermission
from lifecycle.monitoring_reports import REPORT_UNDER_WAY_STATUSES
from lifecycle.selectors import Viewer, pk_in_ids, policies_seen_by
from lifecycle.steps import not_halted
from lifecycle.workflow_monitoring import MONITORING_REPORT, report_work
from workspace.queues import (
    NAMED_ONLY,
    QUEUE_SHOWN,
    REPORT_UNDER_WAY,
    REPORT_UNDER_WAY_TO,
    as_queue,
    compiled_queue,
    named_developer,
    report_of,
)

# Who writes a policy's monitoring report: those who draft it (assessments.services.monitoring_report_create asks
# lifecycle.permissions.can_draft), as the report's declaration says (lifecycle.workflow_monitoring.MONITORING_REPORT).
MONITORING_REPORT_WRITERS = MONITORING_REPORT.taken_by


def due_queues(viewer: Viewer, today) -> tuple[list[dict], list[dict]]:
    """Reviews and monitoring reports overdue, and due soon (lifecycle.due: the same rule as the register's filter,
    the chase and the dashboard), as separate queues, the most overdue first. One query per rule. Each policy
    carries ``due_state`` and what to do next, and by whom (workspace.selectors: unless it is the person's own work)."""
    overdue, due_soon = [], []
    if not viewer.roles:
        # Staff with no role answer for no policy's review or report: no queue of them, not even an empty one.
        return overdue, due_soon
    for rule, kind, hint, label, register_filter in (
        (REVIEW, "Reviews", "SOP: allow at least 6 months for a basic review.", "review due", "review_status"),
        (MONITORING, "Monitoring reports", "Due every year.", "report due", "monitoring_status"),
    ):
        policies = _due_policies(viewer, today, rule.field)
        everything = reverse("lifecycle:register") + f"?{register_filter}="
        for policy in policies:
            policy.due_state = rule.state(getattr(policy, rule.field), today)
            policy.due_label = label
            if getattr(policy, NAMED_ONLY, False):
                # Named on it as a developer, the reader is none of its developers by the rule: no step of it is theirs
                # (workspace.selectors._each_once names none).
                policy.next_label, policy.next_by = "", ""
            elif rule is MONITORING:
                # The report is its own work, named as declared (its overview says the same words); once one is
                # submitted, the part it waits for (QA walk of 2026-12-05, B: not a new report, which cannot be
                # started until it is published).
                work = report_work(MONITORING_REPORT, report_of(policy))
                policy.next_label, policy.next_by = work.title, work.taken_by
            # Otherwise, a review due: it names what comes next on the policy as its "What to do next" does, set with
            # every other row's (workspace.selectors:
            # ``way_on_of``, then ``queues.next_of``): in monitoring the review, or the annual monitoring report due
            # before it; the part a review under way waits for (the Lead concluded "no change": DCFD's confirmation,
            # then PCU's re-publication); in implementation "Move to monitoring" (QA walk: My work said "Start a
            # review", a step it chose itself, beside the overview's "Next: Move to monitoring").
        late = [policy for policy in policies if policy.due_state.is_overdue]
        soon = [policy for policy in policies if not policy.due_state.is_overdue]
        if late:  # shown only when something is late, at the top of the page
            overdue.append({"title": f"{kind} overdue", "hint": hint, "policies": late, "due": rule.field,
                            "due_label": label, "overdue": True, "shown_first": "most overdue",
                            "all_url": everything + DueStatus.OVERDUE.value})
        due_soon.append({"title": f"{kind} due {rule.warning_label}", "hint": hint, "policies": soon,
                         "due": rule.field, "due_label": label, "shown_first": "due soonest",
                         "all_url": everything + DueStatus.DUE_SOON.value})
    return overdue, due_soon


@compiled_queue
def _due_policies(viewer: Viewer, today, field: str) -> QuerySet[Policy]:
    rule = REVIEW if field == REVIEW.field else MONITORING
    # The most overdue and those due soonest, each up to one more than a queue shows: read as one list, these
    # filled it with overdue ones wherever more were overdue than it shows, and "due soon" said nothing was
    # (make bench: PCU and co-ordinators, thousands due within 6 months). Each part is a LIMIT read in the due
    # date's index order; the policies are then looked up by id.
    # Not of a policy whose withdrawal is decided: it waits for PCU alone (lifecycle.steps.HALTS), no review or report
    # is asked of it, and the chase no longer reminds of them (notifications.services.plan).
    due = (policies_seen_by(viewer).filter(rule.due_or_overdue(today)).filter(_responsible(viewer), not_halted())
           .order_by(rule.field, "pk"))
    # Overdue the day after (lifecycle.due.DueRule.is_overdue). Each a range of the date's index (an exclude()
    # of the first would be NOT (date < today AND date IS NOT NULL): read from the first overdue one on).
    past_due, not_yet = Q(**{f"{rule.field}__lt": today}), Q(**{f"{rule.field}__gte": today})
    # With each row, its monitoring report under way (one report at a time), for what comes next: its status and the
    # end of its period, subqueries in this statement, asked of the rows shown only. Only a report the reader may read
    # (its own marking: ``reports_readable_by``, as the overview reads it, lifecycle.report_work): one made
    # OFFICIAL-SENSITIVE, its policy OFFICIAL since a review, is not named to someone not cleared for it.
    under_way = (MonitoringReport.objects.filter(reports_readable_by(viewer), policy_id=OuterRef("pk"),
                                                 status__in=REPORT_UNDER_WAY_STATUSES).order_by("-period_end"))
    return as_queue(Policy.objects.filter(pk_in_ids(due.filter(past_due).values("pk")[:QUEUE_SHOWN + 1])
                                        | pk_in_ids(due.filter(not_yet).values("pk")[:QUEUE_SHOWN + 1]))
                    .annotate(**{REPORT_UNDER_WAY: Subquery(under_way.values("status")[:1]),
                                 REPORT_UNDER_WAY_TO: Subquery(under_way.values("period_end")[:1]),
                                 NAMED_ONLY: _named_only(viewer)}),
                    order=rule.field, limit=2 * (QUEUE_SHOWN + 1))


def _named_only(viewer: Viewer) -> Case | Value:
    """Whether a row is listed only because the reader is named on the policy as a developer (``_responsible``), while
    the rule makes them none of its developers: ``lifecycle.permissions.is_assigned_developer`` asks that they hold the
    developer role in its business group, or were granted ``draft_policy`` on it. Named on a policy of another group,
    they may neither write its monitoring report (``can_draft``: its Monitoring page offers no "Start the report") nor
    start its review, and "Next: Write the annual monitoring report, by the policy's developers or manager" read as
    theirs. A row the reader answers for in any other way (a role in its group, a grant on it, its management) is
    named to them as before. In the queue's own statement: no query a row."""
    if viewer.has_force_role(Role.PCU):
        return Value(False)
    groups = {group for _role, group in viewer.roles if group is not None} | set(viewer.managed_groups)
    granted = Exists(PolicyUserObjectPermission.objects.filter(
        user_id=viewer.user_id, content_object_id=OuterRef("pk"), permission__codename="draft_policy"))
    answers = Q(granted)
    if groups:
        answers |= Q(business_group_id__in=sorted(groups))
    if viewer.managed_units:
        answers |= Q(owning_unit_id__in=sorted(viewer.managed_units))
    return Case(When(answers, then=Value(False)), default=Value(True), output_field=BooleanField())


def _responsible(viewer: Viewer) -> Q:
    """Policies this user answers for: named developer, or a manager/co-ordinator/Lead/owner of the group.
    PCU answers for all."""
    if viewer.has_force_role(Role.PCU):
        return Q()
    condition = named_developer(viewer.user_id)
    groups = {group for role, group in viewer.roles if group is not None and role != Role.DEVELOPER}
    if groups:
        condition |= Q(business_group_id__in=groups)
    return condition
